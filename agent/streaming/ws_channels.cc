#include "agent/streaming/ws_channels.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <spdlog/spdlog.h>

#include "absl/time/time.h"

namespace podagent::streaming {
namespace {

namespace websocket = boost::beast::websocket;
using boost::asio::ip::tcp;
using error_code = boost::system::error_code;

constexpr auto kHandshakeTimeout = std::chrono::seconds(5);
constexpr auto kCloseTimeout = std::chrono::seconds(5);

std::chrono::steady_clock::duration ToChrono(absl::Duration d) {
  return std::chrono::milliseconds(absl::ToInt64Milliseconds(d));
}

}  // namespace

struct WsChannels::Ws {
  explicit Ws(tcp::socket s) : stream(std::move(s)) {}
  websocket::stream<tcp::socket> stream;
  boost::beast::flat_buffer in;
};

WsChannels::WsChannels(UniqueFd socket, const SessionLimits& limits, int stop_fd, std::string who)
    : limits_(limits), who_(std::move(who)), idle_timer_(io_), close_timer_(io_) {
  ws_ = std::make_unique<Ws>(tcp::socket(io_, tcp::v4(), socket.Release()));
  stop_ = Adopt(UniqueFd(::fcntl(stop_fd, F_DUPFD_CLOEXEC, 0)));
  last_activity_ = std::chrono::steady_clock::now();
}

WsChannels::~WsChannels() = default;

std::unique_ptr<boost::asio::posix::stream_descriptor> WsChannels::Adopt(UniqueFd fd) {
  return std::make_unique<boost::asio::posix::stream_descriptor>(io_, fd.Release());
}

void WsChannels::Run(const std::string& request, const std::string& protocol) {
  auto& ws = ws_->stream;
  ws.binary(true);
  ws.auto_fragment(false);
  ws.read_message_max(std::max<size_t>(limits_.max_buffer, 64 * 1024));
  websocket::stream_base::timeout t = websocket::stream_base::timeout::suggested(boost::beast::role_type::server);
  t.handshake_timeout = kHandshakeTimeout;
  t.idle_timeout = websocket::stream_base::none();  // the session's own timer counts both directions
  t.keep_alive_pings = false;
  ws.set_option(t);
  ws.set_option(websocket::stream_base::decorator([protocol](websocket::response_type& res) {
    if (!protocol.empty()) res.set(boost::beast::http::field::sec_websocket_protocol, protocol);
  }));
  stop_->async_wait(boost::asio::posix::descriptor_base::wait_read, [this](const error_code& ec) {
    if (!ec) Gone("the server is stopping");
  });
  ws.async_accept(boost::asio::buffer(request), [this](const error_code& ec) {
    if (ec) {
      spdlog::warn("streaming: {}: websocket handshake: {}", who_, ec.message());
      over_ = true;
      io_.stop();
      return;
    }
    Touch();
    ArmIdle();
    Begin();
    ReadNext();
  });
  io_.run();
}

void WsChannels::Touch() { last_activity_ = std::chrono::steady_clock::now(); }

void WsChannels::ArmIdle() {
  idle_timer_.expires_at(last_activity_ + ToChrono(limits_.idle_timeout));
  idle_timer_.async_wait([this](const error_code& ec) {
    if (ec || over_) return;
    if (std::chrono::steady_clock::now() - last_activity_ >= ToChrono(limits_.idle_timeout)) {
      spdlog::info("streaming: {}: idle for {}, closing", who_, absl::FormatDuration(limits_.idle_timeout));
      return CloseIdle();
    }
    ArmIdle();
  });
}

// Idle: the session ends as if the client had gone (OnGone once the close is done; an exec'd
// command is killed), but the client is told why, with a close frame 1001 "idle timeout", and gets
// kCloseTimeout to answer it. A write still in flight after a whole idle period means a client
// that reads nothing: it is dropped instead (Beast allows one write at a time; a close is one).
void WsChannels::CloseIdle() {
  if (writing_) return Gone("idle, and the client does not read");
  closing_ = closed_ = writing_ = true;
  out_.clear();
  queued_ = 0;
  close_timer_.expires_after(kCloseTimeout);
  close_timer_.async_wait([this](const error_code& ec) {
    if (!ec) Gone("idle, and the client does not answer the close");
  });
  ws_->stream.async_close(websocket::close_reason(websocket::close_code::going_away, "idle timeout"),
                          [this](const error_code&) {
                            writing_ = false;
                            Gone("idle");
                          });
}

void WsChannels::Gone(const std::string& why) {
  if (over_) return;
  over_ = true;
  spdlog::info("streaming: {}: session over ({})", who_, why);
  OnGone();
  io_.stop();
}

void WsChannels::ReadNext() {
  if (reading_ || paused_ || over_ || closed_) return;
  reading_ = true;
  ws_->stream.async_read(ws_->in, [this](const error_code& ec, size_t) {
    reading_ = false;
    if (over_) return;
    if (ec) {
      if (!closing_) Gone(ec == websocket::error::closed ? "the client closed" : "the client went away: " + ec.message());
      return;
    }
    Touch();
    std::string msg = boost::beast::buffers_to_string(ws_->in.data());
    ws_->in.consume(ws_->in.size());  // before OnMessage, which may start the next read
    if (!closing_) OnRawMessage(msg);
    ReadNext();
  });
}

void WsChannels::PauseInput(bool paused) {
  paused_ = paused;
  if (!paused_) ReadNext();
}

void WsChannels::Send(uint8_t channel, std::string_view data) {
  std::string m;
  m.reserve(data.size() + 1);
  m += static_cast<char>(channel);
  m.append(data);
  SendRaw(m);
}

void WsChannels::SendRaw(std::string_view data) {
  if (closing_ || over_) return;
  std::string m(data);
  queued_ += m.size();
  out_.push_back(std::move(m));
  WriteNext();
}

void WsChannels::WriteNext() {
  if (writing_ || over_) return;
  if (out_.empty()) {
    if (!closing_ || closed_) return;
    closed_ = true;
    writing_ = true;
    ws_->stream.async_close(websocket::close_code::normal, [this](const error_code&) {
      writing_ = false;
      over_ = true;
      io_.stop();
    });
    return;
  }
  writing_ = true;
  ws_->stream.async_write(boost::asio::buffer(out_.front()), [this](const error_code& ec, size_t) {
    writing_ = false;
    if (over_) return;
    if (ec) {
      Gone("write: " + ec.message());
      return;
    }
    bool was_full = !Room();
    queued_ -= out_.front().size();
    out_.pop_front();
    Touch();
    if (was_full && Room() && !closing_) OnRoom();
    WriteNext();
  });
}

void WsChannels::CloseWhenFlushed() {
  if (closing_) return;
  closing_ = true;
  idle_timer_.cancel();
  close_timer_.expires_after(kCloseTimeout);
  close_timer_.async_wait([this](const error_code& ec) {
    if (ec) return;
    spdlog::info("streaming: {}: the client does not take the last output, closing", who_);
    over_ = true;
    io_.stop();
  });
  WriteNext();
}

}  // namespace podagent::streaming
