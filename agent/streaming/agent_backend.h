#pragma once
// AgentBackend: the StreamBackend of the running daemon. Exec goes through ContainerManager (the
// shim's exec helper in the container's namespaces); port-forward connects in the pod's network
// namespace through `podagent-shim connect`, or directly for a host-network pod.

#include <memory>
#include <mutex>

#include "agent/container/container_record.h"
#include "agent/context.h"
#include "agent/streaming/backend.h"

namespace podagent {
class ContainerManager;
}

namespace podagent::streaming {

class AgentBackend : public StreamBackend {
 public:
  AgentBackend(AgentContext& ctx, ContainerManager& containers) : ctx_(ctx), containers_(containers) {}
  ~AgentBackend() override;

  absl::StatusOr<ExecProcess> StartExec(const StreamRequest& request) override;
  absl::StatusOr<UniqueFd> Attach(const StreamRequest& request) override;
  absl::StatusOr<UniqueFd> ConnectPort(const std::string& pod_id, int32_t port) override;

 private:
  absl::StatusOr<const ShimLauncher*> Launcher();
  absl::StatusOr<ContainerRecord> Running(const std::string& id);

  AgentContext& ctx_;
  ContainerManager& containers_;
  std::mutex mu_;
  std::unique_ptr<ShimLauncher> launcher_;
};

}  // namespace podagent::streaming
