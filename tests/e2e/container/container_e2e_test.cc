// E2E: containers through the real podagent on its socket, in real pods (pause, CNI bridge), from
// the busybox test image imported with `podagent image import`: namespaces against the pause, an
// OOM kill, cpu shares under contention, pod-to-pod TCP, and kill -9 of the daemon while
// containers run and one exits. Under either cgroup driver (PODAGENT_TEST_CGROUP_DRIVER,
// tests/lib/cgroup_driver_e2e.h).
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/common/files.h"
#include "runtime/common/ids.h"
#include "runtime/ns/pinned_namespace.h"
#include "tests/e2e/container/container_e2e_fixture.h"
#include "tests/lib/cri_client.h"
#include "tests/lib/ns_inode.h"
#include "tests/lib/test_daemon.h"

namespace podagent {
namespace {

using testing::ContainerE2E;
using testing::CriClient;
using testing::ProcessAlive;
using testing::TestDaemon;
namespace cri = ::runtime::v1;

// The kernel's truth (/proc/PID/ns/*) for DESIGN.md's pod model: the container joins the pause's
// IPC and NET, has its own PID, MNT and UTS; none of them is the host's (PID 1's).
TEST_F(ContainerE2E, NamespacesAgainstThePauseAndTheHost) {
  using testing::HostNsInode;
  using testing::ReadNsInode;
  std::string pod = RunPod("nspod");
  int pause = PausePid(pod);
  std::string id = Run(pod, Sh("app", "sleep 300"));
  int pid = Info(id)["pid"];
  ASSERT_GT(pid, 0);
  ASSERT_GT(pause, 0);
  for (const char* ns : {"ipc", "net"}) {
    EXPECT_EQ(ReadNsInode(pid, ns), ReadNsInode(pause, ns)) << ns << ": joined from the pause";
  }
  for (const char* ns : {"pid", "mnt", "uts"}) {
    EXPECT_NE(ReadNsInode(pid, ns), ReadNsInode(pause, ns)) << ns << ": the container's own";
  }
  for (const char* ns : {"ipc", "net", "pid", "mnt", "uts"}) {
    EXPECT_NE(ReadNsInode(pid, ns), HostNsInode(ns)) << ns << ": container vs host";
    EXPECT_NE(ReadNsInode(pause, ns), HostNsInode(ns)) << ns << ": pause vs host";
  }
  cri::ExecSyncResponse ps;
  ASSERT_TRUE(client_->ExecSync(id, {"sh", "-c", "ps -o pid,args | grep '^ *1 '; hostname"}, 10, &ps).ok());
  EXPECT_TRUE(absl::StrContains(ps.stdout(), "1 sleep 300")) << ps.stdout();  // sh -c exec'd its last command
  EXPECT_TRUE(absl::StrContains(ps.stdout(), "nspod")) << ps.stdout();

  std::string shared_pod = RunPod("sharedpid", cri::POD);
  auto c = Sh("app", "sleep 300");
  c.mutable_linux()->mutable_security_context()->mutable_namespace_options()->set_pid(cri::POD);
  std::string id2 = Run(shared_pod, c);
  int pid2 = Info(id2)["pid"];
  EXPECT_EQ(ReadNsInode(pid2, "pid"), ReadNsInode(PausePid(shared_pod), "pid"));
  EXPECT_NE(ReadNsInode(pid2, "pid"), HostNsInode("pid"));
}

TEST_F(ContainerE2E, MemoryLimitOomKilled) {
  std::string pod = RunPod("oompod");
  auto c = Sh("hog", "x=$(head -c 104857600 /dev/zero | tr '\\0' a); echo survived");
  c.mutable_linux()->mutable_resources()->set_memory_limit_in_bytes(10 << 20);
  c.mutable_linux()->mutable_resources()->set_memory_swap_limit_in_bytes(10 << 20);
  std::string id = Run(pod, c);
  auto st = WaitExited(id);
  EXPECT_EQ(st.state(), cri::CONTAINER_EXITED);
  EXPECT_EQ(st.exit_code(), 137);
  // Under the systemd driver too, although systemd removes the emptied scope's cgroup at once
  // (runtime/shim/oom_count.h).
  EXPECT_EQ(st.reason(), "OOMKilled");
}

TEST_F(ContainerE2E, CpuSharesProportionOnOneCpu) {
  std::string pod = RunPod("cpupod");
  auto make = [&](const std::string& name, int64_t shares) {
    auto c = Sh(name, "while :; do :; done");
    c.mutable_linux()->mutable_resources()->set_cpu_shares(shares);
    c.mutable_linux()->mutable_resources()->set_cpuset_cpus("0");
    c.mutable_linux()->mutable_resources()->set_cpuset_mems("0");
    return Run(pod, c);
  };
  std::string low = make("low", 2), high = make("high", 1024);
  auto cgroups = CgroupDriver::Detect();
  ASSERT_TRUE(cgroups.ok());
  auto usage = [&](const std::string& id) -> double {
    std::string path = Info(id)["cgroupPath"];
    std::string dir = (*cgroups)->Dir(path, "cpuacct");
    auto text = ReadFile((*cgroups)->IsV2() ? dir + "/cpu.stat" : dir + "/cpuacct.usage");
    if (!text.ok()) return -1;
    double v = 0;
    if ((*cgroups)->IsV2()) {
      auto pos = text->find("usage_usec ");
      absl::SimpleAtod(text->substr(pos + 11, text->find('\n', pos) - pos - 11), &v);
    } else {
      absl::SimpleAtod(absl::StripAsciiWhitespace(*text), &v);
    }
    return v;
  };
  double low0 = usage(low), high0 = usage(high);
  ASSERT_GE(low0, 0) << "cannot read the cpu usage of " << low;
  ASSERT_GE(high0, 0) << "cannot read the cpu usage of " << high;
  std::this_thread::sleep_for(std::chrono::seconds(4));
  double dl = usage(low) - low0, dh = usage(high) - high0;
  std::cout << "[cpu shares] cpu time over 4 s: high " << dh << ", low " << dl << ", ratio "
            << dh / std::max(dl, 1.0) << std::endl;
  EXPECT_GT(dh, 0);
  EXPECT_GT(dh / std::max(dl, 1.0), 20.0) << "1024 vs 2 shares on one cpu should be about 512:1";
  for (const auto& id : {low, high}) {
    EXPECT_TRUE(client_->StopContainer(id, 0).ok());
  }
}

TEST_F(ContainerE2E, TwoPodsTalkTcpOverTheBridge) {
  std::string a = RunPod("server");
  std::string b = RunPod("client");
  cri::PodSandboxStatusResponse sa;
  ASSERT_TRUE(client_->PodStatus(a, false, &sa).ok());
  std::string ip = sa.status().network().ip();
  ASSERT_TRUE(absl::StartsWith(ip, absl::StrCat("10.88.", octet_, "."))) << ip;
  // The server's stdin stays open (the shim holds it) so it never half-closes first: a server
  // reading /dev/null sends its FIN at once, and a client that sees it before its own stdin has
  // data exits 0 having sent nothing.
  auto srv = Sh("srv", "nc -l -p 8080");
  srv.set_stdin(true);
  std::string server = Run(a, srv);
  // Until the server listens, a connect is refused and nc exits 1 having sent nothing: try again.
  std::string cl = Run(b, Sh("cli", absl::StrCat("for i in $(seq 1 100); do echo hello-over-tcp | nc -w 3 ", ip,
                                                 " 8080 && exit 0; sleep 0.1; done; exit 1")));
  auto cs = WaitExited(cl);
  EXPECT_EQ(cs.exit_code(), 0);
  auto ss = WaitExited(server, absl::Seconds(10));
  auto log = ReadFile(Status(server).status().log_path());
  ASSERT_TRUE(log.ok());
  auto client_log = ReadFile(cs.log_path());
  EXPECT_TRUE(absl::StrContains(*log, " stdout F hello-over-tcp\n"))
      << "server (state " << ss.state() << ", exit " << ss.exit_code() << ") logged:\n" << *log
      << "client logged:\n" << client_log.value_or("(unreadable)");
}

TEST_F(ContainerE2E, Kill9RestartKeepsStatesExitCodesAndLogs) {
  std::string pod = RunPod("crashpod");
  std::string runs = Run(pod, Sh("runs", "for i in $(seq 1 50); do echo r$i; done; sleep 300"));
  // "ends" waits for a gate file that the test creates only once the daemon is dead, so it exits
  // during the downtime however slow the machine is.
  std::string gate = daemon_->dir().Sub("gate");
  ASSERT_TRUE(MakeDirs(gate).ok());
  auto ends_config = Sh("ends", "while [ ! -e /gate/go ]; do sleep 0.1; done; for i in $(seq 1 200); do echo e$i; done; exit 5");
  auto* m = ends_config.add_mounts();
  m->set_host_path(gate);
  m->set_container_path("/gate");
  std::string ends = Run(pod, ends_config);
  std::string done = Run(pod, Sh("done", "exit 3"));
  WaitExited(done);
  int ends_pid = Info(ends)["pid"];
  ASSERT_EQ(Status(ends).status().state(), cri::CONTAINER_RUNNING);
  ASSERT_TRUE(ProcessAlive(ends_pid)) << "\"ends\" must still run when the daemon dies";
  daemon_->Kill9();
  ASSERT_TRUE(WriteFileAtomic(gate + "/go", "").ok());
  absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (ProcessAlive(ends_pid) && absl::Now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_FALSE(ProcessAlive(ends_pid)) << "\"ends\" did not exit while the daemon was down";
  ASSERT_TRUE(daemon_->Start().ok()) << daemon_->Log();
  Reconnect();
  cri::ListContainersRequest req;
  cri::ListContainersResponse list;
  ASSERT_TRUE(client_->Call(&cri::RuntimeService::Stub::ListContainers, req, &list).ok());
  EXPECT_EQ(list.containers_size(), 3);
  auto r = Status(runs).status();
  EXPECT_EQ(r.state(), cri::CONTAINER_RUNNING);
  auto e = Status(ends).status();
  EXPECT_EQ(e.state(), cri::CONTAINER_EXITED);
  EXPECT_EQ(e.exit_code(), 5);
  EXPECT_EQ(e.reason(), "Error");
  EXPECT_EQ(Status(done).status().exit_code(), 3);
  auto elog = ReadFile(e.log_path());
  ASSERT_TRUE(elog.ok());
  for (int i = 1; i <= 200; ++i) {
    EXPECT_TRUE(absl::StrContains(*elog, absl::StrCat(" stdout F e", i, "\n"))) << i;
  }
  auto rlog = ReadFile(r.log_path());
  ASSERT_TRUE(rlog.ok());
  EXPECT_TRUE(absl::StrContains(*rlog, " stdout F r50\n"));
}

}  // namespace
}  // namespace podagent
