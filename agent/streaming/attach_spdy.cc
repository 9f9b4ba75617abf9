#include "agent/streaming/attach_spdy.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>

#include <spdlog/spdlog.h>

#include "absl/time/clock.h"
#include "agent/streaming/channel_streams.h"
#include "agent/streaming/shim_frames.h"
#include "agent/streaming/status_json.h"
#include "runtime/common/errors.h"

namespace podagent::streaming {
namespace {

constexpr short kReadable = POLLIN | POLLHUP | POLLERR;

class AttachSession {
 public:
  AttachSession(spdy::SpdyConn& conn, const StreamRequest& req, int version, StreamBackend& backend,
                const SessionLimits& limits, int stop_fd)
      : conn_(conn), req_(req), version_(version), backend_(backend), limits_(limits), stop_fd_(stop_fd) {}

  void Run();

 private:
  void HandleFrame(const spdy::InFrame& f);
  bool PumpOnce();
  bool ReadShim();
  void ForwardShimFrames();
  void WriteShim();
  void Finish(const std::string& error_text);

  spdy::SpdyConn& conn_;
  const StreamRequest& req_;
  int version_;
  StreamBackend& backend_;
  SessionLimits limits_;
  int stop_fd_;
  ChannelStreams s_;
  UniqueFd shim_;
  bool gone_ = false, container_done_ = false, stdin_eof_ = false, shim_write_closed_ = false;
  std::string to_shim_, from_shim_, resize_buf_;
  absl::Time last_activity_ = absl::Now();
};

void AttachSession::HandleFrame(const spdy::InFrame& f) {
  const spdy::Frame& fr = f.frame;
  if (HandleConnectionFrame(conn_, f)) gone_ = true;
  if (fr.type == spdy::kSynStream) conn_.Reset(fr.stream_id, spdy::kRefusedStream);
  if (fr.type == spdy::kRstStream && fr.stream_id == s_.stdin) stdin_eof_ = true;
  if (fr.type != spdy::kData || fr.stream_id == 0) return;
  if (fr.stream_id == s_.stdin) {
    if (!req_.tty) {
      to_shim_.append(fr.payload);
    } else {
      AppendShimStdin(to_shim_, fr.payload);
    }
    if (fr.fin()) stdin_eof_ = true;
  } else if (fr.stream_id == s_.resize) {
    resize_buf_.append(fr.payload);
    for (const WindowSize& ws : TakeResizes(resize_buf_)) {  // the shim sets them on the container's pty
      if (!req_.tty) continue;
      AppendShimResize(to_shim_, ws.cols, ws.rows);
    }
  }
}

// Moves whole [stream][length][bytes] frames from the shim onto the client's streams.
void AttachSession::ForwardShimFrames() {
  TakeShimFrames(from_shim_, [&](unsigned char kind, std::string_view payload) {
    uint32_t stream = kind == 2 && !req_.tty ? s_.stderr : s_.stdout;
    if (stream != 0 && !payload.empty()) conn_.Data(stream, payload, false);
  });
}

bool AttachSession::ReadShim() {
  char buf[32 * 1024];
  ssize_t n = ::recv(shim_.Get(), buf, sizeof buf, 0);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
  if (n <= 0) return false;  // the container has exited (or its shim is gone)
  from_shim_.append(buf, static_cast<size_t>(n));
  last_activity_ = absl::Now();
  ForwardShimFrames();
  return from_shim_.size() <= (1u << 20) + kShimFrameHeader;
}

void AttachSession::WriteShim() {
  while (!to_shim_.empty()) {
    ssize_t n = ::send(shim_.Get(), to_shim_.data(), to_shim_.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) {
      to_shim_.clear();
      return;
    }
    to_shim_.erase(0, static_cast<size_t>(n));
  }
  if (stdin_eof_ && !shim_write_closed_) {  // the client's stdin ended: the shim applies stdin_once
    ::shutdown(shim_.Get(), SHUT_WR);
    shim_write_closed_ = true;
  }
}

bool AttachSession::PumpOnce() {
  bool room_out = conn_.Pending() < limits_.max_buffer;
  bool room_in = to_shim_.size() < limits_.max_buffer;
  std::vector<struct pollfd> fds = {
      {conn_.fd(), static_cast<short>((room_in ? POLLIN : 0) | (conn_.Pending() ? POLLOUT : 0)), 0},
      {shim_.Get(), static_cast<short>((room_out ? POLLIN : 0) | (to_shim_.empty() ? 0 : POLLOUT)), 0},
      {stop_fd_, POLLIN, 0}};
  absl::Duration idle_left = limits_.idle_timeout - (absl::Now() - last_activity_);
  if (idle_left <= absl::ZeroDuration()) {
    spdlog::info("streaming: attach to {}: idle, detaching", req_.container_id);
    gone_ = true;
    return false;
  }
  int timeout = static_cast<int>(std::min<int64_t>(absl::ToInt64Milliseconds(idle_left) + 1, 1000));
  if (::poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR) gone_ = true;
  if (fds[2].revents) gone_ = true;
  if (fds[0].revents & kReadable) {
    std::vector<spdy::InFrame> frames;
    if (!conn_.ReadFrames(frames).ok() || conn_.closed()) gone_ = true;
    if (!frames.empty()) last_activity_ = absl::Now();
    for (const auto& f : frames) HandleFrame(f);
  }
  if (gone_) return false;
  if ((fds[1].revents & kReadable) && !ReadShim()) container_done_ = true;
  WriteShim();
  if (!conn_.Flush().ok()) gone_ = true;
  return !gone_ && !container_done_;
}

void AttachSession::Finish(const std::string& error_text) {
  if (!error_text.empty()) conn_.Data(s_.error, error_text, false);
  for (uint32_t id : {s_.stdout, s_.stderr, s_.error}) {
    if (id != 0) conn_.Data(id, "", true);
  }
  conn_.FinishAndClose(5000);
}

void AttachSession::Run() {
  auto streams = OpenChannels(conn_, req_, version_, limits_, stop_fd_);
  if (!streams.ok()) {
    spdlog::warn("streaming: {}", streams.status().message());
    return;
  }
  s_ = std::move(*streams);
  auto shim = backend_.Attach(req_);
  if (!shim.ok()) {
    spdlog::warn("streaming: attach to {}: {}", req_.container_id, shim.status().message());
    return Finish(version_ >= 4 ? ErrorStatusJson(Msg(shim.status())) : Msg(shim.status()));
  }
  shim_ = std::move(*shim);
  for (const auto& f : s_.early) HandleFrame(f);
  while (PumpOnce()) {
  }
  shim_.Reset();  // detach: the container keeps running
  if (gone_) return;
  Finish(version_ >= 4 ? SuccessStatusJson() : "");
}

}  // namespace

void ServeAttachSpdy(spdy::SpdyConn& conn, const StreamRequest& request, int version, StreamBackend& backend,
                     const SessionLimits& limits, int stop_fd) {
  AttachSession(conn, request, version, backend, limits, stop_fd).Run();
}

}  // namespace podagent::streaming
