// PortForward over WebSocket (ws_sessions.h): one connection to the pod per port of the URL,
// opened when the session starts; the session closes once every one of them has ended.
#include <sys/socket.h>

#include <array>

#include <boost/asio/buffer.hpp>
#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
#include "agent/streaming/ws_channels.h"
#include "agent/streaming/ws_sessions.h"

namespace podagent::streaming {
namespace {

using error_code = boost::system::error_code;

class PortForwardWs : public WsChannels {
 public:
  PortForwardWs(UniqueFd socket, const StreamRequest& r, const std::vector<int32_t>& ports, StreamBackend& backend,
                const SessionLimits& limits, int stop_fd)
      : WsChannels(std::move(socket), limits, stop_fd, "port-forward to " + r.pod_id), req_(r), backend_(backend) {
    for (int32_t p : ports) pairs_.push_back(std::make_unique<Pair>(p));
  }

 private:
  struct Pair {
    explicit Pair(int32_t p) : port(p) {}
    int32_t port;
    std::unique_ptr<boost::asio::posix::stream_descriptor> conn;
    std::string to_pod;
    bool reading = false, writing = false, done = false;
    std::array<char, 32 * 1024> buf{};
  };

  void Begin() override;
  void OnMessage(uint8_t channel, std::string_view data) override;
  void OnRoom() override {
    for (size_t i = 0; i < pairs_.size(); ++i) Read(i);
  }
  void Read(size_t i);
  void Write(size_t i);
  void End(size_t i);
  void UpdateInput();

  const StreamRequest& req_;
  StreamBackend& backend_;
  std::vector<std::unique_ptr<Pair>> pairs_;
};

void PortForwardWs::Begin() {
  for (size_t i = 0; i < pairs_.size(); ++i) {
    Pair& p = *pairs_[i];
    const char port[2] = {static_cast<char>(p.port & 0xff), static_cast<char>((p.port >> 8) & 0xff)};
    Send(static_cast<uint8_t>(2 * i), std::string_view(port, 2));
    Send(static_cast<uint8_t>(2 * i + 1), std::string_view(port, 2));
  }
  for (size_t i = 0; i < pairs_.size(); ++i) {
    Pair& p = *pairs_[i];
    auto fd = backend_.ConnectPort(req_.pod_id, p.port);
    if (!fd.ok()) {
      std::string message = absl::StrCat("error forwarding port ", p.port, " to pod ", req_.pod_id, ": ",
                                         fd.status().message());
      spdlog::info("streaming: port-forward: {}", message);
      Send(static_cast<uint8_t>(2 * i + 1), message);
      End(i);
      continue;
    }
    p.conn = Adopt(std::move(*fd));
    Read(i);
  }
}

void PortForwardWs::Read(size_t i) {
  Pair& p = *pairs_[i];
  if (!p.conn || p.reading || p.done || !Room()) return;
  p.reading = true;
  p.conn->async_read_some(boost::asio::buffer(p.buf), [this, i](const error_code& ec, size_t n) {
    Pair& p = *pairs_[i];
    p.reading = false;
    if (n > 0) {
      Touch();
      Send(static_cast<uint8_t>(2 * i), std::string_view(p.buf.data(), n));
    }
    if (ec) return End(i);  // the pod closed the connection
    Read(i);
  });
}

void PortForwardWs::OnMessage(uint8_t channel, std::string_view data) {
  size_t i = channel / 2;
  if (channel % 2 != 0 || i >= pairs_.size() || pairs_[i]->done) return;
  pairs_[i]->to_pod.append(data);
  Write(i);
}

void PortForwardWs::Write(size_t i) {
  Pair& p = *pairs_[i];
  if (!p.conn || p.writing || p.to_pod.empty()) return UpdateInput();
  p.writing = true;
  p.conn->async_write_some(boost::asio::buffer(p.to_pod), [this, i](const error_code& ec, size_t n) {
    Pair& p = *pairs_[i];
    p.writing = false;
    if (ec) return End(i);
    p.to_pod.erase(0, n);
    Write(i);
  });
  UpdateInput();
}

void PortForwardWs::UpdateInput() {
  size_t buffered = 0;
  for (const auto& p : pairs_) buffered += p->to_pod.size();
  PauseInput(buffered >= limits_.max_buffer);
}

void PortForwardWs::End(size_t i) {
  Pair& p = *pairs_[i];
  p.done = true;
  p.to_pod.clear();
  if (p.conn) {
    error_code ignored;
    p.conn->close(ignored);
  }
  UpdateInput();
  for (const auto& q : pairs_) {
    if (!q->done || q->reading || q->writing) return;
  }
  CloseWhenFlushed();
}

}  // namespace

void ServePortForwardWs(UniqueFd socket, const std::string& request, const std::string& protocol,
                        const StreamRequest& r, const std::vector<int32_t>& ports, StreamBackend& backend,
                        const SessionLimits& limits, int stop_fd) {
  PortForwardWs(std::move(socket), r, ports, backend, limits, stop_fd).Run(request, protocol);
}

}  // namespace podagent::streaming
