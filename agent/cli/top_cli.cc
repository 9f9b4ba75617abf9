// `podagent top POD [--json]`: the processes of a pod's pause and containers, as the daemon read
// them from the kernel (verbose PodSandboxStatus / ContainerStatus give `processes`: those of each
// cgroup.procs with NSpid, user, state and cmdline). Nothing is read under /proc here, so a user
// who may use the socket needs no ptrace access to the pod's processes.
#include "absl/strings/str_cat.h"
#include "agent/cli/cli.h"
#include "agent/cli/diag_client.h"
#include "agent/cli/diag_command.h"
#include "agent/cli/top_table.h"

namespace podagent {
namespace {

constexpr char kUsage[] = "usage: podagent top POD [--json]   POD: id, unique id prefix or namespace/name\n";

// The rows of the processes in a verbose info's `processes`; a note when the daemon could not
// list them, listed none, or listed only the first ones.
void AddProcesses(const nlohmann::json& info, const std::string& name, const std::string& id, TopTable& t) {
  std::string who = id.empty() ? name : absl::StrCat(name, " (", id.substr(0, 13), ")");
  const nlohmann::json* procs =
      info.contains("processes") && info["processes"].is_array() ? &info["processes"] : nullptr;
  if (procs == nullptr) {
    std::string why = InfoString(info, "processesError");
    t.notes.push_back(absl::StrCat(who, ": ", why.empty() ? "not running" : why));
    return;
  }
  if (procs->empty()) t.notes.push_back(absl::StrCat(who, ": no process"));
  if (info.value("processesTruncated", false)) t.notes.push_back(absl::StrCat(who, ": only the first processes shown"));
  for (const auto& p : *procs) {
    if (auto row = TopRowFromJson(p, name, id)) t.rows.push_back(std::move(*row));
  }
}

absl::StatusOr<TopTable> BuildTable(DiagClient& client, const std::string& query) {
  auto pod = client.ResolvePod(query);
  if (!pod.ok()) return pod.status();
  TopTable t;
  t.pod_id = pod->id();
  t.pod_namespace = pod->metadata().namespace_();
  t.pod_name = pod->metadata().name();
  auto ps = client.GetPodStatus(pod->id());
  if (!ps.ok()) return ps.status();
  AddProcesses(ps->info, "pause", "", t);
  auto containers = client.PodContainers(pod->id());
  if (!containers.ok()) return containers.status();
  for (const auto& c : *containers) {
    if (c.state() != cri::CONTAINER_RUNNING) continue;
    auto cs = client.GetContainerStatus(c.id());
    if (!cs.ok()) return cs.status();
    AddProcesses(cs->info, c.metadata().name(), c.id(), t);
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
