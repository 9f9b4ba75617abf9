#include "agent/container/process_facts.h"

#include "agent/container/process_list.h"
#include "agent/container/process_namespaces.h"

namespace podagent {

void AddProcessFacts(pid_t pid, uint64_t start_time, const CgroupDriver* cgroups, const std::string& cgroup_path,
                     nlohmann::json& info) {
  auto inodes = ProcessNamespaces(pid, start_time);
  if (inodes.ok()) {
    info["namespaces"] = NamespacesJson(*inodes);
  } else {
    info["namespacesError"] = std::string(inodes.status().message());
  }
  AddCgroupProcesses(cgroups, cgroup_path, info);
}

}  // namespace podagent
