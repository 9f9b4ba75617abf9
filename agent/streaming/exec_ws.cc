// Exec over WebSocket (ws_sessions.h): the command's pipes or pty joined to the channels.
#include <signal.h>
#include <unistd.h>

#include <array>

#include <boost/asio/buffer.hpp>
#include <spdlog/spdlog.h>

#include "agent/streaming/channel_streams.h"
#include "agent/streaming/status_json.h"
#include "agent/streaming/ws_channels.h"
#include "agent/streaming/ws_sessions.h"
#include "runtime/common/errors.h"

namespace podagent::streaming {
namespace {

using error_code = boost::system::error_code;
using Descriptor = boost::asio::posix::stream_descriptor;

constexpr uint8_t kStdin = 0, kStdout = 1, kStderr = 2, kError = 3, kResize = 4, kClose = 255;

class ExecWs : public WsChannels {
 public:
  ExecWs(UniqueFd socket, const StreamRequest& r, int version, StreamBackend& backend, const SessionLimits& limits,
         int stop_fd)
      : WsChannels(std::move(socket), limits, stop_fd, "exec in " + r.container_id),
        req_(r),
        version_(version),
        backend_(backend),
        poll_exit_(io_) {}

  ~ExecWs() override {
    if (started_ && !exited_) {
      spdlog::info("streaming: exec in {}: session over before the command, killing it", req_.container_id);
      child_.Signal(SIGKILL).IgnoreError();
      child_.Wait(absl::Seconds(5)).IgnoreError();
    }
  }

 private:
  struct Output {
    std::unique_ptr<Descriptor> d;
    uint8_t channel = 0;
    bool busy = false, eof = false;
    std::array<char, 32 * 1024> buf{};
  };

  void Begin() override;
  void OnMessage(uint8_t channel, std::string_view data) override;
  void OnRoom() override {
    Read(out_);
    Read(err_);
  }
  void Read(Output& o);
  // Output of a channel the client did not ask for is read and dropped, as over SPDY.
  void Forward(uint8_t channel, std::string_view data) {
    if (channel == kStdout ? req_.stdout : req_.stderr) Send(channel, data);
  }
  void WriteStdin();
  void WatchExit();
  void MaybeFinish();
  void Finish(const std::string& error_text);

  const StreamRequest& req_;
  int version_;
  StreamBackend& backend_;
  ChildProcess child_;
  bool started_ = false, exited_ = false, finished_ = false;
  Output out_, err_;
  std::unique_ptr<Descriptor> stdin_pipe_, pidfd_;
  Descriptor* stdin_ = nullptr;  // the pipe, or the pty (out_.d) with a tty
  std::string stdin_buf_, resize_buf_;
  bool stdin_writing_ = false, stdin_eof_ = false;
  boost::asio::steady_timer poll_exit_;
};

void ExecWs::Begin() {
  auto proc = backend_.StartExec(req_);
  if (!proc.ok()) {
    spdlog::warn("streaming: exec in {}: {}", req_.container_id, proc.status().message());
    return Finish(version_ >= 4 ? ErrorStatusJson(Msg(proc.status())) : Msg(proc.status()));
  }
  child_ = std::move(proc->child);
  started_ = true;
  out_.channel = kStdout;
  err_.channel = kStderr;
  if (proc->pty) {
    out_.d = Adopt(std::move(proc->pty));
    stdin_ = out_.d.get();
  } else {
    if (proc->stdout_fd) out_.d = Adopt(std::move(proc->stdout_fd));
    if (proc->stderr_fd) err_.d = Adopt(std::move(proc->stderr_fd));
    if (proc->stdin_fd) stdin_pipe_ = Adopt(std::move(proc->stdin_fd));
    stdin_ = stdin_pipe_.get();
  }
  if (proc->pidfd) pidfd_ = Adopt(std::move(proc->pidfd));
  Read(out_);
  Read(err_);
  WatchExit();
}

void ExecWs::WatchExit() {
  auto exited = [this](const error_code& ec) {
    if (ec) return;
    if (!pidfd_ && child_.Alive()) return WatchExit();
    exited_ = true;
    for (Output* o : {&out_, &err_}) {
      if (o->d) o->d->cancel();
    }
    MaybeFinish();
  };
  if (pidfd_) {
    pidfd_->async_wait(Descriptor::wait_read, exited);
  } else {  // no pidfd on this kernel: look every 100 ms
    poll_exit_.expires_after(std::chrono::milliseconds(100));
    poll_exit_.async_wait(exited);
  }
}

void ExecWs::Read(Output& o) {
  if (!o.d || o.busy || o.eof || exited_ || !Room()) return;
  o.busy = true;
  o.d->async_read_some(boost::asio::buffer(o.buf), [this, &o](const error_code& ec, size_t n) {
    o.busy = false;
    if (n > 0) {
      Touch();
      Forward(o.channel, std::string_view(o.buf.data(), n));
    }
    if (ec && ec != boost::asio::error::operation_aborted) o.eof = true;  // EOF, or EIO from a pty
    if (exited_) return MaybeFinish();
    Read(o);
  });
}

void ExecWs::OnMessage(uint8_t channel, std::string_view data) {
  if (channel == kStdin && req_.stdin && !stdin_eof_) {
    stdin_buf_.append(data);
    WriteStdin();
  } else if (channel == kResize && req_.tty) {
    resize_buf_.append(data);
    resize_buf_ += '\n';  // one JSON object per message
    ApplyResizes(resize_buf_, out_.d ? out_.d->native_handle() : -1);
  } else if (channel == kClose && version_ >= 5 && data.size() == 1 && data[0] == kStdin) {
    stdin_eof_ = true;
    WriteStdin();
  }
}

void ExecWs::WriteStdin() {
  if (stdin_writing_) return;
  if (stdin_ == nullptr) {
    stdin_buf_.clear();
  } else if (!stdin_buf_.empty()) {
    stdin_writing_ = true;
    stdin_->async_write_some(boost::asio::buffer(stdin_buf_), [this](const error_code& ec, size_t n) {
      stdin_writing_ = false;
      if (ec) {  // the command closed its stdin: drop what it will never read
        stdin_buf_.clear();
        if (stdin_pipe_) stdin_pipe_.reset();
        stdin_ = nullptr;
      } else {
        stdin_buf_.erase(0, n);
      }
      WriteStdin();
    });
  } else if (stdin_eof_ && stdin_pipe_) {
    stdin_pipe_.reset();  // the command sees EOF
    stdin_ = nullptr;
  }
  PauseInput(stdin_buf_.size() >= limits_.max_buffer);
}

// After the exit: once no read is in flight, what the command wrote is in the pipes; send it
// all, then the outcome.
void ExecWs::MaybeFinish() {
  if (finished_ || out_.busy || err_.busy) return;
  for (Output* o : {&out_, &err_}) {
    while (o->d && !o->eof) {
      ssize_t n = ::read(o->d->native_handle(), o->buf.data(), o->buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      Forward(o->channel, std::string_view(o->buf.data(), static_cast<size_t>(n)));
    }
  }
  auto status = child_.Wait(absl::Seconds(10));
  int code = status.ok() ? (status->signal ? 128 + status->signal : status->exit_code) : 255;
  if (code == 0) return Finish(version_ >= 4 ? SuccessStatusJson() : "");
  Finish(version_ >= 4 ? ExitCodeStatusJson(code)
                       : "command terminated with non-zero exit code: exit status " + std::to_string(code));
}

void ExecWs::Finish(const std::string& error_text) {
  finished_ = true;
  if (!error_text.empty()) Send(kError, error_text);
  CloseWhenFlushed();
}

}  // namespace

void ServeExecWs(UniqueFd socket, const std::string& request, const std::string& protocol, const StreamRequest& r,
                 int version, StreamBackend& backend, const SessionLimits& limits, int stop_fd) {
  ExecWs(std::move(socket), r, version, backend, limits, stop_fd).Run(request, protocol);
}

}  // namespace podagent::streaming
