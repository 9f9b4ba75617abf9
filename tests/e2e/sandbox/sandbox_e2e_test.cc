// E2E: pod sandboxes through the real podagent on its socket, with Debian's CNI plugins and the
// shipped conflist (test bridge, subnet and IPAM dir), and the restart test: kill -9, start
// again, every pod listed with the same state and IPs, a pod whose pause died NOTREADY. Under
// either cgroup driver (PODAGENT_TEST_CGROUP_DRIVER, tests/lib/cgroup_driver_e2e.h).
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <random>

#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/common/files.h"
#include "runtime/common/ids.h"
#include "runtime/ns/pinned_namespace.h"
#include "tests/lib/cri_client.h"
#include "tests/lib/cni_e2e.h"
#include "tests/lib/ns_inode.h"
#include "tests/lib/shell.h"
#include "tests/lib/test_daemon.h"

namespace podagent {
namespace {

using testing::CriClient;
using testing::TestDaemon;
namespace cri = ::runtime::v1;

class SandboxE2E : public testing::CniDaemonTest {
 protected:
  SandboxE2E() : CniDaemonTest("podagent-e2e", 150) {}

  cri::PodSandboxConfig Pod(const std::string& name) {
    cri::PodSandboxConfig c = testing::MakePodConfig(name);
    c.set_hostname(name);
    (*c.mutable_labels())["e2e"] = "sandbox";
    (*c.mutable_labels())["name"] = name;
    return c;
  }

  std::string RunPod(const std::string& name) {
    std::string id;
    grpc::Status st = client_->RunPod(Pod(name), &id);
    EXPECT_TRUE(st.ok()) << st.error_message() << "\n" << daemon_->Log();
    return id;
  }

  cri::PodSandboxStatusResponse Status(const std::string& id, bool verbose = false) {
    cri::PodSandboxStatusResponse r;
    grpc::Status st = client_->PodStatus(id, verbose, &r);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return r;
  }

  int AllocatedIps() {
    auto names = ListDir(ipam_dir_ + "/podagent-e2e");
    int n = 0;
    if (names.ok()) {
      for (const auto& name : *names) n += absl::StartsWith(name, "10.");
    } else if (names.status().code() != absl::StatusCode::kNotFound) {
      ADD_FAILURE() << "read the IPAM dir: " << names.status();  // never count an unreadable dir as empty
    }
    return n;
  }
};

TEST_F(SandboxE2E, RunListStatusStopRemove) {
  std::string id = RunPod("web");
  ASSERT_FALSE(id.empty());
  auto status = Status(id, true);
  EXPECT_EQ(status.status().state(), cri::SANDBOX_READY);
  EXPECT_EQ(status.status().metadata().name(), "web");
  EXPECT_TRUE(absl::StartsWith(status.status().network().ip(), absl::StrCat("10.88.", octet_, ".")))
      << status.status().network().ip();
  ASSERT_TRUE(status.info().count("info"));
  nlohmann::json info = nlohmann::json::parse(status.info().at("info"));
  int pid = info["pid"];
  EXPECT_GT(pid, 0);
  EXPECT_EQ(info["cgroupPath"], PodCgroupPath(id));
  std::string netns = info["netnsPath"];
  EXPECT_EQ(netns, daemon_->run_dir() + "/netns/" + id);
  EXPECT_TRUE(IsNamespacePin(netns));
  EXPECT_EQ(testing::ReadNsInodeAt(netns), testing::ReadNsInode(pid, "net")) << "the pin holds the pause's netns";
  EXPECT_NE(testing::ReadNsInode(pid, "net"), testing::HostNsInode("net"));
  // The shipped conflist has no loopback plugin: the pause sets lo up itself (--lo-up).
  EXPECT_TRUE(absl::StrContains(testing::Sh({"/usr/bin/nsenter", "--net=" + netns, "/usr/sbin/ip", "-o", "link",
                                             "show", "lo"}),
                                "LOOPBACK,UP,LOWER_UP"));
  EXPECT_EQ(AllocatedIps(), 1);

  cri::ListPodSandboxResponse list;
  cri::PodSandboxFilter f;
  ASSERT_TRUE(client_->ListPods(f, &list).ok());
  ASSERT_EQ(list.items_size(), 1);
  EXPECT_EQ(list.items(0).id(), id);
  f.set_id(id.substr(0, 12));
  (*f.mutable_label_selector())["name"] = "web";
  f.mutable_state()->set_state(cri::SANDBOX_READY);
  list.Clear();
  ASSERT_TRUE(client_->ListPods(f, &list).ok());
  EXPECT_EQ(list.items_size(), 1);
  (*f.mutable_label_selector())["name"] = "other";
  list.Clear();
  ASSERT_TRUE(client_->ListPods(f, &list).ok());
  EXPECT_EQ(list.items_size(), 0);

  auto stop_start = std::chrono::steady_clock::now();
  ASSERT_TRUE(client_->StopPod(id).ok());
  EXPECT_LT(std::chrono::steady_clock::now() - stop_start, std::chrono::seconds(5))
      << "pause must end on SIGTERM (not wait for the SIGKILL fallback): the daemon blocks SIGTERM";
  EXPECT_EQ(Status(id).status().state(), cri::SANDBOX_NOTREADY);
  EXPECT_EQ(AllocatedIps(), 0) << "CNI DEL on stop released the IP";
  EXPECT_NE(::kill(pid, 0), 0) << "pause ended";
  ASSERT_TRUE(client_->StopPod(id).ok()) << "idempotent";
  ASSERT_TRUE(client_->RemovePod(id).ok());
  ASSERT_TRUE(client_->RemovePod(id).ok()) << "idempotent";
  cri::PodSandboxStatusResponse gone;
  EXPECT_EQ(client_->PodStatus(id, false, &gone).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_FALSE(PathExists(netns));
  auto cgroups = CgroupDriver::Detect();
  ASSERT_TRUE(cgroups.ok());
  EXPECT_FALSE((*cgroups)->Exists(PodCgroupPath(id)));
  if (testing::SystemdDriverUnderTest()) {
    EXPECT_EQ(testing::PodagentUnitsUnder(cgroup_parent_), "") << "the pod slice and pause scope are stopped";
  }
}

TEST_F(SandboxE2E, BadInputIsInvalidArgumentAndChangesNothing) {
  cri::PodSandboxConfig no_meta = Pod("x");
  no_meta.clear_metadata();
  std::string id;
  EXPECT_EQ(client_->RunPod(no_meta, &id).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  cri::PodSandboxConfig sysctl = Pod("y");
  (*sysctl.mutable_linux()->mutable_sysctls())["kernel.panic"] = "1";
  EXPECT_EQ(client_->RunPod(sysctl, &id).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(client_->RunPod(Pod("z"), &id, "no-such-handler").error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  cri::ListPodSandboxResponse list;
  ASSERT_TRUE(client_->ListPods({}, &list).ok());
  EXPECT_EQ(list.items_size(), 0);
  EXPECT_EQ(AllocatedIps(), 0);
}

TEST_F(SandboxE2E, SameNameTwiceNamesTheExistingPod) {
  std::string id = RunPod("dup");
  std::string again;
  grpc::Status st = client_->RunPod(Pod("dup"), &again);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_NE(st.error_message().find(id), std::string::npos) << st.error_message();
}

TEST_F(SandboxE2E, RestartKeepsPodsStatesAndIps) {
  std::string a = RunPod("keep-a");
  std::string b = RunPod("keep-b");
  std::string c = RunPod("keep-c");
  ASSERT_TRUE(client_->StopPod(c).ok());
  std::string ip_a = Status(a).status().network().ip();
  std::string ip_b = Status(b).status().network().ip();
  int pid_b = nlohmann::json::parse(Status(b, true).info().at("info"))["pid"];
  ASSERT_GT(pid_b, 0);

  daemon_->Kill9();
  ASSERT_EQ(::kill(pid_b, SIGKILL), 0);  // b's pause dies while podagent is down
  absl::Status st = daemon_->Start();
  ASSERT_TRUE(st.ok()) << st << "\n" << daemon_->Log();
  Reconnect();

  cri::ListPodSandboxResponse list;
  ASSERT_TRUE(client_->ListPods({}, &list).ok());
  EXPECT_EQ(list.items_size(), 3);
  auto sa = Status(a).status();
  auto sb = Status(b).status();
  EXPECT_EQ(sa.state(), cri::SANDBOX_READY);
  EXPECT_EQ(sa.network().ip(), ip_a);
  EXPECT_EQ(sb.state(), cri::SANDBOX_NOTREADY) << "pause died";
  EXPECT_EQ(sb.network().ip(), ip_b);
  EXPECT_EQ(Status(c).status().state(), cri::SANDBOX_NOTREADY);

  // Everything can still be stopped and removed after the restart: the network of the dead pod
  // too (CNI DEL from the cache, netns pin outlived pause).
  for (const std::string& id : {a, b, c}) {
    ASSERT_TRUE(client_->StopPod(id).ok()) << id;
    ASSERT_TRUE(client_->RemovePod(id).ok()) << id;
  }
  EXPECT_EQ(AllocatedIps(), 0);
}

}  // namespace
}  // namespace podagent
