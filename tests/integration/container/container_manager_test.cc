// ContainerManager as root on the real kernel: real shim, real cgroups, a busybox rootfs as the
// image's single layer, and a stand-in "pause" (a child in fresh ipc+net+pid namespaces) behind a
// fake PodLookup. Also the daemon-restart story: a new manager over the same dirs recovers every
// container with the right state and exit code, including one that exited while none was running.

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <optional>

#include <fstream>
#include <functional>
#include <future>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agent/container/container_manager.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/common/files.h"
#include "runtime/common/ids.h"
#include "runtime/common/unique_fd.h"
#include "runtime/process/signal_state.h"
#include "runtime/store/record_store.h"
#include "tests/lib/busybox_rootfs.h"
#include "tests/lib/paths.h"
#include "tests/lib/read_all.h"
#include "tests/lib/temp_dir.h"
#include "tests/lib/ns_inode.h"

namespace podagent {
namespace {

using ::testing::HasSubstr;

class FakePods : public PodLookup {
 public:
  absl::StatusOr<PodInfo> GetPod(const std::string& id) const override {
    for (const auto& p : pods) {
      if (p.id == id) return p;
    }
    return absl::NotFoundError("pod sandbox " + id + " not found");
  }
  std::vector<PodInfo> ListPods() const override { return pods; }
  absl::Status WaitDurable(const std::string& pod_id) override {
    waited_for.push_back(pod_id);
    if (synced) return absl::OkStatus();
    if (while_waiting) while_waiting();
    synced = durable.ok();
    return durable;
  }
  std::vector<PodInfo> pods;
  std::vector<std::string> waited_for;  // WaitDurable's pod ids, in order
  absl::Status durable;                 // what WaitDurable answers
  std::function<void()> while_waiting;  // run inside WaitDurable, as if the sync took time
  bool synced = false;                  // a durable record answers at once, as RecordSyncer does
};

class FakeImages : public ImageLookup {
 public:
  absl::StatusOr<ImageInfo> GetImage(const std::string& ref) const override {
    if (ref == image.repo_tags[0] || ref == image.id) return image;
    return absl::NotFoundError("image " + ref + " not found");
  }
  ImageInfo image;
};

// A tmpfs of `size` mounted on `dir` for the life of the object.
class TmpfsMount {
 public:
  TmpfsMount(const std::string& dir, const std::string& size) : dir_(dir) {
    EXPECT_TRUE(MakeDirs(dir).ok());
    mounted_ = ::mount("podagent-test", dir.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0;
    EXPECT_TRUE(mounted_) << "mount tmpfs on " << dir << ": " << std::strerror(errno);
  }
  ~TmpfsMount() {
    if (mounted_ && ::umount2(dir_.c_str(), 0) != 0) {
      ADD_FAILURE() << "umount " << dir_ << ": " << std::strerror(errno) << "; detaching it";
      ::umount2(dir_.c_str(), MNT_DETACH);
    }
  }
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;
  bool mounted() const { return mounted_; }

 private:
  std::string dir_;
  bool mounted_ = false;
};

// Writes `path` until the filesystem answers ENOSPC; false if it never does.
bool FillUp(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd) return false;
  std::string chunk(64 * 1024, 'x');
  for (int i = 0; i < 1 << 16; ++i) {
    if (::write(fd.Get(), chunk.data(), chunk.size()) < 0) return errno == ENOSPC;
  }
  return false;
}

class ContainerManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(geteuid(), 0u) << "ROOT_ test: run as root";
    testing::MakeBusyboxRootfs(tmp_.path() + "/layer");
    images_.image.id = "sha256:" + std::string(64, 'b');
    images_.image.repo_tags = {"test/busybox:1"};
    images_.image.layer_dirs = {tmp_.path() + "/layer"};
    images_.image.cmd = {"/bin/sh"};
    auto driver = CgroupDriver::Detect();
    ASSERT_TRUE(driver.ok()) << driver.status();
    cgroups_ = std::move(*driver);
    pod_cgroup_ = "/podagent-test-" + NewId().substr(0, 8);
    ASSERT_TRUE(cgroups_->Create(pod_cgroup_).ok());
    int sp[2];
    ASSERT_EQ(pipe(sp), 0);
    pause_ = fork();
    if (pause_ == 0) {
      unshare(CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID);
      if (fork() == 0) {  // pid 1 of the new pid namespace
        close(sp[0]);
        close(sp[1]);
        for (;;) pause();
      }
      close(sp[0]);
      ssize_t ignored = write(sp[1], "x", 1);
      (void)ignored;
      int st;
      wait(&st);
      _exit(0);
    }
    close(sp[1]);
    char c;
    ASSERT_EQ(read(sp[0], &c, 1), 1);
    close(sp[0]);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    pause_pid1_ = FindChild(pause_);
    ASSERT_GT(pause_pid1_, 0);
    PodInfo pod;
    pod.id = NewId();
    pod.ready = true;
    pod.pause_pid = pause_pid1_;
    pod.cgroup_path = pod_cgroup_;
    pod.hostname = "mgr-pod";
    pod.log_directory = tmp_.path() + "/logs";
    pods_.pods = {pod};
    ctx_.config.root_dir = tmp_.path() + "/root";
    ctx_.config.run_dir = tmp_.path() + "/run";
    ctx_.config.shim_binary = testing::ShimBinary();
    ctx_.config.exec_sync_output_limit = 4096;
    ctx_.cgroups = cgroups_.get();
    ctx_.pods = &pods_;
    ctx_.images = &images_;
    mgr_ = std::make_unique<ContainerManager>(ctx_);
    ASSERT_TRUE(mgr_->Recover().ok());
  }

  void TearDown() override {
    if (mgr_) {
      for (const auto& r : mgr_->List()) EXPECT_TRUE(mgr_->Remove(r.id).ok()) << r.id;
    }
    if (pause_ > 0) {
      kill(pause_pid1_, SIGKILL);
      kill(pause_, SIGKILL);
      waitpid(pause_, nullptr, 0);
    }
    if (cgroups_) {
      EXPECT_TRUE(cgroups_->Destroy(pod_cgroup_).ok());
    }
  }

  static pid_t FindChild(pid_t parent) {
    std::string kids = testing::ReadAll(absl::StrCat("/proc/", parent, "/task/", parent, "/children"));
    pid_t pid = 0;
    return absl::SimpleAtoi(absl::StripAsciiWhitespace(kids), &pid) ? pid : 0;
  }

  cri::ContainerConfig Config(const std::string& name, const std::string& script) {
    cri::ContainerConfig c;
    c.mutable_metadata()->set_name(name);
    c.mutable_image()->set_image("test/busybox:1");
    c.add_command("/bin/sh");
    c.add_args("-c");
    c.add_args(script);
    c.set_log_path(name + "/0.log");
    return c;
  }

  std::string CreateAndStart(const cri::ContainerConfig& c) {
    auto id = mgr_->Create(pods_.pods[0].id, c);
    EXPECT_TRUE(id.ok()) << id.status();
    if (!id.ok()) return "";
    auto st = mgr_->Start(*id);
    EXPECT_TRUE(st.ok()) << st;
    return *id;
  }

  ContainerRecord WaitState(const std::string& id, CtrState want, absl::Duration timeout = absl::Seconds(20)) {
    absl::Time deadline = absl::Now() + timeout;
    for (;;) {
      auto r = mgr_->Get(id);
      EXPECT_TRUE(r.ok()) << r.status();
      if (!r.ok() || r->state == want || absl::Now() > deadline) return r.value_or(ContainerRecord{});
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  testing::TempDir tmp_;
  std::optional<TmpfsMount> disk_;  // after tmp_: unmounted after TearDown, before tmp_ goes
  FakePods pods_;
  FakeImages images_;
  std::unique_ptr<CgroupDriver> cgroups_;
  std::string pod_cgroup_;
  pid_t pause_ = 0, pause_pid1_ = 0;
  AgentContext ctx_;
  std::unique_ptr<ContainerManager> mgr_;
};

// StartContainer's record is durable, so the start first waits for its pod's record to be
// durable too (SandboxManager syncs it after RunPodSandbox's reply). A pod record that cannot be
// made durable fails the start before anything runs. CreateContainer writes nothing durable.
TEST_F(ContainerManagerTest, StartWaitsForThePodRecordToBeDurable) {
  const std::string pod_id = pods_.pods[0].id;
  auto id = mgr_->Create(pod_id, Config("durable", "sleep 60"));
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_TRUE(pods_.waited_for.empty());
  pods_.durable = absl::DataLossError("fsync pods/x.json: Input/output error");
  absl::Status st = mgr_->Start(*id);
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss) << st;
  EXPECT_EQ(pods_.waited_for, std::vector<std::string>{pod_id});
  auto r = mgr_->Get(*id);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->state, CtrState::kCreated);
  EXPECT_EQ(r->pid, 0);
  pods_.durable = absl::OkStatus();
  ASSERT_TRUE(mgr_->Start(*id).ok());
  EXPECT_EQ(WaitState(*id, CtrState::kRunning).state, CtrState::kRunning);
}

// The pod's sync can take milliseconds of disk time: StopContainer and UpdateContainerResources
// of a created container wait for it without the manager's lock, so listings go on meanwhile.
TEST_F(ContainerManagerTest, WaitForThePodRecordDoesNotHoldListings) {
  auto id = mgr_->Create(pods_.pods[0].id, Config("waits", "sleep 60"));
  ASSERT_TRUE(id.ok()) << id.status();
  std::vector<std::future<size_t>> listings;  // outlive the waits: a blocked one ends after them
  int blocked = 0;
  pods_.while_waiting = [&] {
    listings.push_back(std::async(std::launch::async, [&] { return mgr_->List().size(); }));
    if (listings.back().wait_for(std::chrono::seconds(5)) == std::future_status::timeout) ++blocked;
  };
  cri::LinuxContainerResources r;
  r.set_cpu_shares(512);
  EXPECT_TRUE(mgr_->UpdateResources(*id, r).ok());
  pods_.synced = false;  // as if the pod's record were written again
  EXPECT_TRUE(mgr_->Stop(*id, 0).ok());
  pods_.while_waiting = nullptr;
  EXPECT_EQ(listings.size(), 2u) << "update and stop each wait for the pod's record";
  for (auto& l : listings) EXPECT_EQ(l.get(), 1u);
  EXPECT_EQ(blocked, 0) << "a listing waited for the pod record's sync";
}

TEST_F(ContainerManagerTest, NamespacesAgainstThePause) {
  std::string id = CreateAndStart(Config("ns", "sleep 60"));
  auto r = WaitState(id, CtrState::kRunning);
  ASSERT_EQ(r.state, CtrState::kRunning);
  using testing::HostNsInode;
  using testing::ReadNsInode;
  for (const char* ns : {"ipc", "net"}) {
    EXPECT_EQ(ReadNsInode(r.pid, ns), ReadNsInode(pause_pid1_, ns)) << ns;
  }
  for (const char* ns : {"pid", "mnt", "uts"}) {
    EXPECT_NE(ReadNsInode(r.pid, ns), ReadNsInode(pause_pid1_, ns)) << ns;
  }
  for (const char* ns : {"ipc", "net", "pid", "mnt", "uts"}) {
    EXPECT_NE(ReadNsInode(r.pid, ns), HostNsInode(ns)) << ns << ": container vs host";
  }

  auto shared = Config("shared-pid", "sleep 60");
  shared.mutable_linux()->mutable_security_context()->mutable_namespace_options()->set_pid(cri::POD);
  std::string id2 = CreateAndStart(shared);
  auto r2 = WaitState(id2, CtrState::kRunning);
  EXPECT_EQ(ReadNsInode(r2.pid, "pid"), ReadNsInode(pause_pid1_, "pid"));
  EXPECT_NE(ReadNsInode(r2.pid, "pid"), HostNsInode("pid"));
  auto ps = mgr_->ExecSync(id2, {"sh", "-c", "ps -o pid,args | grep -c '^ *1 '"}, 10);
  ASSERT_TRUE(ps.ok()) << ps.status();
  EXPECT_EQ(ps->out, "1\n");
  // Its cgroup is the container's, under the pod's.
  EXPECT_EQ(r.cgroup_path, pod_cgroup_ + "/" + id);
  auto pids = cgroups_->Pids(r.cgroup_path);
  ASSERT_TRUE(pids.ok());
  EXPECT_THAT(*pids, ::testing::Contains(r.pid));
}

TEST_F(ContainerManagerTest, LifecycleExitCodesReasonsAndLogs) {
  std::string ok = CreateAndStart(Config("ok", "echo hello; exit 0"));
  std::string bad = CreateAndStart(Config("bad", "echo oops >&2; exit 3"));
  auto r1 = WaitState(ok, CtrState::kExited);
  auto r2 = WaitState(bad, CtrState::kExited);
  EXPECT_EQ(r1.exit_code, 0);
  EXPECT_EQ(r1.reason, "Completed");
  EXPECT_EQ(r2.exit_code, 3);
  EXPECT_EQ(r2.reason, "Error");
  EXPECT_GT(r2.finished_at_ns, r2.started_at_ns);
  EXPECT_THAT(testing::ReadAll(r1.log_path), HasSubstr(" stdout F hello\n"));
  EXPECT_THAT(testing::ReadAll(r2.log_path), HasSubstr(" stderr F oops\n"));
  EXPECT_EQ(mgr_->Start(ok).code(), absl::StatusCode::kFailedPrecondition);

  // Stop: SIGTERM is ignored by a pid-1 shell, so SIGKILL follows the timeout.
  std::string sleeper = CreateAndStart(Config("sleeper", "sleep 60"));
  absl::Time t0 = absl::Now();
  ASSERT_TRUE(mgr_->Stop(sleeper, 1).ok());
  EXPECT_LT(absl::Now() - t0, absl::Seconds(10));
  auto r3 = mgr_->Get(sleeper);
  EXPECT_EQ(r3->state, CtrState::kExited);
  EXPECT_EQ(r3->exit_code, 137);
  // A process that handles SIGTERM exits with it before the timeout.
  std::string polite = CreateAndStart(Config("polite", "trap 'exit 42' TERM; while true; do sleep 0.1; done"));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_TRUE(mgr_->Stop(polite, 10).ok());
  EXPECT_EQ(mgr_->Get(polite)->exit_code, 42);

  // Remove is idempotent and leaves nothing behind.
  auto rec = *mgr_->Get(ok);
  ASSERT_TRUE(mgr_->Remove(ok).ok());
  ASSERT_TRUE(mgr_->Remove(ok).ok());
  EXPECT_FALSE(PathExists(rec.state_dir));
  EXPECT_FALSE(PathExists(rec.layer_dir));
  EXPECT_FALSE(cgroups_->Exists(rec.cgroup_path));
  EXPECT_EQ(mgr_->Get(ok).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ContainerManagerTest, BadInputLeavesNothingBehind) {
  auto c = Config("x", "true");
  EXPECT_EQ(mgr_->Create("nope", c).status().code(), absl::StatusCode::kNotFound);
  auto noimg = c;
  noimg.mutable_image()->set_image("missing:1");
  EXPECT_EQ(mgr_->Create(pods_.pods[0].id, noimg).status().code(), absl::StatusCode::kNotFound);
  auto badmount = c;
  auto* m = badmount.add_mounts();
  m->set_host_path("/nonexistent/src");
  m->set_container_path("/x");
  auto st = mgr_->Create(pods_.pods[0].id, badmount).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(st.message()), HasSubstr("/nonexistent/src"));
  auto first = mgr_->Create(pods_.pods[0].id, c);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(mgr_->Create(pods_.pods[0].id, c).status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(mgr_->List().size(), 1u);
  auto dirs = ListDir(ctx_.config.run_dir + "/containers");
  ASSERT_TRUE(dirs.ok());
  EXPECT_EQ(*dirs, std::vector<std::string>{*first});
  // A failing start reads like an error and leaves an exited container with the reason.
  auto missing = Config("missing-bin", "true");
  missing.clear_command();
  missing.clear_args();
  missing.add_command("/no/such/binary");
  auto id = mgr_->Create(pods_.pods[0].id, missing);
  ASSERT_TRUE(id.ok());
  auto start = mgr_->Start(*id);
  EXPECT_FALSE(start.ok());
  EXPECT_THAT(std::string(start.message()), HasSubstr("/no/such/binary"));
  EXPECT_EQ(mgr_->Get(*id)->reason, "StartError");
}

// CreateContainer makes no cgroup (runc makes it in containerd's StartContainer, so does ours)
// but refuses there what the cgroup would refuse; StartContainer makes it with the resources the
// record holds, an update of the created container included. The truth is the kernel's files.
TEST_F(ContainerManagerTest, CgroupIsMadeAtStartWithTheRecordedResources) {
  auto bad = Config("bad", "true");
  if (cgroups_->IsV2()) {
    (*bad.mutable_linux()->mutable_resources()->mutable_unified())["cgroup.procs"] = "1";
  } else {
    (*bad.mutable_linux()->mutable_resources()->mutable_unified())["memory.high"] = "1";
  }
  auto refused = mgr_->Create(pods_.pods[0].id, bad);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument) << refused.status();
  EXPECT_TRUE(mgr_->List().empty()) << "a refused create left a container";
  EXPECT_EQ(ListDir(ctx_.config.run_dir + "/containers").value_or(std::vector<std::string>{}),
            std::vector<std::string>{});

  auto c = Config("limited", "sleep 60");
  c.mutable_linux()->mutable_resources()->set_memory_limit_in_bytes(48 << 20);
  auto id = mgr_->Create(pods_.pods[0].id, c);
  ASSERT_TRUE(id.ok()) << id.status();
  std::string path = mgr_->Get(*id)->cgroup_path;
  ASSERT_FALSE(path.empty());
  EXPECT_FALSE(cgroups_->Exists(path)) << "CreateContainer made the cgroup " << path;
  cri::LinuxContainerResources upd;
  upd.set_cpu_shares(300);
  ASSERT_TRUE(mgr_->UpdateResources(*id, upd).ok());
  EXPECT_FALSE(cgroups_->Exists(path));
  ASSERT_TRUE(mgr_->Start(*id).ok());
  ASSERT_TRUE(cgroups_->Exists(path));
  auto read = [](const std::string& file) {
    auto text = ReadFile(file);
    EXPECT_TRUE(text.ok()) << text.status();
    return text.ok() ? std::string(absl::StripAsciiWhitespace(*text)) : "<unreadable " + file + ">";
  };
  if (cgroups_->IsV2()) {
    std::string dir = cgroups_->Dir(path, "");
    EXPECT_EQ(read(dir + "/memory.max"), std::to_string(48 << 20));
    EXPECT_EQ(read(dir + "/cpu.weight"), std::to_string(1 + ((300 - 2) * 9999) / 262142));
  } else {
    EXPECT_EQ(read(cgroups_->Dir(path, "memory") + "/memory.limit_in_bytes"), std::to_string(48 << 20));
    EXPECT_EQ(read(cgroups_->Dir(path, "cpu") + "/cpu.shares"), "300");
  }
  // The container's process is in it.
  pid_t pid = mgr_->Get(*id)->pid;
  auto procs = cgroups_->Pids(path);
  ASSERT_TRUE(procs.ok()) << procs.status();
  EXPECT_THAT(*procs, ::testing::Contains(pid));
}

TEST_F(ContainerManagerTest, OomKilledAndLiveUpdate) {
  auto c = Config("oom", "sleep 1; x=$(head -c 104857600 /dev/zero | tr '\\0' a); echo survived");
  c.mutable_linux()->mutable_resources()->set_memory_limit_in_bytes(10 << 20);
  c.mutable_linux()->mutable_resources()->set_memory_swap_limit_in_bytes(10 << 20);
  std::string id = CreateAndStart(c);
  auto r = WaitState(id, CtrState::kExited, absl::Seconds(30));
  EXPECT_EQ(r.exit_code, 137);
  EXPECT_EQ(r.reason, "OOMKilled");

  std::string live = CreateAndStart(Config("live", "sleep 60"));
  cri::LinuxContainerResources upd;
  upd.set_cpu_shares(256);
  upd.set_memory_limit_in_bytes(64 << 20);
  ASSERT_TRUE(mgr_->UpdateResources(live, upd).ok());
  auto rec = mgr_->Get(live);
  EXPECT_EQ(rec->resources.cpu_shares, 256);
  // The kernel's files, on either version. v2's cpu.weight for 256 shares is Kubernetes' (and
  // runc's) conversion 1 + ((shares - 2) * 9999) / 262142 = 10.
  auto read = [](const std::string& path) {
    auto text = ReadFile(path);
    EXPECT_TRUE(text.ok()) << text.status();
    return text.ok() ? std::string(absl::StripAsciiWhitespace(*text)) : "<unreadable " + path + ">";
  };
  if (cgroups_->IsV2()) {
    std::string dir = cgroups_->Dir(rec->cgroup_path, "");
    EXPECT_EQ(read(dir + "/cpu.weight"), std::to_string(1 + ((256 - 2) * 9999) / 262142));
    EXPECT_EQ(read(dir + "/memory.max"), std::to_string(64 << 20));
  } else {
    EXPECT_EQ(read(cgroups_->Dir(rec->cgroup_path, "cpu") + "/cpu.shares"), "256");
    EXPECT_EQ(read(cgroups_->Dir(rec->cgroup_path, "memory") + "/memory.limit_in_bytes"), std::to_string(64 << 20));
  }
  cri::LinuxContainerResources bad;
  bad.set_cpu_shares(-1);
  EXPECT_EQ(mgr_->UpdateResources(live, bad).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(mgr_->Get(live)->resources.cpu_shares, 256) << "a refused update changes nothing";
}

// kubelet asks for negative oom_score_adj (-997 for guaranteed pods); without CAP_SYS_RESOURCE the
// kernel refuses to go below the daemon's own value, so the container gets that (the "clamp"
// policy) and still starts. The expectation comes from the kernel: this process's own value and
// capability set, and the container's /proc/PID/oom_score_adj.
TEST_F(ContainerManagerTest, OomScoreAdjBelowOursIsClampedByTheKernelsRules) {
  auto own_text = ReadFile("/proc/self/oom_score_adj");
  ASSERT_TRUE(own_text.ok()) << own_text.status();
  int own = 0;
  ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(*own_text), &own));
  auto status = ReadFile("/proc/self/status");
  ASSERT_TRUE(status.ok()) << status.status();
  size_t at = status->find("CapEff:\t");
  ASSERT_NE(at, std::string::npos);
  uint64_t cap_eff = std::stoull(status->substr(at + 8, 16), nullptr, 16);
  bool can_lower = (cap_eff >> 24) & 1;  // CAP_SYS_RESOURCE
  for (int requested : {-997, 500}) {
    auto c = Config(absl::StrCat("oom", requested < 0 ? "neg" : "pos"), "sleep 60");
    c.mutable_linux()->mutable_resources()->set_oom_score_adj(requested);
    std::string id = CreateAndStart(c);
    ASSERT_FALSE(id.empty());
    auto r = WaitState(id, CtrState::kRunning);
    ASSERT_EQ(r.state, CtrState::kRunning) << "the clamp must never fail the container";
    auto adj = ReadFile(absl::StrCat("/proc/", r.pid, "/oom_score_adj"));
    ASSERT_TRUE(adj.ok()) << adj.status();
    int want = (requested >= own || can_lower) ? requested : own;
    EXPECT_EQ(std::string(absl::StripAsciiWhitespace(*adj)), std::to_string(want))
        << "requested " << requested << ", ours " << own << ", CAP_SYS_RESOURCE " << can_lower;
  }
}

TEST_F(ContainerManagerTest, RecoveryAfterRestartKeepsStatesExitCodesAndLogs) {
  std::string runs = CreateAndStart(Config("runs", "for i in $(seq 1 5); do echo line$i; done; sleep 60"));
  std::string ends = CreateAndStart(Config("ends", "sleep 1; for i in $(seq 1 100); do echo n$i; done; exit 9"));
  std::string done = CreateAndStart(Config("done", "exit 4"));
  std::string created = *mgr_->Create(pods_.pods[0].id, Config("created", "true"));
  WaitState(done, CtrState::kExited);
  // The daemon "dies": drop the manager without stopping anything.
  mgr_.reset();
  std::this_thread::sleep_for(std::chrono::milliseconds(2000));  // "ends" exits meanwhile
  mgr_ = std::make_unique<ContainerManager>(ctx_);
  ASSERT_TRUE(mgr_->Recover().ok());
  EXPECT_EQ(mgr_->Get(runs)->state, CtrState::kRunning);
  auto e = mgr_->Get(ends);
  EXPECT_EQ(e->state, CtrState::kExited);
  EXPECT_EQ(e->exit_code, 9);
  EXPECT_EQ(mgr_->Get(done)->exit_code, 4);
  EXPECT_EQ(mgr_->Get(created)->state, CtrState::kCreated);
  std::string log = testing::ReadAll(e->log_path);
  for (int i = 1; i <= 100; ++i) {
    EXPECT_THAT(log, HasSubstr(absl::StrCat(" stdout F n", i, "\n")));
  }
  EXPECT_THAT(testing::ReadAll(mgr_->Get(runs)->log_path), HasSubstr("line5"));
  // The recovered running container is still fully manageable.
  ASSERT_TRUE(mgr_->Stop(runs, 0).ok());
  EXPECT_EQ(mgr_->Get(runs)->exit_code, 137);
  EXPECT_TRUE(mgr_->Start(created).ok());
}

// A listing reads a running container's exit record only after its state dir changed (the
// manager's StateDirWatch): an exit of its own and a SIGKILL from outside both show in List alone
// (never Get, which reads the records itself), and the container left alone stays running.
TEST_F(ContainerManagerTest, ListingSeesExitsWithoutReadingEveryRecord) {
  std::string ends = CreateAndStart(Config("ends", "trap 'exit 7' USR1; while :; do sleep 0.05; done"));
  std::string killed = CreateAndStart(Config("killed", "sleep 60"));
  std::string runs = CreateAndStart(Config("runs", "sleep 60"));
  auto listed = [&](const std::string& id) {
    for (const ContainerRecord& r : mgr_->List()) {
      if (r.id == id) return r;
    }
    ADD_FAILURE() << id << " is not listed";
    return ContainerRecord{};
  };
  ContainerRecord ender = listed(ends), victim = listed(killed);
  for (const std::string& id : {ends, killed, runs}) ASSERT_EQ(listed(id).state, CtrState::kRunning) << id;
  ASSERT_GT(ender.pid, 0);
  ASSERT_GT(victim.pid, 0);
  // From the host, not an exec: an exec'd `kill` shares the container's PID namespace, which the
  // kernel SIGKILLs as soon as the trap makes pid 1 exit, so its own status races to 137.
  absl::Time armed_by = absl::Now() + absl::Seconds(20);
  while (absl::Now() < armed_by) {
    auto sig = ReadSignalState(ender.pid);
    ASSERT_TRUE(sig.ok()) << sig.status();
    if (!DiscardsSignal(*sig, SIGUSR1)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(::kill(ender.pid, SIGUSR1), 0) << std::strerror(errno);
  ASSERT_EQ(::kill(victim.pid, SIGKILL), 0) << std::strerror(errno);
  absl::Time deadline = absl::Now() + absl::Seconds(20);
  while ((listed(ends).state != CtrState::kExited || listed(killed).state != CtrState::kExited) &&
         absl::Now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ContainerRecord e = listed(ends), k = listed(killed);
  EXPECT_EQ(e.state, CtrState::kExited) << "an exit of its own never showed in List";
  EXPECT_EQ(e.exit_code, 7);
  EXPECT_EQ(k.state, CtrState::kExited) << "a SIGKILL never showed in List";
  EXPECT_EQ(k.exit_code, 137);
  EXPECT_EQ(listed(runs).state, CtrState::kRunning);
}

// The stats' and metrics' view of the containers (ListContainerInfos) sees an exit by itself,
// without a List or Get in between: a SIGKILLed container shows as exited, with its end time.
TEST_F(ContainerManagerTest, ContainerInfosSeeAnExitWithoutAListing) {
  std::string id = CreateAndStart(Config("killed", "sleep 60"));
  auto info = [&] {
    for (const ContainerInfo& i : mgr_->ListContainerInfos()) {
      if (i.id == id) return i;
    }
    ADD_FAILURE() << id << " is not in ListContainerInfos";
    return ContainerInfo{};
  };
  ContainerInfo before = info();
  ASSERT_EQ(before.state, "running");
  ASSERT_GT(before.pid, 0);
  ASSERT_EQ(::kill(before.pid, SIGKILL), 0) << std::strerror(errno);
  absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (info().state != "exited" && absl::Now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ContainerInfo after = info();
  EXPECT_EQ(after.state, "exited") << "the exit never showed in ListContainerInfos";
  EXPECT_GE(after.finished_at_ns, before.started_at_ns);
}

// The record dir and run dir on a small tmpfs, filled up: an RPC that must write a record fails
// with ResourceExhausted naming the dir, the records already written read back unchanged, and a
// container that exits while the disk is full still has its exit code (the shim reserved the
// space of its exit record when it started).
TEST_F(ContainerManagerTest, FullDiskFailsTheRpcAndLosesNoRecord) {
  std::string disk = tmp_.path() + "/disk";
  disk_.emplace(disk, "4m");
  ASSERT_TRUE(disk_->mounted());
  ctx_.config.root_dir = disk + "/root";
  ctx_.config.run_dir = disk + "/run";
  mgr_ = std::make_unique<ContainerManager>(ctx_);
  ASSERT_TRUE(mgr_->Recover().ok());
  std::string id = CreateAndStart(Config("waits", "trap 'exit 7' USR1; while :; do sleep 0.05; done"));
  ContainerRecord before = WaitState(id, CtrState::kRunning);
  ASSERT_EQ(before.state, CtrState::kRunning);
  ASSERT_TRUE(FillUp(disk + "/filler")) << "the tmpfs never filled up";

  auto created = mgr_->Create(pods_.pods[0].id, Config("late", "true"));
  EXPECT_EQ(created.status().code(), absl::StatusCode::kResourceExhausted) << created.status();
  // Its first write fails (the spec, under the run dir, on the same full disk) and says where.
  EXPECT_THAT(std::string(created.status().message()), HasSubstr(disk + "/"));
  EXPECT_THAT(std::string(created.status().message()), HasSubstr("No space left on device"));
  EXPECT_EQ(mgr_->List().size(), 1u) << "the failed create left a container behind";
  cri::LinuxContainerResources res;
  res.set_cpu_shares(before.resources.cpu_shares.value_or(1024) + 100);
  absl::Status updated = mgr_->UpdateResources(id, res);
  EXPECT_EQ(updated.code(), absl::StatusCode::kResourceExhausted) << updated;
  EXPECT_EQ(mgr_->Get(id)->resources.cpu_shares, before.resources.cpu_shares);
  auto on_disk = RecordStore(ctx_.config.root_dir).Get("containers", id);
  ASSERT_TRUE(on_disk.ok()) << on_disk.status();
  auto old = ContainerRecordFromJson(*on_disk);
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_EQ(old->state, CtrState::kRunning);
  EXPECT_EQ(old->resources.cpu_shares, before.resources.cpu_shares);

  // The container exits while the disk is still full.
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  for (;;) {  // its trap must be set before the signal is sent
    auto sig = ReadSignalState(before.pid);
    ASSERT_TRUE(sig.ok()) << sig.status();
    if (!DiscardsSignal(*sig, SIGUSR1)) break;
    ASSERT_LT(absl::Now(), deadline) << "the container never trapped SIGUSR1";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(kill(before.pid, SIGUSR1), 0);
  ContainerRecord after = WaitState(id, CtrState::kExited);
  EXPECT_EQ(after.state, CtrState::kExited);
  EXPECT_EQ(after.exit_code, 7);
  // A restarted daemon reads the same from the shim's record.
  mgr_ = std::make_unique<ContainerManager>(ctx_);
  ASSERT_TRUE(mgr_->Recover().ok());
  auto recovered = mgr_->Get(id);
  ASSERT_TRUE(recovered.ok()) << recovered.status();
  EXPECT_EQ(recovered->state, CtrState::kExited);
  EXPECT_EQ(recovered->exit_code, 7);
  ASSERT_EQ(::unlink((disk + "/filler").c_str()), 0);
}

}  // namespace
}  // namespace podagent
