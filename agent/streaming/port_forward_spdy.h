#pragma once
// PortForward over SPDY: Kubernetes' portforward.k8s.io protocol. For every forwarded
// connection the client opens two streams with the same `requestID` and `port` headers:
// `streamType: error` and `streamType: data`. Once both exist the server connects to
// 127.0.0.1:<port> in the pod's network namespace and copies bytes both ways; a failure is
// written as text on the error stream. The connection carries any number of such pairs until the
// client closes it, the idle timeout passes or the server stops.

#include "agent/streaming/backend.h"
#include "agent/streaming/spdy_conn.h"

namespace podagent::streaming {

void ServePortForwardSpdy(spdy::SpdyConn& conn, const StreamRequest& request, StreamBackend& backend,
                          const SessionLimits& limits, int stop_fd);

}  // namespace podagent::streaming
