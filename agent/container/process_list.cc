#include "agent/container/process_list.h"

#include <map>

#include "agent/hostfs/cgroup_source.h"
#include "agent/container/container_users.h"
#include "runtime/cgroups/cgroup.h"

namespace podagent {

nlohmann::json ProcessJson(const ProcInfo& p, const std::string& user) {
  return {{"nsPids", p.ns_pids},
          {"uid", p.uid},
          {"user", user},
          {"state", std::string(1, p.state)},
          {"command", p.command}};
}

nlohmann::json ProcessesJson(const std::vector<pid_t>& pids, size_t limit,
                             const std::function<absl::StatusOr<ProcInfo>(pid_t)>& read,
                             const std::function<std::string(pid_t first, uid_t uid)>& user_of, bool& truncated) {
  truncated = pids.size() > limit;
  nlohmann::json out = nlohmann::json::array();
  pid_t first = 0;
  for (size_t i = 0; i < pids.size() && i < limit; ++i) {
    auto p = read(pids[i]);
    if (!p.ok() || p->ns_pids.empty()) continue;
    if (first == 0) first = pids[i];
    out.push_back(ProcessJson(*p, user_of(first, p->uid)));
  }
  return out;
}

void AddCgroupProcesses(const CgroupDriver* cgroups, const std::string& path, nlohmann::json& info) {
  if (cgroups == nullptr || path.empty()) {
    info["processesError"] = "the daemon has no cgroup for it";
    return;
  }
  // Bounded and without following symlinks (a pod may own sub-cgroups): not the driver's Pids,
  // which must see every process to kill them.
  auto source = CgroupSource::Open(cgroups->MountRoot());
  if (!source.ok()) {
    info["processesError"] = std::string(source.status().message());
    return;
  }
  auto pids = (*source)->Procs(path);
  if (!pids.ok()) {
    info["processesError"] = std::string(pids.status().message());
    return;
  }
  std::map<uid_t, std::string> users;
  bool users_read = false;
  auto user_of = [&](pid_t first, uid_t uid) {
    if (!users_read) users = ContainerUsers(first);
    users_read = true;
    return UserName(users, uid);
  };
  bool truncated = false;
  info["processes"] = ProcessesJson(*pids, kMaxListedProcesses, ReadProcInfo, user_of, truncated);
  if (truncated) info["processesTruncated"] = true;
}

}  // namespace podagent
