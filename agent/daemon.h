#pragma once
// Daemon: owns the managers and the gRPC server for one run of podagent.
//   Start(): lock the socket, make the dirs, detect cgroups, build managers, recover state,
//            serve the CRI and the metrics endpoint.
//   Shutdown(): stop accepting, let in-flight RPCs finish within the grace period. Pods and
//            containers keep running: they do not depend on the daemon. False when RPCs were
//            still running after the grace (they are logged by name): their threads were not
//            joined and the server was left alone, so the caller must end the process at once
//            (main does with _exit), never destroy the Daemon.

#include <grpcpp/server.h>

#include <chrono>
#include <memory>
#include <optional>

#include "absl/status/status.h"
#include "agent/context.h"
#include "agent/request_log.h"
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
  bool Shutdown();

 private:
  absl::Status PrepareDirs();
  // Sets ctx_.cgroups, or ctx_.cgroups_unusable with the reason it stays null.
  void DetectCgroups();
  void CheckSystemd();
  absl::Status BuildManagers();
  absl::Status Serve();
  absl::Status ServeStreaming();
  // Stops the gRPC server unless that outlasts `deadline` (a handler stuck past its cancellation).
  bool StopServer(std::chrono::steady_clock::time_point deadline);
  bool Abandon(const std::string& why);

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
  std::shared_ptr<InFlightRpcs> in_flight_ = std::make_shared<InFlightRpcs>();
  bool abandoned_ = false;
};

}  // namespace podagent
