#include "agent/streaming/http_upgrade.h"

#include <poll.h>
#include <sys/socket.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "runtime/common/errors.h"

namespace podagent::streaming {
namespace {

namespace http = boost::beast::http;

constexpr size_t kMaxHeader = 16 * 1024;

bool WaitFd(int fd, short events, absl::Time deadline) {
  int ms = static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()));
  if (ms <= 0) return false;
  struct pollfd p {fd, events, 0};
  return ::poll(&p, 1, ms) > 0;
}

void SplitValues(boost::beast::string_view v, std::vector<std::string>& out) {
  for (absl::string_view part : absl::StrSplit(absl::string_view(v.data(), v.size()), ',')) {
    std::string s(absl::StripAsciiWhitespace(part));
    if (!s.empty()) out.push_back(std::move(s));
  }
}

HttpRequest FromParsed(const http::request<http::string_body>& req) {
  HttpRequest r;
  auto str = [](boost::beast::string_view v) { return std::string(v.data(), v.size()); };
  r.method = str(req.method_string());
  r.target = str(req.target());
  r.upgrade = absl::AsciiStrToLower(str(req[http::field::upgrade]));
  auto range = req.equal_range("X-Stream-Protocol-Version");
  for (auto it = range.first; it != range.second; ++it) SplitValues(it->value(), r.protocols);
  range = req.equal_range(http::field::sec_websocket_protocol);
  for (auto it = range.first; it != range.second; ++it) SplitValues(it->value(), r.ws_protocols);
  return r;
}

}  // namespace

absl::StatusOr<HttpRequest> ReadHttpRequest(int fd, absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  http::request_parser<http::string_body> parser;
  parser.header_limit(kMaxHeader);
  parser.body_limit(4096);
  parser.eager(true);
  std::string buf;
  size_t used = 0;
  while (!parser.is_done()) {
    if (!WaitFd(fd, POLLIN, deadline)) return absl::DeadlineExceededError("http: no complete request in time");
    char chunk[4096];
    ssize_t n = ::recv(fd, chunk, sizeof chunk, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n < 0) return ErrnoError("http: recv");
    if (n == 0) return absl::InvalidArgumentError("http: connection closed before a complete request");
    buf.append(chunk, static_cast<size_t>(n));
    if (buf.size() - used > kMaxHeader + 4096) return absl::InvalidArgumentError("http: request too large");
    boost::beast::error_code ec;
    while (used < buf.size() && !parser.is_done()) {
      size_t took = parser.put(boost::asio::buffer(buf.data() + used, buf.size() - used), ec);
      used += took;
      if (ec == http::error::need_more) break;
      if (ec) return absl::InvalidArgumentError(absl::StrCat("http: ", ec.message()));
      if (took == 0) break;
    }
  }
  HttpRequest r = FromParsed(parser.get());
  r.head = buf.substr(0, used);
  r.extra = buf.substr(used);
  return r;
}

absl::Status WriteAll(int fd, const std::string& data, absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!WaitFd(fd, POLLOUT, deadline)) return absl::DeadlineExceededError("http: write timed out");
      continue;
    }
    if (n <= 0) return ErrnoError("http: send");
    off += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

std::string HttpResponse(int code, const std::string& reason, const std::string& body) {
  return absl::StrCat("HTTP/1.1 ", code, " ", reason, "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ",
                      body.size(), "\r\nConnection: close\r\n\r\n", body);
}

std::string SwitchingProtocols(const std::string& upgrade, const std::string& protocol) {
  std::string out = absl::StrCat("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ", upgrade, "\r\n");
  if (!protocol.empty()) absl::StrAppend(&out, "X-Stream-Protocol-Version: ", protocol, "\r\n");
  return out + "\r\n";
}

}  // namespace podagent::streaming
