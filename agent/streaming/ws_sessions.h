#pragma once
// Exec, Attach and PortForward over WebSocket (Kubernetes' channel protocol, see ws_channels.h):
//   exec, attach: channels 0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize (JSON {"Width","Height"});
//     v4.channel.k8s.io sends a metav1.Status on the error channel at the end, channel.k8s.io (v1)
//     the error text only; v5.channel.k8s.io adds [255, channel] from the client: that channel
//     (stdin) is closed.
//   port-forward: the ports of the URL's `port` query, in order; port i uses channel 2i for data
//     and 2i+1 for errors, and each of them starts with the port as 2 bytes little-endian.
// The sessions behave as their SPDY twins: the same backends, buffer limits, idle timeout, an
// exec'd command killed when the client goes away, an attach only detached.

#include <string>
#include <vector>

#include "agent/streaming/backend.h"
#include "agent/streaming/http_upgrade.h"
#include "runtime/common/unique_fd.h"

namespace podagent::streaming {

// Port-forward's SPDY tunnelled through WebSocket (client-go's tunneling dialer, so crictl's
// `port-forward --transport websocket`): each binary message carries SPDY bytes as they are.
constexpr char kSpdyTunnelProtocol[] = "SPDY/3.1+portforward.k8s.io";

// The WebSocket subprotocol the client offered first among those served for `kind` (its list
// order wins). `version` is the channel protocol's number (5, 4 or 1; 4 for port-forward). A
// client that offers none gets channel.k8s.io (v1) semantics and no protocol in the reply, as
// kubelet does; false when it offered only protocols this server does not speak.
bool NegotiateWs(const std::vector<std::string>& offered, StreamKind kind, std::string& chosen, int& version);

// The `port` query values of a port-forward URL target ("?port=80&port=8080" or "?port=80,8080").
absl::StatusOr<std::vector<int32_t>> PortsFromQuery(const std::string& target);

// Serves an upgrade to WebSocket of a request whose token was valid: the subprotocol (400 when
// none is served), for port-forward the `port` query (400 when bad), then the session until it
// ends. Everything in `req` comes from the client; the server's routing and the fuzz target
// (tests/fuzz/streaming/ws_fuzz.cc) both enter here.
void ServeWs(UniqueFd fd, const HttpRequest& req, const StreamRequest& r, StreamBackend& backend,
             const SessionLimits& limits, int stop_fd);

// `request` is the upgrade request's bytes as received (HttpRequest head + extra).
void ServeExecWs(UniqueFd socket, const std::string& request, const std::string& protocol, const StreamRequest& r,
                 int version, StreamBackend& backend, const SessionLimits& limits, int stop_fd);
void ServeAttachWs(UniqueFd socket, const std::string& request, const std::string& protocol, const StreamRequest& r,
                   int version, StreamBackend& backend, const SessionLimits& limits, int stop_fd);
// The SPDY port-forward session (port_forward_spdy.h) on a socketpair whose other end is pumped
// to and from the WebSocket's messages.
void ServePortForwardTunnelWs(UniqueFd socket, const std::string& request, const StreamRequest& r,
                              StreamBackend& backend, const SessionLimits& limits, int stop_fd);
void ServePortForwardWs(UniqueFd socket, const std::string& request, const std::string& protocol,
                        const StreamRequest& r, const std::vector<int32_t>& ports, StreamBackend& backend,
                        const SessionLimits& limits, int stop_fd);

}  // namespace podagent::streaming
