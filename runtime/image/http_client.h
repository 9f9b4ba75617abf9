#pragma once
// A small libcurl wrapper for registry traffic: one GET/POST, headers collected from the final
// response, the body either kept (bounded) or streamed to a sink when the status is 200/206.
// Redirects are followed (blob storage often redirects); libcurl does not forward our
// Authorization header to another host. Only http and https are allowed, and a request that
// starts on https is only ever redirected to https (never downgraded to plain HTTP).
// A request stops when its `interrupt` says so (checked by libcurl's progress callback, about
// every second even while no byte arrives) or at its `deadline`, whatever the server does.
// Requests made one after another on one thread reuse an open connection to the same scheme,
// host and port (a pull's several requests pay one handshake).

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "runtime/image/interrupt.h"

namespace podagent {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;   // "Name: value"
  std::string basic_user, basic_password;  // sent as basic auth when basic_user is non-empty
  std::string post_body;                   // for POST (form-encoded)
  int64_t timeout_seconds = 60;            // connect timeout and "no progress" limit
  absl::Time deadline = absl::InfiniteFuture();  // the whole request, redirects included
  InterruptFn interrupt;                         // optional
  // Receives the body of a 200/206 response; returning an error aborts the transfer.
  std::function<absl::Status(absl::string_view)> sink;
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // lowercase names, last value wins
  std::string body;                            // non-2xx bodies, or all when no sink (bounded)
  std::string effective_url;
  long new_connections = 0;  // connections opened for this request (0: an open one was reused)
};

// Unavailable for transport failures (connection refused, reset, timeouts become
// DeadlineExceeded); the sink's or the interrupt's own error when it aborted. HTTP error
// statuses are not errors here.
absl::StatusOr<HttpResponse> HttpDo(const HttpRequest& request);

// Percent-encodes for a query string.
std::string UrlEncode(absl::string_view s);

}  // namespace podagent
