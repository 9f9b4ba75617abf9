#pragma once
// `podagent-shim connect <netns_path> <port>`: a single-threaded helper that enters the network
// namespace at <netns_path>, connects a TCP socket to 127.0.0.1:<port> there and passes it back
// over fd 3 (a unix socket: 4 bytes of errno, 0 on success, with the socket as SCM_RIGHTS). The
// socket stays in the pod's namespace after the helper exits; the daemon's threads never setns.

namespace podagent::shim {

int RunConnect(int argc, char** argv);

}  // namespace podagent::shim
