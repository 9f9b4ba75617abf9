#pragma once
// Exec (and later attach) over SPDY: Kubernetes' remotecommand protocol, channel.k8s.io v2-v4.
// The client opens one stream per channel, named by its `streamType` header: error, stdin,
// stdout, stderr, resize (tty only, v3+). Once the streams the request implies exist, the command
// starts; output is copied to stdout/stderr, stdin to the command, resize events (JSON
// {"Width","Height"} per line) to the pty; at exit the error stream carries the outcome (v4: a
// metav1.Status with the exit code) and every stream is closed. When the client goes away, the
// idle timeout passes or the server stops, the command is killed.

#include "agent/streaming/backend.h"
#include "agent/streaming/spdy_conn.h"

namespace podagent::streaming {

// `version` is the channel protocol's number: 4 for v4.channel.k8s.io, 1 for channel.k8s.io.
void ServeExecSpdy(spdy::SpdyConn& conn, const StreamRequest& request, int version, StreamBackend& backend,
                   const SessionLimits& limits, int stop_fd);

}  // namespace podagent::streaming
