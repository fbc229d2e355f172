#include "permit/validity.h"

namespace ecohub::permit {

namespace {
constexpr UnixSeconds kDay = 86400;

bool Covers(const Permit& p, int64_t site_id) {
  for (const Outlet& o : p.outlets)
    if (o.site_id == site_id) return true;
  return false;
}
}  // namespace

std::optional<Validity> ValidityOf(const Permit& p) {
  auto from = BeijingDayStart(p.valid_from), to = BeijingDayStart(p.valid_to);
  if (!from || !to || *to < *from) return std::nullopt;
  return Validity{*from, *to + kDay};
}

bool InForce(const Permit& p, UnixSeconds t) {
  if (p.state == PermitState::kRevoked) return false;
  auto v = ValidityOf(p);
  return v && v->start <= t && t < v->end;
}

const char* StateAt(const Permit& p, UnixSeconds t) {
  if (p.state == PermitState::kRevoked) return "revoked";
  auto v = ValidityOf(p);
  if (v && t < v->start) return "pending";
  if (!v || t >= v->end) return "expired";
  return "valid";
}

const Permit* InForceFor(std::span<const Permit> permits, int64_t site_id, UnixSeconds t) {
  const Permit* best = nullptr;
  UnixSeconds best_start = 0;
  for (const Permit& p : permits) {
    if (!InForce(p, t) || !Covers(p, site_id)) continue;
    UnixSeconds start = ValidityOf(p)->start;
    if (!best || start > best_start || (start == best_start && p.id > best->id)) {
      best = &p;
      best_start = start;
    }
  }
  return best;
}

std::optional<LimitInForce> LimitAt(std::span<const Permit> permits, int64_t site_id,
                                    std::string_view factor, UnixSeconds t) {
  const Permit* p = InForceFor(permits, site_id, t);
  if (!p) return std::nullopt;
  for (const Outlet& o : p->outlets)
    if (o.site_id == site_id)
      for (const Limit& l : o.limits)
        if (l.factor == factor) return LimitInForce{p, &l};
  return std::nullopt;
}

}  // namespace ecohub::permit
