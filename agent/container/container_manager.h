#pragma once
// ContainerManager: containers (shim, rootfs, cgroup, logs) and their records. The CRI handlers
// (one file per RPC in this folder) call it; pods and images reach it as a ContainerRegistry.
//
// Every container has a record in the RecordStore (<root_dir>/containers/<id>.json), written
// before anything is allocated; its writable layer lives in <root_dir>/containers/<id>/, its shim
// state in <run_dir>/containers/<id>/, its cgroup under its pod's. The shim writes started.json
// and exit.json there; Refresh folds them into the record, so a container that ended while the
// daemon was down shows the right state and exit code after Recover().

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agent/container/container_record.h"
#include "agent/context.h"
#include "agent/services.h"
#include "runtime/container/shim_launcher.h"
#include "runtime/container/state_dir_watch.h"
#include "runtime/process/child_process.h"
#include "runtime/store/record_store.h"

namespace podagent {

class ContainerManager : public ContainerRegistry {
 public:
  // `store` defaults to a RecordStore under ctx.config.root_dir; tests pass a failing one.
  explicit ContainerManager(AgentContext& ctx, std::unique_ptr<RecordStore> store = nullptr);
  ~ContainerManager() override;
  absl::Status Recover();

  absl::StatusOr<std::string> Create(const std::string& pod_id, const cri::ContainerConfig& config);
  absl::Status Start(const std::string& id);
  absl::Status Stop(const std::string& id, int64_t timeout_seconds);
  absl::Status Remove(const std::string& id);  // absent is fine
  absl::StatusOr<ContainerRecord> Get(const std::string& id);
  std::vector<ContainerRecord> List();
  // What ListContainers derived from a record last time (its serialized CRI Container) and the
  // state it was derived at: state is the only field of a CRI Container that changes after
  // CreateContainer, so the bytes stay true while it does not change. It starts at kCreating,
  // a state never listed: the first listing of a container always makes its bytes.
  struct Listing {
    CtrState state = CtrState::kCreating;
    std::string bytes;
  };
  // Calls `fn` with each container List would return and the entry's Listing, under the manager's
  // lock and without a copy (ListContainers at 500 containers): `fn` must be quick and must not
  // call the manager.
  void ForEach(const std::function<void(const ContainerRecord&, Listing&)>& fn);
  absl::Status UpdateResources(const std::string& id, const cri::LinuxContainerResources& resources);
  absl::Status ReopenLog(const std::string& id);
  absl::StatusOr<ExecSyncResult> ExecSync(const std::string& id, const std::vector<std::string>& cmd,
                                          int64_t timeout_seconds);

  absl::Status StopAllInPod(const std::string& pod_id, int64_t timeout_seconds) override;
  absl::Status RemoveAllInPod(const std::string& pod_id) override;
  std::set<std::string> ImagesInUse() const override;
  std::vector<ContainerInfo> ListContainerInfos() override;

 private:
  struct Entry {
    std::mutex op;  // serializes start/stop/remove/update of one container
    ContainerRecord rec;  // guarded by mu_
    bool removed = false;  // guarded by op: a Stop or Remove that waited for op finds it gone
    bool changed = true;   // guarded by mu_: its state dir may hold a record Refresh has not read
    bool watch_warned = false;  // guarded by mu_: a failed watch of its state dir was logged
    Listing listing;            // guarded by mu_
  };

  absl::StatusOr<std::shared_ptr<Entry>> Find(const std::string& id_or_prefix) const;
  // Waits until the pod's record is durable (PodLookup::WaitDurable): before any durable record
  // of a container, so that none outlives a power cut that took its pod's record.
  absl::Status PodRecordDurable(const ContainerRecord& rec);
  // Folds the shim's started.json/exit.json into the record (mu_ held); persists changes.
  void Refresh(ContainerRecord& rec, bool recovering);
  // Refresh for a listing (mu_ held): a running container whose state dir is watched (exits_) and
  // saw no write since the last look is skipped; the others are read as Refresh reads them.
  void RefreshForListing();
  // The ids of the listed containers of one pod, unrefreshed (Stop and Remove refresh each).
  std::vector<std::string> IdsInPod(const std::string& pod_id) const;
  // Persists a state that Refresh derived from the shim's records under run_dir. A failure is
  // logged, not returned: those records stay the truth, and Recover derives the state again.
  void PersistDerived(const ContainerRecord& rec);
  // Writes `next`, then makes it `current` (mu_ held). On a failure `current` is unchanged, and so
  // is the record on disk: nothing recorded is lost, and the caller's RPC fails with the error.
  // Callers wait for PodRecordDurable before they take mu_, so that its wait here returns at once.
  absl::Status Save(ContainerRecord& current, const ContainerRecord& next);
  absl::Status StopLocked(Entry& e, int64_t timeout_seconds);
  // Waits for exit.json; true when it appeared.
  bool WaitExit(const std::string& state_dir, absl::Duration timeout);
  // Sends the stop signal and waits up to the timeout for the exit. When the kernel discarded the
  // signal (the container is PID 1 of its namespace and had no handler yet, say a shell that has
  // not reached its `trap`), sends it again as soon as a handler appears. True when it exited.
  bool SignalAndWait(ChildProcess& proc, const ContainerRecord& rec, int64_t timeout_seconds);
  // Destroys the cgroup, then removes the state and writable-layer dirs. When the cgroup cannot be
  // destroyed (processes may still run and write there), nothing is removed and the error says
  // so: the caller keeps the record, so a later RemoveContainer tries again.
  absl::Status ReleaseResources(const ContainerRecord& rec);
  // Recover, under mu_: removes a container's layer dir (<root>/containers/<id>/) and state dir
  // (<run>/containers/<id>/) when no <id>.json sits beside the layer dir (a create that failed
  // before its record, with the daemon), or when the record is the empty file a power cut leaves
  // of Create's unsynced record and the writable layer is empty; then that record too.
  void RemoveOrphanDirs();
  absl::StatusOr<const ShimLauncher*> Launcher();
  absl::StatusOr<std::string> CgroupPathFor(const PodInfo& pod, const std::string& id) const;

  AgentContext& ctx_;
  std::unique_ptr<RecordStore> store_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Entry>> containers_;
  std::optional<StateDirWatch> exits_;  // guarded by mu_; none: every listing reads every record
  std::mutex launcher_mu_;
  std::unique_ptr<ShimLauncher> launcher_;
};

}  // namespace podagent
