#include <poll.h>

#include <csignal>

#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"
#include "runtime/common/files.h"
#include "runtime/common/scope_guard.h"
#include "runtime/ns/pinned_namespace.h"
#include "runtime/process/oom_score.h"
#include "runtime/sandbox/pause_process.h"
#include "runtime/sandbox/sandbox_runtime.h"
#include "spdlog/spdlog.h"

namespace podagent {

absl::StatusOr<SandboxState> LinuxSandboxRuntime::Start(const SandboxSpec& spec) {
  SandboxState state;
  std::string pod_dir = PodDir(spec.id);
  ScopeGuard undo_files([&] { (void)RemoveTree(pod_dir); });
  PodFilesSpec files{pod_dir, spec.hostname, spec.host_network, spec.dns};
  ASSIGN_OR_RETURN(state.files, WritePodFiles(files));

  ASSIGN_OR_RETURN(std::string pause_cgroup, cgroups_.PausePath(spec.cgroup_path, spec.id));
  // The pod first: under systemd a slice with its own properties, not one implied by the pause's scope.
  RETURN_IF_ERROR(Annotate(cgroups_.Create(spec.cgroup_path), absl::StrCat("pod ", spec.id)));
  ScopeGuard undo_cgroup([&] { (void)cgroups_.Destroy(spec.cgroup_path); });
  RETURN_IF_ERROR(Annotate(cgroups_.Create(pause_cgroup), absl::StrCat("pod ", spec.id)));
  CgroupResources pause_devices;  // the pause opens no device: the containers' default rules
  pause_devices.devices = DefaultDeviceRules();
  RETURN_IF_ERROR(Annotate(cgroups_.Apply(pause_cgroup, pause_devices), absl::StrCat("pod ", spec.id, " pause devices")));

  PauseSpec pause;
  pause.pod_id = spec.id;
  pause.binary = pause_binary_;
  pause.new_net = !spec.host_network;
  pause.new_ipc = !spec.host_ipc;
  pause.new_pid = !spec.host_pid;
  pause.new_uts = !spec.host_network;  // a host-network pod keeps the node's hostname
  pause.hostname = spec.hostname;
  pause.cgroup_procs_files = cgroups_.ProcsFiles(pause_cgroup);
  pause.sysctls = spec.sysctls;
  ASSIGN_OR_RETURN(ChildProcess child, StartPause(pause));
  ScopeGuard undo_pause([&] { (void)child.Terminate(SIGKILL, absl::Seconds(5)); });
  cgroups_.ReleaseHold(pause_cgroup);  // the pause is in its cgroup: it reported ready after joining
  state.pause = child.identity();

  if (spec.oom_score_adj) {
    RETURN_IF_ERROR(Annotate(WriteOomScoreAdj(child.pid(), *spec.oom_score_adj), absl::StrCat("pod ", spec.id)));
  }
  if (!spec.host_network) {
    ASSIGN_OR_RETURN(PinnedNamespace pin, PinnedNamespace::Pin(child.pid(), "net", NetnsPath(spec.id)));
    state.netns_path = pin.Release();
  }
  undo_pause.Cancel();
  undo_cgroup.Cancel();
  undo_files.Cancel();
  absl::MutexLock lock(&mu_);
  pauses_[spec.id] = std::move(child);
  return state;
}

ChildProcess* LinuxSandboxRuntime::Find(const std::string& id, const ProcessIdentity& pause) {
  auto it = pauses_.find(id);
  if (it != pauses_.end() && it->second.identity().pid == pause.pid &&
      it->second.identity().start_time == pause.start_time) {
    return &it->second;
  }
  auto adopted = ChildProcess::Adopt(pause);
  if (!adopted.ok()) return nullptr;
  ChildProcess& slot = pauses_[id];
  slot = std::move(*adopted);
  return &slot;
}

bool LinuxSandboxRuntime::PauseAlive(const std::string& id, const ProcessIdentity& pause) {
  absl::MutexLock lock(&mu_);
  ChildProcess* child = Find(id, pause);
  return child != nullptr && child->Alive();
}

std::vector<bool> LinuxSandboxRuntime::PausesAlive(const std::vector<PauseRef>& pauses) {
  absl::MutexLock lock(&mu_);
  std::vector<bool> alive(pauses.size(), false);
  std::vector<ChildProcess*> polled;  // pointers into pauses_ stay valid while it grows
  std::vector<size_t> slot;
  std::vector<struct pollfd> fds;
  for (size_t i = 0; i < pauses.size(); ++i) {
    ChildProcess* child = Find(pauses[i].id, pauses[i].pause);
    if (child == nullptr) continue;
    int fd = child->ExitFd();
    if (fd < 0) {
      alive[i] = child->Alive();
      continue;
    }
    polled.push_back(child);
    slot.push_back(i);
    fds.push_back({fd, POLLIN, 0});
  }
  bool polled_ok = fds.empty() || ::poll(fds.data(), fds.size(), 0) >= 0;
  for (size_t k = 0; k < fds.size(); ++k) {
    alive[slot[k]] = polled_ok && fds[k].revents == 0 ? true : polled[k]->Alive();
  }
  return alive;
}

absl::Status LinuxSandboxRuntime::StopPause(const std::string& id, const ProcessIdentity& pause,
                                            absl::Duration grace) {
  ChildProcess child;
  {
    absl::MutexLock lock(&mu_);
    ChildProcess* found = Find(id, pause);
    if (found == nullptr) return absl::OkStatus();
    child = std::move(*found);
    pauses_.erase(id);
  }
  auto exit = child.Terminate(SIGTERM, grace);
  if (!exit.ok()) return Annotate(exit.status(), absl::StrCat("pod ", id, ": stop pause"));
  return absl::OkStatus();
}

absl::Status LinuxSandboxRuntime::Remove(const std::string& id, const std::string& cgroup_path) {
  ChildProcess pause;
  {
    absl::MutexLock lock(&mu_);
    auto it = pauses_.find(id);
    if (it != pauses_.end()) {
      pause = std::move(it->second);
      pauses_.erase(it);
    }
  }
  if (pause.valid()) (void)pause.Terminate(SIGKILL, absl::Seconds(5));  // and reaped, if ours
  absl::Status first;
  auto keep = [&first](absl::Status st) {
    if (!st.ok() && first.ok()) first = st;
  };
  keep(Unpin(NetnsPath(id)));
  if (!cgroup_path.empty()) keep(cgroups_.Destroy(cgroup_path));
  keep(RemoveTree(PodDir(id)));
  return Annotate(first, absl::StrCat("remove pod ", id));
}

}  // namespace podagent
