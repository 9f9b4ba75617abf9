#pragma once
// SandboxManager: pods (pause process, namespaces, pod cgroup, CNI network) and their records.
// STUB: replaced by the sandboxes work.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "agent/context.h"

namespace podagent {

struct NetworkCondition {
  bool ready = false;
  std::string reason, message;
};

class SandboxManager : public PodLookup {
 public:
  explicit SandboxManager(AgentContext& ctx) : ctx_(ctx) {}
  // Loads pod records and reconciles them with what is running. Never fatal for one bad pod.
  absl::Status Recover() { return absl::OkStatus(); }
  NetworkCondition Network() const { return {false, "NetworkPluginNotReady", "pod networking is not implemented yet"}; }

  absl::StatusOr<PodInfo> GetPod(const std::string& id) const override {
    return absl::NotFoundError("pod sandbox " + id + " not found");
  }
  std::vector<PodInfo> ListPods() const override { return {}; }

 private:
  [[maybe_unused]] AgentContext& ctx_;
};

}  // namespace podagent
