#include "core/clock.h"

namespace ecohub {

const Clock& RealClock() {
  static const SystemClock kClock;
  return kClock;
}

}  // namespace ecohub
