#include "permit/types.h"

#include <charconv>

namespace ecohub::permit {

const char* PermitStateName(PermitState s) {
  return s == PermitState::kRevoked ? "revoked" : "valid";
}

std::optional<PermitState> ParsePermitState(std::string_view name) {
  if (name == "valid") return PermitState::kValid;
  if (name == "revoked") return PermitState::kRevoked;
  return std::nullopt;
}

std::optional<UnixSeconds> BeijingDayStart(std::string_view date) {
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return std::nullopt;
  int ymd[3];
  const size_t at[3][2] = {{0, 4}, {5, 2}, {8, 2}};
  for (int i = 0; i < 3; ++i) {
    std::string_view part = date.substr(at[i][0], at[i][1]);
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), ymd[i]);
    if (ec != std::errc() || end != part.data() + part.size()) return std::nullopt;
  }
  // Round-tripping through the civil calendar rejects Feb 30 and month 13.
  int64_t days = DaysFromCivil(ymd[0], ymd[1], ymd[2]);
  UnixSeconds start = days * 86400 - kBeijingOffsetSeconds;
  CivilTime back = CivilFromSeconds(start + kBeijingOffsetSeconds);
  if (back.year != ymd[0] || back.month != ymd[1] || back.day != ymd[2]) return std::nullopt;
  return start;
}

}  // namespace ecohub::permit
