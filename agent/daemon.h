#pragma once
// Daemon: owns the managers and the gRPC server for one run of podagent.
//   Start(): lock the socket, make the dirs, detect cgroups, build managers, recover state,
//            serve the CRI and the metrics endpoint.
//   Shutdown(): stop accepting, let in-flight RPCs finish within the grace period. Pods and
//            containers keep running: they do not depend on the daemon.

#include <grpcpp/server.h>

#include <atomic>
#include <memory>
#include <optional>

#include "absl/status/status.h"
#include "agent/context.h"
#include "agent/services.h"
#include "agent/socket_lock.h"

namespace podagent {

namespace streaming {
class AgentBackend;
class StreamingServer;
}  // namespace streaming

class Daemon {
 public:
  explicit Daemon(Config config);
  ~Daemon();

  absl::Status Start();
  void Shutdown();

 private:
  absl::Status PrepareDirs();
  absl::Status BuildManagers();
  absl::Status Serve();
  absl::Status ServeStreaming();

  AgentContext ctx_;
  std::optional<SocketLock> lock_;
  std::unique_ptr<CgroupDriver> cgroups_;
  std::unique_ptr<SandboxManager> sandboxes_;
  std::unique_ptr<ContainerManager> containers_;
  std::unique_ptr<ImageManager> images_;
  std::unique_ptr<StatsManager> stats_;
  std::unique_ptr<RuntimeServiceImpl> runtime_service_;
  std::unique_ptr<ImageServiceImpl> image_service_;
  std::unique_ptr<streaming::AgentBackend> stream_backend_;
  std::unique_ptr<streaming::StreamingServer> streaming_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<std::atomic<int>> in_flight_ = std::make_shared<std::atomic<int>>(0);
};

}  // namespace podagent
