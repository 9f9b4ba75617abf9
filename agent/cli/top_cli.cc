// `podagent top POD [--json]`: the processes of a pod's pause and containers, from their cgroups'
// cgroup.procs (the paths the daemon names in verbose PodSandboxStatus / ContainerStatus) and
// each process's /proc/PID/status (NSpid, Uid, State) and cmdline.
#include <map>

#include "absl/strings/str_cat.h"
#include "agent/cli/cgroup_source.h"
#include "agent/cli/cli.h"
#include "agent/cli/container_users.h"
#include "agent/cli/diag_client.h"
#include "agent/cli/diag_command.h"
#include "agent/cli/proc_info.h"
#include "agent/cli/top_table.h"

namespace podagent {
namespace {

constexpr char kUsage[] = "usage: podagent top POD [--json]   POD: id, unique id prefix or namespace/name\n";
constexpr char kPauseCgroup[] = "/pause";  // runtime/sandbox/linux_sandbox_runtime.cc

// The rows of the processes in the cgroup at `path`; a note when it cannot be listed. A process
// that exits between the cgroup's list and its /proc read is left out.
void AddProcesses(const CgroupSource& src, const std::string& name, const std::string& id, const std::string& path,
                  TopTable& t) {
  std::string who = id.empty() ? name : absl::StrCat(name, " (", id.substr(0, 13), ")");
  absl::StatusOr<std::vector<pid_t>> pids =
      path.empty() ? absl::StatusOr<std::vector<pid_t>>(absl::NotFoundError("the daemon names no cgroup"))
                   : src.Procs(path);
  if (!pids.ok()) {
    t.notes.push_back(absl::StrCat(who, ": ", pids.status().message()));
    return;
  }
  if (pids->empty()) t.notes.push_back(absl::StrCat(who, ": no process"));
  std::map<uid_t, std::string> users;
  for (pid_t pid : *pids) {
    auto p = ReadProcInfo(pid);
    if (!p.ok()) continue;
    if (users.empty()) users = ContainerUsers(pid);
    t.rows.push_back({name, id, p->ns_pids.back(), p->ns_pids.front(), p->ns_pids, p->uid, UserName(users, p->uid),
                      p->state, p->command});
  }
}

absl::StatusOr<TopTable> BuildTable(DiagClient& client, const std::string& query) {
  auto pod = client.ResolvePod(query);
  if (!pod.ok()) return pod.status();
  auto src = CgroupSource::Open();
  if (!src.ok()) return src.status();
  TopTable t;
  t.pod_id = pod->id();
  t.pod_namespace = pod->metadata().namespace_();
  t.pod_name = pod->metadata().name();
  auto ps = client.GetPodStatus(pod->id());
  if (!ps.ok()) return ps.status();
  std::string pod_path = InfoString(ps->info, "cgroupPath");
  AddProcesses(**src, "pause", "", pod_path.empty() ? "" : pod_path + kPauseCgroup, t);
  auto containers = client.PodContainers(pod->id());
  if (!containers.ok()) return containers.status();
  for (const auto& c : *containers) {
    if (c.state() != cri::CONTAINER_RUNNING) continue;
    auto cs = client.GetContainerStatus(c.id());
    if (!cs.ok()) return cs.status();
    AddProcesses(**src, c.metadata().name(), c.id(), InfoString(cs->info, "cgroupPath"), t);
  }
  return t;
}

}  // namespace

int TopCliMain(const Config& config, const std::vector<std::string>& args) {
  return RunDiagCommand(config, args, "top", kUsage,
                        [](DiagClient& client, const DiagArgs& a) -> absl::StatusOr<std::string> {
                          auto t = BuildTable(client, a.target);
                          if (!t.ok()) return t.status();
                          return a.json ? TopTableJson(*t).dump(2) + "\n" : TopTableText(*t);
                        });
}

}  // namespace podagent
