// For the table-driven tests of src/standards: the shared vectors file, read once,
// and vector numbers as the decimals they were written as.
#pragma once

#include <fstream>
#include <nlohmann/json.hpp>

#include "standards/exact.h"

namespace ecohub::standards {

// ../shared/reference/standards_vectors.json; a discarded value when it is absent.
inline const nlohmann::json& StandardsVectors() {
  static const nlohmann::json all = [] {
    std::ifstream f(ECOHUB_SHARED_DIR "/reference/standards_vectors.json");
    return nlohmann::json::parse(f, nullptr, false);
  }();
  return all;
}

// Skips the calling test when ../shared/reference is not on this machine (the
// project's convention, as for the HJ 212 vectors); the vectors are not copied into
// the repository.
#define SKIP_WITHOUT_STANDARDS_VECTORS()                      \
  if (::ecohub::standards::StandardsVectors().is_discarded()) \
  GTEST_SKIP() << ECOHUB_SHARED_DIR "/reference/standards_vectors.json absent"

// A number of a vector (a double in JSON) as the decimal it was written as.
inline Decimal VectorDecimal(double v) { return *DecimalFromDouble(v); }

}  // namespace ecohub::standards
