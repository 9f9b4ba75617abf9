// `podagent ns POD [--json]`: the namespaces of a pod's processes, as the daemon read them from
// the kernel (verbose PodSandboxStatus and ContainerStatus give the pause's and each container's
// pid with its `namespaces`, and the host's `hostNamespaces`). Nothing is read under /proc here,
// so a user who may use the socket needs no ptrace access to the pod's processes.
#include <optional>

#include "absl/strings/str_cat.h"
#include "agent/cli/cli.h"
#include "agent/cli/diag_client.h"
#include "agent/cli/diag_command.h"
#include "agent/cli/ns_table.h"
#include "agent/container/process_namespaces.h"

namespace podagent {
namespace {

constexpr char kUsage[] = "usage: podagent ns POD [--json]   POD: id, unique id prefix or namespace/name\n";

// Adds the column of a process from its verbose info; when the daemon read no namespaces (the
// process has exited, or an older daemon), returns why instead.
std::optional<std::string> AddColumn(NsColumn col, const nlohmann::json& info, NsTable& t) {
  if (!info.contains("namespaces")) {
    std::string why = InfoString(info, "namespacesError");
    return why.empty() ? "the daemon gave no namespaces" : why;
  }
  col.inodes = NamespacesFromJson(info["namespaces"]);
  t.columns.push_back(std::move(col));
  return std::nullopt;
}

absl::StatusOr<NsTable> BuildTable(DiagClient& client, const std::string& query) {
  auto pod = client.ResolvePod(query);
  if (!pod.ok()) return pod.status();
  NsTable t;
  t.pod_id = pod->id();
  t.pod_namespace = pod->metadata().namespace_();
  t.pod_name = pod->metadata().name();

  auto ps = client.GetPodStatus(pod->id());
  if (!ps.ok()) return ps.status();
  t.host = NamespacesFromJson(ps->info.value("hostNamespaces", nlohmann::json::object()));
  NsColumn pause{"pause", "", static_cast<pid_t>(InfoU64(ps->info, "pid")), {}};
  std::optional<std::string> why =
      pause.pid > 0 ? AddColumn(std::move(pause), ps->info, t) : std::optional<std::string>("no process");
  if (why) t.notes.push_back(absl::StrCat("pause: not running (", *why, ")"));

  auto containers = client.PodContainers(pod->id());
  if (!containers.ok()) return containers.status();
  for (const auto& c : *containers) {
    std::string who = absl::StrCat(c.metadata().name(), " (", c.id().substr(0, 13), "): ");
    if (c.state() != cri::CONTAINER_RUNNING) {
      t.notes.push_back(who + "not running");
      continue;
    }
    auto cs = client.GetContainerStatus(c.id());
    if (!cs.ok()) return cs.status();
    NsColumn col{c.metadata().name(), c.id(), static_cast<pid_t>(InfoU64(cs->info, "pid")), {}};
    if (auto why = AddColumn(std::move(col), cs->info, t)) t.notes.push_back(who + *why);
  }
  return t;
}

}  // namespace

int NsCliMain(const Config& config, const std::vector<std::string>& args) {
  return RunDiagCommand(config, args, "ns", kUsage,
                        [](DiagClient& client, const DiagArgs& a) -> absl::StatusOr<std::string> {
                          auto table = BuildTable(client, a.target);
                          if (!table.ok()) return table.status();
                          return a.json ? NsTableJson(*table).dump(2) + "\n" : NsTableText(*table);
                        });
}

}  // namespace podagent
