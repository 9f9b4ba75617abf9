#include "agent/container/container_manager.h"

#include "agent/container/container_kill.h"

#include <signal.h>
#include <time.h>

#include <algorithm>
#include <set>
#include <thread>

#include <spdlog/spdlog.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "agent/container/container_cgroup.h"
#include "agent/container/container_kill.h"
#include "agent/container/container_resources.h"
#include "agent/container/spec_builder.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/common/errors.h"
#include "runtime/common/files.h"
#include "runtime/common/ids.h"
#include "runtime/common/scope_guard.h"
#include "runtime/container/exit_watch.h"
#include "runtime/container/image_files.h"
#include "runtime/container/shim_records.h"
#include "runtime/process/child_process.h"
#include "runtime/process/oom_score.h"
#include "runtime/process/signal_state.h"

namespace podagent {
namespace {

constexpr char kKind[] = "containers";

int64_t NowNs() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

int ParseSignal(const std::string& name) {
  if (name.empty()) return SIGTERM;
  int n = 0;
  if (absl::SimpleAtoi(name, &n) && n > 0 && n < NSIG) return n;
  std::string s = absl::StartsWith(name, "SIG") ? name.substr(3) : name;
  for (int sig = 1; sig < NSIG; ++sig) {
    const char* abbrev = sigabbrev_np(sig);
    if (abbrev != nullptr && s == abbrev) return sig;
  }
  return SIGTERM;
}

bool ProcessAlive(const ContainerRecord& r) {
  if (r.pid <= 0) return false;
  auto p = ChildProcess::Adopt(ProcessIdentity{r.pid, r.pid_start_time});
  return p.ok() && p->Alive();
}

std::string ReasonFor(const ExitRecord& e) {
  if (e.oom_killed) return "OOMKilled";
  return e.exit_code == 0 ? "Completed" : "Error";
}

}  // namespace

ContainerManager::ContainerManager(AgentContext& ctx, std::unique_ptr<RecordStore> store)
    : ctx_(ctx), store_(store ? std::move(store) : std::make_unique<RecordStore>(ctx.config.root_dir)) {
  auto watch = StateDirWatch::Open();
  if (watch.ok()) {
    exits_ = std::move(*watch);
  } else {
    spdlog::warn("containers: {}; each listing reads every running container's exit record", watch.status().message());
  }
}
ContainerManager::~ContainerManager() = default;

absl::StatusOr<const ShimLauncher*> ContainerManager::Launcher() {
  std::lock_guard<std::mutex> l(launcher_mu_);
  if (!launcher_) {
    if (ctx_.config.shim_binary.empty()) return absl::FailedPreconditionError("no shim_binary configured");
    ASSIGN_OR_RETURN(launcher_, ShimLauncher::Create(ctx_.config.shim_binary));
  }
  return launcher_.get();
}

absl::StatusOr<std::string> ContainerManager::CgroupPathFor(const PodInfo& pod, const std::string& id) const {
  std::string parent = pod.cgroup_path.empty() ? ctx_.config.cgroup_parent : pod.cgroup_path;
  if (ctx_.cgroups == nullptr) return absl::StrCat(parent, "/", id);  // unused: no cgroup is made
  return ctx_.cgroups->ContainerPath(parent, id);
}

void ContainerManager::PersistDerived(const ContainerRecord& rec) {
  if (auto st = store_->Put(kKind, rec.id, ToJson(rec)); !st.ok()) {
    spdlog::error("container {}: persist record: {}; recovery derives it again from {}", rec.id, st.message(),
                  rec.state_dir);
  }
}

absl::Status ContainerManager::PodRecordDurable(const ContainerRecord& rec) {
  if (ctx_.pods == nullptr) return absl::OkStatus();
  return Annotate(ctx_.pods->WaitDurable(rec.pod_id), absl::StrCat("container ", rec.id));
}

absl::Status ContainerManager::Save(ContainerRecord& current, const ContainerRecord& next) {
  RETURN_IF_ERROR(PodRecordDurable(next));
  RETURN_IF_ERROR(Annotate(store_->Put(kKind, next.id, ToJson(next)), absl::StrCat("save container ", next.id)));
  current = next;
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<ContainerManager::Entry>> ContainerManager::Find(const std::string& id) const {
  if (id.empty()) return absl::InvalidArgumentError("container id is empty");
  std::shared_ptr<Entry> found;
  for (auto it = containers_.lower_bound(id); it != containers_.end() && absl::StartsWith(it->first, id); ++it) {
    if (it->first == id) return it->second;
    if (found) return absl::InvalidArgumentError(absl::StrCat("container id prefix ", id, " is ambiguous"));
    found = it->second;
  }
  if (!found) return absl::NotFoundError(absl::StrCat("container ", id, " not found"));
  return found;
}

void ContainerManager::Refresh(ContainerRecord& rec, bool recovering) {
  if (rec.state == CtrState::kCreated) {
    auto started = ReadStartRecord(rec.state_dir);
    if (started.ok() && started->has_value()) {  // started while the record was not yet updated
      rec.pid = (*started)->pid;
      rec.pid_start_time = (*started)->pid_start_time;
      rec.shim_pid = (*started)->shim_pid;
      rec.started_at_ns = (*started)->started_at_ns;
      rec.state = CtrState::kRunning;
      PersistDerived(rec);
    } else if (recovering && !PathExists(rec.state_dir)) {
      // A node reboot took the spec with the run dir: this container can never start.
      rec.state = CtrState::kExited;
      rec.exit_code = 255;
      rec.finished_at_ns = NowNs();
      rec.reason = "Error";
      rec.message = "the node restarted before the container started: its state under the run dir is gone";
      PersistDerived(rec);
      spdlog::warn("container {}: {}", rec.id, rec.message);
    }
  }
  if (rec.state != CtrState::kRunning) return;
  auto exit = ReadExitRecord(rec.state_dir);
  if (exit.ok() && exit->has_value()) {
    const ExitRecord& e = **exit;
    rec.state = CtrState::kExited;
    rec.exit_code = e.exit_code;
    rec.finished_at_ns = e.finished_at_ns;
    rec.reason = ReasonFor(e);
    PersistDerived(rec);
    spdlog::info("container {}: exited with code {} ({})", rec.id, rec.exit_code, rec.reason);
    return;
  }
  if (recovering && !ProcessAlive(rec)) {
    // After a node reboot the run dir is empty: no shim can still be writing, so say so at once.
    bool rebooted = !PathExists(rec.state_dir);
    if (!rebooted) {
      // Give a shim that is still writing a moment; then the status is lost.
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      exit = ReadExitRecord(rec.state_dir);
      if (exit.ok() && exit->has_value()) return Refresh(rec, false);
    }
    rec.state = CtrState::kExited;
    rec.exit_code = 255;
    rec.finished_at_ns = NowNs();
    rec.reason = "Error";
    rec.message = rebooted ? "the node restarted: the container's processes and its state under the run dir are gone"
                           : "the container process is gone and its shim did not record an exit status";
    PersistDerived(rec);
    spdlog::warn("container {}: {}", rec.id, rec.message);
  }
}

absl::Status ContainerManager::Recover() {
  LoadedRecords loaded = store_->LoadAll(kKind);
  for (const auto& p : loaded.problems) spdlog::warn("container records: {}", p);
  std::lock_guard<std::mutex> l(mu_);
  for (auto& [id, json] : loaded.records) {
    auto rec = ContainerRecordFromJson(json);
    if (!rec.ok()) {
      spdlog::warn("container {}: skipping record: {}", id, rec.status().message());
      continue;
    }
    if (rec->state == CtrState::kCreating) {  // the daemon died inside CreateContainer
      spdlog::info("container {}: removing a half-created container", id);
      if (auto st = ReleaseResources(*rec); !st.ok()) {
        spdlog::warn("container {}: {}; record kept for a later attempt", id, st.message());
        continue;
      }
      store_->Remove(kKind, id).IgnoreError();
      continue;
    }
    Refresh(*rec, /*recovering=*/true);
    auto e = std::make_shared<Entry>();
    e->rec = std::move(*rec);
    containers_[id] = std::move(e);
  }
  RemoveOrphanDirs();
  spdlog::info("recovered {} containers", containers_.size());
  return absl::OkStatus();
}

void ContainerManager::RemoveOrphanDirs() {
  std::string layers = absl::StrCat(ctx_.config.root_dir, "/", kKind);
  std::string states = absl::StrCat(ctx_.config.run_dir, "/", kKind);
  std::set<std::string> ids;
  for (const std::string& dir : {layers, states}) {
    for (const std::string& name : ListDir(dir).value_or(std::vector<std::string>{})) {
      if (IsFullId(name) && !containers_.count(name)) ids.insert(name);
    }
  }
  for (const std::string& id : ids) {
    std::string record = absl::StrCat(layers, "/", id, ".json");
    // A torn record keeps its dirs (its layer may hold data), but for the empty file a power cut
    // leaves of Create's unsynced record with the layer still empty: that container never ran.
    bool empty_create = IsEmptyFile(record) && IsEmptyDir(absl::StrCat(layers, "/", id, "/upper"));
    if (PathExists(record) && !empty_create) continue;
    spdlog::info("container {}: removing the dirs of a create that left no record", id);
    for (const std::string& dir : {layers, states}) {
      absl::Status st = RemoveTree(absl::StrCat(dir, "/", id));
      if (!st.ok()) spdlog::warn("container {}: {}", id, st.message());
    }
    if (empty_create) ::unlink(record.c_str());
  }
}

namespace {

// The host pid of `target` for pid namespace mode TARGET: a running container of `pod_id`.
absl::StatusOr<pid_t> TargetPid(ContainerManager& containers, const std::string& pod_id, const std::string& target) {
  if (target.empty()) {
    return absl::InvalidArgumentError("pid namespace TARGET needs namespace_options.target_id: a container of the same pod");
  }
  auto t = containers.Get(target);
  if (absl::IsNotFound(t.status())) {
    return absl::NotFoundError(absl::StrCat("pid namespace target container ", target, " not found"));
  }
  if (!t.ok()) return t.status();
  if (t->pod_id != pod_id) {
    return absl::InvalidArgumentError(absl::StrCat("pid namespace target container ", t->id, " belongs to pod ",
                                                   t->pod_id, ", not to pod ", pod_id));
  }
  if (t->state != CtrState::kRunning || !ProcessAlive(*t)) {
    return absl::FailedPreconditionError(absl::StrCat("pid namespace target container ", t->id, " is ",
                                                      CtrStateName(t->state), ", not running: start it first"));
  }
  return t->pid;
}

}  // namespace

absl::StatusOr<std::string> ContainerManager::Create(const std::string& pod_id, const cri::ContainerConfig& config) {
  if (!ctx_.pods || !ctx_.images) return absl::FailedPreconditionError("pods or images are not available");
  ASSIGN_OR_RETURN(PodInfo pod, ctx_.pods->GetPod(pod_id));
  if (!pod.ready) return absl::FailedPreconditionError(absl::StrCat("pod sandbox ", pod.id, " is not ready"));
  const std::string& name = config.metadata().name();
  if (name.empty()) return absl::InvalidArgumentError("container metadata.name is empty");
  auto image = ctx_.images->GetImage(config.image().image());
  if (!image.ok()) {
    return absl::NotFoundError(absl::StrCat("image ", config.image().image(), " not found: ", image.status().message()));
  }
  std::string id = NewId();
  SpecInputs in;
  in.id = id;
  in.state_dir = absl::StrCat(ctx_.config.run_dir, "/containers/", id);
  in.layer_dir = absl::StrCat(ctx_.config.root_dir, "/containers/", id);
  auto cgroup_path = CgroupPathFor(pod, id);
  if (!cgroup_path.ok()) return Annotate(cgroup_path.status(), absl::StrCat("create container ", name, ": cgroup"));
  const std::string cgroup = *cgroup_path;
  if (ctx_.cgroups) {
    in.cgroup_procs_files = ctx_.cgroups->ProcsFiles(cgroup);
    in.cgroup_namespace = ctx_.cgroups->IsV2() || ctx_.config.cgroup_v1_namespace;
    in.oom_events_file = ctx_.cgroups->Dir(cgroup, "memory") +
                         (ctx_.cgroups->IsV2() ? "/memory.events" : "/memory.oom_control");
  }
  ASSIGN_OR_RETURN(in.image_passwd, ReadFileFromLayers(image->layer_dirs, "/etc/passwd"));
  ASSIGN_OR_RETURN(in.image_group, ReadFileFromLayers(image->layer_dirs, "/etc/group"));
  in.own_oom_score_adj = ReadOomScoreAdj(0).value_or(0);
  in.can_lower_oom_score = HasCapSysResource();
  in.oom_score_adj_policy = ctx_.config.oom_score_adj_policy;
  in.target_pid = [this, &pod](const std::string& target) { return TargetPid(*this, pod.id, target); };
  auto built = BuildContainerSpec(config, pod, *image, in);
  if (!built.ok()) return Annotate(built.status(), absl::StrCat("create container ", name));
  if (built->oom_score_clamped) {
    spdlog::warn("container {}: oom_score_adj {} clamped to {} (no CAP_SYS_RESOURCE)", id,
                 config.linux().resources().oom_score_adj(), *built->spec.process.oom_score_adj);
  }

  ContainerRecord rec;
  rec.id = id;
  rec.pod_id = pod.id;
  rec.name = name;
  rec.attempt = config.metadata().attempt();
  rec.image_spec = config.image().image();
  rec.image_id = image->id;
  rec.image_ref = image->repo_digests.empty() ? image->id : image->repo_digests.front();
  rec.labels = {config.labels().begin(), config.labels().end()};
  rec.annotations = {config.annotations().begin(), config.annotations().end()};
  rec.created_at_ns = NowNs();
  rec.log_path = built->log_path;
  rec.cri_log_path = config.log_path();
  rec.mounts = built->spec.mounts;
  rec.resources = built->resources;
  rec.cgroup_path = ctx_.cgroups ? cgroup : "";
  rec.state_dir = in.state_dir;
  rec.layer_dir = in.layer_dir;
  rec.stop_signal = image->stop_signal;
  rec.uid = built->spec.process.uid;
  rec.gid = built->spec.process.gid;
  rec.groups = built->spec.process.additional_gids;
  rec.tty = built->spec.process.tty;

  auto entry = std::make_shared<Entry>();
  entry->rec = rec;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (const auto& [other_id, e] : containers_) {
      const ContainerRecord& o = e->rec;
      if (o.pod_id == rec.pod_id && o.name == rec.name && o.attempt == rec.attempt) {
        return absl::AlreadyExistsError(absl::StrCat("container ", rec.name, " attempt ", rec.attempt,
                                                     " already exists in pod ", rec.pod_id, " as ", other_id));
      }
    }
    containers_[id] = entry;  // reserves the name
  }
  ScopeGuard undo([&] {
    if (!ReleaseResources(rec).ok()) return;  // logged; the record stays so removal can be retried
    store_->Remove(kKind, id).IgnoreError();
    std::lock_guard<std::mutex> l(mu_);
    containers_.erase(id);
  });
  std::lock_guard<std::mutex> op(entry->op);
  // The cgroup is made by StartContainer (container_cgroup.h), as runc makes it in containerd's;
  // what it would refuse is refused here, before anything is made.
  if (ctx_.cgroups) RETURN_IF_ERROR(Annotate(ctx_.cgroups->Check(rec.resources), absl::StrCat("create container ", name)));
  RETURN_IF_ERROR(MakeDirs(built->spec.upper_dir));
  RETURN_IF_ERROR(MakeDirs(built->spec.work_dir));
  RETURN_IF_ERROR(MakeDirs(in.state_dir + "/rootfs"));
  if (!rec.log_path.empty()) RETURN_IF_ERROR(MakeDirs(rec.log_path.substr(0, rec.log_path.rfind('/'))));
  RETURN_IF_ERROR(WriteFileAtomic(SpecPath(in.state_dir), ToJson(built->spec).dump(), 0600));
  rec.state = CtrState::kCreated;
  // One record, after the dirs, and not synced: a crash of the daemon keeps it (the page cache is
  // the kernel's), and one before it leaves dirs that recovery removes (RemoveOrphanDirs). A power
  // cut may take it, but with it nothing a kubelet could miss: the container never ran (no
  // process, output or exit status, an empty writable layer), and every pod on the node is gone
  // with the boot. StartContainer's record is durable.
  RETURN_IF_ERROR(store_->PutUnsynced(kKind, id, ToJson(rec)));
  {
    std::lock_guard<std::mutex> l(mu_);
    entry->rec = rec;
  }
  undo.Cancel();
  spdlog::info("container {}: created {} in pod {} from {}", id, rec.name, rec.pod_id, rec.image_id);
  return id;
}

absl::Status ContainerManager::Start(const std::string& id) {
  std::shared_ptr<Entry> e;
  ContainerRecord rec;
  {
    std::lock_guard<std::mutex> l(mu_);
    ASSIGN_OR_RETURN(e, Find(id));
  }
  std::lock_guard<std::mutex> op(e->op);
  if (e->removed) return absl::NotFoundError(absl::StrCat("container ", id, " not found"));
  {
    std::lock_guard<std::mutex> l(mu_);
    Refresh(e->rec, false);
    rec = e->rec;
  }
  if (rec.state != CtrState::kCreated) {
    return absl::FailedPreconditionError(absl::StrCat("container ", rec.id, " is ", CtrStateName(rec.state), ", not created"));
  }
  ASSIGN_OR_RETURN(const ShimLauncher* launcher, Launcher());
  RETURN_IF_ERROR(PodRecordDurable(rec));  // before the start's durable record (PersistDerived)
  RETURN_IF_ERROR(EnsureContainerCgroup(ctx_.cgroups, rec));  // it stays created on an error
  auto started = launcher->Start(rec.state_dir, absl::Seconds(90));
  // The init has joined its cgroup (or never will): the driver's hold on it goes.
  if (ctx_.cgroups && !rec.cgroup_path.empty()) ctx_.cgroups->ReleaseHold(rec.cgroup_path);
  std::lock_guard<std::mutex> l(mu_);
  if (!started.ok()) {
    ContainerRecord failed = e->rec;
    failed.state = CtrState::kExited;
    failed.exit_code = 128;
    failed.reason = "StartError";
    failed.message = std::string(started.status().message());
    failed.finished_at_ns = NowNs();
    spdlog::warn("container {}: start failed: {}", rec.id, started.status().message());
    if (auto st = Save(e->rec, failed); !st.ok()) {  // it stays created, on disk as in memory
      spdlog::error("container {}: {}", rec.id, st.message());
    }
    return Annotate(started.status(), absl::StrCat("start container ", rec.id));
  }
  // Derived: the shim's started.json holds the same, and Refresh reads it when this write failed.
  e->rec.state = CtrState::kRunning;
  e->rec.pid = started->pid;
  e->rec.pid_start_time = started->pid_start_time;
  e->rec.shim_pid = started->shim_pid;
  e->rec.started_at_ns = started->started_at_ns;
  PersistDerived(e->rec);
  spdlog::info("container {}: started, pid {}", rec.id, started->pid);
  return absl::OkStatus();
}

namespace {

// Sleeps until the shim may have written the exit record: the watch's event, or `slice` when the
// dir could not be watched (then this is the old poll).
void AwaitExitRecord(absl::StatusOr<ExitRecordWatch>& watch, absl::Duration slice) {
  if (watch.ok()) {
    watch->WaitForChange(slice);
  } else {
    absl::SleepFor(std::min(slice, absl::Milliseconds(20)));
  }
}

void MergeResources(CgroupResources& cur, const CgroupResources& r) {
  auto merge = [](auto& into, const auto& from) {
    if (from) into = from;
  };
  merge(cur.cpu_shares, r.cpu_shares);
  merge(cur.cpu_quota, r.cpu_quota);
  merge(cur.cpu_period, r.cpu_period);
  merge(cur.cpuset_cpus, r.cpuset_cpus);
  merge(cur.cpuset_mems, r.cpuset_mems);
  merge(cur.memory_limit, r.memory_limit);
  merge(cur.memory_swap_limit, r.memory_swap_limit);
  merge(cur.pids_limit, r.pids_limit);
  for (const auto& [k, v] : r.hugepage_limits) cur.hugepage_limits[k] = v;
  for (const auto& [k, v] : r.unified) cur.unified[k] = v;
}

bool HasExitRecord(const std::string& state_dir) {
  auto r = ReadExitRecord(state_dir);
  return r.ok() && r->has_value();
}

}  // namespace

bool ContainerManager::WaitExit(const std::string& state_dir, absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  auto watch = ExitRecordWatch::Open(state_dir);  // before the first read: no event is missed
  for (;;) {
    if (HasExitRecord(state_dir)) return true;
    absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return false;
    AwaitExitRecord(watch, left);
  }
}

bool ContainerManager::SignalAndWait(ChildProcess& proc, const ContainerRecord& rec, int64_t timeout_seconds) {
  int sig = ParseSignal(rec.stop_signal);
  spdlog::info("container {}: stopping with signal {}, timeout {}s", rec.id, sig, timeout_seconds);
  proc.Signal(sig).IgnoreError();
  // Read after sending: no handler now means none when it arrived (handlers are installed, not
  // removed, by the programs that matter here), so the kernel dropped it.
  auto state = ReadSignalState(rec.pid);
  bool dropped = state.ok() && DiscardsSignal(*state, sig);
  absl::Time deadline = absl::Now() + absl::Seconds(timeout_seconds);
  auto watch = ExitRecordWatch::Open(rec.state_dir);
  for (;;) {
    if (HasExitRecord(rec.state_dir)) return true;
    absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return false;
    if (dropped) {
      state = ReadSignalState(rec.pid);
      if (state.ok() && !DiscardsSignal(*state, sig)) {
        spdlog::info("container {}: signal {} came before its handler; sending it again", rec.id, sig);
        proc.Signal(sig).IgnoreError();
        dropped = false;
      }
    }
    // While a dropped signal waits for its handler, look again every 20 ms; otherwise only the
    // exit record's arrival (or the deadline) wakes this.
    AwaitExitRecord(watch, dropped ? std::min(left, absl::Milliseconds(20)) : left);
  }
}

absl::Status ContainerManager::StopLocked(Entry& e, int64_t timeout_seconds) {
  ContainerRecord rec;
  {
    std::lock_guard<std::mutex> l(mu_);
    Refresh(e.rec, false);
    rec = e.rec;
  }
  if (rec.state == CtrState::kCreated) {  // never started: nothing runs, and `op` keeps it so
    // Outside mu_, which every listing takes: Save would wait there for the pod's sync.
    RETURN_IF_ERROR(PodRecordDurable(rec));
    std::lock_guard<std::mutex> l(mu_);
    ContainerRecord stopped = e.rec;
    stopped.state = CtrState::kExited;
    stopped.finished_at_ns = NowNs();
    stopped.reason = "Completed";
    RETURN_IF_ERROR(Save(e.rec, stopped));
    rec = e.rec;
  }
  if (rec.state != CtrState::kRunning) {
    // An exited main process may have left others behind (shared or host PID namespace).
    if (auto st = KillContainerCgroup(ctx_.cgroups, rec); !st.ok()) spdlog::warn("{}", st.message());
    return absl::OkStatus();
  }
  auto proc = ChildProcess::Adopt(ProcessIdentity{rec.pid, rec.pid_start_time});
  if (!proc.ok() || timeout_seconds <= 0 || !SignalAndWait(*proc, rec, timeout_seconds)) {
    if (proc.ok()) proc->Signal(SIGKILL).IgnoreError();
    if (auto st = KillContainerCgroup(ctx_.cgroups, rec); !st.ok()) spdlog::warn("{}", st.message());
    if (!WaitExit(rec.state_dir, absl::Seconds(30))) {
      std::lock_guard<std::mutex> l(mu_);
      Refresh(e.rec, /*recovering=*/true);  // a dead shim: the status is lost
      if (e.rec.state == CtrState::kRunning) {
        return absl::DeadlineExceededError(absl::StrCat("container ", rec.id, " did not stop after SIGKILL"));
      }
      return absl::OkStatus();
    }
  }
  // The main process is gone; in a shared or host PID namespace its other processes are not.
  if (auto st = KillContainerCgroup(ctx_.cgroups, rec); !st.ok()) {
    return absl::DeadlineExceededError(absl::StrCat("stop container ", rec.id, ": ", st.message()));
  }
  std::lock_guard<std::mutex> l(mu_);
  Refresh(e.rec, false);
  return absl::OkStatus();
}

absl::Status ContainerManager::Stop(const std::string& id, int64_t timeout_seconds) {
  std::shared_ptr<Entry> e;
  {
    std::lock_guard<std::mutex> l(mu_);
    ASSIGN_OR_RETURN(e, Find(id));
  }
  std::lock_guard<std::mutex> op(e->op);
  if (e->removed) return absl::OkStatus();  // a Remove ran while this Stop waited: nothing runs
  return StopLocked(*e, timeout_seconds);
}

absl::Status ContainerManager::ReleaseResources(const ContainerRecord& rec) {
  if (ctx_.cgroups && !rec.cgroup_path.empty()) {
    if (auto st = ctx_.cgroups->Destroy(rec.cgroup_path); !st.ok()) {
      // A process left in the cgroup may still be changing the writable layer: walking it now
      // would race that process. Keep everything and report.
      spdlog::warn("container {}: remove cgroup: {}; keeping its directories", rec.id, st.message());
      return absl::FailedPreconditionError(absl::StrCat("container ", rec.id, ": cgroup ", rec.cgroup_path,
                                                        " could not be destroyed (", st.message(),
                                                        "); its writable layer is kept, retry the removal"));
    }
  }
  for (const std::string& dir : {rec.state_dir, rec.layer_dir}) {
    if (dir.empty()) continue;
    if (auto st = RemoveTree(dir); !st.ok()) spdlog::warn("container {}: remove {}: {}", rec.id, dir, st.message());
  }
  return absl::OkStatus();
}

absl::Status ContainerManager::Remove(const std::string& id) {
  std::shared_ptr<Entry> e;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto found = Find(id);
    if (absl::IsNotFound(found.status())) return absl::OkStatus();
    if (!found.ok()) return found.status();
    e = *found;
  }
  std::lock_guard<std::mutex> op(e->op);
  if (e->removed) return absl::OkStatus();  // removed by another call while this one waited
  RETURN_IF_ERROR(StopLocked(*e, 0));
  ContainerRecord rec;
  {
    std::lock_guard<std::mutex> l(mu_);
    rec = e->rec;
  }
  RETURN_IF_ERROR(ReleaseResources(rec));
  RETURN_IF_ERROR(store_->Remove(kKind, rec.id));
  e->removed = true;
  std::lock_guard<std::mutex> l(mu_);
  containers_.erase(rec.id);
  if (exits_) exits_->Unwatch(rec.id);
  spdlog::info("container {}: removed", rec.id);
  return absl::OkStatus();
}

absl::StatusOr<ContainerRecord> ContainerManager::Get(const std::string& id) {
  std::lock_guard<std::mutex> l(mu_);
  ASSIGN_OR_RETURN(auto e, Find(id));
  Refresh(e->rec, false);
  return e->rec;
}

void ContainerManager::RefreshForListing() {
  if (exits_) {
    StateDirWatch::Changes changes = exits_->Drain();
    if (changes.overflow) {
      for (auto& [id, e] : containers_) e->changed = true;
    }
    for (const std::string& id : changes.keys) {
      if (auto it = containers_.find(id); it != containers_.end()) it->second->changed = true;
    }
  }
  for (auto& [id, e] : containers_) {
    ContainerRecord& r = e->rec;
    if (r.state == CtrState::kCreating) continue;
    bool watched = exits_ && exits_->Watching(id);
    if (r.state == CtrState::kRunning && exits_ && !watched) {
      absl::Status st = exits_->Watch(id, r.state_dir);  // before the read below
      watched = st.ok();
      if (!watched && !e->watch_warned) {
        spdlog::warn("container {}: cannot watch its state dir ({}); every listing reads its records", id, st.message());
        e->watch_warned = true;
      }
      e->changed = true;
    }
    if (r.state != CtrState::kRunning || !watched || e->changed) {
      e->changed = false;
      Refresh(r, false);
    }
    if (r.state != CtrState::kRunning && watched) exits_->Unwatch(id);
  }
}

std::vector<ContainerRecord> ContainerManager::List() {
  std::lock_guard<std::mutex> l(mu_);
  RefreshForListing();
  std::vector<ContainerRecord> out;
  for (auto& [id, e] : containers_) {
    if (e->rec.state != CtrState::kCreating) out.push_back(e->rec);
  }
  return out;
}

void ContainerManager::ForEach(const std::function<void(const ContainerRecord&, Listing&)>& fn) {
  std::lock_guard<std::mutex> l(mu_);
  RefreshForListing();
  for (auto& [id, e] : containers_) {
    if (e->rec.state != CtrState::kCreating) fn(e->rec, e->listing);
  }
}

std::vector<std::string> ContainerManager::IdsInPod(const std::string& pod_id) const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<std::string> out;
  for (const auto& [id, e] : containers_) {
    if (e->rec.state != CtrState::kCreating && e->rec.pod_id == pod_id) out.push_back(id);
  }
  return out;
}

absl::Status ContainerManager::UpdateResources(const std::string& id, const cri::LinuxContainerResources& resources) {
  ASSIGN_OR_RETURN(CgroupResources r, ToCgroupResources(resources));
  std::shared_ptr<Entry> e;
  {
    std::lock_guard<std::mutex> l(mu_);
    ASSIGN_OR_RETURN(e, Find(id));
  }
  std::lock_guard<std::mutex> op(e->op);
  if (e->removed) return absl::NotFoundError(absl::StrCat("container ", id, " not found"));
  ContainerRecord rec;
  {
    std::lock_guard<std::mutex> l(mu_);
    Refresh(e->rec, false);
    rec = e->rec;
  }
  if (rec.state == CtrState::kExited) {
    return absl::FailedPreconditionError(absl::StrCat("container ", rec.id, " has exited"));
  }
  if (ctx_.cgroups) RETURN_IF_ERROR(Annotate(ctx_.cgroups->Check(r), absl::StrCat("update container ", rec.id)));
  RETURN_IF_ERROR(PodRecordDurable(rec));  // outside mu_, as in StopLocked
  // Recorded first: a record that cannot be written fails the RPC before the cgroup changes.
  {
    std::lock_guard<std::mutex> l(mu_);
    ContainerRecord updated = e->rec;
    MergeResources(updated.resources, r);
    RETURN_IF_ERROR(Save(e->rec, updated));
  }
  // A created container has no cgroup yet: StartContainer makes it with the recorded resources
  // (container_cgroup.h).
  bool has_cgroup = ctx_.cgroups && !rec.cgroup_path.empty();
  bool unmade = has_cgroup && rec.state == CtrState::kCreated && !ctx_.cgroups->Exists(rec.cgroup_path);
  if (has_cgroup && !unmade) {
    absl::Status applied = ctx_.cgroups->Apply(rec.cgroup_path, r);
    if (!applied.ok()) {
      std::lock_guard<std::mutex> l(mu_);
      ContainerRecord restored = e->rec;
      restored.resources = rec.resources;
      if (auto st = Save(e->rec, restored); !st.ok()) spdlog::error("container {}: {}", rec.id, st.message());
      return Annotate(applied, absl::StrCat("update container ", rec.id));
    }
  }
  return absl::OkStatus();
}

absl::Status ContainerManager::ReopenLog(const std::string& id) {
  ASSIGN_OR_RETURN(ContainerRecord rec, Get(id));
  if (rec.state != CtrState::kRunning) {
    return absl::FailedPreconditionError(absl::StrCat("container ", rec.id, " is not running"));
  }
  RETURN_IF_ERROR(RequestLogReopen(rec.state_dir));
  if (rec.log_path.empty()) return absl::OkStatus();
  absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (!PathExists(rec.log_path)) {
    if (absl::Now() >= deadline) return absl::DeadlineExceededError("shim did not reopen log " + rec.log_path);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return absl::OkStatus();
}

absl::StatusOr<ExecSyncResult> ContainerManager::ExecSync(const std::string& id, const std::vector<std::string>& cmd,
                                                          int64_t timeout_seconds) {
  if (cmd.empty()) return absl::InvalidArgumentError("exec: cmd is empty");
  ASSIGN_OR_RETURN(ContainerRecord rec, Get(id));
  if (rec.state != CtrState::kRunning || !ProcessAlive(rec)) {
    return absl::FailedPreconditionError(absl::StrCat("container ", rec.id, " is not running"));
  }
  ASSIGN_OR_RETURN(const ShimLauncher* launcher, Launcher());
  absl::Duration timeout = timeout_seconds > 0 ? absl::Seconds(timeout_seconds) : absl::Hours(24 * 365);
  auto r = launcher->ExecSync(rec.state_dir, rec.pid, cmd, timeout,
                              static_cast<size_t>(ctx_.config.exec_sync_output_limit));
  if (absl::IsDeadlineExceeded(r.status())) {
    return absl::DeadlineExceededError(absl::StrCat("exec in container ", rec.id, " timed out after ", timeout_seconds, "s"));
  }
  return r;
}

absl::Status ContainerManager::StopAllInPod(const std::string& pod_id, int64_t timeout_seconds) {
  absl::Status first;
  for (const std::string& id : IdsInPod(pod_id)) {
    if (auto st = Stop(id, timeout_seconds); !st.ok() && first.ok()) first = st;
  }
  return first;
}

absl::Status ContainerManager::RemoveAllInPod(const std::string& pod_id) {
  absl::Status first;
  for (const std::string& id : IdsInPod(pod_id)) {
    if (auto st = Remove(id); !st.ok() && first.ok()) first = st;
  }
  return first;
}

std::set<std::string> ContainerManager::ImagesInUse() const {
  std::lock_guard<std::mutex> l(mu_);
  std::set<std::string> out;
  for (const auto& [id, e] : containers_) out.insert(e->rec.image_id);
  return out;
}

std::vector<ContainerInfo> ContainerManager::ListContainerInfos() {
  std::lock_guard<std::mutex> l(mu_);
  RefreshForListing();
  std::vector<ContainerInfo> out;
  for (const auto& [id, e] : containers_) {
    const ContainerRecord& r = e->rec;
    if (r.state == CtrState::kCreating) continue;
    ContainerInfo i;
    i.id = r.id;
    i.pod_id = r.pod_id;
    i.name = r.name;
    i.attempt = r.attempt;
    // The metrics' only use of it: cAdvisor's `image` label is the image as the container asked
    // for it (CRI image.image, as kubelet's cAdvisor shows it), not the resolved digest or id.
    i.image_ref = r.image_spec.empty() ? r.image_ref : r.image_spec;
    i.image_id = r.image_id;
    i.state = r.state == CtrState::kRunning ? "running" : r.state == CtrState::kExited ? "exited" : "created";
    i.pid = r.pid;
    i.cgroup_path = r.cgroup_path;
    i.upper_dir = r.layer_dir.empty() ? "" : r.layer_dir + "/upper";
    i.created_at_ns = r.created_at_ns;
    i.started_at_ns = r.started_at_ns;
    i.finished_at_ns = r.finished_at_ns;
    i.labels = r.labels;
    i.annotations = r.annotations;
    out.push_back(std::move(i));
  }
  return out;
}

}  // namespace podagent
