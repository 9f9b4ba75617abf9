// Attach over WebSocket (ws_sessions.h): the channels joined to the container's shim through its
// attach socket (shim_frames.h); closing the session detaches, the container keeps running.
#include <sys/socket.h>

#include <array>

#include <boost/asio/buffer.hpp>
#include <spdlog/spdlog.h>

#include "agent/streaming/channel_streams.h"
#include "agent/streaming/shim_frames.h"
#include "agent/streaming/status_json.h"
#include "agent/streaming/ws_channels.h"
#include "agent/streaming/ws_sessions.h"
#include "runtime/common/errors.h"

namespace podagent::streaming {
namespace {

using error_code = boost::system::error_code;

constexpr uint8_t kStdin = 0, kStdout = 1, kStderr = 2, kError = 3, kResize = 4, kClose = 255;
constexpr size_t kMaxShimBacklog = (1u << 20) + kShimFrameHeader;  // one frame the shim may send

class AttachWs : public WsChannels {
 public:
  AttachWs(UniqueFd socket, const StreamRequest& r, int version, StreamBackend& backend, const SessionLimits& limits,
           int stop_fd)
      : WsChannels(std::move(socket), limits, stop_fd, "attach to " + r.container_id),
        req_(r),
        version_(version),
        backend_(backend) {}

 private:
  void Begin() override;
  void OnMessage(uint8_t channel, std::string_view data) override;
  void OnRoom() override { ReadShim(); }
  void ReadShim();
  void WriteShim();
  void Finish(const std::string& error_text) {
    if (!error_text.empty()) Send(kError, error_text);
    CloseWhenFlushed();
  }

  const StreamRequest& req_;
  int version_;
  StreamBackend& backend_;
  std::unique_ptr<boost::asio::posix::stream_descriptor> shim_;
  std::array<char, 32 * 1024> buf_{};
  std::string from_shim_, to_shim_, resize_buf_;
  bool shim_reading_ = false, shim_writing_ = false, stdin_eof_ = false, write_closed_ = false;
};

void AttachWs::Begin() {
  auto shim = backend_.Attach(req_);
  if (!shim.ok()) {
    spdlog::warn("streaming: attach to {}: {}", req_.container_id, shim.status().message());
    return Finish(version_ >= 4 ? ErrorStatusJson(Msg(shim.status())) : Msg(shim.status()));
  }
  shim_ = Adopt(std::move(*shim));
  ReadShim();
}

void AttachWs::ReadShim() {
  if (!shim_ || shim_reading_ || closing() || !Room()) return;
  shim_reading_ = true;
  shim_->async_read_some(boost::asio::buffer(buf_), [this](const error_code& ec, size_t n) {
    shim_reading_ = false;
    from_shim_.append(buf_.data(), n);
    if (n > 0) Touch();
    TakeShimFrames(from_shim_, [&](unsigned char kind, std::string_view payload) {
      uint8_t channel = kind == 2 && !req_.tty ? kStderr : kStdout;
      if (!payload.empty() && (channel == kStdout ? req_.stdout : req_.stderr)) Send(channel, payload);
    });
    if (ec || from_shim_.size() > kMaxShimBacklog) {  // the container has exited (or its shim is gone)
      return Finish(version_ >= 4 ? SuccessStatusJson() : "");
    }
    ReadShim();
  });
}

void AttachWs::OnMessage(uint8_t channel, std::string_view data) {
  if (channel == kStdin && req_.stdin && !stdin_eof_) {
    if (req_.tty) {
      AppendShimStdin(to_shim_, data);
    } else {
      to_shim_.append(data);
    }
  } else if (channel == kResize && req_.tty) {
    resize_buf_.append(data);
    resize_buf_ += '\n';  // one JSON object per message
    for (const WindowSize& ws : TakeResizes(resize_buf_)) AppendShimResize(to_shim_, ws.cols, ws.rows);
  } else if (channel == kClose && version_ >= 5 && data.size() == 1 && data[0] == kStdin) {
    stdin_eof_ = true;
  }
  WriteShim();
}

void AttachWs::WriteShim() {
  if (!shim_ || shim_writing_) return;
  if (!to_shim_.empty()) {
    shim_writing_ = true;
    shim_->async_write_some(boost::asio::buffer(to_shim_), [this](const error_code& ec, size_t n) {
      shim_writing_ = false;
      if (ec) {
        to_shim_.clear();
      } else {
        to_shim_.erase(0, n);
      }
      WriteShim();
    });
  } else if (stdin_eof_ && !write_closed_) {  // the client's stdin ended: the shim applies stdin_once
    ::shutdown(shim_->native_handle(), SHUT_WR);
    write_closed_ = true;
  }
  PauseInput(to_shim_.size() >= limits_.max_buffer);
}

}  // namespace

void ServeAttachWs(UniqueFd socket, const std::string& request, const std::string& protocol, const StreamRequest& r,
                   int version, StreamBackend& backend, const SessionLimits& limits, int stop_fd) {
  AttachWs(std::move(socket), r, version, backend, limits, stop_fd).Run(request, protocol);
}

}  // namespace podagent::streaming
