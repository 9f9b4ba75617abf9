#include "agent/streaming/port_forward_spdy.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <map>

#include <spdlog/spdlog.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "runtime/common/errors.h"

namespace podagent::streaming {
namespace {

constexpr size_t kMaxPairs = 128;

struct Pair {
  uint32_t error = 0, data = 0;
  int32_t port = 0;
  UniqueFd conn;
  std::string to_pod;
  bool client_fin = false;
  bool done = false;
};

class PortForwardSession {
 public:
  PortForwardSession(spdy::SpdyConn& conn, const StreamRequest& req, StreamBackend& backend,
                     const SessionLimits& limits, int stop_fd)
      : conn_(conn), req_(req), backend_(backend), limits_(limits), stop_fd_(stop_fd) {}
  void Run();

 private:
  void HandleFrame(spdy::InFrame& f);
  void OnSynStream(spdy::InFrame& f);
  void Connect(Pair& p);
  void Fail(Pair& p, const std::string& message);
  void End(Pair& p);
  void PumpPod(Pair& p, short revents);
  Pair* ByStream(uint32_t id);
  bool RoundOnce();

  spdy::SpdyConn& conn_;
  const StreamRequest& req_;
  StreamBackend& backend_;
  SessionLimits limits_;
  int stop_fd_;
  std::map<std::string, Pair> pairs_;  // by requestID
  bool gone_ = false;
  absl::Time last_activity_ = absl::Now();
};

Pair* PortForwardSession::ByStream(uint32_t id) {
  for (auto& [key, p] : pairs_) {
    if (p.data == id || p.error == id) return &p;
  }
  return nullptr;
}

void PortForwardSession::OnSynStream(spdy::InFrame& f) {
  uint32_t id = f.frame.stream_id;
  std::string type = absl::AsciiStrToLower(spdy::HeaderValue(f.headers, "streamtype"));
  std::string key = spdy::HeaderValue(f.headers, "requestid");
  int32_t port = 0;
  bool port_ok = absl::SimpleAtoi(spdy::HeaderValue(f.headers, "port"), &port) && port > 0 && port <= 65535;
  if ((type != "error" && type != "data") || !port_ok || (pairs_.size() >= kMaxPairs && !pairs_.count(key))) {
    spdlog::warn("streaming: port-forward to {}: refusing stream {} (type '{}', port ok {})", req_.pod_id, id, type,
                 port_ok);
    conn_.Reset(id, spdy::kRefusedStream);
    return;
  }
  if (key.empty()) key = absl::StrCat("port-", port);
  Pair& p = pairs_[key];
  uint32_t& slot = type == "error" ? p.error : p.data;
  if (slot != 0 || (p.port != 0 && p.port != port)) {
    conn_.Reset(id, spdy::kProtocolError);
    return;
  }
  slot = id;
  p.port = port;
  conn_.Reply(id);
  if (p.error != 0 && p.data != 0) Connect(p);
}

void PortForwardSession::Connect(Pair& p) {
  auto fd = backend_.ConnectPort(req_.pod_id, p.port);
  if (!fd.ok()) {
    Fail(p, absl::StrCat("error forwarding port ", p.port, " to pod ", req_.pod_id, ": ", fd.status().message()));
    return;
  }
  p.conn = std::move(*fd);
}

void PortForwardSession::Fail(Pair& p, const std::string& message) {
  spdlog::info("streaming: port-forward: {}", message);
  conn_.Data(p.error, message, false);
  End(p);
}

void PortForwardSession::End(Pair& p) {
  if (p.done) return;
  p.done = true;
  p.conn.Reset();
  conn_.Data(p.data, "", true);
  conn_.Data(p.error, "", true);
}

void PortForwardSession::HandleFrame(spdy::InFrame& f) {
  switch (f.frame.type) {
    case spdy::kSynStream: OnSynStream(f); break;
    case spdy::kPing: conn_.Ping(f.frame.value); break;
    case spdy::kGoAway: gone_ = true; break;
    case spdy::kRstStream: {
      Pair* p = ByStream(f.frame.stream_id);
      if (p && p->data == f.frame.stream_id) {
        p->done = true;
        p->conn.Reset();
      }
      break;
    }
    case spdy::kData: {
      Pair* p = ByStream(f.frame.stream_id);
      if (!p || p->data != f.frame.stream_id || p->done) break;
      p->to_pod.append(f.frame.payload);
      if (f.frame.fin()) p->client_fin = true;
      break;
    }
    default: break;
  }
}

void PortForwardSession::PumpPod(Pair& p, short revents) {
  if (!p.conn) return;
  if (revents & (POLLIN | POLLHUP | POLLERR)) {
    char buf[32 * 1024];
    ssize_t n = ::recv(p.conn.Get(), buf, sizeof buf, 0);
    if (n > 0) {
      conn_.Data(p.data, std::string_view(buf, static_cast<size_t>(n)), false);
      last_activity_ = absl::Now();
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
      End(p);
      return;
    }
  }
  while (!p.to_pod.empty()) {
    ssize_t n = ::send(p.conn.Get(), p.to_pod.data(), p.to_pod.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    if (n <= 0) {
      End(p);
      return;
    }
    p.to_pod.erase(0, static_cast<size_t>(n));
  }
  if (p.client_fin && p.to_pod.empty()) ::shutdown(p.conn.Get(), SHUT_WR);
}

bool PortForwardSession::RoundOnce() {
  bool room_out = conn_.Pending() < limits_.max_buffer;
  size_t buffered = 0;
  for (auto& [k, p] : pairs_) buffered += p.to_pod.size();
  std::vector<struct pollfd> fds = {
      {conn_.fd(), static_cast<short>((buffered < limits_.max_buffer ? POLLIN : 0) | (conn_.Pending() ? POLLOUT : 0)), 0},
      {stop_fd_, POLLIN, 0}};
  std::vector<Pair*> order;
  for (auto& [k, p] : pairs_) {
    if (!p.conn) continue;
    short ev = static_cast<short>((room_out ? POLLIN : 0) | (p.to_pod.empty() ? 0 : POLLOUT));
    fds.push_back({p.conn.Get(), ev, 0});
    order.push_back(&p);
  }
  absl::Duration idle_left = limits_.idle_timeout - (absl::Now() - last_activity_);
  if (idle_left <= absl::ZeroDuration()) {
    spdlog::info("streaming: port-forward to {}: idle, closing", req_.pod_id);
    return false;
  }
  int timeout = static_cast<int>(std::min<int64_t>(absl::ToInt64Milliseconds(idle_left) + 1, 1000));
  if (::poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR) return false;
  if (fds[1].revents) return false;
  if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
    std::vector<spdy::InFrame> frames;
    if (!conn_.ReadFrames(frames).ok() || conn_.closed()) return false;
    if (!frames.empty()) last_activity_ = absl::Now();
    for (auto& f : frames) HandleFrame(f);
    if (gone_) return false;
  }
  for (size_t i = 0; i < order.size(); ++i) PumpPod(*order[i], fds[i + 2].revents);
  for (auto& [k, p] : pairs_) {
    if (p.conn && !p.to_pod.empty()) PumpPod(p, 0);  // data that arrived this round
  }
  for (auto it = pairs_.begin(); it != pairs_.end();) it = it->second.done ? pairs_.erase(it) : std::next(it);
  return conn_.Flush().ok();
}

void PortForwardSession::Run() {
  std::vector<spdy::InFrame> frames;
  if (!conn_.ParseBuffered(frames).ok()) return;
  for (auto& f : frames) HandleFrame(f);
  while (RoundOnce()) {
  }
  pairs_.clear();
  conn_.FinishAndClose(1000);
}

}  // namespace

void ServePortForwardSpdy(spdy::SpdyConn& conn, const StreamRequest& request, StreamBackend& backend,
                          const SessionLimits& limits, int stop_fd) {
  PortForwardSession(conn, request, backend, limits, stop_fd).Run();
}

}  // namespace podagent::streaming
