// E2E: the CRI semantics critest and kubelet rely on, through the real podagent on its socket, in
// host-network pods (no CNI needed), checked against the kernel's view from the host
// (/proc/PID/status, /proc/PID/mountinfo, /proc/PID/ns/pid):
//   - ListContainers says what ContainerStatus says at every step of a container's life
//   - ListPodSandbox says what PodSandboxStatus says, a pause's death included
//   - a stop signal that arrives before the entrypoint installed its handler is not lost
//   - Stop of an exited container returns at once; concurrent Stop and Remove are safe
//   - an ExecSync timeout kills the command and its process group, leaving not even a zombie
//   - privileged and "ALL" capabilities are what the daemon holds (no capset EPERM)
//   - read-only mounts: non-recursive leaves a submount writable, recursive does not
//   - BIDIRECTIONAL and HOST_TO_CONTAINER propagation
//   - SupplementalGroupsPolicy Merge/Strict and ContainerStatus.user
#include <dirent.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <csignal>
#include <cstring>
#include <future>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/common/files.h"
#include "runtime/common/ids.h"
#include "tests/fixtures/image/test_registry.h"
#include "tests/lib/cri_client.h"
#include "tests/lib/ns_inode.h"
#include "tests/lib/daemon_fixture.h"
#include "tests/lib/test_daemon.h"
#include "tests/lib/test_registry.h"

namespace podagent {
namespace {

using testing::BusyboxSh;
namespace cri = ::runtime::v1;

constexpr char kGroupsImage[] = "e2e.local/busybox-groups:1";

// One line of /proc/PID/status ("Groups", "CapBnd", ...), failing the test when absent.
std::string StatusField(int pid, const std::string& key) {
  auto text = ReadFile(absl::StrCat("/proc/", pid, "/status"));
  EXPECT_TRUE(text.ok()) << text.status();
  if (!text.ok()) return "";
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    if (absl::ConsumePrefix(&line, key + ":")) return std::string(absl::StripAsciiWhitespace(line));
  }
  ADD_FAILURE() << "no " << key << " in /proc/" << pid << "/status";
  return "";
}

// Host pids of every process (zombies included) in `pid`'s PID namespace. The namespace of `pid`
// itself must read (ReadNsInode fails the test otherwise); a process that ends during the scan, or
// whose ns files this process may not read, is left out.
std::set<int> ProcessesInPidNs(int pid) {
  std::set<int> out;
  const uint64_t ns = testing::ReadNsInode(pid, "pid");
  DIR* d = ::opendir("/proc");
  if (d == nullptr) {
    ADD_FAILURE() << "opendir /proc";
    return out;
  }
  while (dirent* e = ::readdir(d)) {
    int p = 0;
    if (!absl::SimpleAtoi(e->d_name, &p)) continue;
    try {
      if (testing::ReadNsInode(p, "pid") == ns) out.insert(p);
    } catch (const std::runtime_error&) {
      // gone since readdir, or not ours to read
    }
  }
  ::closedir(d);
  return out;
}

// The mount at `target` in `pid`'s mountinfo: its per-mount options ("rw,nosuid,..."), or "".
std::string MountOptions(int pid, const std::string& target) {
  auto text = ReadFile(absl::StrCat("/proc/", pid, "/mountinfo"));
  EXPECT_TRUE(text.ok()) << text.status();
  std::string opts;
  if (!text.ok()) return opts;
  for (absl::string_view line : absl::StrSplit(*text, '\n', absl::SkipEmpty())) {
    std::vector<std::string> f = absl::StrSplit(line, ' ');
    if (f.size() > 5 && f[4] == target) opts = f[5];  // the last one is on top
  }
  return opts;
}

class ConformanceE2E : public testing::DaemonTest {
 protected:
  ConformanceE2E() : DaemonTest("podagent-conf") {}
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(DaemonTest::SetUp());
    ASSERT_NO_FATAL_FAILURE(ImportBusybox());
    logs_ = daemon_->dir().Sub("podlogs");
  }

  void TearDown() override {
    DaemonTest::TearDown();
    for (const auto& m : host_mounts_) ::umount2(m.c_str(), MNT_DETACH);
    daemon_.reset();
  }

  void Import(const std::string& layout, const std::string& name) {
    auto imported = imagetest::Run(absl::StrCat(testing::BinDir(), "/podagent --config ", daemon_->config_path(),
                                                " image import ", layout, " ", name));
    ASSERT_TRUE(imported.ok()) << imported.status();
  }

  using DaemonTest::RunPod;
  std::string RunPod(const std::string& name, bool privileged = false) {
    cri::PodSandboxConfig c = testing::MakePodConfig(name, logs_ + "/" + name);
    c.mutable_linux()->mutable_security_context()->mutable_namespace_options()->set_network(cri::NODE);
    c.mutable_linux()->mutable_security_context()->set_privileged(privileged);
    return RunPod(c);
  }

  cri::ExecSyncResponse Exec(const std::string& id, const std::vector<std::string>& cmd) {
    cri::ExecSyncResponse r;
    grpc::Status st = client_->ExecSync(id, cmd, 20, &r);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return r;
  }

  // A host directory holding a tmpfs at <dir>/tmpfs, unmounted at teardown.
  std::string DirWithTmpfs(const std::string& name) {
    std::string dir = daemon_->dir().Sub(name);
    EXPECT_TRUE(MakeDirs(dir + "/tmpfs").ok());
    EXPECT_EQ(::mount("none", (dir + "/tmpfs").c_str(), "tmpfs", 0, "size=1m"), 0) << strerror(errno);
    host_mounts_.push_back(dir + "/tmpfs");
    return dir;
  }

  std::string logs_;
  std::vector<std::string> host_mounts_;
};

// The entrypoint is PID 1 of its namespace; until it reaches `trap` it has no TERM handler and
// the kernel drops a SIGTERM. Broken build: without the re-send in SignalAndWait this waits out
// the 30 s timeout and ends with SIGKILL (137).
TEST_F(ConformanceE2E, StopSignalBeforeTheHandlerIsNotLost) {
  std::string pod = RunPod("early-stop");
  std::string id = Run(pod, BusyboxSh("late-trap", "sleep 2; trap 'exit 0' TERM; while :; do sleep 0.2; done"));
  ASSERT_FALSE(id.empty());
  // StartContainer returned: the entrypoint runs, not the shim's setup any more.
  char exe[PATH_MAX] = {};
  ASSERT_GT(::readlink(absl::StrCat("/proc/", Pid(id), "/exe").c_str(), exe, sizeof exe - 1), 0);
  EXPECT_FALSE(absl::StrContains(exe, "podagent-shim")) << exe;
  auto t0 = std::chrono::steady_clock::now();
  grpc::Status st = client_->StopContainer(id, 30);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(st.ok()) << st.error_message();
  std::cout << "[stop] returned after " << secs << " s" << std::endl;
  EXPECT_LT(secs, 10.0);
  auto s = Status(id).status();
  EXPECT_EQ(s.state(), cri::CONTAINER_EXITED);
  EXPECT_EQ(s.exit_code(), 0) << "the trap ran: the SIGTERM arrived";
}

TEST_F(ConformanceE2E, StopOfAnExitedContainerReturnsAtOnceAndEverythingIsIdempotent) {
  std::string pod = RunPod("exited");
  std::string id = Run(pod, BusyboxSh("quick", "exit 3"));
  ASSERT_FALSE(id.empty());
  for (int i = 0; i < 100 && Status(id).status().state() != cri::CONTAINER_EXITED; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(Status(id).status().state(), cri::CONTAINER_EXITED);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(client_->StopContainer(id, 60).ok());
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 2.0);
  EXPECT_EQ(Status(id).status().exit_code(), 3);
  EXPECT_TRUE(client_->StopContainer(id, 60).ok());
  EXPECT_TRUE(client_->RemoveContainer(id).ok());
  EXPECT_TRUE(client_->RemoveContainer(id).ok());
  grpc::Status st = client_->StopContainer(id, 60);
  EXPECT_TRUE(st.ok()) << "StopContainer of a removed container: " << st.error_message();
  EXPECT_TRUE(client_->StopPod(pod).ok());
  EXPECT_TRUE(client_->RemovePod(pod).ok());
  st = client_->StopPod(pod);
  EXPECT_TRUE(st.ok()) << "StopPodSandbox of a removed pod: " << st.error_message();
  EXPECT_TRUE(client_->RemovePod(pod).ok());
}

TEST_F(ConformanceE2E, ConcurrentStopAndRemoveOfOneContainerAndOnePod) {
  std::string pod = RunPod("race");
  for (int round = 0; round < 3; ++round) {
    std::string id = Run(pod, BusyboxSh(absl::StrCat("racer", round), "sleep 300"));
    ASSERT_FALSE(id.empty());
    std::vector<std::future<grpc::Status>> calls;
    for (int i = 0; i < 2; ++i) {
      calls.push_back(std::async(std::launch::async, [&] { return client_->StopContainer(id, 2); }));
      calls.push_back(std::async(std::launch::async, [&] { return client_->RemoveContainer(id); }));
    }
    for (auto& c : calls) {
      grpc::Status st = c.get();
      EXPECT_TRUE(st.ok()) << st.error_message();
    }
    cri::ContainerStatusResponse gone;
    EXPECT_EQ(client_->ContainerStatus(id, false, &gone).error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_FALSE(PathExists(daemon_->root_dir() + "/containers/" + id + ".json")) << "record came back";
    EXPECT_FALSE(PathExists(daemon_->run_dir() + "/containers/" + id)) << "state dir came back";
  }
  std::vector<std::future<grpc::Status>> calls;
  for (int i = 0; i < 2; ++i) {
    calls.push_back(std::async(std::launch::async, [&] { return client_->StopPod(pod); }));
    calls.push_back(std::async(std::launch::async, [&] { return client_->RemovePod(pod); }));
  }
  for (auto& c : calls) {
    grpc::Status st = c.get();
    EXPECT_TRUE(st.ok()) << st.error_message();
  }
  cri::PodSandboxStatusResponse gone;
  EXPECT_EQ(client_->PodStatus(pod, false, &gone).error_code(), grpc::StatusCode::NOT_FOUND);
}

// ListContainers replies from bytes it keeps per container between calls
// (agent/container/list_containers.cc): at each step of the lifecycle the listing must say what
// ContainerStatus says, a state filter must select by the new state, and an exit that only the
// shim saw (no RPC about the container in between) must show in the next listing. Broken build:
// bytes kept without the state they were made at list the started container as CREATED.
TEST_F(ConformanceE2E, ListContainersFollowsEveryStateChange) {
  std::string pod = RunPod("listed");
  cri::ContainerConfig config = BusyboxSh("listed", "while [ ! -e /tmp/go ]; do sleep 0.1; done; exit 4");
  (*config.mutable_labels())["tier"] = "listed";
  (*config.mutable_annotations())["note"] = "kept";
  std::string id;
  grpc::Status st = Create(pod, config, &id);
  ASSERT_TRUE(st.ok()) << st.error_message();
  auto list = [&](std::optional<cri::ContainerState> state) {
    cri::ListContainersRequest req;
    if (state) req.mutable_filter()->mutable_state()->set_state(*state);
    cri::ListContainersResponse resp;
    grpc::Status st = client_->Call(&cri::RuntimeService::Stub::ListContainers, req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp;
  };
  auto agrees_with_status = [&](cri::ContainerState want) {
    cri::ListContainersResponse all = list(std::nullopt);
    ASSERT_EQ(all.containers_size(), 1);
    const cri::Container& c = all.containers(0);
    cri::ContainerStatus s = Status(id).status();
    EXPECT_EQ(c.id(), id);
    EXPECT_EQ(c.pod_sandbox_id(), pod);
    EXPECT_EQ(c.state(), want);
    EXPECT_EQ(s.state(), want);
    EXPECT_EQ(c.metadata().name(), s.metadata().name());
    EXPECT_EQ(c.metadata().attempt(), s.metadata().attempt());
    EXPECT_EQ(c.image().image(), s.image().image());
    EXPECT_EQ(c.image_ref(), s.image_ref());
    EXPECT_EQ(c.created_at(), s.created_at());
    EXPECT_GT(c.created_at(), 0);
    EXPECT_EQ(c.labels().at("tier"), "listed");
    EXPECT_EQ(c.annotations().at("note"), "kept");
    for (cri::ContainerState other : {cri::CONTAINER_CREATED, cri::CONTAINER_RUNNING, cri::CONTAINER_EXITED}) {
      EXPECT_EQ(list(other).containers_size(), other == want ? 1 : 0) << "filter by state " << other;
    }
  };
  agrees_with_status(cri::CONTAINER_CREATED);
  ASSERT_TRUE(client_->StartContainer(id).ok());
  agrees_with_status(cri::CONTAINER_RUNNING);
  ASSERT_EQ(Exec(id, {"touch", "/tmp/go"}).exit_code(), 0);
  cri::ContainerState seen = cri::CONTAINER_RUNNING;
  for (int i = 0; i < 300 && seen == cri::CONTAINER_RUNNING; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    cri::ListContainersResponse all = list(std::nullopt);
    ASSERT_EQ(all.containers_size(), 1);
    seen = all.containers(0).state();
  }
  EXPECT_EQ(seen, cri::CONTAINER_EXITED) << "the listing never showed the exit";
  agrees_with_status(cri::CONTAINER_EXITED);
  EXPECT_EQ(Status(id).status().exit_code(), 4);
  ASSERT_TRUE(client_->RemoveContainer(id).ok());
  EXPECT_EQ(list(std::nullopt).containers_size(), 0);
}

// ListPodSandbox replies from bytes it keeps per pod (agent/sandbox/list_pod_sandbox.cc) and
// asks the pauses' liveness in one poll: the listing must say what PodSandboxStatus says after
// the run, after the pause died with no RPC about the pod in between, after the stop and after
// the removal, and a state filter must select by the state now. Broken build: bytes kept
// without the readiness they were made at list the pod as READY after its pause died.
TEST_F(ConformanceE2E, ListPodSandboxFollowsEveryStateChange) {
  cri::PodSandboxConfig config = testing::MakePodConfig("listedpod", logs_ + "/listedpod");
  config.mutable_linux()->mutable_security_context()->mutable_namespace_options()->set_network(cri::NODE);
  (*config.mutable_labels())["tier"] = "listed";
  (*config.mutable_annotations())["note"] = "kept";
  std::string pod = RunPod(config);
  ASSERT_FALSE(pod.empty());
  auto list = [&](std::optional<cri::PodSandboxState> state) {
    cri::ListPodSandboxRequest req;
    if (state) req.mutable_filter()->mutable_state()->set_state(*state);
    cri::ListPodSandboxResponse resp;
    grpc::Status st = client_->Call(&cri::RuntimeService::Stub::ListPodSandbox, req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp;
  };
  auto agrees_with_status = [&](cri::PodSandboxState want) {
    cri::ListPodSandboxResponse all = list(std::nullopt);
    ASSERT_EQ(all.items_size(), 1);
    const cri::PodSandbox& p = all.items(0);
    cri::PodSandboxStatusResponse s;
    ASSERT_TRUE(client_->PodStatus(pod, false, &s).ok());
    EXPECT_EQ(p.id(), pod);
    EXPECT_EQ(p.state(), want);
    EXPECT_EQ(s.status().state(), want);
    EXPECT_EQ(p.metadata().name(), "listedpod");
    EXPECT_EQ(p.metadata().name(), s.status().metadata().name());
    EXPECT_EQ(p.metadata().uid(), s.status().metadata().uid());
    EXPECT_EQ(p.created_at(), s.status().created_at());
    EXPECT_GT(p.created_at(), 0);
    EXPECT_EQ(p.labels().at("tier"), "listed");
    EXPECT_EQ(p.annotations().at("note"), "kept");
    for (cri::PodSandboxState other : {cri::SANDBOX_READY, cri::SANDBOX_NOTREADY}) {
      EXPECT_EQ(list(other).items_size(), other == want ? 1 : 0) << "filter by state " << other;
    }
  };
  agrees_with_status(cri::SANDBOX_READY);
  cri::PodSandboxStatusResponse verbose;
  ASSERT_TRUE(client_->PodStatus(pod, true, &verbose).ok());
  int pause = nlohmann::json::parse(verbose.info().at("info"))["pid"];
  ASSERT_GT(pause, 0);
  ASSERT_EQ(::kill(pause, SIGKILL), 0);
  cri::PodSandboxState seen = cri::SANDBOX_READY;
  for (int i = 0; i < 300 && seen == cri::SANDBOX_READY; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    cri::ListPodSandboxResponse all = list(std::nullopt);
    ASSERT_EQ(all.items_size(), 1);
    seen = all.items(0).state();
  }
  EXPECT_EQ(seen, cri::SANDBOX_NOTREADY) << "the listing never showed the pause's death";
  agrees_with_status(cri::SANDBOX_NOTREADY);
  ASSERT_TRUE(client_->StopPod(pod).ok());
  agrees_with_status(cri::SANDBOX_NOTREADY);
  ASSERT_TRUE(client_->RemovePod(pod).ok());
  EXPECT_EQ(list(std::nullopt).items_size(), 0);
}

// critest "execSync with timeout": afterwards `pgrep sleep` must find nothing, not even the
// zombie a killed exec leaves under a PID 1 that does not reap (here `sleep`, there `top`).
// Broken build: the daemon SIGKILLs the helper, the command dies of PDEATHSIG unreaped.
TEST_F(ConformanceE2E, ExecSyncTimeoutKillsTheCommandAndItsChildren) {
  std::string pod = RunPod("exec-timeout");
  std::string id = Run(pod, testing::MakeContainerConfig("init", testing::kBusyboxImage, {"sleep", "300"}));
  ASSERT_FALSE(id.empty());
  int pid = Pid(id);
  ASSERT_GT(pid, 0);
  ASSERT_EQ(ProcessesInPidNs(pid), std::set<int>{pid});
  cri::ExecSyncResponse r;
  grpc::Status st = client_->ExecSync(id, {"sleep", "4321"}, 1, &r);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << st.error_message();
  EXPECT_EQ(ProcessesInPidNs(pid), std::set<int>{pid}) << "the timed-out exec is still there (maybe a zombie)";

  st = client_->ExecSync(id, {"sh", "-c", "sleep 4322 & sleep 4323 & wait"}, 1, &r);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << st.error_message();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  for (int p : ProcessesInPidNs(pid)) {
    if (p == pid) continue;
    EXPECT_EQ(StatusField(p, "State").substr(0, 1), "Z") << "a child of the timed-out exec still runs: pid " << p;
  }
}

// Broken build: "ALL" and privileged included CAP_SYS_RESOURCE, which this VM's root lacks, and
// the container failed at capset.
TEST_F(ConformanceE2E, PrivilegedAndAllCapabilitiesAreWhatTheDaemonHolds) {
  std::string daemon_bnd = StatusField(daemon_->pid(), "CapBnd");
  std::string pod = RunPod("caps", /*privileged=*/true);
  auto priv = BusyboxSh("priv", "sleep 300");
  priv.mutable_linux()->mutable_security_context()->set_privileged(true);
  std::string p = Run(pod, priv);
  ASSERT_FALSE(p.empty());
  EXPECT_EQ(StatusField(Pid(p), "CapBnd"), daemon_bnd);
  EXPECT_EQ(StatusField(Pid(p), "CapEff"), daemon_bnd);
  auto all = BusyboxSh("all", "sleep 300");
  all.mutable_linux()->mutable_security_context()->mutable_capabilities()->add_add_capabilities("ALL");
  std::string a = Run(pod, all);
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(StatusField(Pid(a), "CapBnd"), daemon_bnd);
}

TEST_F(ConformanceE2E, RunAsGroupWithoutAUserIsRejected) {
  std::string pod = RunPod("runasgroup");
  auto c = BusyboxSh("group-only", "id");
  c.mutable_linux()->mutable_security_context()->mutable_run_as_group()->set_value(1002);
  std::string id;
  EXPECT_EQ(Create(pod, c, &id).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

// Broken build: every read-only bind was made read-only recursively, so the tmpfs under it was
// read-only too ("Read-only file system" in critest's non-recursive spec).
TEST_F(ConformanceE2E, ReadOnlyMountsRecursiveOrNot) {
  cri::StatusResponse status;
  ASSERT_TRUE(client_->Status(false, &status).ok());
  ASSERT_EQ(status.runtime_handlers_size(), 1);
  EXPECT_EQ(status.runtime_handlers(0).name(), "");
  EXPECT_TRUE(status.runtime_handlers(0).features().recursive_read_only_mounts());
  EXPECT_TRUE(status.features().supplemental_groups_policy());

  std::string pod = RunPod("ro");
  std::string dir = DirWithTmpfs("rovol");
  auto plain = BusyboxSh("plain", "sleep 300");
  auto* m = plain.add_mounts();
  m->set_host_path(dir);
  m->set_container_path("/mnt");
  m->set_readonly(true);
  std::string p = Run(pod, plain);
  ASSERT_FALSE(p.empty());
  EXPECT_TRUE(absl::StartsWith(MountOptions(Pid(p), "/mnt"), "ro")) << MountOptions(Pid(p), "/mnt");
  EXPECT_TRUE(absl::StartsWith(MountOptions(Pid(p), "/mnt/tmpfs"), "rw")) << MountOptions(Pid(p), "/mnt/tmpfs");
  EXPECT_EQ(Exec(p, {"touch", "/mnt/tmpfs/file"}).exit_code(), 0);
  EXPECT_NE(Exec(p, {"touch", "/mnt/file"}).exit_code(), 0);

  auto rro = BusyboxSh("rro", "sleep 300");
  *rro.add_mounts() = *m;
  rro.mutable_mounts(0)->set_recursive_read_only(true);
  std::string r = Run(pod, rro);
  ASSERT_FALSE(r.empty());
  EXPECT_TRUE(absl::StartsWith(MountOptions(Pid(r), "/mnt/tmpfs"), "ro")) << MountOptions(Pid(r), "/mnt/tmpfs");
  auto touch = Exec(r, {"touch", "/mnt/tmpfs/other"});
  EXPECT_NE(touch.exit_code(), 0);
  EXPECT_TRUE(absl::StrContains(touch.stderr(), "Read-only file system")) << touch.stderr();
  EXPECT_TRUE(Status(r).status().mounts(0).recursive_read_only());

  for (auto prop : {cri::PROPAGATION_HOST_TO_CONTAINER, cri::PROPAGATION_BIDIRECTIONAL}) {
    auto bad = BusyboxSh(absl::StrCat("bad", prop), "sleep 300");
    *bad.add_mounts() = *rro.mutable_mounts(0);
    bad.mutable_mounts(0)->set_propagation(prop);
    std::string id;
    EXPECT_EQ(Create(pod, bad, &id).error_code(), grpc::StatusCode::INVALID_ARGUMENT) << prop;
  }
  auto rw = BusyboxSh("rw-rro", "sleep 300");
  *rw.add_mounts() = *rro.mutable_mounts(0);
  rw.mutable_mounts(0)->set_readonly(false);
  std::string id;
  EXPECT_EQ(Create(pod, rw, &id).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

// Broken build: a BIDIRECTIONAL volume made the rootfs shared and pivot_root failed (EINVAL); and
// an rslave copy made shared again would not have reached the host.
TEST_F(ConformanceE2E, MountPropagationBothWaysAndHostToContainer) {
  std::string pod = RunPod("propagation", /*privileged=*/true);
  for (auto prop : {cri::PROPAGATION_BIDIRECTIONAL, cri::PROPAGATION_HOST_TO_CONTAINER}) {
    std::string dir = daemon_->dir().Sub(absl::StrCat("prop", prop));
    ASSERT_TRUE(MakeDirs(dir + "/from-host").ok());
    ASSERT_TRUE(MakeDirs(dir + "/from-ctr").ok());
    ASSERT_EQ(::mount(dir.c_str(), dir.c_str(), nullptr, MS_BIND | MS_REC, nullptr), 0) << strerror(errno);
    host_mounts_.push_back(dir);
    ASSERT_EQ(::mount(nullptr, dir.c_str(), nullptr, MS_SHARED | MS_REC, nullptr), 0) << strerror(errno);
    auto c = BusyboxSh(absl::StrCat("prop", prop), "sleep 300");
    c.mutable_linux()->mutable_security_context()->set_privileged(true);
    auto* m = c.add_mounts();
    m->set_host_path(dir);
    m->set_container_path("/vol");
    m->set_propagation(prop);
    std::string id = Run(pod, c);
    ASSERT_FALSE(id.empty()) << prop;
    EXPECT_EQ(Status(id).status().mounts(0).propagation(), prop);
    int pid = Pid(id);
    ASSERT_EQ(::mount("none", (dir + "/from-host").c_str(), "tmpfs", 0, "size=1m"), 0) << strerror(errno);
    host_mounts_.insert(host_mounts_.begin(), dir + "/from-host");
    EXPECT_FALSE(MountOptions(pid, "/vol/from-host").empty()) << prop << ": the host's mount did not reach the container";
    EXPECT_EQ(Exec(id, {"mount", "-t", "tmpfs", "none", "/vol/from-ctr"}).exit_code(), 0) << prop;
    bool on_host = !MountOptions(::getpid(), dir + "/from-ctr").empty();
    if (on_host) host_mounts_.insert(host_mounts_.begin(), dir + "/from-ctr");
    EXPECT_EQ(on_host, prop == cri::PROPAGATION_BIDIRECTIONAL) << prop;
    EXPECT_TRUE(MountOptions(::getpid(), daemon_->run_dir() + "/containers/" + id + "/rootfs").empty())
        << "the container's rootfs leaked onto the host";
  }
}

// critest's SupplementalGroupsPolicy specs with their image-predefined-group shape: the user is
// in a group only the image's /etc/group names. Checked against the kernel (/proc/PID/status).
TEST_F(ConformanceE2E, SupplementalGroupsPolicyMergeAndStrict) {
  // The root filesystem the shared busybox image was made from (hack/make-test-images.sh puts it
  // beside the layout).
  auto busybox = testing::SharedBusyboxLayout();
  ASSERT_TRUE(busybox.ok()) << busybox.status();
  std::string rootfs = busybox->substr(0, busybox->rfind('/')) + "/rootfs/busybox";
  auto group = ReadFile(rootfs + "/etc/group");
  ASSERT_TRUE(group.ok()) << group.status();
  std::string copy = daemon_->dir().Sub("groups-rootfs");
  ASSERT_TRUE(MakeDirs(copy).ok());
  ASSERT_TRUE(imagetest::Run(absl::StrCat("cp -a ", rootfs, "/. ", copy, "/")).ok());
  ASSERT_TRUE(WriteFileAtomic(copy + "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
                                                      "default-user:x:1000:1000::/home:/bin/sh\n").ok());
  ASSERT_TRUE(WriteFileAtomic(copy + "/etc/group", *group + "default-user:x:1000:\n"
                                                     "group-defined-in-image:x:50000:default-user\n").ok());
  std::string layout = daemon_->dir().Sub("groups-layout");
  ASSERT_TRUE(imagetest::Run(absl::StrCat(testing::SourceDir(), "/hack/oci-image-from-rootfs.sh ", copy, " ", layout,
                                          " busybox-groups:1 --root-owner")).ok());
  Import(layout, kGroupsImage);
  std::string pod = RunPod("groups");
  struct Case {
    cri::SupplementalGroupsPolicy policy;
    std::string kernel_groups;
    std::vector<int64_t> reported;
  };
  for (const Case& k : {Case{cri::Merge, "1000 1234 50000", {1000, 50000, 1234}},
                        Case{cri::Strict, "1000 1234", {1000, 1234}}}) {
    auto c = testing::MakeContainerConfig(absl::StrCat("groups", k.policy), kGroupsImage, {"sleep", "300"});
    auto* sc = c.mutable_linux()->mutable_security_context();
    sc->mutable_run_as_user()->set_value(1000);
    sc->add_supplemental_groups(1234);
    sc->set_supplemental_groups_policy(k.policy);
    std::string id = Run(pod, c);
    ASSERT_FALSE(id.empty());
    int pid = Pid(id);
    EXPECT_EQ(StatusField(pid, "Groups"), k.kernel_groups) << k.policy;
    EXPECT_TRUE(absl::StartsWith(StatusField(pid, "Uid"), "1000\t")) << StatusField(pid, "Uid");
    EXPECT_TRUE(absl::StartsWith(StatusField(pid, "Gid"), "1000\t")) << StatusField(pid, "Gid");
    const auto& user = Status(id).status().user().linux();
    EXPECT_EQ(user.uid(), 1000);
    EXPECT_EQ(user.gid(), 1000);
    EXPECT_EQ(std::vector<int64_t>(user.supplemental_groups().begin(), user.supplemental_groups().end()), k.reported)
        << k.policy;
    EXPECT_EQ(absl::StripAsciiWhitespace(Exec(id, {"id", "-G"}).stdout()), k.kernel_groups) << k.policy;
  }
}

}  // namespace
}  // namespace podagent
