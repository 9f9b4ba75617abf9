#pragma once
// The first phase of a remotecommand session over SPDY (exec and attach): the client opens one
// stream per channel, named by its `streamType` header (error, stdin, stdout, stderr, resize);
// the server replies to each and waits until every channel the request implies exists (kubelet's
// rule: error always; stdin, stdout if asked; stderr if asked without a tty; resize with a tty
// from v3 on). Frames other than SYN_STREAM that arrive meanwhile are kept for the session.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/streaming/backend.h"
#include "agent/streaming/spdy_conn.h"

namespace podagent::streaming {

struct ChannelStreams {
  uint32_t error = 0, stdin = 0, stdout = 0, stderr = 0, resize = 0;
  std::vector<spdy::InFrame> early;  // non-SYN frames received before all channels were open

  bool Ready(const StreamRequest& request, int version) const;
};

// DeadlineExceeded when the channels do not appear within limits.stream_creation_timeout,
// Cancelled when the client leaves or the server stops.
absl::StatusOr<ChannelStreams> OpenChannels(spdy::SpdyConn& conn, const StreamRequest& request, int version,
                                            const SessionLimits& limits, int stop_fd);

// Replies to a PING; true for frames that end the session (GOAWAY).
bool HandleConnectionFrame(spdy::SpdyConn& conn, const spdy::InFrame& f);

// Reads `resize` channel bytes (JSON {"Width","Height"} per line, as Go's json.Encoder writes)
// and returns the complete, valid sizes in order (both dimensions 1..65535).
struct WindowSize {
  unsigned short cols = 0, rows = 0;
};
std::vector<WindowSize> TakeResizes(std::string& buffered);
// TakeResizes, each size applied to the pty `pty_fd` (TIOCSWINSZ; ignored when -1).
void ApplyResizes(std::string& buffered, int pty_fd);

}  // namespace podagent::streaming
