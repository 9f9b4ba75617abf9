// cgroup_driver: systemd on the real daemon. It checks the slice names kubelet sends and tells
// kubelet the driver. Where systemd is PID 1 the runtime is ready (pods become units, see
// runtime/cgroups/systemd_driver.h); elsewhere Status must say why it is not (no systemd reachable
// over D-Bus) and a good slice is refused with FailedPrecondition. RunPodSandbox refuses a
// cgroupfs path with InvalidArgument, and a refusal creates nothing. The truth for "is systemd
// there" is PID 1's name, from the kernel.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/common/files.h"
#include "runtime/common/ids.h"
#include "tests/lib/cri_client.h"
#include "tests/lib/test_daemon.h"

namespace podagent::testing {
namespace {

using ::testing::HasSubstr;

// PID 1's command name as the kernel reports it; fails the test when it cannot be read.
std::string Pid1Name() {
  auto comm = ReadFile("/proc/1/comm");
  EXPECT_TRUE(comm.ok()) << comm.status();
  return comm.ok() ? std::string(absl::StripAsciiWhitespace(*comm)) : "(unreadable)";
}

class SystemdDriverE2E : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(d_.Start("cgroup_driver: systemd\n").ok()) << d_.Log(); }
  TestDaemon d_;
};

TEST_F(SystemdDriverE2E, StatusSaysWhetherSystemdAnswers) {
  CriClient c(d_.socket());
  cri::StatusResponse s;
  ASSERT_TRUE(c.Status(false, &s).ok());
  ASSERT_GE(s.status().conditions_size(), 1);
  const auto& runtime = s.status().conditions(0);
  EXPECT_EQ(runtime.type(), "RuntimeReady");
  if (Pid1Name() != "systemd") {
    EXPECT_FALSE(runtime.status()) << "no systemd to make units";
    EXPECT_THAT(runtime.message(), HasSubstr("cgroup_driver systemd"));
    EXPECT_EQ(runtime.reason(), "SystemdUnreachable") << runtime.message();
    EXPECT_THAT(runtime.message(), HasSubstr("D-Bus"));
  } else {
    EXPECT_TRUE(runtime.status()) << runtime.reason() << ": " << runtime.message();
  }
}

TEST_F(SystemdDriverE2E, RuntimeConfigSaysSystemd) {
  CriClient c(d_.socket());
  cri::RuntimeConfigRequest req;
  cri::RuntimeConfigResponse resp;
  ASSERT_TRUE(c.Call(&cri::RuntimeService::Stub::RuntimeConfig, req, &resp).ok());
  EXPECT_EQ(resp.linux().cgroup_driver(), cri::CgroupDriver::SYSTEMD);
}

TEST_F(SystemdDriverE2E, RunPodSandboxTakesOnlySliceNamesAndCreatesNothing) {
  CriClient c(d_.socket());
  const std::string tag = "pae2e" + NewId().substr(0, 8);
  struct Case {
    std::string parent;
    grpc::StatusCode code;
    const char* says;
  };
  std::vector<Case> cases = {
      {"/kubepods/burstable/pod" + tag, grpc::StatusCode::INVALID_ARGUMENT, "slice name"},
      {tag + "--burstable.slice", grpc::StatusCode::INVALID_ARGUMENT, "double dash"},
      {"-" + tag + ".slice", grpc::StatusCode::INVALID_ARGUMENT, "dash"},
      {tag + "-burstable", grpc::StatusCode::INVALID_ARGUMENT, "slice"},
  };
  if (Pid1Name() != "systemd") {  // where systemd answers, this pod would run
    cases.push_back({tag + "-burstable-pod1234.slice", grpc::StatusCode::FAILED_PRECONDITION, "systemd"});
  }
  for (const auto& k : cases) {
    cri::PodSandboxConfig config = MakePodConfig("sd-" + tag);
    config.mutable_linux()->set_cgroup_parent(k.parent);
    std::string id;
    grpc::Status st = c.RunPod(config, &id);
    EXPECT_EQ(st.error_code(), k.code) << k.parent << ": " << st.error_message();
    EXPECT_THAT(st.error_message(), HasSubstr(k.says)) << k.parent;
  }
  cri::ListPodSandboxResponse pods;
  ASSERT_TRUE(c.ListPods({}, &pods).ok());
  EXPECT_EQ(pods.items_size(), 0) << "a refused RunPodSandbox left a pod";
  auto cgroups = CgroupDriver::Detect();
  ASSERT_TRUE(cgroups.ok()) << cgroups.status();
  for (const std::string& path : {"/" + tag + ".slice", "/kubepods/burstable/pod" + tag, "/" + tag + "-burstable"}) {
    EXPECT_FALSE((*cgroups)->Exists(path)) << path << " was created";
  }
}

}  // namespace
}  // namespace podagent::testing
