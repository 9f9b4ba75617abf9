#include "agent/streaming/exec_spdy.h"

#include <poll.h>
#include <signal.h>

#include <algorithm>

#include <spdlog/spdlog.h>

#include "absl/time/clock.h"
#include "agent/streaming/channel_streams.h"
#include "agent/streaming/status_json.h"
#include "runtime/common/errors.h"

namespace podagent::streaming {
namespace {

constexpr short kReadable = POLLIN | POLLHUP | POLLERR;

class ExecSession {
 public:
  ExecSession(spdy::SpdyConn& conn, const StreamRequest& req, int version, StreamBackend& backend,
              const SessionLimits& limits, int stop_fd)
      : conn_(conn), req_(req), version_(version), backend_(backend), limits_(limits), stop_fd_(stop_fd) {}

  void Run();

 private:
  void HandleFrame(const spdy::InFrame& f);
  bool PumpOnce();
  UniqueFd& Output() { return p_.pty ? p_.pty : p_.stdout_fd; }
  void ReadOutput(UniqueFd& fd, uint32_t stream, bool drain);
  void WriteStdin();
  void Finish(const std::string& error_text);
  void FinishWithExit(int code);

  spdy::SpdyConn& conn_;
  const StreamRequest& req_;
  int version_;
  StreamBackend& backend_;
  SessionLimits limits_;
  int stop_fd_;
  ChannelStreams s_;
  ExecProcess p_;
  bool gone_ = false;  // the client left, the session idled out, or the server stops
  std::string stdin_buf_, resize_buf_;
  bool stdin_eof_ = false;
  absl::Time last_activity_ = absl::Now();
};

void ExecSession::HandleFrame(const spdy::InFrame& f) {
  const spdy::Frame& fr = f.frame;
  if (HandleConnectionFrame(conn_, f)) gone_ = true;
  if (fr.type == spdy::kSynStream) conn_.Reset(fr.stream_id, spdy::kRefusedStream);  // channels are set
  if (fr.type == spdy::kRstStream && fr.stream_id == s_.stdin) stdin_eof_ = true;
  if (fr.type != spdy::kData || fr.stream_id == 0) return;
  if (fr.stream_id == s_.stdin) {
    stdin_buf_.append(fr.payload);
    if (fr.fin()) stdin_eof_ = true;
  } else if (fr.stream_id == s_.resize) {
    resize_buf_.append(fr.payload);
    ApplyResizes(resize_buf_, p_.pty ? p_.pty.Get() : -1);
  }
}

// Copies what `fd` has into DATA frames on `stream`: one read, or until EAGAIN when draining.
void ExecSession::ReadOutput(UniqueFd& fd, uint32_t stream, bool drain) {
  char buf[32 * 1024];
  do {
    ssize_t n = ::read(fd.Get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) {  // EOF, or EIO from a pty whose last slave closed
      fd.Reset();
      return;
    }
    last_activity_ = absl::Now();
    if (stream != 0) conn_.Data(stream, std::string_view(buf, static_cast<size_t>(n)), false);
  } while (drain);
}

void ExecSession::WriteStdin() {
  UniqueFd& fd = p_.pty ? p_.pty : p_.stdin_fd;
  while (fd && !stdin_buf_.empty()) {
    ssize_t n = ::write(fd.Get(), stdin_buf_.data(), stdin_buf_.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) {  // the command closed its stdin: drop what it will never read
      stdin_buf_.clear();
      if (!p_.pty) p_.stdin_fd.Reset();
      return;
    }
    stdin_buf_.erase(0, static_cast<size_t>(n));
  }
  if (stdin_eof_ && stdin_buf_.empty() && p_.stdin_fd) p_.stdin_fd.Reset();  // the command sees EOF
}

// One poll round. False when the session is over: the command exited, or gone_ is set.
bool ExecSession::PumpOnce() {
  bool room_out = conn_.Pending() < limits_.max_buffer;
  bool room_in = stdin_buf_.size() < limits_.max_buffer;
  short out_events = static_cast<short>((room_out ? POLLIN : 0) | (p_.pty && !stdin_buf_.empty() ? POLLOUT : 0));
  std::vector<struct pollfd> fds = {
      {conn_.fd(), static_cast<short>((room_in ? POLLIN : 0) | (conn_.Pending() ? POLLOUT : 0)), 0},
      {Output() && out_events ? Output().Get() : -1, out_events, 0},
      {p_.stderr_fd && room_out ? p_.stderr_fd.Get() : -1, POLLIN, 0},
      {!p_.pty && p_.stdin_fd && !stdin_buf_.empty() ? p_.stdin_fd.Get() : -1, POLLOUT, 0},
      {p_.pidfd ? p_.pidfd.Get() : -1, POLLIN, 0},
      {stop_fd_, POLLIN, 0}};
  absl::Duration idle_left = limits_.idle_timeout - (absl::Now() - last_activity_);
  if (idle_left <= absl::ZeroDuration()) {
    spdlog::info("streaming: exec in {}: idle for {}, closing", req_.container_id,
                 absl::FormatDuration(limits_.idle_timeout));
    gone_ = true;
    return false;
  }
  int timeout = static_cast<int>(std::min<int64_t>(absl::ToInt64Milliseconds(idle_left) + 1, 1000));
  if (::poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR) gone_ = true;
  if (fds[5].revents) gone_ = true;
  if (fds[0].revents & kReadable) {
    std::vector<spdy::InFrame> frames;
    if (!conn_.ReadFrames(frames).ok() || conn_.closed()) gone_ = true;
    if (!frames.empty()) last_activity_ = absl::Now();
    for (const auto& f : frames) HandleFrame(f);
  }
  if (gone_) return false;
  if (Output() && (fds[1].revents & kReadable)) ReadOutput(Output(), s_.stdout, false);
  if (p_.stderr_fd && (fds[2].revents & kReadable)) ReadOutput(p_.stderr_fd, s_.stderr, false);
  WriteStdin();
  if (!conn_.Flush().ok()) gone_ = true;
  bool exited = p_.pidfd ? (fds[4].revents & POLLIN) != 0 : !p_.child.Alive();
  return !gone_ && !exited;
}

void ExecSession::Finish(const std::string& error_text) {
  if (!error_text.empty()) conn_.Data(s_.error, error_text, false);
  for (uint32_t id : {s_.stdout, s_.stderr, s_.error}) {
    if (id != 0) conn_.Data(id, "", true);
  }
  conn_.FinishAndClose(5000);
}

void ExecSession::FinishWithExit(int code) {
  if (code == 0) return Finish(version_ >= 4 ? SuccessStatusJson() : "");
  Finish(version_ >= 4 ? ExitCodeStatusJson(code)
                       : "command terminated with non-zero exit code: exit status " + std::to_string(code));
}

void ExecSession::Run() {
  auto streams = OpenChannels(conn_, req_, version_, limits_, stop_fd_);
  if (!streams.ok()) {
    spdlog::warn("streaming: {}", streams.status().message());
    return;
  }
  s_ = std::move(*streams);
  auto proc = backend_.StartExec(req_);
  if (!proc.ok()) {
    spdlog::warn("streaming: exec in {}: {}", req_.container_id, proc.status().message());
    return Finish(version_ >= 4 ? ErrorStatusJson(Msg(proc.status())) : Msg(proc.status()));
  }
  p_ = std::move(*proc);
  for (const auto& f : s_.early) HandleFrame(f);
  while (PumpOnce()) {
  }
  if (gone_) {
    spdlog::info("streaming: exec in {}: session over before the command, killing it", req_.container_id);
    p_.child.Signal(SIGKILL).IgnoreError();
    p_.child.Wait(absl::Seconds(5)).IgnoreError();
    return;
  }
  // The command has exited: what it wrote is in the pipes; send it all, then the outcome.
  if (Output()) ReadOutput(Output(), s_.stdout, true);
  if (p_.stderr_fd) ReadOutput(p_.stderr_fd, s_.stderr, true);
  auto status = p_.child.Wait(absl::Seconds(10));
  FinishWithExit(status.ok() ? (status->signal ? 128 + status->signal : status->exit_code) : 255);
}

}  // namespace

void ServeExecSpdy(spdy::SpdyConn& conn, const StreamRequest& request, int version, StreamBackend& backend,
                   const SessionLimits& limits, int stop_fd) {
  ExecSession(conn, request, version, backend, limits, stop_fd).Run();
}

}  // namespace podagent::streaming
