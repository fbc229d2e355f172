// Lists kept in one TEXT column as a JSON array (the grids' inspectors, a
// subscription's kinds and districts): written with nlohmann::json(list).dump(), read
// back here. Items of another type, and text that is no array, are skipped: the
// stores never write them.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <type_traits>
#include <vector>

namespace ecohub::store {

template <typename T>
std::vector<T> ListFromJson(const std::string& text) {
  static_assert(std::is_same_v<T, int64_t> || std::is_same_v<T, std::string>);
  std::vector<T> out;
  nlohmann::json a = nlohmann::json::parse(text, nullptr, false);
  if (!a.is_array()) return out;
  for (const auto& v : a) {
    bool fits;
    if constexpr (std::is_same_v<T, int64_t>)
      fits = v.is_number_integer();
    else
      fits = v.is_string();
    if (fits) out.push_back(v.get<T>());
  }
  return out;
}

}  // namespace ecohub::store
