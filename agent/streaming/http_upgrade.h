#pragma once
// The HTTP/1.1 half of a streaming connection: read one request with a deadline and a size bound
// (parsed by Boost.Beast), and write a plain response or a 101 Switching Protocols.

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace podagent::streaming {

struct HttpRequest {
  std::string method, target;
  std::string upgrade;                         // the Upgrade header, lower case
  std::vector<std::string> protocols;          // X-Stream-Protocol-Version values, in order
  std::vector<std::string> ws_protocols;       // Sec-WebSocket-Protocol values, in order
  std::string head;                            // the request's bytes as received (for a WebSocket handshake)
  std::string extra;                           // bytes read past the request
};

// Reads and parses one request from `fd` (blocking socket made non-blocking here).
absl::StatusOr<HttpRequest> ReadHttpRequest(int fd, absl::Duration timeout);
// Writes all of `data` within `timeout`.
absl::Status WriteAll(int fd, const std::string& data, absl::Duration timeout);
std::string HttpResponse(int code, const std::string& reason, const std::string& body);
std::string SwitchingProtocols(const std::string& upgrade, const std::string& protocol);

}  // namespace podagent::streaming
