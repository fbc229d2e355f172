// The client's address behind trusted proxies (client_address.h), as tables.
#include "api/client_address.h"

#include <gtest/gtest.h>

namespace ecohub::api {
namespace {

TrustedProxies Trusted(std::vector<std::string> entries) {
  auto t = TrustedProxies::Parse(entries);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? *t : TrustedProxies();
}

TEST(TrustedProxies, ParsesAddressesAndNetworksAndNamesABadEntry) {
  EXPECT_TRUE(
      TrustedProxies::Parse({"127.0.0.1", "::1", "10.0.0.0/8", "fd00::/8", "0.0.0.0/0"}).ok());
  for (const char* bad : {"abc", "10.0.0.0/33", "fd00::/129", "/8", "10.0.0.0/x", "10.0.0.0/",
                          "10.0.0", "", "10.0.0.0/-1"}) {
    auto t = TrustedProxies::Parse({"127.0.0.1", bad});
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_NE(t.status().message().find(std::string("'") + bad + "'"), std::string::npos)
        << t.status().message();
  }
}

TEST(TrustedProxies, ContainsByPrefix) {
  TrustedProxies t = Trusted({"10.0.0.0/8", "192.168.1.7", "fd00::/8", "2001:db8:0:0:8000::/65"});
  struct Case {
    const char* address;
    bool in;
  } cases[] = {
      {"10.0.0.1", true},
      {"10.255.255.255", true},
      {"11.0.0.1", false},
      {"192.168.1.7", true},
      {"192.168.1.8", false},
      {"fd12::1", true},
      {"fe80::1", false},
      {"::ffff:10.1.2.3", true},
      {"2001:db8::8000:0:0:1", true},
      {"2001:db8::7fff:0:0:1", false},
      {"not an address", false},
      {"", false},
  };
  for (const Case& c : cases) EXPECT_EQ(t.Contains(c.address), c.in) << c.address;
}

TEST(ClientAddress, BelievesOnlyTrustedProxiesAndReadsFromTheRight) {
  TrustedProxies proxies = Trusted({"10.0.0.0/8", "::1"});
  struct Case {
    const char* peer;
    const char* forwarded_for;
    const char* client;
    const char* why;
  } cases[] = {
      {"203.0.113.7", "", "203.0.113.7", "no header"},
      {"203.0.113.7", "198.51.100.1", "203.0.113.7", "a client writing the header itself"},
      {"10.0.0.9", "", "10.0.0.9", "a proxy passing nothing"},
      {"10.0.0.9", "203.0.113.7", "203.0.113.7", "one proxy"},
      {"10.0.0.9", "198.51.100.1, 203.0.113.7", "203.0.113.7",
       "a client's own header before the proxy's entry is not believed"},
      {"10.0.0.9", "203.0.113.7, 10.0.0.5", "203.0.113.7", "two proxies"},
      {"10.0.0.9", "10.0.0.3,10.0.0.5", "10.0.0.3", "only proxies: the farthest"},
      {"10.0.0.9", "203.0.113.7, garbage", "10.0.0.9", "garbage next to us: the peer stands"},
      {"10.0.0.9", "garbage, 203.0.113.7", "203.0.113.7", "garbage beyond the client"},
      {"10.0.0.9", "203.0.113.7:5555", "203.0.113.7", "a port"},
      {"10.0.0.9", "[2001:db8::1]:443", "2001:db8::1", "IPv6 with a port"},
      {"10.0.0.9", " 2001:db8::1 ", "2001:db8::1", "IPv6, spaces"},
      {"10.0.0.9", "::ffff:203.0.113.7", "203.0.113.7", "IPv4-mapped"},
      {"::1", "203.0.113.7", "203.0.113.7", "an IPv6 proxy"},
      {"10.0.0.9", "203.0.113.7, , 10.0.0.5", "10.0.0.5", "an empty entry stops the walk"},
  };
  for (const Case& c : cases)
    EXPECT_EQ(ClientAddress(c.peer, c.forwarded_for, proxies), c.client) << c.why;
  EXPECT_EQ(ClientAddress("10.0.0.9", "203.0.113.7", TrustedProxies()), "10.0.0.9")
      << "nobody trusted";
}

}  // namespace
}  // namespace ecohub::api
