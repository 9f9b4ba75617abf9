// E2E: kubelet semantics the CRI conformance specs do not reach, through the real podagent on its
// socket, each checked against the kernel: NamespaceMode for pid (POD, CONTAINER, NODE, TARGET)
// against /proc/PID/ns and NSpid; the container's /sys/fs/cgroup view (and cgroup ns on v2);
// pod-level resources and overhead in the pod cgroup's files; cAdvisor's image label on the
// metrics endpoint; and a node reboot (every process gone, run dir empty) that kubelet cleans up
// through the CRI, leaving no pin, cgroup, IP or CNI cache behind.
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/common/files.h"
#include "runtime/common/ids.h"
#include "runtime/ns/pinned_namespace.h"
#include "runtime/process/child_process.h"
#include "runtime/process/proc_stat.h"
#include "tests/e2e/metrics/prometheus_server.h"
#include "tests/fixtures/image/test_registry.h"
#include "tests/lib/cni_e2e.h"
#include "tests/lib/cri_client.h"
#include "tests/lib/ns_inode.h"
#include "tests/lib/test_daemon.h"

namespace podagent {
namespace {

using testing::BusyboxSh;
using testing::CriClient;
using testing::HostNsInode;
using testing::ReadNsInode;
namespace cri = ::runtime::v1;

constexpr char kNetwork[] = "podagent-kl";

// NSpid of /proc/PID/status: the pid in each nested pid namespace, outermost first.
std::vector<int> NsPids(int pid) {
  auto text = ReadFile(absl::StrCat("/proc/", pid, "/status"));
  if (!text.ok()) {
    ADD_FAILURE() << text.status();
    return {};
  }
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    if (!absl::ConsumePrefix(&line, "NSpid:")) continue;
    std::vector<int> out;
    for (absl::string_view f : absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty())) {
      int v = 0;
      if (absl::SimpleAtoi(f, &v)) out.push_back(v);
    }
    return out;
  }
  ADD_FAILURE() << "no NSpid line for pid " << pid;
  return {};
}

std::string ReadTrimmed(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) {
    ADD_FAILURE() << text.status();
    return "<unreadable " + path + ">";
  }
  return std::string(absl::StripAsciiWhitespace(*text));
}

// Mount points at or under `dir`, from /proc/self/mountinfo (field 5).
std::vector<std::string> MountsUnder(const std::string& dir) {
  std::vector<std::string> out;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f = absl::StrSplit(line, ' ');
    if (f.size() > 4 && (f[4] == dir || absl::StartsWith(f[4], dir + "/"))) out.push_back(f[4]);
  }
  return out;
}

// Each test starts the daemon itself (StartDaemon), with the config lines it is about.
class KubeletE2E : public testing::CniDaemonTest {
 protected:
  KubeletE2E() : CniDaemonTest(kNetwork, 150) {}
  void SetUp() override {
    auto cgroups = CgroupDriver::Detect();
    ASSERT_TRUE(cgroups.ok()) << cgroups.status();
    cgroups_ = std::move(*cgroups);
  }

  // A daemon with the CNI bridge, `extra` YAML appended, and the busybox image imported.
  void StartDaemon(const std::string& extra = "") {
    extra_yaml_ = extra;
    ASSERT_NO_FATAL_FAILURE(CniDaemonTest::SetUp());
    ASSERT_NO_FATAL_FAILURE(ImportBusybox());
    logs_ = daemon_->dir().Sub("podlogs");
  }

  cri::PodSandboxConfig PodConfig(const std::string& name) {
    cri::PodSandboxConfig c = testing::MakePodConfig(name, logs_ + "/" + name);
    c.set_hostname(name);
    c.mutable_linux()->mutable_security_context()->mutable_namespace_options()->set_pid(cri::CONTAINER);
    return c;
  }

  using CniDaemonTest::RunPod;
  std::string RunPod(const std::string& name) { return RunPod(PodConfig(name)); }

  static cri::ContainerConfig ShWithPid(const std::string& name, cri::NamespaceMode mode, const std::string& target = "") {
    cri::ContainerConfig c = BusyboxSh(name, "sleep 300");
    auto* ns = c.mutable_linux()->mutable_security_context()->mutable_namespace_options();
    ns->set_pid(mode);
    ns->set_target_id(target);
    return c;
  }

  nlohmann::json PodInfoJson(const std::string& pod) {
    cri::PodSandboxStatusResponse r;
    grpc::Status st = client_->PodStatus(pod, true, &r);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return st.ok() ? nlohmann::json::parse(r.info().at("info")) : nlohmann::json::object();
  }

  // ExecSync's stdout; fails the test unless it exits 0.
  std::string Exec(const std::string& id, const std::string& script) {
    cri::ExecSyncResponse r;
    grpc::Status st = client_->ExecSync(id, {"sh", "-c", script}, 20, &r);
    EXPECT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(r.exit_code(), 0) << script << ": " << r.stdout() << r.stderr();
    return std::string(absl::StripAsciiWhitespace(r.stdout()));
  }

  std::string CgroupFile(const std::string& path, const std::string& controller, const std::string& v1, const std::string& v2) {
    return ReadTrimmed(cgroups_->Dir(path, controller) + "/" + (cgroups_->IsV2() ? v2 : v1));
  }

  std::string logs_;
  std::unique_ptr<CgroupDriver> cgroups_;
};

// POD joins the pause's pid namespace, where pause is PID 1; CONTAINER makes one of its own; NODE
// keeps the host's; TARGET joins a running container's, with clear errors otherwise. Every
// container has its own UTS namespace carrying the pod's hostname.
TEST_F(KubeletE2E, PidNamespaceModesAsTheCriDefinesThem) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  std::string pod = RunPod("pidmodes");
  int pause = PodInfoJson(pod).value("pid", 0);
  ASSERT_GT(pause, 0);
  EXPECT_EQ(NsPids(pause).back(), 1) << "pause is PID 1 of its pid namespace";

  std::string shared = Run(pod, ShWithPid("shared", cri::POD));
  std::string own = Run(pod, ShWithPid("own", cri::CONTAINER));
  std::string host = Run(pod, ShWithPid("host", cri::NODE));
  std::string target = Run(pod, ShWithPid("target", cri::TARGET, own));
  ASSERT_FALSE(shared.empty() || own.empty() || host.empty() || target.empty());

  EXPECT_EQ(ReadNsInode(Pid(shared), "pid"), ReadNsInode(pause, "pid"));
  EXPECT_NE(NsPids(Pid(shared)).back(), 1);
  EXPECT_EQ(Exec(shared, "cat /proc/1/comm"), "podagent-pause");
  EXPECT_NE(ReadNsInode(Pid(own), "pid"), ReadNsInode(pause, "pid"));
  EXPECT_EQ(NsPids(Pid(own)).back(), 1) << "CONTAINER: the entrypoint is PID 1 of a new namespace";
  EXPECT_EQ(ReadNsInode(Pid(host), "pid"), HostNsInode("pid"));
  EXPECT_EQ(ReadNsInode(Pid(target), "pid"), ReadNsInode(Pid(own), "pid"));
  EXPECT_NE(NsPids(Pid(target)).back(), 1);

  for (const std::string& id : {shared, own, host, target}) {
    EXPECT_NE(ReadNsInode(Pid(id), "uts"), ReadNsInode(pause, "uts")) << id;
    EXPECT_EQ(ReadNsInode(Pid(id), "net"), ReadNsInode(pause, "net")) << id;
    EXPECT_NE(ReadNsInode(Pid(id), "uts"), HostNsInode("uts")) << id;
    EXPECT_NE(ReadNsInode(Pid(id), "mnt"), HostNsInode("mnt")) << id;
    EXPECT_EQ(Exec(id, "hostname"), "pidmodes") << id;
  }

  std::string ignored;
  EXPECT_EQ(Create(pod, ShWithPid("t1", cri::TARGET, ""), &ignored).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Create(pod, ShWithPid("t2", cri::TARGET, std::string(64, 'f')), &ignored).error_code(),
            grpc::StatusCode::NOT_FOUND);
  std::string ended = Run(pod, BusyboxSh("ended", "exit 0"));
  WaitExited(ended);
  grpc::Status stopped = Create(pod, ShWithPid("t3", cri::TARGET, ended), &ignored);
  EXPECT_EQ(stopped.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << stopped.error_message();
  EXPECT_TRUE(absl::StrContains(stopped.error_message(), "not running")) << stopped.error_message();
  std::string other = RunPod("otherpod");
  grpc::Status cross = Create(other, ShWithPid("t4", cri::TARGET, own), &ignored);
  EXPECT_EQ(cross.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << cross.error_message();
  EXPECT_TRUE(absl::StrContains(cross.error_message(), "belongs to pod")) << cross.error_message();
}

// /sys/fs/cgroup inside shows the container's own cgroup, read-only, with the container's limit.
// On v2 the container has a cgroup namespace of its own rooted there ("0::/", as containerd gives);
// on v1 it keeps the host's (as containerd and Docker there), so /proc/self/cgroup has full paths.
TEST_F(KubeletE2E, CgroupViewShowsTheContainersOwnCgroup) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  std::string pod = RunPod("cgview");
  auto c = BusyboxSh("app", "sleep 300");
  c.mutable_linux()->mutable_resources()->set_memory_limit_in_bytes(48 << 20);
  std::string id = Run(pod, c);
  ASSERT_FALSE(id.empty());
  int pid = Pid(id);
  std::string cgroup = Info(id)["cgroupPath"];
  // The kernel's view from the host: the entrypoint lives in the container's cgroup.
  auto host_view = ReadFile(absl::StrCat("/proc/", pid, "/cgroup"));
  ASSERT_TRUE(host_view.ok()) << host_view.status();
  EXPECT_TRUE(absl::StrContains(*host_view, cgroup)) << *host_view;
  EXPECT_EQ(CgroupFile(cgroup, "memory", "memory.limit_in_bytes", "memory.max"), std::to_string(48 << 20));
  std::string limit_file;
  if (cgroups_->IsV2()) {
    EXPECT_NE(ReadNsInode(pid, "cgroup"), HostNsInode("cgroup"));
    EXPECT_EQ(Exec(id, "cat /proc/self/cgroup"), "0::/");
    limit_file = "/sys/fs/cgroup/memory.max";
  } else {
    EXPECT_EQ(ReadNsInode(pid, "cgroup"), HostNsInode("cgroup"));
    std::string freezer = Exec(id, "grep freezer /proc/self/cgroup");
    EXPECT_TRUE(absl::EndsWith(freezer, ":freezer:" + cgroup)) << freezer << " vs " << cgroup;
    limit_file = "/sys/fs/cgroup/memory/memory.limit_in_bytes";
    EXPECT_EQ(Exec(id, "ls /sys/fs/cgroup/freezer/cgroup.procs"), "/sys/fs/cgroup/freezer/cgroup.procs");
  }
  EXPECT_EQ(Exec(id, "cat " + limit_file), std::to_string(48 << 20));
  // Its own cgroup is the root: the processes there are the container's (sleep, and this exec).
  std::string procs = Exec(id, cgroups_->IsV2() ? "wc -l < /sys/fs/cgroup/cgroup.procs" : "wc -l < /sys/fs/cgroup/memory/cgroup.procs");
  int n = 0;
  EXPECT_TRUE(absl::SimpleAtoi(procs, &n)) << procs;
  EXPECT_GE(n, 1);
  EXPECT_LE(n, 4) << "the host's root cgroup would list every process of the node";
  std::string write = Exec(id, absl::StrCat("echo 1 > ", limit_file, " 2>&1; echo rc=$?; touch /sys/fs/cgroup/x 2>&1; echo rc=$?"));
  EXPECT_TRUE(absl::StrContains(write, "Read-only file system")) << write;
  EXPECT_FALSE(absl::StrContains(write, "rc=0")) << write;
  EXPECT_EQ(CgroupFile(cgroup, "memory", "memory.limit_in_bytes", "memory.max"), std::to_string(48 << 20));
}

// `cgroup_v1_namespace: true` gives v1 containers what v2 ones always get: a cgroup namespace of
// their own, rooted at their cgroup, so the seed exercise (`unshare -C`, then
// `grep freezer /proc/self/cgroup` shows "/") holds inside a container. An exec joins it too.
TEST_F(KubeletE2E, CgroupNamespaceOptionRootsEveryContainerAtItsCgroup) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon("cgroup_v1_namespace: true\n"));
  std::string pod = RunPod("cgns");
  std::string id = Run(pod, BusyboxSh("app", "sleep 300"));
  ASSERT_FALSE(id.empty());
  int pid = Pid(id);
  std::string cgroup = Info(id)["cgroupPath"];
  auto host_view = ReadFile(absl::StrCat("/proc/", pid, "/cgroup"));
  ASSERT_TRUE(host_view.ok()) << host_view.status();
  EXPECT_TRUE(absl::StrContains(*host_view, cgroup)) << *host_view;
  EXPECT_NE(ReadNsInode(pid, "cgroup"), HostNsInode("cgroup"));
  std::string execed = Exec(id, "readlink /proc/self/ns/cgroup");
  EXPECT_EQ(execed, absl::StrCat("cgroup:[", ReadNsInode(pid, "cgroup"), "]"));
  if (cgroups_->IsV2()) {
    EXPECT_EQ(Exec(id, "cat /proc/self/cgroup"), "0::/");
  } else {
    EXPECT_EQ(Exec(id, "grep freezer /proc/self/cgroup | cut -d: -f2-"), "freezer:/");
    EXPECT_EQ(Exec(id, "grep memory /proc/self/cgroup | cut -d: -f2-"), "memory:/");
  }
}

// linux.resources (the containers' sum) plus linux.overhead land in the pod cgroup; bad values are
// InvalidArgument and leave nothing behind.
TEST_F(KubeletE2E, PodResourcesAndOverheadLimitThePodCgroup) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  cri::PodSandboxConfig c = PodConfig("sized");
  auto* res = c.mutable_linux()->mutable_resources();
  res->set_memory_limit_in_bytes(64 << 20);
  res->set_cpu_quota(50000);
  res->set_cpu_period(100000);
  res->set_cpu_shares(512);
  auto* over = c.mutable_linux()->mutable_overhead();
  over->set_memory_limit_in_bytes(16 << 20);
  over->set_cpu_quota(10000);
  over->set_cpu_period(100000);
  over->set_cpu_shares(64);
  std::string pod = RunPod(c);
  ASSERT_FALSE(pod.empty());
  std::string cgroup = PodInfoJson(pod)["cgroupPath"];
  ASSERT_FALSE(cgroup.empty());
  EXPECT_EQ(CgroupFile(cgroup, "memory", "memory.limit_in_bytes", "memory.max"), std::to_string(80 << 20));
  if (cgroups_->IsV2()) {
    EXPECT_EQ(CgroupFile(cgroup, "cpu", "", "cpu.max"), "60000 100000");
  } else {
    EXPECT_EQ(CgroupFile(cgroup, "cpu", "cpu.cfs_quota_us", ""), "60000");
    EXPECT_EQ(CgroupFile(cgroup, "cpu", "cpu.shares", ""), "576");
  }
  // A container of the pod is bounded by the pod: its memory cgroup sits under the pod's.
  std::string id = Run(pod, BusyboxSh("app", "sleep 300"));
  EXPECT_TRUE(absl::StartsWith(Info(id)["cgroupPath"].get<std::string>(), cgroup + "/"));

  cri::PodSandboxConfig bad = PodConfig("badsize");
  bad.mutable_linux()->mutable_overhead()->set_memory_limit_in_bytes(-5);
  std::string bad_id;
  grpc::Status st = client_->RunPod(bad, &bad_id);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << st.error_message();
  EXPECT_TRUE(absl::StrContains(st.error_message(), "overhead")) << st.error_message();
  cri::ListPodSandboxResponse list;
  ASSERT_TRUE(client_->ListPods({}, &list).ok());
  EXPECT_EQ(list.items_size(), 1);
}

// cAdvisor's image label is the image the container was created from, not its digest or id.
TEST_F(KubeletE2E, MetricsImageLabelIsTheRequestedImage) {
  std::string addr = absl::StrCat("127.0.0.1:", testing::FreeLoopbackPort());
  ASSERT_NO_FATAL_FAILURE(StartDaemon(absl::StrCat("metrics:\n  listen: \"", addr, "\"\n")));
  std::string pod = RunPod("imagelabel");
  std::string id = Run(pod, BusyboxSh("app", "sleep 300"));
  ASSERT_FALSE(id.empty());
  auto st = Status(id).status();
  EXPECT_EQ(st.image().image(), testing::kBusyboxImage);
  EXPECT_NE(st.image_ref(), testing::kBusyboxImage) << "the test needs a resolved reference that differs from the request";
  auto body = testing::HttpGet(absl::StrCat("http://", addr, "/metrics"));
  ASSERT_TRUE(body.ok()) << body.status();
  std::string series;
  for (absl::string_view line : absl::StrSplit(*body, '\n')) {
    if (absl::StartsWith(line, "container_memory_working_set_bytes{") && absl::StrContains(line, "container=\"app\"") &&
        absl::StrContains(line, "pod=\"imagelabel\"")) {
      series = std::string(line);
    }
  }
  ASSERT_FALSE(series.empty()) << *body;
  EXPECT_TRUE(absl::StrContains(series, absl::StrCat("image=\"", testing::kBusyboxImage, "\""))) << series;
}

// A node reboot: the daemon and every pause, shim and container process gone, the run dir empty.
// After a restart on the same root dir every pod is NOTREADY and every container EXITED with a
// reason; kubelet's stop and remove succeed and leave no pin, cgroup, IP or CNI cache behind.
TEST_F(KubeletE2E, NodeRebootLeavesPodsNotReadyAndCleansUp) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  std::string pod = RunPod("rebooted");
  nlohmann::json pod_info = PodInfoJson(pod);
  int pause = pod_info.value("pid", 0);
  std::string pod_cgroup = pod_info["cgroupPath"];
  cri::PodSandboxStatusResponse ps;
  ASSERT_TRUE(client_->PodStatus(pod, false, &ps).ok());
  std::string ip = ps.status().network().ip();
  ASSERT_FALSE(ip.empty());
  std::string ipam_file = daemon_->dir().Sub("ipam") + "/" + kNetwork + "/" + ip;
  std::string cni_cache = daemon_->root_dir() + "/cni/" + pod + ".json";
  ASSERT_TRUE(PathExists(ipam_file)) << ipam_file;
  ASSERT_TRUE(PathExists(cni_cache)) << cni_cache;

  std::string runs = Run(pod, BusyboxSh("runs", "sleep 300"));
  std::string done = Run(pod, BusyboxSh("done", "exit 0"));
  ASSERT_EQ(WaitExited(done).exit_code(), 0);
  std::string created;
  ASSERT_TRUE(Create(pod, BusyboxSh("created", "sleep 300"), &created).ok());
  nlohmann::json info = Info(runs);
  std::vector<ProcessIdentity> procs;
  for (int pid : {pause, info.value("pid", 0), info.value("shimPid", 0)}) {
    ASSERT_GT(pid, 0);
    auto stat = ReadProcStat(pid);
    ASSERT_TRUE(stat.ok()) << stat.status();
    procs.push_back({pid, stat->start_time});
  }

  daemon_->Kill9();
  for (const ProcessIdentity& p : procs) {
    auto proc = ChildProcess::Adopt(p);
    if (!proc.ok()) continue;
    ASSERT_TRUE(proc->Signal(SIGKILL).ok());
    ASSERT_TRUE(proc->Wait(absl::Seconds(10)).ok()) << "pid " << p.pid << " survived SIGKILL";
  }
  std::string run_dir = daemon_->run_dir();
  std::vector<std::string> mounts = MountsUnder(run_dir);
  std::sort(mounts.begin(), mounts.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  for (const std::string& m : mounts) ASSERT_EQ(::umount2(m.c_str(), MNT_DETACH), 0) << m << ": " << strerror(errno);
  ASSERT_TRUE(RemoveTree(run_dir).ok());

  ASSERT_TRUE(daemon_->Start().ok()) << daemon_->Log();
  Reconnect();
  ASSERT_TRUE(client_->PodStatus(pod, false, &ps).ok());
  EXPECT_EQ(ps.status().state(), cri::SANDBOX_NOTREADY);
  auto r = Status(runs).status();
  EXPECT_EQ(r.state(), cri::CONTAINER_EXITED);
  EXPECT_FALSE(r.reason().empty());
  EXPECT_NE(r.exit_code(), 0);
  EXPECT_FALSE(r.message().empty());
  auto d = Status(done).status();
  EXPECT_EQ(d.state(), cri::CONTAINER_EXITED);
  EXPECT_EQ(d.reason(), "Completed");
  auto c = Status(created).status();
  EXPECT_EQ(c.state(), cri::CONTAINER_EXITED) << "its spec went with the run dir: it can never start";
  EXPECT_FALSE(c.message().empty());

  // kubelet's cleanup after a reboot: stop and remove every container, then the pod.
  for (const std::string& id : {runs, done, created}) {
    grpc::Status st = client_->StopContainer(id, 10);
    EXPECT_TRUE(st.ok()) << id << ": " << st.error_message();
    st = client_->RemoveContainer(id);
    EXPECT_TRUE(st.ok()) << id << ": " << st.error_message();
  }
  grpc::Status st = client_->StopPod(pod);
  EXPECT_TRUE(st.ok()) << st.error_message() << "\n" << daemon_->Log();
  st = client_->RemovePod(pod);
  EXPECT_TRUE(st.ok()) << st.error_message() << "\n" << daemon_->Log();

  EXPECT_FALSE(PathExists(ipam_file)) << "the pod's IP was not released";
  EXPECT_FALSE(PathExists(cni_cache)) << "the CNI cache of the pod remains";
  EXPECT_FALSE(cgroups_->Exists(pod_cgroup)) << pod_cgroup;
  EXPECT_FALSE(PathExists(run_dir + "/netns/" + pod));
  for (const std::string& m : MountsUnder(run_dir)) {
    EXPECT_FALSE(absl::StrContains(m, pod)) << "stale mount " << m;
  }
  cri::ListPodSandboxResponse pods;
  ASSERT_TRUE(client_->ListPods({}, &pods).ok());
  EXPECT_EQ(pods.items_size(), 0);
}

}  // namespace
}  // namespace podagent
