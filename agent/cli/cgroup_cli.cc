// `podagent cgroup POD [--json]`: the pod's cgroup tree with limits and usage, from the cgroup
// files (read-only, beneath the hierarchy roots) of the paths the daemon names in its verbose
// PodSandboxStatus (the pod's and the pause's, "<pod>/pause" under cgroupfs) and ContainerStatus.
#include "absl/strings/str_cat.h"
#include "agent/cli/cgroup_report.h"
#include "agent/hostfs/cgroup_source.h"
#include "agent/cli/cli.h"
#include "agent/cli/diag_client.h"
#include "agent/cli/diag_command.h"

namespace podagent {
namespace {

constexpr char kUsage[] = "usage: podagent cgroup POD [--json]   POD: id, unique id prefix or namespace/name\n";
constexpr char kPauseCgroup[] = "/pause";  // the cgroupfs layout, for a daemon that names no pause cgroup

// The node of `path`, or a note on `r` when its cgroup cannot be read.
void AddNode(const CgroupSource& src, CgroupNode node, CgroupReport& r) {
  std::string who =
      node.container_id.empty() ? node.name : absl::StrCat(node.name, " (", node.container_id.substr(0, 13), ")");
  if (node.path.empty()) {
    r.notes.push_back(absl::StrCat(who, ": the daemon names no cgroup"));
    return;
  }
  auto facts = src.Facts(node.path);
  if (!facts.ok()) {
    r.notes.push_back(absl::StrCat(who, ": ", facts.status().message()));
    return;
  }
  node.facts = *facts;
  for (const char* c : {"memory", "cpu", "cpuset", "pids"}) {
    std::string dir = src.Dir(node.path, c);
    if (!dir.empty()) node.dirs.push_back(dir);
    if (src.IsV2()) break;
  }
  r.nodes.push_back(std::move(node));
}

absl::StatusOr<CgroupReport> BuildReport(DiagClient& client, const std::string& query) {
  auto pod = client.ResolvePod(query);
  if (!pod.ok()) return pod.status();
  auto src = CgroupSource::Open();
  if (!src.ok()) return src.status();
  CgroupReport r;
  r.pod_id = pod->id();
  r.pod_namespace = pod->metadata().namespace_();
  r.pod_name = pod->metadata().name();
  r.version = (*src)->IsV2() ? 2 : 1;
  r.mount_root = (*src)->MountRoot();
  auto ps = client.GetPodStatus(pod->id());
  if (!ps.ok()) return ps.status();
  std::string pod_path = InfoString(ps->info, "cgroupPath");
  if (pod_path.empty()) return absl::NotFoundError(absl::StrCat("pod ", pod->id(), ": the daemon names no cgroup"));
  AddNode(**src, {"pod", "", pod_path, {}, {}}, r);
  std::string pause_path = InfoString(ps->info, "pauseCgroupPath");
  AddNode(**src, {"pause", "", pause_path.empty() ? pod_path + kPauseCgroup : pause_path, {}, {}}, r);
  auto containers = client.PodContainers(pod->id());
  if (!containers.ok()) return containers.status();
  for (const auto& c : *containers) {
    auto cs = client.GetContainerStatus(c.id());
    if (!cs.ok()) return cs.status();
    AddNode(**src, {c.metadata().name(), c.id(), InfoString(cs->info, "cgroupPath"), {}, {}}, r);
  }
  return r;
}

}  // namespace

int CgroupCliMain(const Config& config, const std::vector<std::string>& args) {
  return RunDiagCommand(config, args, "cgroup", kUsage,
                        [](DiagClient& client, const DiagArgs& a) -> absl::StatusOr<std::string> {
                          auto r = BuildReport(client, a.target);
                          if (!r.ok()) return r.status();
                          return a.json ? CgroupReportJson(*r).dump(2) + "\n" : CgroupReportText(*r);
                        });
}

}  // namespace podagent
