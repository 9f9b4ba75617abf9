// kubelet stops and removes pods and containers more than once, and after a restart for objects
// already gone: the CRI says a NotFound there is success. Through RuntimeServiceImpl's handlers,
// with the real SandboxManager and ContainerManager over a temp root dir.
#include <stdlib.h>

#include <gtest/gtest.h>

#include "agent/container/container_manager.h"
#include "agent/sandbox/sandbox_manager.h"
#include "agent/services.h"
#include "fakes.h"
#include "runtime/common/files.h"
#include "tests/lib/temp_dir.h"

namespace podagent {
namespace {

constexpr char kMissing[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

class IdempotenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ctx_.config.root_dir = tmp_.path();
    ctx_.config.run_dir = tmp_.Sub("run");
    ctx_.config.cgroup_parent = "/podagent";
    containers_ = std::make_unique<ContainerManager>(ctx_);
    ctx_.containers = containers_.get();
    sandboxes_ = std::make_unique<SandboxManager>(ctx_, std::make_unique<FakeRuntime>(),
                                                  std::make_unique<FakeNetwork>());
    ctx_.pods = sandboxes_.get();
    svc_ = std::make_unique<RuntimeServiceImpl>(Managers{&ctx_, sandboxes_.get(), containers_.get(), nullptr, nullptr});
  }
  void TearDown() override {
    svc_.reset();
    sandboxes_.reset();
    containers_.reset();
  }

  testing::TempDir tmp_{"podagent-idem"};
  AgentContext ctx_;
  std::unique_ptr<ContainerManager> containers_;
  std::unique_ptr<SandboxManager> sandboxes_;
  std::unique_ptr<RuntimeServiceImpl> svc_;
};

TEST_F(IdempotenceTest, StopPodSandboxOfAnUnknownPodSucceeds) {
  cri::StopPodSandboxRequest req;
  req.set_pod_sandbox_id(kMissing);
  cri::StopPodSandboxResponse resp;
  grpc::Status st = svc_->StopPodSandbox(nullptr, &req, &resp);
  EXPECT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
}

TEST_F(IdempotenceTest, RemovePodSandboxOfAnUnknownPodSucceeds) {
  cri::RemovePodSandboxRequest req;
  req.set_pod_sandbox_id(kMissing);
  cri::RemovePodSandboxResponse resp;
  grpc::Status st = svc_->RemovePodSandbox(nullptr, &req, &resp);
  EXPECT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
}

TEST_F(IdempotenceTest, StopContainerOfAnUnknownContainerSucceeds) {
  cri::StopContainerRequest req;
  req.set_container_id(kMissing);
  req.set_timeout(0);
  cri::StopContainerResponse resp;
  grpc::Status st = svc_->StopContainer(nullptr, &req, &resp);
  EXPECT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
}

TEST_F(IdempotenceTest, RemoveContainerOfAnUnknownContainerSucceeds) {
  cri::RemoveContainerRequest req;
  req.set_container_id(kMissing);
  cri::RemoveContainerResponse resp;
  grpc::Status st = svc_->RemoveContainer(nullptr, &req, &resp);
  EXPECT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
}

TEST_F(IdempotenceTest, AStoppedAndRemovedPodCanBeStoppedAndRemovedAgain) {
  PodRecord r;
  r.name = "twice";
  r.namespace_ = "default";
  r.uid = "uid-twice";
  r.cgroup_parent = "/podagent";
  auto id = sandboxes_->Run(r, std::nullopt);
  ASSERT_TRUE(id.ok()) << id.status();
  for (int round = 0; round < 2; ++round) {
    cri::StopPodSandboxRequest stop;
    stop.set_pod_sandbox_id(*id);
    cri::StopPodSandboxResponse stop_resp;
    grpc::Status st = svc_->StopPodSandbox(nullptr, &stop, &stop_resp);
    EXPECT_TRUE(st.ok()) << round << ": " << st.error_message();
    cri::RemovePodSandboxRequest rm;
    rm.set_pod_sandbox_id(*id);
    cri::RemovePodSandboxResponse rm_resp;
    st = svc_->RemovePodSandbox(nullptr, &rm, &rm_resp);
    EXPECT_TRUE(st.ok()) << round << ": " << st.error_message();
  }
  EXPECT_EQ(sandboxes_->GetPod(*id).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(IdempotenceTest, AnEmptyIdIsStillInvalid) {
  cri::StopContainerRequest req;
  cri::StopContainerResponse resp;
  EXPECT_EQ(svc_->StopContainer(nullptr, &req, &resp).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace podagent
