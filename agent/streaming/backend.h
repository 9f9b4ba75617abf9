#pragma once
// StreamBackend: what the streaming server needs from the rest of the agent (the seam where its
// tests put a fake): start a command in a container, reach a port in a pod.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "agent/streaming/stream_request.h"
#include "runtime/common/unique_fd.h"
#include "runtime/container/shim_exec.h"

namespace podagent::streaming {

class StreamBackend {
 public:
  virtual ~StreamBackend() = default;
  // Starts request.cmd in request.container_id with a tty / stdin as the request asks.
  virtual absl::StatusOr<ExecProcess> StartExec(const StreamRequest& request) = 0;
  // A connection to the container's shim for attach (runtime/shim/attach_server.h).
  virtual absl::StatusOr<UniqueFd> Attach(const StreamRequest& request) = 0;
  // A connected, non-blocking TCP socket to 127.0.0.1:`port` in the pod's network namespace.
  virtual absl::StatusOr<UniqueFd> ConnectPort(const std::string& pod_id, int32_t port) = 0;
};

struct SessionLimits {
  absl::Duration idle_timeout = absl::Hours(4);            // no traffic either way: close
  absl::Duration stream_creation_timeout = absl::Seconds(30);
  size_t max_buffer = 256 * 1024;                          // per direction
};

}  // namespace podagent::streaming
