#pragma once
// AgentWorkload: the metrics' WorkloadSource over the agent's PodLookup and ContainerRegistry
// (either may be null until its domain is built: then it lists nothing).

#include <vector>

#include "agent/context.h"
#include "metrics/workload.h"

namespace podagent {

PodSnapshot ToPodSnapshot(const PodInfo& pod);
ContainerSnapshot ToContainerSnapshot(const ContainerInfo& c);

class AgentWorkload : public WorkloadSource {
 public:
  explicit AgentWorkload(const AgentContext& ctx) : ctx_(ctx) {}
  std::vector<PodSnapshot> Pods() const override;
  std::vector<ContainerSnapshot> Containers() const override;

 private:
  const AgentContext& ctx_;
};

}  // namespace podagent
