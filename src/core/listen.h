// Listen: opens, binds and listens a TCP acceptor on HOST:PORT, for the gateway and
// the HTTP server alike. Header-only (Boost.Asio); port 0 picks a free port.
#pragma once

#include <boost/asio.hpp>
#include <string>

#include "core/status.h"

namespace ecohub {

// On success returns the bound port. `what` names the listener in the error.
inline Result<uint16_t> Listen(boost::asio::ip::tcp::acceptor& acceptor, const std::string& host,
                               uint16_t port, const std::string& what) {
  namespace asio = boost::asio;
  using tcp = asio::ip::tcp;
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) return Status::InvalidInput(what + " listen address '" + host + "': " + ec.message());
  tcp::endpoint ep(addr, port);
  acceptor.open(ep.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(ep, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return Status::IoError(what + " cannot listen on " + host + ":" + std::to_string(port) + ": " +
                           ec.message());
  return acceptor.local_endpoint(ec).port();
}

}  // namespace ecohub
