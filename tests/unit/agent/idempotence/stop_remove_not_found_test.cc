// kubelet stops and removes pods and containers more than once, and after a restart for objects
// already gone: the CRI says a NotFound there is success (an empty id is still InvalidArgument).
// One table of the four Stop/Remove RPCs. Through RuntimeServiceImpl's handlers,
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

// One RPC through its handler, with no server context (as the fakes at this seam allow).
template <typename Req, typename Resp>
grpc::Status Call(grpc::Status (RuntimeServiceImpl::*rpc)(grpc::ServerContext*, const Req*, Resp*),
                  RuntimeServiceImpl& svc, const Req& req) {
  Resp resp;
  return (svc.*rpc)(nullptr, &req, &resp);
}

// The four Stop/Remove RPCs for the pod or container `id`.
grpc::Status StopPod(RuntimeServiceImpl& svc, const std::string& id) {
  cri::StopPodSandboxRequest req;
  req.set_pod_sandbox_id(id);
  return Call(&RuntimeServiceImpl::StopPodSandbox, svc, req);
}
grpc::Status RemovePod(RuntimeServiceImpl& svc, const std::string& id) {
  cri::RemovePodSandboxRequest req;
  req.set_pod_sandbox_id(id);
  return Call(&RuntimeServiceImpl::RemovePodSandbox, svc, req);
}
grpc::Status StopContainer(RuntimeServiceImpl& svc, const std::string& id) {
  cri::StopContainerRequest req;
  req.set_container_id(id);
  req.set_timeout(0);
  return Call(&RuntimeServiceImpl::StopContainer, svc, req);
}
grpc::Status RemoveContainer(RuntimeServiceImpl& svc, const std::string& id) {
  cri::RemoveContainerRequest req;
  req.set_container_id(id);
  return Call(&RuntimeServiceImpl::RemoveContainer, svc, req);
}

struct StopOrRemove {
  const char* name;
  grpc::Status (*call)(RuntimeServiceImpl&, const std::string&);
};
void PrintTo(const StopOrRemove& c, std::ostream* os) { *os << c.name; }

class StopRemoveTest : public IdempotenceTest, public ::testing::WithParamInterface<StopOrRemove> {};

TEST_P(StopRemoveTest, OfAnUnknownIdSucceeds) {
  grpc::Status st = GetParam().call(*svc_, kMissing);
  EXPECT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
}

TEST_P(StopRemoveTest, AnEmptyIdIsStillInvalid) {
  EXPECT_EQ(GetParam().call(*svc_, "").error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

INSTANTIATE_TEST_SUITE_P(Rpc, StopRemoveTest,
                         ::testing::Values(StopOrRemove{"StopPodSandbox", StopPod},
                                           StopOrRemove{"RemovePodSandbox", RemovePod},
                                           StopOrRemove{"StopContainer", StopContainer},
                                           StopOrRemove{"RemoveContainer", RemoveContainer}),
                         [](const ::testing::TestParamInfo<StopOrRemove>& p) { return std::string(p.param.name); });

TEST_F(IdempotenceTest, AStoppedAndRemovedPodCanBeStoppedAndRemovedAgain) {
  PodRecord r;
  r.name = "twice";
  r.namespace_ = "default";
  r.uid = "uid-twice";
  r.cgroup_parent = "/podagent";
  auto id = sandboxes_->Run(r, std::nullopt);
  ASSERT_TRUE(id.ok()) << id.status();
  for (int round = 0; round < 2; ++round) {
    grpc::Status st = StopPod(*svc_, *id);
    EXPECT_TRUE(st.ok()) << round << ": " << st.error_message();
    st = RemovePod(*svc_, *id);
    EXPECT_TRUE(st.ok()) << round << ": " << st.error_message();
  }
  EXPECT_EQ(sandboxes_->GetPod(*id).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace podagent
