#include "auth/login_guard.h"

#include <algorithm>

namespace ecohub::auth {

namespace {
std::string PairKey(int64_t account, const std::string& address) {
  return std::to_string(account) + "|" + address;
}
}  // namespace

bool LoginGuard::AddressFull(Count& c, UnixSeconds now) const {
  if (now >= c.since + options_.address_window_seconds) {
    c.failures = 0;
    c.since = now;
  }
  return c.failures + c.in_flight >= options_.max_failures_per_address;
}

void LoginGuard::Fail(Count& c, int max, UnixSeconds now) const {
  if (++c.failures < max) return;
  c.failures = 0;
  c.locked_until = now + options_.lockout_seconds;
}

template <class Map>
void LoginGuard::Prune(Map& m, UnixSeconds now) {
  if (m.size() < kMaxEntries) return;
  std::erase_if(m, [&](const auto& item) {
    const Count& c = item.second;
    return c.in_flight == 0 && c.locked_until <= now &&
           (c.failures == 0 || now >= c.since + options_.address_window_seconds);
  });
}

LoginGuard::Verdict LoginGuard::Admit(int64_t account, const std::string& address,
                                      UnixSeconds now) {
  std::lock_guard lock(mu_);
  Prune(addresses_, now);
  Count& a = addresses_[address];
  if (AddressFull(a, now)) return Verdict::kThrottled;
  ++a.in_flight;
  if (account == 0) return Verdict::kCheck;
  Prune(pairs_, now);
  Prune(accounts_, now);
  Count& p = pairs_[PairKey(account, address)];
  Count& c = accounts_[account];
  // Checks in flight count as failures until they end: parallel attempts cannot
  // check more passwords than the limits.
  if (p.locked_until > now || c.locked_until > now ||
      p.failures + p.in_flight >= options_.max_failures_per_pair ||
      c.failures + c.in_flight >= options_.max_failures_per_account)
    return Verdict::kLocked;
  ++p.in_flight;
  ++c.in_flight;
  return Verdict::kCheck;
}

void LoginGuard::Finish(int64_t account, const std::string& address, Verdict admitted,
                        Outcome outcome, UnixSeconds now) {
  std::lock_guard lock(mu_);
  bool failed = outcome == Outcome::kFailed;
  Count& a = addresses_[address];
  a.in_flight = std::max(0, a.in_flight - 1);
  if (failed) {
    AddressFull(a, now);  // starts a new window when the last one has passed
    ++a.failures;
  }
  if (account == 0 || admitted != Verdict::kCheck) return;
  Count& p = pairs_[PairKey(account, address)];
  Count& c = accounts_[account];
  p.in_flight = std::max(0, p.in_flight - 1);
  c.in_flight = std::max(0, c.in_flight - 1);
  if (failed) {
    Fail(p, options_.max_failures_per_pair, now);
    Fail(c, options_.max_failures_per_account, now);
  } else if (outcome == Outcome::kSucceeded) {
    p.failures = 0;
    c.failures = 0;
  }
}

int LoginGuard::RetryAfter(const std::string& address, UnixSeconds now) {
  std::lock_guard lock(mu_);
  auto it = addresses_.find(address);
  if (it == addresses_.end() || !AddressFull(it->second, now)) return 0;
  return static_cast<int>(
      std::max<UnixSeconds>(1, it->second.since + options_.address_window_seconds - now));
}

void LoginGuard::Clear(int64_t account) {
  std::lock_guard lock(mu_);
  auto it = accounts_.find(account);
  if (it != accounts_.end()) {
    it->second.failures = 0;
    it->second.locked_until = 0;
  }
  std::string prefix = std::to_string(account) + "|";
  for (auto& [key, c] : pairs_)
    if (key.starts_with(prefix)) {
      c.failures = 0;
      c.locked_until = 0;
    }
}

}  // namespace ecohub::auth
