// E2E: containers through the real podagent on its socket, in real pods (pause, CNI bridge), from
// the busybox test image imported with `podagent image import`: namespaces against the pause, an
// OOM kill, cpu shares under contention, pod-to-pod TCP, and kill -9 of the daemon while
// containers run and one exits.
#include <unistd.h>

#include <csignal>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "net_cleanup.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/common/files.h"
#include "runtime/common/ids.h"
#include "runtime/ns/pinned_namespace.h"
#include "tests/fixtures/image/test_registry.h"
#include "tests/lib/cri_client.h"
#include "tests/lib/test_daemon.h"

namespace podagent {
namespace {

using testing::CriClient;
using testing::TestDaemon;
namespace cri = ::runtime::v1;

constexpr char kImage[] = "e2e.local/busybox:1";

class ContainerE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "e2e: run as root";
    std::mt19937 rng{std::random_device{}()};
    octet_ = 100 + static_cast<int>(rng() % 50);
    bridge_ = absl::StrCat("pace2e", rng() % 100000);
    cgroup_parent_ = "/podagent-ce2e-" + NewId().substr(0, 10);
    snapshot_ = std::make_unique<testing::HostNetSnapshot>();
    daemon_ = std::make_unique<TestDaemon>();
    std::string conf_dir = daemon_->dir().Sub("cni-conf");
    ASSERT_TRUE(MakeDirs(conf_dir).ok());
    auto text = ReadFile(testing::SourceDir() + "/deploy/cni/10-podagent.conflist");
    ASSERT_TRUE(text.ok()) << text.status();
    nlohmann::json conf = nlohmann::json::parse(*text);
    conf["plugins"][0]["bridge"] = bridge_;
    conf["plugins"][0]["ipam"]["ranges"] = nlohmann::json::parse(absl::StrCat(R"([[{"subnet":"10.88.)", octet_, R"(.0/24"}]])"));
    conf["plugins"][0]["ipam"]["dataDir"] = daemon_->dir().Sub("ipam");
    conf["name"] = "podagent-ce2e";
    ASSERT_TRUE(WriteFileAtomic(conf_dir + "/10-podagent.conflist", conf.dump(2)).ok());
    std::string yaml = absl::StrCat("cgroup_parent: ", cgroup_parent_, "\ncni:\n  conf_dir: ", conf_dir,
                                    "\n  bin_dirs: [/usr/lib/cni]\n");
    ASSERT_TRUE(daemon_->Start(yaml).ok()) << daemon_->Log();
    auto layout = imagetest::MakeBusyboxLayout(daemon_->dir().Sub("images"));
    ASSERT_TRUE(layout.ok()) << layout.status();
    auto imported = imagetest::Run(absl::StrCat(testing::BinDir(), "/podagent --config ", daemon_->config_path(),
                                                " image import ", *layout, " ", kImage));
    ASSERT_TRUE(imported.ok()) << imported.status();
    client_ = std::make_unique<CriClient>(daemon_->socket());
    logs_ = daemon_->dir().Sub("podlogs");
  }

  void TearDown() override {
    if (client_) {
      cri::ListPodSandboxResponse list;
      if (client_->ListPods({}, &list).ok()) {
        for (const auto& p : list.items()) {
          EXPECT_TRUE(client_->StopPod(p.id()).ok()) << p.id();
          EXPECT_TRUE(client_->RemovePod(p.id()).ok()) << p.id();
        }
      }
    }
    std::string run_dir = daemon_ ? daemon_->run_dir() : "";
    if (daemon_) daemon_->Stop();
    if (!run_dir.empty()) {
      EXPECT_TRUE(UnmountSharedMountDir(run_dir + "/netns").ok());
    }
    auto cgroups = CgroupDriver::Detect();
    if (cgroups.ok()) {
      auto pids = (*cgroups)->Pids(cgroup_parent_);
      if (pids.ok()) {
        EXPECT_TRUE(pids->empty()) << "processes left in " << cgroup_parent_;
      }
      EXPECT_TRUE((*cgroups)->Destroy(cgroup_parent_).ok());
    }
    daemon_.reset();
    if (snapshot_) snapshot_->Restore(bridge_, "podagent-ce2e");
  }

  std::string RunPod(const std::string& name, cri::NamespaceMode pid_mode = cri::CONTAINER) {
    cri::PodSandboxConfig c = testing::MakePodConfig(name, logs_ + "/" + name);
    c.set_hostname(name);
    c.mutable_linux()->mutable_security_context()->mutable_namespace_options()->set_pid(pid_mode);
    std::string id;
    grpc::Status st = client_->RunPod(c, &id);
    EXPECT_TRUE(st.ok()) << st.error_message() << "\n" << daemon_->Log();
    pod_configs_[id] = c;
    return id;
  }

  std::string Run(const std::string& pod, cri::ContainerConfig c) {
    std::string id;
    grpc::Status st = client_->CreateContainer(pod, c, pod_configs_[pod], &id);
    EXPECT_TRUE(st.ok()) << st.error_message() << "\n" << daemon_->Log();
    if (!st.ok()) return "";
    st = client_->StartContainer(id);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return id;
  }

  cri::ContainerConfig Sh(const std::string& name, const std::string& script) {
    return testing::MakeContainerConfig(name, kImage, {"/bin/sh", "-c", script});
  }

  cri::ContainerStatusResponse Status(const std::string& id) {
    cri::ContainerStatusResponse r;
    grpc::Status st = client_->ContainerStatus(id, true, &r);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return r;
  }

  cri::ContainerStatus WaitExited(const std::string& id, absl::Duration timeout = absl::Seconds(30)) {
    absl::Time deadline = absl::Now() + timeout;
    for (;;) {
      auto r = Status(id);
      if (r.status().state() == cri::CONTAINER_EXITED || absl::Now() > deadline) return r.status();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  nlohmann::json Info(const std::string& id) { return nlohmann::json::parse(Status(id).info().at("info")); }

  int PausePid(const std::string& pod) {
    cri::PodSandboxStatusResponse r;
    EXPECT_TRUE(client_->PodStatus(pod, true, &r).ok());
    return nlohmann::json::parse(r.info().at("info"))["pid"];
  }

  static std::string Ns(int pid, const char* ns) {
    char buf[128] = {};
    ssize_t n = readlink(absl::StrCat("/proc/", pid, "/ns/", ns).c_str(), buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  }

  int octet_ = 0;
  std::string bridge_, cgroup_parent_, logs_;
  std::map<std::string, cri::PodSandboxConfig> pod_configs_;
  std::unique_ptr<testing::HostNetSnapshot> snapshot_;
  std::unique_ptr<TestDaemon> daemon_;
  std::unique_ptr<CriClient> client_;
};

TEST_F(ContainerE2E, NamespacesAgainstThePause) {
  std::string pod = RunPod("nspod");
  int pause = PausePid(pod);
  std::string id = Run(pod, Sh("app", "sleep 300"));
  int pid = Info(id)["pid"];
  ASSERT_GT(pid, 0);
  EXPECT_EQ(Ns(pid, "ipc"), Ns(pause, "ipc"));
  EXPECT_EQ(Ns(pid, "net"), Ns(pause, "net"));
  for (const char* ns : {"pid", "mnt", "uts"}) {
    EXPECT_NE(Ns(pid, ns), Ns(pause, ns)) << ns;
  }
  cri::ExecSyncResponse ps;
  ASSERT_TRUE(client_->ExecSync(id, {"sh", "-c", "ps -o pid,args | grep '^ *1 '; hostname"}, 10, &ps).ok());
  EXPECT_TRUE(absl::StrContains(ps.stdout(), "1 sleep 300")) << ps.stdout();  // sh -c exec'd its last command
  EXPECT_TRUE(absl::StrContains(ps.stdout(), "nspod")) << ps.stdout();

  std::string shared_pod = RunPod("sharedpid", cri::POD);
  auto c = Sh("app", "sleep 300");
  c.mutable_linux()->mutable_security_context()->mutable_namespace_options()->set_pid(cri::POD);
  std::string id2 = Run(shared_pod, c);
  EXPECT_EQ(Ns(Info(id2)["pid"], "pid"), Ns(PausePid(shared_pod), "pid"));
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
  std::string server = Run(a, Sh("srv", "nc -l -p 8080"));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::string cl = Run(b, Sh("cli", absl::StrCat("echo hello-over-tcp | nc -w 3 ", ip, " 8080")));
  auto cs = WaitExited(cl);
  EXPECT_EQ(cs.exit_code(), 0);
  auto ss = WaitExited(server, absl::Seconds(10));
  auto log = ReadFile(Status(server).status().log_path());
  ASSERT_TRUE(log.ok());
  EXPECT_TRUE(absl::StrContains(*log, " stdout F hello-over-tcp\n")) << *log;
}

TEST_F(ContainerE2E, Kill9RestartKeepsStatesExitCodesAndLogs) {
  std::string pod = RunPod("crashpod");
  std::string runs = Run(pod, Sh("runs", "for i in $(seq 1 50); do echo r$i; done; sleep 300"));
  std::string ends = Run(pod, Sh("ends", "sleep 2; for i in $(seq 1 200); do echo e$i; done; exit 5"));
  std::string done = Run(pod, Sh("done", "exit 3"));
  WaitExited(done);
  daemon_->Kill9();
  std::this_thread::sleep_for(std::chrono::seconds(4));  // "ends" exits while the daemon is down
  ASSERT_TRUE(daemon_->Start().ok()) << daemon_->Log();
  client_ = std::make_unique<CriClient>(daemon_->socket());
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
