// SecurityEvents: what the gateway tells the security audit about devices.
//
// 等保 2.0 asks that device authentication failures be recorded. The gateway does
// not write the audit trail itself: it reports here, once per reporting window per
// (MN, address) rather than once per frame (a guessing attack must not become an
// audit-table flood), and when it shuts an address out. The server wires an
// implementation to the audit store; without one the gateway only logs and counts.
//
// Called from the gateway's io threads, one call at a time; implementations must
// be quick (queue, do not write synchronously) and must not call back into the
// gateway.
#pragma once

#include <cstdint>
#include <string>

#include "core/time.h"

namespace ecohub::ingest {

// Authentication failures (unknown or disabled MN, wrong password) of one MN from
// one address within one reporting window.
struct DeviceAuthFailures {
  std::string mn;       // as sent (escaped by whoever displays it)
  std::string address;  // the peer's IP address
  int64_t count = 0;
  bool registered = false;  // the MN is a registered device (a wrong password)
  UnixMillis first = 0, last = 0;
};

class SecurityEvents {
 public:
  virtual ~SecurityEvents() = default;
  virtual void DeviceAuthFailed(const DeviceAuthFailures& failures) = 0;
  // `address` is refused for `seconds` after `failures` failures in a short time.
  virtual void AddressBlocked(const std::string& address, int64_t seconds, int failures) = 0;
  // A command staff sent to device `mn` ended (control/command.h): done, failed,
  // refused or timed_out, with the device's code.
  virtual void CommandEnded(const std::string& mn, int64_t command_id, const std::string& cn,
                            const std::string& status, const std::string& code) {
    (void)mn, (void)command_id, (void)cn, (void)status, (void)code;
  }
};

}  // namespace ecohub::ingest
