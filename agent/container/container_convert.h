#pragma once
// ContainerRecord -> CRI Container / ContainerStatus.

#include <nlohmann/json.hpp>

#include "agent/container/container_record.h"
#include "agent/services.h"

namespace podagent {

cri::ContainerState ToCriState(CtrState s);
void FillContainer(const ContainerRecord& r, cri::Container* out);
void FillContainerStatus(const ContainerRecord& r, cri::ContainerStatus* out);
// ListContainers' filter: id and pod id by prefix, state, every label of the selector.
bool MatchesFilter(const ContainerRecord& r, const cri::ContainerFilter& f);
// The verbose "info" JSON (as containerd: pid, sandbox id, cgroup path, ...). `memory`, when not
// null, is added as "memory" (what ContainerMemoryFacts reads from the cgroup).
std::string VerboseInfo(const ContainerRecord& r, const nlohmann::json& memory = nullptr);

}  // namespace podagent
