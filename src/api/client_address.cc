#include "api/client_address.h"

#include <boost/asio/ip/address.hpp>
#include <cstdlib>
#include <optional>

namespace ecohub::api {

namespace {

namespace ip = boost::asio::ip;

// The address in `text`, a port and brackets dropped; nullopt when it is none.
std::optional<ip::address> AddressOf(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (!text.empty() && text.front() == '[') {  // [v6] or [v6]:port
    size_t close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    text = text.substr(1, close - 1);
  } else if (text.find(':') == text.rfind(':') && text.find(':') != std::string_view::npos) {
    text = text.substr(0, text.find(':'));  // v4:port (a v6 address has several colons)
  }
  boost::system::error_code ec;
  ip::address a = ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  if (a.is_v6() && a.to_v6().is_v4_mapped())
    return ip::address(ip::make_address_v4(ip::v4_mapped, a.to_v6()));
  return a;
}

}  // namespace

Result<TrustedProxies> TrustedProxies::Parse(const std::vector<std::string>& entries) {
  TrustedProxies t;
  for (const std::string& e : entries) {
    std::string_view text = e;
    size_t slash = text.find('/');
    auto a = AddressOf(text.substr(0, slash));
    Net net;
    if (a) {
      net.v6 = a->is_v6();
      const int bits = net.v6 ? 128 : 32;
      net.prefix = bits;
      if (slash != std::string_view::npos) {
        std::string len(text.substr(slash + 1));
        char* end = nullptr;
        long n = std::strtol(len.c_str(), &end, 10);
        net.prefix =
            (!len.empty() && *end == '\0' && n >= 0 && n <= bits) ? static_cast<int>(n) : -1;
      }
      if (net.v6) {
        auto b = a->to_v6().to_bytes();
        std::copy(b.begin(), b.end(), net.bytes);
      } else {
        auto b = a->to_v4().to_bytes();
        std::copy(b.begin(), b.end(), net.bytes);
      }
    }
    if (!a || net.prefix < 0 || slash == 0)
      return Status::InvalidInput("trusted_proxies: '" + e +
                                  "' is not an address or a network (10.0.0.0/8, fd00::/8)");
    t.nets_.push_back(net);
  }
  return t;
}

bool TrustedProxies::Contains(std::string_view address) const {
  auto a = AddressOf(address);
  if (!a) return false;
  unsigned char bytes[16] = {};
  if (a->is_v6()) {
    auto b = a->to_v6().to_bytes();
    std::copy(b.begin(), b.end(), bytes);
  } else {
    auto b = a->to_v4().to_bytes();
    std::copy(b.begin(), b.end(), bytes);
  }
  for (const Net& n : nets_) {
    if (n.v6 != a->is_v6()) continue;
    int left = n.prefix;
    bool in = true;
    for (int i = 0; in && left > 0; ++i, left -= 8) {
      const unsigned mask = left >= 8 ? 0xffu : (0xffu << (8 - left)) & 0xffu;
      in = (bytes[i] & mask) == (n.bytes[i] & mask);
    }
    if (in) return true;
  }
  return false;
}

std::string ClientAddress(std::string_view peer, std::string_view forwarded_for,
                          const TrustedProxies& trusted) {
  if (trusted.empty() || forwarded_for.empty() || !trusted.Contains(peer)) return std::string(peer);
  std::string client(peer);
  while (!forwarded_for.empty()) {
    size_t comma = forwarded_for.rfind(',');
    std::string_view entry =
        comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1);
    forwarded_for =
        comma == std::string_view::npos ? std::string_view() : forwarded_for.substr(0, comma);
    auto a = AddressOf(entry);
    if (!a) break;  // not an address: the hop before it stands
    client = a->to_string();
    if (!trusted.Contains(client)) break;
  }
  return client;
}

}  // namespace ecohub::api
