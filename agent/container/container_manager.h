#pragma once
// ContainerManager: containers (shim, rootfs, cgroup, logs) and their records.
// STUB: replaced by the containers work.

#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "agent/context.h"

namespace podagent {

class ContainerManager : public ContainerRegistry {
 public:
  explicit ContainerManager(AgentContext& ctx) : ctx_(ctx) {}
  absl::Status Recover() { return absl::OkStatus(); }

  absl::Status StopAllInPod(const std::string&, int64_t) override { return absl::OkStatus(); }
  absl::Status RemoveAllInPod(const std::string&) override { return absl::OkStatus(); }
  std::set<std::string> ImagesInUse() const override { return {}; }
  std::vector<ContainerInfo> ListContainerInfos() const override { return {}; }

 private:
  [[maybe_unused]] AgentContext& ctx_;
};

}  // namespace podagent
