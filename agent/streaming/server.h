#pragma once
// StreamingServer: the HTTP server that Exec, Attach and PortForward URLs point at
// (`streaming.listen`, loopback by default). A URL is /<exec|attach|portforward>/<token> with a
// random single-use token that expires; anything else gets 404 and a log line. Requests are
// parsed with Boost.Beast; an upgraded connection then speaks SPDY/3.1 (agent/streaming/spdy_*)
// with Kubernetes' remotecommand or portforward protocol on top. One thread per connection, at
// most `max_sessions` at a time (503 beyond); Stop() ends every session and waits for them.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/streaming/backend.h"
#include "agent/streaming/stream_request.h"

namespace podagent::streaming {

struct ServerOptions {
  std::string listen = "127.0.0.1:0";  // HOST:PORT; port 0 picks a free one
  absl::Duration token_ttl = absl::Minutes(1);
  size_t max_tokens = 1000;
  size_t max_sessions = 64;
  SessionLimits limits;
};

class StreamingServer {
 public:
  static absl::StatusOr<std::unique_ptr<StreamingServer>> Start(const ServerOptions& options, StreamBackend& backend);
  ~StreamingServer();

  // "HOST:PORT" as bound.
  std::string address() const;
  // A URL for the request with a new token: http://HOST:PORT/<kind>/<token>.
  absl::StatusOr<std::string> UrlFor(StreamRequest request);
  size_t active_sessions() const;
  void Stop();

  struct Impl;

 private:
  explicit StreamingServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The daemon's running server, for the Exec, Attach and PortForward handlers and Status (null
// before the daemon serves and after it stops). Set only by the Daemon.
StreamingServer* ActiveStreamingServer();
void SetActiveStreamingServer(StreamingServer* server);

}  // namespace podagent::streaming
