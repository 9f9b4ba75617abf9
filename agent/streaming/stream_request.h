#pragma once
// What an Exec, Attach or PortForward RPC asked for, kept behind a single-use token until the
// client connects to the streaming server.

#include <cstdint>
#include <string>
#include <vector>

namespace podagent::streaming {

enum class StreamKind { kExec, kAttach, kPortForward };

struct StreamRequest {
  StreamKind kind = StreamKind::kExec;
  std::string container_id;          // exec, attach
  std::string pod_id;                // port-forward
  std::vector<std::string> cmd;      // exec
  bool tty = false, stdin = false, stdout = false, stderr = false;
  std::vector<int32_t> ports;        // port-forward: the ports asked for (informational)
};

// "exec", "attach", "portforward": the URL path element of each kind.
const char* KindPath(StreamKind kind);

}  // namespace podagent::streaming
