#include "agent/streaming/channel_streams.h"

#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "absl/strings/ascii.h"
#include "absl/time/clock.h"
#include "runtime/common/errors.h"

namespace podagent::streaming {
namespace {

uint32_t* SlotFor(ChannelStreams& s, const std::string& type) {
  if (type == "error") return &s.error;
  if (type == "stdin") return &s.stdin;
  if (type == "stdout") return &s.stdout;
  if (type == "stderr") return &s.stderr;
  if (type == "resize") return &s.resize;
  return nullptr;
}

void Accept(spdy::SpdyConn& conn, ChannelStreams& s, const spdy::InFrame& f, const std::string& who) {
  std::string type = absl::AsciiStrToLower(spdy::HeaderValue(f.headers, "streamtype"));
  uint32_t* slot = SlotFor(s, type);
  if (slot == nullptr || *slot != 0) {
    spdlog::warn("streaming: {}: refusing stream {} of type '{}'", who, f.frame.stream_id, type);
    conn.Reset(f.frame.stream_id, spdy::kRefusedStream);
    return;
  }
  *slot = f.frame.stream_id;
  conn.Reply(f.frame.stream_id);
}

}  // namespace

bool ChannelStreams::Ready(const StreamRequest& r, int version) const {
  if (error == 0) return false;
  if (r.stdin && stdin == 0) return false;
  if (r.stdout && stdout == 0) return false;
  if (r.stderr && !r.tty && stderr == 0) return false;
  if (r.tty && version >= 3 && resize == 0) return false;
  return true;
}

bool HandleConnectionFrame(spdy::SpdyConn& conn, const spdy::InFrame& f) {
  if (f.frame.type == spdy::kPing) conn.Ping(f.frame.value);
  return f.frame.type == spdy::kGoAway;
}

absl::StatusOr<ChannelStreams> OpenChannels(spdy::SpdyConn& conn, const StreamRequest& r, int version,
                                            const SessionLimits& limits, int stop_fd) {
  std::string who = std::string(KindPath(r.kind)) + " in " + r.container_id;
  absl::Time deadline = absl::Now() + limits.stream_creation_timeout;
  ChannelStreams s;
  std::vector<spdy::InFrame> frames;
  RETURN_IF_ERROR(conn.ParseBuffered(frames));
  for (;;) {
    for (auto& f : frames) {
      if (f.frame.type == spdy::kSynStream) {
        Accept(conn, s, f, who);
      } else if (HandleConnectionFrame(conn, f)) {
        return absl::CancelledError(who + ": the client went away");
      } else if (s.early.size() < 64) {
        s.early.push_back(std::move(f));
      }
    }
    frames.clear();
    RETURN_IF_ERROR(conn.Flush());
    if (s.Ready(r, version)) return s;
    struct pollfd p[2] = {{conn.fd(), static_cast<short>(POLLIN | (conn.Pending() ? POLLOUT : 0)), 0},
                          {stop_fd, POLLIN, 0}};
    int ms = static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()));
    if (ms <= 0 || ::poll(p, 2, ms) == 0) {
      return absl::DeadlineExceededError(who + ": the client did not open its streams in time");
    }
    if (p[1].revents) return absl::CancelledError(who + ": the server is stopping");
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      RETURN_IF_ERROR(conn.ReadFrames(frames));
      if (conn.closed()) return absl::CancelledError(who + ": the client went away");
    }
  }
}

std::vector<WindowSize> TakeResizes(std::string& buffered) {
  std::vector<WindowSize> out;
  if (buffered.size() > 64 * 1024) buffered.clear();  // no newline in 64 KiB: garbage
  size_t nl;
  while ((nl = buffered.find('\n')) != std::string::npos) {
    auto j = nlohmann::json::parse(buffered.substr(0, nl), nullptr, false);
    buffered.erase(0, nl + 1);
    if (j.is_discarded() || !j.is_object()) continue;
    auto dim = [&](const char* key) -> unsigned short {
      auto it = j.find(key);
      if (it == j.end() || !it->is_number_unsigned() || it->get<uint64_t>() > 65535) return 0;
      return static_cast<unsigned short>(it->get<uint64_t>());
    };
    WindowSize ws{dim("Width"), dim("Height")};
    if (ws.cols > 0 && ws.rows > 0) out.push_back(ws);
  }
  return out;
}

void ApplyResizes(std::string& buffered, int pty_fd) {
  for (const WindowSize& s : TakeResizes(buffered)) {
    if (pty_fd < 0) continue;
    struct winsize ws {};
    ws.ws_col = s.cols;
    ws.ws_row = s.rows;
    ::ioctl(pty_fd, TIOCSWINSZ, &ws);
  }
}

}  // namespace podagent::streaming
