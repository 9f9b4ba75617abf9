#pragma once
// A WebSocket client for the streaming server's channel protocol (Kubernetes' channel.k8s.io
// family, as client-go's websocket executor speaks it): Boost.Beast on loopback, binary messages
// whose first byte is the channel, reads with a deadline.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace podagent::testing {

class WsClient {
 public:
  WsClient();
  ~WsClient();

  // Connects to `url` (http://HOST:PORT/PATH) plus `query` offering `protocols` (in order); OK
  // when upgraded. Otherwise http_code and body hold the refusal.
  absl::Status Connect(const std::string& url, const std::vector<std::string>& protocols,
                       const std::string& query = "");
  int http_code = 0;
  std::string protocol;  // the Sec-WebSocket-Protocol the server chose

  absl::Status Send(uint8_t channel, const std::string& data);
  // Reads messages into `data` (per channel) and `messages` until `done()` or the server closes
  // (closed = true); DeadlineExceeded after `timeout`.
  template <typename Done>
  absl::Status ReadUntil(Done done, absl::Duration timeout) {
    absl::Time deadline = absl::Now() + timeout;
    while (!done()) {
      if (closed) return absl::OkStatus();
      absl::Status s = ReadOne(deadline - absl::Now());
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }
  // The status line the server answers a WebSocket upgrade of `url` with, read from a plain
  // socket (whatever a client library makes of a refusal).
  static std::string RawUpgradeStatus(const std::string& url);
  void Close();  // drops the connection without a close handshake (a client that went away)

  std::map<int, std::string> data;
  std::vector<std::pair<int, std::string>> messages;
  bool closed = false;

 private:
  absl::Status ReadOne(absl::Duration timeout);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace podagent::testing
