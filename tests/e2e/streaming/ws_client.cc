#include "tests/e2e/streaming/ws_client.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"

namespace podagent::testing {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using boost::asio::ip::tcp;

struct WsClient::Impl {
  boost::asio::io_context io;
  websocket::stream<tcp::socket> ws{io};
  beast::flat_buffer in;
};

WsClient::WsClient() : impl_(std::make_unique<Impl>()) {}
WsClient::~WsClient() = default;

absl::Status WsClient::Connect(const std::string& url, const std::vector<std::string>& protocols,
                               const std::string& query) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) return absl::InvalidArgumentError("not an http URL: " + url);
  std::string rest = url.substr(scheme.size());
  std::string hostport = rest.substr(0, rest.find('/'));
  std::string target = rest.substr(rest.find('/')) + query;
  int port = 0;
  if (!absl::SimpleAtoi(hostport.substr(hostport.find(':') + 1), &port)) return absl::InvalidArgumentError(url);
  beast::error_code ec;
  auto addr = boost::asio::ip::make_address(hostport.substr(0, hostport.find(':')), ec);
  if (ec) return absl::InvalidArgumentError(url);
  impl_->ws.next_layer().connect(tcp::endpoint(addr, static_cast<uint16_t>(port)), ec);
  if (ec) return absl::UnavailableError("connect " + hostport + ": " + ec.message());
  std::string offered = absl::StrJoin(protocols, ", ");
  impl_->ws.set_option(websocket::stream_base::decorator([offered](websocket::request_type& req) {
    if (!offered.empty()) req.set(beast::http::field::sec_websocket_protocol, offered);
  }));
  impl_->ws.binary(true);
  websocket::response_type res;
  impl_->ws.handshake(res, hostport, target, ec);
  http_code = static_cast<int>(res.result_int());
  protocol = std::string(res[beast::http::field::sec_websocket_protocol]);
  if (ec) return absl::FailedPreconditionError("upgrade refused: " + std::to_string(http_code) + " " + res.body());
  return absl::OkStatus();
}

absl::Status WsClient::Send(uint8_t channel, const std::string& payload) {
  std::string m(1, static_cast<char>(channel));
  m += payload;
  beast::error_code ec;
  impl_->ws.write(boost::asio::buffer(m), ec);
  if (ec) return absl::UnavailableError("write: " + ec.message());
  return absl::OkStatus();
}

absl::Status WsClient::ReadOne(absl::Duration timeout) {
  bool done = false;
  beast::error_code ec;
  impl_->ws.async_read(impl_->in, [&](beast::error_code e, size_t) {
    ec = e;
    done = true;
  });
  impl_->io.restart();
  impl_->io.run_for(std::chrono::milliseconds(std::max<int64_t>(absl::ToInt64Milliseconds(timeout), 1)));
  if (!done) {
    impl_->ws.next_layer().close(ec);
    impl_->io.restart();
    impl_->io.run();
    closed = true;
    return absl::DeadlineExceededError("no websocket message in time");
  }
  if (ec) {
    closed = true;
    return absl::OkStatus();
  }
  std::string m = beast::buffers_to_string(impl_->in.data());
  impl_->in.consume(impl_->in.size());
  if (m.empty()) return absl::OkStatus();
  data[static_cast<uint8_t>(m[0])] += m.substr(1);
  messages.emplace_back(static_cast<uint8_t>(m[0]), m.substr(1));
  return absl::OkStatus();
}

std::string WsClient::RawUpgradeStatus(const std::string& url) {
  std::string rest = url.substr(std::string("http://").size());
  std::string hostport = rest.substr(0, rest.find('/'));
  int port = 0;
  if (!absl::SimpleAtoi(hostport.substr(hostport.find(':') + 1), &port)) return "bad url " + url;
  boost::asio::io_context io;
  tcp::socket s(io);
  beast::error_code ec;
  s.connect(tcp::endpoint(boost::asio::ip::make_address(hostport.substr(0, hostport.find(':'))), static_cast<uint16_t>(port)), ec);
  if (ec) return "connect: " + ec.message();
  std::string req = "GET " + rest.substr(rest.find('/')) + " HTTP/1.1\r\nHost: " + hostport +
                    "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n";
  boost::asio::write(s, boost::asio::buffer(req), ec);
  std::string got;
  char buf[512];
  while (!ec && got.find("\r\n") == std::string::npos) {
    size_t n = s.read_some(boost::asio::buffer(buf), ec);
    got.append(buf, n);
  }
  return got.substr(0, got.find("\r\n"));
}

void WsClient::Close() {
  beast::error_code ec;
  impl_->ws.next_layer().close(ec);
}

}  // namespace podagent::testing
