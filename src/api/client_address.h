// Who a request came from when EcoHub sits behind a reverse proxy (nginx, a load
// balancer): every connection then comes from the proxy, and per-address limits (the
// API's, the public complaint form's) would count the whole city as one client. The
// proxies named in [http] trusted_proxies are believed about the client's address,
// which they pass in X-Forwarded-For; nobody else is. Pure, no I/O.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace ecohub::api {

class TrustedProxies {
 public:
  TrustedProxies() = default;
  // Addresses ("127.0.0.1", "::1") and networks ("10.0.0.0/8", "fd00::/8");
  // kInvalidInput naming the first entry that is neither.
  static Result<TrustedProxies> Parse(const std::vector<std::string>& entries);
  bool empty() const { return nets_.empty(); }
  // Whether `address` (as text) is one of them; false for text that is no address.
  bool Contains(std::string_view address) const;

 private:
  struct Net {
    bool v6 = false;
    unsigned char bytes[16] = {};
    int prefix = 0;
  };
  std::vector<Net> nets_;
};

// The client's address for a request from `peer` (the TCP peer) with the
// X-Forwarded-For value `forwarded_for` ("" when absent). Only when the peer is a
// trusted proxy is the header read: from its right end (the hop nearest to us), each
// trusted proxy is passed over, and the first other address is the client. When the
// header ends, or an entry is not an address (which a client could have written), the
// last address passed over stands. Entries may carry a port ("1.2.3.4:5678",
// "[2001:db8::1]:443"), which is dropped; IPv4-mapped IPv6 is given as IPv4.
std::string ClientAddress(std::string_view peer, std::string_view forwarded_for,
                          const TrustedProxies& trusted);

}  // namespace ecohub::api
