#pragma once
// Attach over SPDY: the remotecommand channels of exec (channel_streams.h), joined to a running
// container's stdio through its shim's attach socket (runtime/shim/attach_server.h) instead of
// a new process. The client's stdin goes to the container's stdin pipe (a tty container's pty,
// with resize events as window sizes); the container's output comes back on stdout/stderr as the
// shim copies it. When the client leaves, only the socket
// closes (the container keeps running); when the container exits, the session ends with Success.

#include "agent/streaming/backend.h"
#include "agent/streaming/spdy_conn.h"

namespace podagent::streaming {

void ServeAttachSpdy(spdy::SpdyConn& conn, const StreamRequest& request, int version, StreamBackend& backend,
                     const SessionLimits& limits, int stop_fd);

}  // namespace podagent::streaming
