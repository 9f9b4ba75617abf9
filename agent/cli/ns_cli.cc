// `podagent ns POD [--json]`: the namespaces of a pod's processes, from the kernel
// (/proc/PID/ns/TYPE), with the processes named by the daemon (verbose PodSandboxStatus and
// ContainerStatus give the pause's and each container's pid and start time).
#include "absl/strings/str_cat.h"
#include "agent/cli/cli.h"
#include "agent/cli/diag_client.h"
#include "agent/cli/diag_command.h"
#include "agent/cli/ns_table.h"
#include "runtime/ns/pinned_namespace.h"
#include "runtime/process/proc_stat.h"

namespace podagent {
namespace {

constexpr char kUsage[] = "usage: podagent ns POD [--json]   POD: id, unique id prefix or namespace/name\n";

std::vector<std::optional<uint64_t>> ReadInodes(const std::string& proc_dir) {
  std::vector<std::optional<uint64_t>> out;
  for (const auto& type : NsTypes()) {
    auto ino = NamespaceInode(absl::StrCat(proc_dir, "/ns/", type));
    out.push_back(ino.ok() ? std::optional<uint64_t>(*ino) : std::nullopt);
  }
  return out;
}

// The process's inodes, when `pid` still is the process the daemon named (same start time
// before and after the reads, not a zombie); otherwise why not.
absl::StatusOr<std::vector<std::optional<uint64_t>>> ProcessInodes(pid_t pid, uint64_t start_time) {
  if (pid <= 0) return absl::NotFoundError("no process");
  auto check = [&]() -> absl::Status {
    auto st = ReadProcStat(pid);
    if (!st.ok() || st->state == 'Z') return absl::NotFoundError(absl::StrCat("pid ", pid, " has exited"));
    if (start_time != 0 && st->start_time != start_time) {
      return absl::NotFoundError(absl::StrCat("pid ", pid, " has exited (the pid now names another process)"));
    }
    return absl::OkStatus();
  };
  if (auto st = check(); !st.ok()) return st;
  auto inodes = ReadInodes(absl::StrCat("/proc/", pid));
  if (auto st = check(); !st.ok()) return st;
  return inodes;
}

absl::StatusOr<NsTable> BuildTable(DiagClient& client, const std::string& query) {
  auto pod = client.ResolvePod(query);
  if (!pod.ok()) return pod.status();
  NsTable t;
  t.pod_id = pod->id();
  t.pod_namespace = pod->metadata().namespace_();
  t.pod_name = pod->metadata().name();
  t.host = ReadInodes("/proc/1");
  // Where PID 1's ns files answer EACCES (a PID 1 with capabilities we lack), this process runs
  // in the host's namespaces: take its own.
  auto self = ReadInodes("/proc/self");
  for (size_t i = 0; i < t.host.size(); ++i) {
    if (!t.host[i]) t.host[i] = self[i];
  }

  auto ps = client.GetPodStatus(pod->id());
  if (!ps.ok()) return ps.status();
  NsColumn pause{"pause", "", static_cast<pid_t>(InfoU64(ps->info, "pid")), {}};
  auto inodes = ProcessInodes(pause.pid, InfoU64(ps->info, "pauseStartTime"));
  if (inodes.ok()) {
    pause.inodes = std::move(*inodes);
    t.columns.push_back(std::move(pause));
  } else {
    t.notes.push_back(absl::StrCat("pause: not running (", inodes.status().message(), ")"));
  }

  auto containers = client.PodContainers(pod->id());
  if (!containers.ok()) return containers.status();
  for (const auto& c : *containers) {
    if (c.state() != cri::CONTAINER_RUNNING) {
      t.notes.push_back(absl::StrCat(c.metadata().name(), " (", c.id().substr(0, 13), "): not running"));
      continue;
    }
    auto cs = client.GetContainerStatus(c.id());
    if (!cs.ok()) return cs.status();
    NsColumn col{c.metadata().name(), c.id(), static_cast<pid_t>(InfoU64(cs->info, "pid")), {}};
    auto ci = ProcessInodes(col.pid, InfoU64(cs->info, "pidStartTime"));
    if (!ci.ok()) {
      t.notes.push_back(absl::StrCat(col.name, " (", c.id().substr(0, 13), "): ", ci.status().message()));
      continue;
    }
    col.inodes = std::move(*ci);
    t.columns.push_back(std::move(col));
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
