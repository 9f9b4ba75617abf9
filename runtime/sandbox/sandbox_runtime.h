#pragma once
// SandboxRuntime: the Linux side of a pod sandbox, behind an interface so agent/sandbox can be
// unit-tested with a fake. It owns the pod's pause process (new namespaces by clone flags), the
// pod cgroup (pause in <cgroup>/pause, containers beside it), the pinned netns
// (RUN_DIR/netns/<id>) and the pod files (RUN_DIR/pods/<id>/). CNI is separate (runtime/cni).

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/process/child_process.h"
#include "runtime/sandbox/pod_files.h"
#include "runtime/sandbox/sysctls.h"

namespace podagent {

struct SandboxSpec {
  std::string id;
  std::string hostname;
  bool host_network = false, host_ipc = false, host_pid = false;  // NamespaceMode NODE
  std::string cgroup_path;              // the pod cgroup, made here and removed by Remove
  std::vector<PodSysctl> sysctls;       // validated (ValidatePodSysctls)
  DnsSpec dns;
  std::optional<int> oom_score_adj;     // for pause, already decided by the policy
};

// A pod's pause as a readiness check names it.
struct PauseRef {
  const std::string& id;
  const ProcessIdentity& pause;
};

struct SandboxState {
  ProcessIdentity pause;
  std::string netns_path;  // "" with the host's network
  PodFiles files;
};

class SandboxRuntime {
 public:
  virtual ~SandboxRuntime() = default;
  virtual std::string NetnsPath(const std::string& id) const = 0;
  virtual std::string PodDir(const std::string& id) const = 0;
  // Files, cgroup, pause, netns pin. On failure everything made here is undone.
  virtual absl::StatusOr<SandboxState> Start(const SandboxSpec& spec) = 0;
  // Whether that pause (pid + start time) still runs; reaps it when it was our child.
  virtual bool PauseAlive(const std::string& id, const ProcessIdentity& pause) = 0;
  // PauseAlive of each, in order; a runtime may answer them all in one system call.
  virtual std::vector<bool> PausesAlive(const std::vector<PauseRef>& pauses) {
    std::vector<bool> out;
    out.reserve(pauses.size());
    for (const PauseRef& p : pauses) out.push_back(PauseAlive(p.id, p.pause));
    return out;
  }
  // SIGTERM, `grace`, SIGKILL. Idempotent; a pause already gone is fine.
  virtual absl::Status StopPause(const std::string& id, const ProcessIdentity& pause, absl::Duration grace) = 0;
  // Kills what is left in the pod cgroup and removes it, the netns pin and the pod files.
  // Idempotent.
  virtual absl::Status Remove(const std::string& id, const std::string& cgroup_path) = 0;
};

class LinuxSandboxRuntime : public SandboxRuntime {
 public:
  LinuxSandboxRuntime(CgroupDriver& cgroups, std::string pause_binary, std::string run_dir)
      : cgroups_(cgroups), pause_binary_(std::move(pause_binary)), run_dir_(std::move(run_dir)) {}

  std::string NetnsPath(const std::string& id) const override { return run_dir_ + "/netns/" + id; }
  std::string PodDir(const std::string& id) const override { return run_dir_ + "/pods/" + id; }
  absl::StatusOr<SandboxState> Start(const SandboxSpec& spec) override;
  bool PauseAlive(const std::string& id, const ProcessIdentity& pause) override;
  // One poll() over the pauses' pidfds (kubelet lists every pod each second): only a pause whose
  // pidfd is readable, or that has none, costs more.
  std::vector<bool> PausesAlive(const std::vector<PauseRef>& pauses) override;
  absl::Status StopPause(const std::string& id, const ProcessIdentity& pause, absl::Duration grace) override;
  absl::Status Remove(const std::string& id, const std::string& cgroup_path) override;

 private:
  // The tracked pause of `id` if it is `pause`; adopted from /proc after a restart. Null when
  // that process is gone.
  ChildProcess* Find(const std::string& id, const ProcessIdentity& pause) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  CgroupDriver& cgroups_;
  const std::string pause_binary_;
  const std::string run_dir_;
  absl::Mutex mu_;
  std::map<std::string, ChildProcess> pauses_ ABSL_GUARDED_BY(mu_);
};

}  // namespace podagent
