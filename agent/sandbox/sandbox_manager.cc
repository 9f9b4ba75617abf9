#include "agent/sandbox/sandbox_manager.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "runtime/cni/cni_executor.h"
#include "runtime/common/errors.h"
#include "runtime/common/ids.h"
#include "runtime/common/scope_guard.h"
#include "runtime/process/oom_score.h"
#include "runtime/sandbox/sysctls.h"
#include "spdlog/spdlog.h"

namespace podagent {
namespace {

constexpr char kKind[] = "pods";
constexpr absl::Duration kPauseGrace = absl::Seconds(10);
// kubelet gives each container its grace period through StopContainer before it stops the pod;
// what still runs at StopPodSandbox is killed at once, as containerd does (crictl's default
// deadline for the whole call is 2 s).
constexpr int64_t kStopContainersTimeoutSeconds = 0;

std::unique_ptr<SandboxRuntime> MakeRuntime(AgentContext& ctx) {
  if (ctx.cgroups == nullptr) return nullptr;
  return std::make_unique<LinuxSandboxRuntime>(*ctx.cgroups, ctx.config.pause_binary, ctx.config.run_dir);
}

std::unique_ptr<NetworkPlugin> MakeNetwork(const Config& c) {
  CniOptions o;
  o.conf_dir = c.cni.conf_dir;
  o.bin_dirs = c.cni.bin_dirs;
  o.cache_dir = c.cni.cache_dir.empty() ? c.root_dir + "/cni" : c.cni.cache_dir;
  return std::make_unique<CniExecutor>(o);
}

}  // namespace

SandboxManager::SandboxManager(AgentContext& ctx) : SandboxManager(ctx, MakeRuntime(ctx), MakeNetwork(ctx.config)) {}

SandboxManager::SandboxManager(AgentContext& ctx, std::unique_ptr<SandboxRuntime> runtime,
                               std::unique_ptr<NetworkPlugin> network)
    : ctx_(ctx),
      store_(ctx.config.root_dir),
      syncer_(store_, kKind),
      runtime_(std::move(runtime)),
      network_(std::move(network)) {}

SandboxManager::~SandboxManager() = default;

NetworkCondition SandboxManager::Network() const {
  if (network_ == nullptr) return {false, "NetworkPluginNotReady", "no network plugin"};
  absl::Status st = network_->Ready();
  if (!st.ok()) return {false, "NetworkPluginNotReady", std::string(st.message())};
  return {true, "", ""};
}

absl::StatusOr<std::string> SandboxManager::Resolve(const std::string& id) const {
  if (id.empty()) return absl::InvalidArgumentError("pod sandbox id is empty");
  if (pods_.count(id)) return id;
  std::string found;
  for (auto it = pods_.lower_bound(id); it != pods_.end() && absl::StartsWith(it->first, id); ++it) {
    if (!found.empty()) return absl::InvalidArgumentError(absl::StrCat("pod sandbox id prefix ", id, " is ambiguous"));
    found = it->first;
  }
  if (found.empty()) return absl::NotFoundError(absl::StrCat("pod sandbox ", id, " not found"));
  return found;
}

absl::StatusOr<std::shared_ptr<SandboxManager::Pod>> SandboxManager::FindPod(const std::string& id,
                                                                            std::string* full_id) const {
  absl::ReaderMutexLock lock(&mu_);
  ASSIGN_OR_RETURN(*full_id, Resolve(id));
  return pods_.at(*full_id).pod;
}

PodRecord SandboxManager::Snapshot(const std::string& id) const {
  absl::ReaderMutexLock lock(&mu_);
  return pods_.at(id).record;
}

absl::Status SandboxManager::Save(const PodRecord& r) {
  RETURN_IF_ERROR(Annotate(store_.Put(kKind, r.id, r.ToJson()), absl::StrCat("save pod ", r.id)));
  Publish(r);
  return absl::OkStatus();
}

absl::Status SandboxManager::SaveUnsynced(const PodRecord& r) {
  RETURN_IF_ERROR(Annotate(store_.PutUnsynced(kKind, r.id, r.ToJson()), absl::StrCat("save pod ", r.id)));
  Publish(r);
  return absl::OkStatus();
}

void SandboxManager::Publish(const PodRecord& r) {
  absl::MutexLock lock(&mu_);
  auto it = pods_.find(r.id);
  if (it != pods_.end()) {
    it->second.record = r;
    it->second.listing = {};
  }
}

bool SandboxManager::Ready(const PodRecord& r) const {
  return r.state == PodState::kReady && runtime_ != nullptr && runtime_->PauseAlive(r.id, r.pause);
}

NetworkPod SandboxManager::NetPod(const PodRecord& r) const {
  return {r.id, r.netns_path, r.name, r.namespace_, r.uid, r.port_mappings};
}

SandboxSpec SandboxManager::SpecOf(const PodRecord& r) const {
  SandboxSpec spec;
  spec.id = r.id;
  spec.hostname = r.hostname;
  spec.host_network = r.HostNetwork();
  spec.host_ipc = r.HostIpc();
  spec.host_pid = r.HostPid();
  spec.cgroup_path = r.cgroup_path;
  auto sysctls = ValidatePodSysctls(r.sysctls, r.HostNetwork(), r.HostIpc());
  if (sysctls.ok()) spec.sysctls = *sysctls;  // validated at conversion already
  spec.dns = r.dns;
  spec.oom_score_adj = r.oom_score_adj;
  return spec;
}

absl::Status SandboxManager::DecideOom(PodRecord& r, std::optional<int64_t> request) const {
  if (!request) return absl::OkStatus();
  ASSIGN_OR_RETURN(int own, ReadOomScoreAdj(0));
  auto decision = DecideOomScoreAdj(static_cast<int>(std::clamp<int64_t>(*request, -1001, 1001)), own,
                                    HasCapSysResource(), ctx_.config.oom_score_adj_policy);
  if (!decision.ok()) {
    return absl::Status(absl::IsFailedPrecondition(decision.status()) ? absl::StatusCode::kFailedPrecondition
                                                                      : absl::StatusCode::kInvalidArgument,
                        absl::StrCat("pod ", r.name, "/", r.namespace_, ": ", decision.status().message()));
  }
  if (decision->clamped) {
    spdlog::warn("pod {}: oom_score_adj {} asked, clamped to the daemon's own {} (no CAP_SYS_RESOURCE)", r.NameKey(),
                 *request, decision->value);
  }
  if (decision->value != own) r.oom_score_adj = decision->value;
  return absl::OkStatus();
}

absl::StatusOr<std::string> SandboxManager::Run(PodRecord r, std::optional<int64_t> oom_request) {
  if (runtime_ == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("run pod sandbox: no cgroup driver on this node: ", ctx_.cgroups_unusable.message));
  }
  RETURN_IF_ERROR(DecideOom(r, oom_request));
  r.id = NewId();
  // Without a driver (a fake runtime in tests) the cgroupfs layout.
  auto cgroup_path = ctx_.cgroups ? ctx_.cgroups->PodPath(r.cgroup_parent, r.id)
                                  : absl::StatusOr<std::string>(r.cgroup_parent + "/pod" + r.id);
  if (!cgroup_path.ok()) return Annotate(cgroup_path.status(), absl::StrCat("pod ", r.NameKey(), ": cgroup"));
  r.cgroup_path = *cgroup_path;
  r.netns_path = r.HostNetwork() ? "" : runtime_->NetnsPath(r.id);
  r.created_at_ns = absl::ToUnixNanos(absl::Now());
  r.state = PodState::kCreating;
  const std::string id = r.id, key = r.NameKey();

  auto pod = std::make_shared<Pod>();
  absl::MutexLock op(&pod->op_mu);
  {
    absl::MutexLock lock(&mu_);
    auto taken = names_.find(key);
    if (taken != names_.end()) {
      return absl::AlreadyExistsError(absl::StrCat("pod sandbox name ", key, " is reserved for pod ", taken->second));
    }
    names_[key] = id;
    pods_[id] = Entry{pod, r, {}};
  }
  ScopeGuard forget([&] {
    absl::MutexLock lock(&mu_);
    names_.erase(key);
    pods_.erase(id);
    pod->removed = true;
  });
  // Before anything is allocated, unsynced: what a power cut could make it lose (the cgroup, the
  // pause, the run dir's files) is gone with the boot anyway, and a crash of the daemon keeps it
  // (page cache). The record is durable before the CNI allocates an address, and soon after the
  // pod is ready (syncer_).
  RETURN_IF_ERROR(SaveUnsynced(r));
  ScopeGuard unrecord([&] { (void)store_.Remove(kKind, id); });
  spdlog::info("pod {}: run {} (cgroup {})", id, key, r.cgroup_path);

  ScopeGuard undo_runtime([&] {
    absl::Status st = runtime_->Remove(id, r.cgroup_path);
    if (!st.ok()) spdlog::error("pod {}: rollback: {}", id, st.message());
  });
  ASSIGN_OR_RETURN(SandboxState started, runtime_->Start(SpecOf(r)));
  r.pause = started.pause;
  r.netns_path = started.netns_path;
  r.resolv_conf_path = started.files.resolv_conf;
  r.hosts_path = started.files.hosts;
  r.hostname_path = started.files.hostname;
  r.network_setup = !r.HostNetwork();
  // Durable before the CNI allocates an address, so that recovery can DEL it. A host-network pod
  // goes on to the ready record at once: a crash before it is one inside Start, after the pause
  // was spawned, which recovery already undoes from the intent record.
  if (r.network_setup) RETURN_IF_ERROR(Save(r));

  ScopeGuard undo_network([&] {
    if (!r.network_setup || network_ == nullptr) return;
    absl::Status st = network_->Teardown(NetPod(r));
    if (!st.ok()) spdlog::error("pod {}: rollback: {}", id, st.message());
  });
  if (r.network_setup) {
    if (network_ == nullptr) return absl::FailedPreconditionError("run pod sandbox: no network plugin");
    auto net = network_->Setup(NetPod(r));
    if (!net.ok()) return Annotate(net.status(), absl::StrCat("pod ", id, ": set up network"));
    r.ips = net->ips;
  }
  r.state = PodState::kReady;
  // Unsynced, and made durable by syncer_ after the reply. A power cut before that costs nothing:
  // the pod's cgroup, pause, netns and run dir are gone with the boot, a CNI pod's durable record
  // above has recovery DEL its address, and a container waits for this sync (WaitDurable) before
  // its first durable record.
  RETURN_IF_ERROR(SaveUnsynced(r));
  syncer_.Enqueue(id);
  undo_network.Cancel();
  undo_runtime.Cancel();
  unrecord.Cancel();
  forget.Cancel();
  spdlog::info("pod {}: ready, pause pid {}, ips [{}]", id, r.pause.pid, fmt::join(r.ips, ", "));
  return id;
}

// One record write for the network and the state together: a crash between the DEL and the write
// leaves network_setup true, and the next Stop runs DEL again, which the CNI spec requires
// plugins to accept.
absl::Status SandboxManager::StopLocked(PodRecord& r) {
  bool changed = false;
  if (r.network_setup && network_ != nullptr) {
    RETURN_IF_ERROR(Annotate(network_->Teardown(NetPod(r)), absl::StrCat("pod ", r.id, ": tear down network")));
    r.network_setup = false;
    changed = true;
  }
  absl::Status stopped = absl::OkStatus();
  if (runtime_ != nullptr && r.pause.pid > 0) stopped = runtime_->StopPause(r.id, r.pause, kPauseGrace);
  if (stopped.ok() && r.state != PodState::kNotReady) {
    r.state = PodState::kNotReady;
    changed = true;
  }
  if (changed) RETURN_IF_ERROR(Save(r));
  return stopped;
}

absl::Status SandboxManager::Stop(const std::string& id_or_prefix) {
  std::string id;
  ASSIGN_OR_RETURN(std::shared_ptr<Pod> pod, FindPod(id_or_prefix, &id));
  absl::MutexLock op(&pod->op_mu);
  if (pod->removed) return absl::OkStatus();
  PodRecord r = Snapshot(id);
  if (ctx_.containers != nullptr) {
    RETURN_IF_ERROR(Annotate(ctx_.containers->StopAllInPod(id, kStopContainersTimeoutSeconds),
                             absl::StrCat("pod ", id, ": stop containers")));
  }
  RETURN_IF_ERROR(StopLocked(r));
  spdlog::info("pod {}: stopped", id);
  return absl::OkStatus();
}

absl::Status SandboxManager::Remove(const std::string& id_or_prefix) {
  std::string id;
  auto found = FindPod(id_or_prefix, &id);
  if (absl::IsNotFound(found.status())) return absl::OkStatus();
  RETURN_IF_ERROR(found.status());
  std::shared_ptr<Pod> pod = *found;
  absl::MutexLock op(&pod->op_mu);
  if (pod->removed) return absl::OkStatus();
  PodRecord r = Snapshot(id);
  if (ctx_.containers != nullptr) {
    RETURN_IF_ERROR(Annotate(ctx_.containers->RemoveAllInPod(id), absl::StrCat("pod ", id, ": remove containers")));
  }
  RETURN_IF_ERROR(StopLocked(r));
  if (runtime_ != nullptr) RETURN_IF_ERROR(runtime_->Remove(id, r.cgroup_path));
  RETURN_IF_ERROR(Annotate(store_.Remove(kKind, id), absl::StrCat("remove pod ", id, " record")));
  syncer_.Forget(id);
  {
    absl::MutexLock lock(&mu_);
    names_.erase(r.NameKey());
    pods_.erase(id);
  }
  pod->removed = true;
  spdlog::info("pod {}: removed", id);
  return absl::OkStatus();
}

absl::StatusOr<PodView> SandboxManager::Status(const std::string& id_or_prefix) const {
  PodRecord r;
  {
    absl::ReaderMutexLock lock(&mu_);
    ASSIGN_OR_RETURN(std::string id, Resolve(id_or_prefix));
    r = pods_.at(id).record;
  }
  bool ready = Ready(r);
  return PodView{std::move(r), ready};
}

std::vector<PodView> SandboxManager::List() const {
  std::vector<PodRecord> records;
  {
    absl::ReaderMutexLock lock(&mu_);
    records.reserve(pods_.size());
    for (const auto& [id, e] : pods_) records.push_back(e.record);
  }
  std::vector<bool> ready = ReadyAll(records);
  std::vector<PodView> out;
  out.reserve(records.size());
  for (size_t i = 0; i < records.size(); ++i) out.push_back({std::move(records[i]), ready[i]});
  return out;
}

std::vector<bool> SandboxManager::ReadyAll(const std::vector<PodRecord>& records) const {
  std::vector<bool> ready(records.size(), false);
  if (runtime_ == nullptr) return ready;
  std::vector<PauseRef> asked;
  std::vector<size_t> at;  // asked[k] is records[at[k]]
  for (size_t i = 0; i < records.size(); ++i) {
    if (records[i].state != PodState::kReady) continue;
    asked.push_back({records[i].id, records[i].pause});
    at.push_back(i);
  }
  std::vector<bool> alive = runtime_->PausesAlive(asked);
  for (size_t k = 0; k < at.size() && k < alive.size(); ++k) ready[at[k]] = alive[k];
  return ready;
}

void SandboxManager::ForEach(const std::function<void(const PodRecord&, bool ready, Listing&)>& fn) {
  absl::MutexLock lock(&mu_);
  std::vector<PauseRef> asked;
  for (const auto& [id, e] : pods_) {
    if (e.record.state == PodState::kReady) asked.push_back({e.record.id, e.record.pause});
  }
  std::vector<bool> alive;
  if (runtime_ != nullptr) alive = runtime_->PausesAlive(asked);
  size_t next = 0;  // the answers come in pods_'s order, for the ready records only
  for (auto& [id, e] : pods_) {
    bool ready = false;
    if (e.record.state == PodState::kReady) {
      ready = next < alive.size() && alive[next];
      ++next;
    }
    fn(e.record, ready, e.listing);
  }
}

absl::StatusOr<PodInfo> SandboxManager::GetPod(const std::string& id) const {
  ASSIGN_OR_RETURN(PodView v, Status(id));
  return v.record.ToPodInfo(v.ready);
}

absl::Status SandboxManager::WaitDurable(const std::string& pod_id) {
  return Annotate(syncer_.WaitSynced(pod_id), absl::StrCat("pod ", pod_id, ": sync record"));
}

std::vector<PodInfo> SandboxManager::ListPods() const {
  std::vector<PodInfo> out;
  for (const PodView& v : List()) out.push_back(v.record.ToPodInfo(v.ready));
  return out;
}

void SandboxManager::RecoverOne(PodRecord r) {
  if (r.state == PodState::kCreating) {
    // A crash inside RunPodSandbox: undo what may exist (every step is idempotent).
    spdlog::warn("pod {}: was being created when podagent stopped; cleaning it up", r.id);
    if (!r.HostNetwork() && network_ != nullptr) {
      absl::Status st = network_->Teardown(NetPod(r));
      r.network_setup = !st.ok();
      if (!st.ok()) spdlog::error("pod {}: recover: {}", r.id, st.message());
    }
    if (runtime_ != nullptr) {
      if (r.pause.pid > 0) (void)runtime_->StopPause(r.id, r.pause, kPauseGrace);
      absl::Status st = runtime_->Remove(r.id, r.cgroup_path);
      if (!st.ok()) spdlog::error("pod {}: recover: {}", r.id, st.message());
    }
    r.state = PodState::kNotReady;
  } else if (r.state == PodState::kReady && !Ready(r)) {
    spdlog::warn("pod {}: pause {} is gone; the pod is not ready", r.id, r.pause.pid);
    r.state = PodState::kNotReady;
  }
  {
    absl::MutexLock lock(&mu_);
    names_[r.NameKey()] = r.id;
    pods_[r.id] = Entry{std::make_shared<Pod>(), r, {}};
  }
  absl::Status st = Save(r);
  if (!st.ok()) spdlog::error("pod {}: recover: {}", r.id, st.message());
}

absl::Status SandboxManager::Recover() {
  LoadedRecords loaded = store_.LoadAll(kKind);
  for (const std::string& problem : loaded.problems) spdlog::error("pod records: skipped {}", problem);
  for (auto& [id, json] : loaded.records) {
    auto r = PodRecord::FromJson(json);
    if (!r.ok() || r->id != id) {
      spdlog::error("pod {}: unreadable record skipped: {}", id, r.ok() ? "id mismatch" : r.status().message());
      continue;
    }
    RecoverOne(std::move(*r));
  }
  absl::ReaderMutexLock lock(&mu_);
  spdlog::info("recovered {} pod sandboxes", pods_.size());
  return absl::OkStatus();
}

}  // namespace podagent
