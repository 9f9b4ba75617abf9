#pragma once
// SandboxManager: pods (pause process, namespaces, pod cgroup, CNI network) and their records.
//
// Locking: `mu_` guards the pod table and every pod's published record; it is only held for
// map work and copies, never during pause start, CNI or disk I/O, so List/Status never wait on
// slow work. Each pod's `op_mu` serialises Run/Stop/Remove of that pod and is held during the
// slow work. Records are persisted (RecordStore kind "pods" under root_dir) before anything is
// allocated for the pod, and after every state change, before the change is published.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "agent/context.h"
#include "agent/sandbox/pod_record.h"
#include "runtime/cni/network_plugin.h"
#include "runtime/sandbox/sandbox_runtime.h"
#include "runtime/store/record_store.h"
#include "runtime/store/record_syncer.h"

namespace podagent {

struct NetworkCondition {
  bool ready = false;
  std::string reason, message;
};

// A pod as read: its record and whether it is ready now (state ready and pause alive).
struct PodView {
  PodRecord record;
  bool ready = false;
};

class SandboxManager : public PodLookup {
 public:
  // The daemon's constructor: LinuxSandboxRuntime (when ctx.cgroups is set) and CniExecutor
  // from the config.
  explicit SandboxManager(AgentContext& ctx);
  // For tests: injected runtime and network (either may be null: then runs fail cleanly).
  SandboxManager(AgentContext& ctx, std::unique_ptr<SandboxRuntime> runtime, std::unique_ptr<NetworkPlugin> network);
  ~SandboxManager() override;

  // Loads pod records and reconciles them with what is running. Never fatal for one bad pod.
  absl::Status Recover();
  NetworkCondition Network() const;

  // `record` from PodRecordFromConfig; returns the new pod id. On failure everything done so
  // far is undone.
  absl::StatusOr<std::string> Run(PodRecord record, std::optional<int64_t> oom_score_adj_request);
  // Stops the pod's containers, tears the network down, ends pause. Idempotent.
  absl::Status Stop(const std::string& id);
  // Stop, then removes containers, cgroup, netns pin, files and record. Absent is fine.
  absl::Status Remove(const std::string& id);
  absl::StatusOr<PodView> Status(const std::string& id) const;
  std::vector<PodView> List() const;

  // What a listing keeps of a pod between calls: its reply bytes and the readiness they were
  // made at. Dropped whenever the pod's record changes.
  struct Listing {
    bool made = false;
    bool ready = false;
    std::string bytes;
  };
  // Calls `fn` with each pod's record, whether it is ready (as Status says) and its Listing,
  // under the manager's lock, without copying records: `fn` must not call into the manager.
  // The pauses' liveness is asked of the runtime in one call.
  void ForEach(const std::function<void(const PodRecord&, bool ready, Listing&)>& fn);

  absl::StatusOr<PodInfo> GetPod(const std::string& id) const override;
  std::vector<PodInfo> ListPods() const override;
  // Run leaves the ready record to `syncer_`: a kubelet waits for no disk, and only a durable
  // container record needs its pod's record durable first (recovery of a lost one: Run's comment).
  absl::Status WaitDurable(const std::string& pod_id) override;

 private:
  struct Pod {
    absl::Mutex op_mu;
    bool removed ABSL_GUARDED_BY(op_mu) = false;
  };
  struct Entry {
    std::shared_ptr<Pod> pod;
    PodRecord record;  // the published record
    Listing listing;   // reset by every Publish
  };

  // Full id or unique prefix.
  absl::StatusOr<std::string> Resolve(const std::string& id) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::shared_ptr<Pod>> FindPod(const std::string& id, std::string* full_id) const;
  PodRecord Snapshot(const std::string& id) const;
  // Persists `r`, then publishes it.
  absl::Status Save(const PodRecord& r);
  // Save's record unsynced (RecordStore::PutUnsynced), for Run's records, which a later Save or
  // syncer_ makes durable.
  absl::Status SaveUnsynced(const PodRecord& r);
  void Publish(const PodRecord& r);  // the record in memory, after it was written
  bool Ready(const PodRecord& r) const;
  // Ready of each record, in order, with one question to the runtime for all their pauses (one
  // poll of their pidfds instead of a waitid per pod: ListPods runs twice per /metrics scrape).
  std::vector<bool> ReadyAll(const std::vector<PodRecord>& records) const;
  NetworkPod NetPod(const PodRecord& r) const;
  SandboxSpec SpecOf(const PodRecord& r) const;
  // Network down and pause ended; `r` updated. The caller holds the pod's op_mu.
  absl::Status StopLocked(PodRecord& r);
  absl::Status DecideOom(PodRecord& r, std::optional<int64_t> request) const;
  void RecoverOne(PodRecord r);

  AgentContext& ctx_;
  RecordStore store_;
  RecordSyncer syncer_;  // after store_, which it syncs
  std::unique_ptr<SandboxRuntime> runtime_;
  std::unique_ptr<NetworkPlugin> network_;
  mutable absl::Mutex mu_;
  std::map<std::string, Entry> pods_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> names_ ABSL_GUARDED_BY(mu_);  // PodRecord::NameKey -> id
};

}  // namespace podagent
