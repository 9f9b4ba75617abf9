#pragma once
// WsChannels: the server side of one WebSocket connection (Boost.Beast) that carries Kubernetes'
// channel protocol (channel.k8s.io and its v4/v5 versions, port-forward's v4.channel.k8s.io):
// every binary message starts with a channel byte. A session (exec_ws, attach_ws,
// port_forward_ws) derives from it and runs on its own io_context in the connection's thread.
//
// Memory is bounded as in the SPDY sessions: output waits in a queue that producers stop filling
// while Room() is false (OnRoom() says when to resume), and the client is not read while
// PauseInput(true) holds (TCP flow control slows it). A session ends when it calls
// CloseWhenFlushed() (queued output, then a normal close), when the client goes away, after
// `idle_timeout` without traffic either way (a close frame 1001 "idle timeout"), or when the
// server's stop fd fires; the last three call OnGone().
//
// Pings: Beast answers a client's ping only inside a read, so while input is paused for
// back-pressure a ping waits, like the data ahead of it, until the session reads again. Reading
// on to answer it would mean taking in (and buffering) the data messages queued before it, which
// is what the pause prevents. Known cost: client-go's v5 executor pings and gives up when no pong
// comes within its read deadline (about a minute, pingReadDeadline in client-go's
// remotecommand/websocket.go, not measured here), so a command that reads none of a stdin
// backlog for that long loses such a client.

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "agent/streaming/backend.h"
#include "runtime/common/unique_fd.h"

namespace podagent::streaming {

class WsChannels {
 public:
  WsChannels(UniqueFd socket, const SessionLimits& limits, int stop_fd, std::string who);
  virtual ~WsChannels();
  WsChannels(const WsChannels&) = delete;
  WsChannels& operator=(const WsChannels&) = delete;

  // Answers the upgrade `request` (its bytes as received, and any read past it) echoing
  // `protocol` (none when empty), calls Begin() and serves until the session ends.
  void Run(const std::string& request, const std::string& protocol);

 protected:
  virtual void Begin() = 0;
  virtual void OnMessage(uint8_t channel, std::string_view data) = 0;
  // A whole binary message; by default split into its channel byte and data for OnMessage.
  virtual void OnRawMessage(std::string_view message) {
    if (!message.empty()) OnMessage(static_cast<uint8_t>(message[0]), message.substr(1));
  }
  virtual void OnRoom() {}
  virtual void OnGone() {}

  // Queues one binary message: the channel byte, then `data`.
  void Send(uint8_t channel, std::string_view data);
  // Queues one binary message of `data` as is (no channel byte: SPDY tunnelled in WebSocket).
  void SendRaw(std::string_view data);
  bool Room() const { return queued_ < limits_.max_buffer; }
  void PauseInput(bool paused);
  void Touch();
  void CloseWhenFlushed();
  bool closing() const { return closing_; }
  // A descriptor on this session's io_context that owns `fd`.
  std::unique_ptr<boost::asio::posix::stream_descriptor> Adopt(UniqueFd fd);

  boost::asio::io_context io_;
  const SessionLimits limits_;
  const std::string who_;

 private:
  struct Ws;
  void ReadNext();
  void WriteNext();
  void ArmIdle();
  void CloseIdle();
  void Gone(const std::string& why);

  std::unique_ptr<Ws> ws_;
  boost::asio::steady_timer idle_timer_, close_timer_;
  std::unique_ptr<boost::asio::posix::stream_descriptor> stop_;
  std::deque<std::string> out_;
  size_t queued_ = 0;
  bool writing_ = false, reading_ = false, paused_ = false, closing_ = false, closed_ = false, over_ = false;
  std::chrono::steady_clock::time_point last_activity_;
};

}  // namespace podagent::streaming
