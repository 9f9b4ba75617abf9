// SPDY/3.1+portforward.k8s.io (ws_sessions.h): the WebSocket's messages joined to one end of a
// socketpair, the SPDY port-forward session on the other end in a thread of its own. Both ends
// keep their bounds: this side stops reading the client while the socketpair is full and stops
// reading the socketpair while its WebSocket output is full.
#include <sys/socket.h>

#include <array>
#include <thread>

#include <boost/asio/buffer.hpp>

#include "agent/streaming/port_forward_spdy.h"
#include "agent/streaming/spdy_conn.h"
#include "agent/streaming/ws_channels.h"
#include "agent/streaming/ws_sessions.h"

namespace podagent::streaming {
namespace {

using error_code = boost::system::error_code;

class TunnelWs : public WsChannels {
 public:
  TunnelWs(UniqueFd socket, const StreamRequest& r, StreamBackend& backend, const SessionLimits& limits, int stop_fd)
      : WsChannels(std::move(socket), limits, stop_fd, "port-forward (SPDY over WebSocket) to " + r.pod_id),
        req_(r),
        backend_(backend),
        stop_fd_(stop_fd) {}

  ~TunnelWs() override {
    spdy_end_.reset();  // the SPDY session sees EOF and ends
    if (spdy_thread_.joinable()) spdy_thread_.join();
  }

 private:
  void Begin() override;
  void OnMessage(uint8_t, std::string_view) override {}
  void OnRawMessage(std::string_view message) override {
    to_spdy_.append(message);
    Write();
  }
  void OnRoom() override { Read(); }
  void Read();
  void Write();

  const StreamRequest& req_;
  StreamBackend& backend_;
  int stop_fd_;
  std::thread spdy_thread_;
  std::unique_ptr<boost::asio::posix::stream_descriptor> spdy_end_;
  std::array<char, 32 * 1024> buf_{};
  std::string to_spdy_;
  bool reading_spdy_ = false, writing_spdy_ = false;
};

void TunnelWs::Begin() {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) != 0) return CloseWhenFlushed();
  spdy_end_ = Adopt(UniqueFd(sv[0]));
  spdy_thread_ = std::thread([this, fd = UniqueFd(sv[1])]() mutable {
    spdy::SpdyConn conn(std::move(fd), "");
    ServePortForwardSpdy(conn, req_, backend_, limits_, stop_fd_);
  });
  Read();
}

void TunnelWs::Read() {
  if (!spdy_end_ || reading_spdy_ || closing() || !Room()) return;
  reading_spdy_ = true;
  spdy_end_->async_read_some(boost::asio::buffer(buf_), [this](const error_code& ec, size_t n) {
    reading_spdy_ = false;
    if (n > 0) {
      Touch();
      SendRaw(std::string_view(buf_.data(), n));
    }
    if (ec) return CloseWhenFlushed();  // the SPDY session is over
    Read();
  });
}

void TunnelWs::Write() {
  if (!spdy_end_ || writing_spdy_ || to_spdy_.empty()) {
    PauseInput(to_spdy_.size() >= limits_.max_buffer);
    return;
  }
  writing_spdy_ = true;
  spdy_end_->async_write_some(boost::asio::buffer(to_spdy_), [this](const error_code& ec, size_t n) {
    writing_spdy_ = false;
    if (ec) {
      to_spdy_.clear();
      return CloseWhenFlushed();
    }
    to_spdy_.erase(0, n);
    Write();
  });
  PauseInput(to_spdy_.size() >= limits_.max_buffer);
}

}  // namespace

void ServePortForwardTunnelWs(UniqueFd socket, const std::string& request, const StreamRequest& r,
                              StreamBackend& backend, const SessionLimits& limits, int stop_fd) {
  TunnelWs(std::move(socket), r, backend, limits, stop_fd).Run(request, kSpdyTunnelProtocol);
}

}  // namespace podagent::streaming
