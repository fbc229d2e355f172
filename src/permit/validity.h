// Which permit is in force, and which limit applies, at a given time. A permit is in
// force from 00:00 Beijing time of valid_from to 24:00 of valid_to (both days
// included) unless it is revoked; a revoked permit is never in force, not even for
// hours before its revocation (the record keeps no revocation date).
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/time.h"
#include "permit/types.h"

namespace ecohub::permit {

// [start, end) in UTC seconds of the validity of `p`; nullopt when its dates do not
// parse or end before they start.
struct Validity {
  UnixSeconds start = 0, end = 0;
};
std::optional<Validity> ValidityOf(const Permit& p);

bool InForce(const Permit& p, UnixSeconds t);

// What the permit is at t: "revoked", "pending" (before valid_from), "expired"
// (after valid_to) or "valid".
const char* StateAt(const Permit& p, UnixSeconds t);

// The permit among `permits` in force at t that covers outlet `site_id`; nullptr when
// none does. When several do (a renewal issued before the old one ran out), the one
// that began last wins, then the higher id.
const Permit* InForceFor(std::span<const Permit> permits, int64_t site_id, UnixSeconds t);

// The limit of `factor` at outlet `site_id` at t: the one the permit in force there
// sets. nullopt when no permit is in force for the outlet, or the one in force sets no
// limit for the factor (the outlet's own limits apply then).
struct LimitInForce {
  const Permit* permit = nullptr;
  const Limit* limit = nullptr;
};
std::optional<LimitInForce> LimitAt(std::span<const Permit> permits, int64_t site_id,
                                    std::string_view factor, UnixSeconds t);

}  // namespace ecohub::permit
