#include "tests/fuzz/streaming/ws_fuzz.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include <spdlog/spdlog.h>

#include "absl/time/time.h"
#include "agent/streaming/http_upgrade.h"
#include "agent/streaming/ws_sessions.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/unit/agent/streaming/fake_backend.h"

namespace podagent {
namespace {

using streaming::StreamKind;
using streaming::StreamRequest;

constexpr auto kSessionBound = std::chrono::seconds(10);

struct Input {
  const uint8_t* p;
  size_t left;

  // The next record, false at the end; a record cut short keeps what is there.
  bool Next(uint8_t& tag, std::string& payload) {
    if (left == 0) return false;
    tag = p[0];
    size_t len = left >= 3 ? (p[1] | (p[2] << 8)) : 0;
    size_t head = std::min<size_t>(left, 3);
    p += head;
    left -= head;
    len = std::min(len, left);
    payload.assign(reinterpret_cast<const char*>(p), len);
    p += len;
    left -= len;
    return true;
  }
};

// Header and URL text stays on its line: CR and LF would only end the request early.
std::string OneLine(std::string s) {
  for (char& c : s) {
    if (c == '\r' || c == '\n' || c == ' ') c = '_';
  }
  return s;
}

StreamRequest RequestFor(uint8_t mode) {
  StreamRequest r;
  r.kind = (mode & 3) == 3 ? StreamKind::kPortForward : (mode & 3) == 2 ? StreamKind::kAttach : StreamKind::kExec;
  r.container_id = mode & 8 ? "gone" : "c1";
  r.pod_id = "p1";
  r.cmd = {"cat"};
  r.tty = (mode & 3) == 1 || ((mode & 3) == 2 && (mode & 4));
  r.stdin = r.stdout = true;
  r.stderr = !r.tty;
  return r;
}

std::string UpgradeRequest(const std::string& kind, const std::string& protocols, const std::string& query) {
  std::string req = "GET /" + kind + "/token" + (query.empty() ? "" : "?" + OneLine(query)) +
                    " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                    "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
  if (!protocols.empty()) req += "Sec-WebSocket-Protocol: " + OneLine(protocols) + "\r\n";
  return req + "\r\n";
}

// One client frame (RFC 6455 5.2): masked unless `tag` says otherwise.
std::string Frame(uint8_t tag, const std::string& payload) {
  std::string f;
  bool masked = !(tag & 0x20);
  f += static_cast<char>((tag & 0x10 ? 0 : 0x80) | (tag & 0x0f));
  uint8_t mask_bit = masked ? 0x80 : 0;
  if (payload.size() < 126) {
    f += static_cast<char>(mask_bit | payload.size());
  } else {
    f += static_cast<char>(mask_bit | 126);
    f += static_cast<char>(payload.size() >> 8);
    f += static_cast<char>(payload.size() & 0xff);
  }
  const char key[4] = {0x12, 0x34, 0x56, 0x78};
  if (masked) f.append(key, 4);
  for (size_t i = 0; i < payload.size(); ++i) f += static_cast<char>(payload[i] ^ (masked ? key[i % 4] : 0));
  return f;
}

// The client's side: writes `out`, waits until the server has been quiet for `quiet` (so an
// exec'd command can answer, as a real client stays to read), half-closes, reads until the
// server closes. Reading all the while keeps an echoing session (cat) from stalling.
void PlayClient(int fd, const std::string& out, std::string& in, std::chrono::milliseconds quiet) {
  auto deadline = std::chrono::steady_clock::now() + kSessionBound;
  auto last_in = std::chrono::steady_clock::now();
  size_t sent = 0;
  bool shut = false;
  for (;;) {
    if (sent == out.size() && !shut && std::chrono::steady_clock::now() - last_in >= quiet) {
      ::shutdown(fd, SHUT_WR);
      shut = true;
    }
    struct pollfd p = {fd, static_cast<short>(POLLIN | (shut || sent == out.size() ? 0 : POLLOUT)), 0};
    if (::poll(&p, 1, 10) < 0 && errno != EINTR) break;
    FuzzCheck(std::chrono::steady_clock::now() < deadline, "the session did not end after the client half-closed");
    if (p.revents & POLLOUT) {
      ssize_t n = ::send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) sent += static_cast<size_t>(n);
      if (n < 0 && errno != EAGAIN) sent = out.size();  // the server hung up: stop sending
    }
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      char buf[16 * 1024];
      ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN)) break;
      if (n > 0) {
        in.append(buf, static_cast<size_t>(n));
        last_in = std::chrono::steady_clock::now();
      }
    }
  }
}

void Serve(UniqueFd server, const StreamRequest& r, int stop_fd) {
  streaming::fake::FakeBackend backend;
  streaming::SessionLimits limits;
  limits.idle_timeout = absl::Seconds(1);
  limits.max_buffer = 4096;  // small, so back-pressure (pause, resume) happens within an input
  auto req = streaming::ReadHttpRequest(server.Get(), absl::Seconds(2));
  if (!req.ok() || req->upgrade != "websocket") return;
  streaming::ServeWs(std::move(server), *req, r, backend, limits, stop_fd);
}

}  // namespace

WsFuzzResult FuzzWsSession(const uint8_t* data, size_t size, std::chrono::milliseconds quiet) {
  static const bool once = [] {
    spdlog::set_level(spdlog::level::off);  // a log line per session would be most of the time spent
    ::signal(SIGPIPE, SIG_IGN);             // as the daemon: a closed pipe is an error, not death
    return true;
  }();
  (void)once;
  WsFuzzResult result;
  if (size == 0) return result;
  Input in{data + 1, size - 1};
  StreamRequest r = RequestFor(data[0]);
  uint8_t tag = 0;
  std::string protocols, query, payload;
  in.Next(tag, protocols);
  in.Next(tag, query);
  std::string wire = UpgradeRequest(streaming::KindPath(r.kind), protocols, query);
  while (in.Next(tag, payload)) wire += tag == 0xff ? payload : Frame(tag, payload);

  int sv[2], stop[2];  // `stop` is the server's stop fd, never fired: the session must end by itself
  FuzzCheck(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0, "socketpair");
  FuzzCheck(::pipe2(stop, O_CLOEXEC) == 0, "pipe2");
  UniqueFd client(sv[0]), server(sv[1]), stop_r(stop[0]), stop_w(stop[1]);
  streaming::fake::SetNonBlocking(server.Get());
  std::thread peer([&] { PlayClient(client.Get(), wire, result.received, quiet); });
  Serve(std::move(server), r, stop_r.Get());
  peer.join();
  result.upgraded = result.received.rfind("HTTP/1.1 101", 0) == 0;
  return result;
}

int FuzzWs(const uint8_t* data, size_t size) {
  FuzzWsSession(data, size, std::chrono::milliseconds(20));
  return 0;
}

}  // namespace podagent
