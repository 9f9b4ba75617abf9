// E2E through the socket: ExecSync's timeout and output cap (the limits kubelet's probes rely on),
// and CreateContainer requests that are well-formed protobuf with bad content, which must be
// refused with a clear status and leave nothing behind.
#include <set>
#include <string>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "runtime/common/files.h"
#include "tests/e2e/container/container_e2e_fixture.h"
#include "tests/lib/cri_client.h"

namespace podagent {
namespace {

using testing::ContainerE2E;
using testing::kImage;
namespace cri = ::runtime::v1;

constexpr size_t kOutputLimit = 4096;

class ExecE2E : public ContainerE2E {
 protected:
  ExecE2E() { extra_yaml_ = absl::StrCat("exec_sync_output_limit: ", kOutputLimit, "\n"); }
};

// deploy/podagent.yaml: exec_sync_output_limit bounds each stream of ExecSync.
TEST_F(ExecE2E, OutputIsCappedAtTheConfiguredLimitPerStream) {
  std::string pod = RunPod("execcap");
  std::string id = Run(pod, Sh("app", "sleep 300"));
  cri::ExecSyncResponse r;
  grpc::Status st = client_->ExecSync(
      id, {"sh", "-c", "head -c 100000 /dev/zero | tr '\\0' a; head -c 100000 /dev/zero | tr '\\0' b >&2"}, 30, &r);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(r.stdout(), std::string(kOutputLimit, 'a'));
  EXPECT_EQ(r.stderr(), std::string(kOutputLimit, 'b'));
  EXPECT_EQ(Status(id).status().state(), cri::CONTAINER_RUNNING);
}

// kubelet maps codes.DeadlineExceeded from ExecSync to a probe timeout: the runtime must answer
// with it once the request's timeout passes (the client's own deadline is 30 s later, so this
// status can only come from the daemon), kill the command, and keep the container running.
TEST_F(ExecE2E, TimeoutIsDeadlineExceededAndTheCommandIsKilled) {
  std::string pod = RunPod("exectimeout");
  std::string id = Run(pod, Sh("app", "sleep 300"));
  cri::ExecSyncResponse r;
  absl::Time t0 = absl::Now();
  grpc::Status st = client_->ExecSync(id, {"sleep", "60"}, 2, &r);
  absl::Duration took = absl::Now() - t0;
  EXPECT_EQ(st.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << st.error_message();
  EXPECT_GE(took, absl::Seconds(2));
  EXPECT_LT(took, absl::Seconds(20));
  cri::ExecSyncResponse ps;
  ASSERT_TRUE(client_->ExecSync(id, {"sh", "-c", "ps -o args | grep -c '^sleep 60'"}, 10, &ps).ok());
  EXPECT_EQ(ps.stdout(), "0\n") << "the timed-out command still runs";
  EXPECT_EQ(Status(id).status().state(), cri::CONTAINER_RUNNING);
}

// Well-formed CreateContainer requests with bad content: each gets one of the statuses the brief
// allows for bad input, with a message, and no container appears.
TEST_F(ContainerE2E, BadCreateContainerIsRefusedAndCreatesNothing) {
  std::string pod = RunPod("badcreate");
  const std::set<grpc::StatusCode> refused = {grpc::StatusCode::INVALID_ARGUMENT, grpc::StatusCode::NOT_FOUND,
                                              grpc::StatusCode::FAILED_PRECONDITION};
  struct Case {
    const char* what;
    std::function<void(cri::CreateContainerRequest&)> spoil;
  };
  std::vector<Case> cases = {
      {"no metadata", [](auto& r) { r.mutable_config()->clear_metadata(); }},
      {"empty name", [](auto& r) { r.mutable_config()->mutable_metadata()->set_name(""); }},
      {"no image", [](auto& r) { r.mutable_config()->clear_image(); }},
      {"image not present", [](auto& r) { r.mutable_config()->mutable_image()->set_image("e2e.local/absent:1"); }},
      {"unknown pod", [](auto& r) { r.set_pod_sandbox_id(std::string(64, '0')); }},
      {"empty pod id", [](auto& r) { r.set_pod_sandbox_id(""); }},
      {"relative container path",
       [](auto& r) {
         auto* m = r.mutable_config()->add_mounts();
         m->set_host_path("/tmp");
         m->set_container_path("data");
       }},
      {"negative memory limit",
       [](auto& r) { r.mutable_config()->mutable_linux()->mutable_resources()->set_memory_limit_in_bytes(-5); }},
  };
  for (const Case& c : cases) {
    cri::CreateContainerRequest req;
    req.set_pod_sandbox_id(pod);
    *req.mutable_config() = Sh("bad", "sleep 1");
    *req.mutable_sandbox_config() = pod_configs_[pod];
    c.spoil(req);
    cri::CreateContainerResponse resp;
    grpc::Status st = client_->Call(&cri::RuntimeService::Stub::CreateContainer, req, &resp);
    EXPECT_TRUE(refused.count(st.error_code())) << c.what << ": " << st.error_code() << " " << st.error_message();
    EXPECT_FALSE(st.error_message().empty()) << c.what;
  }
  cri::ListContainersResponse list;
  ASSERT_TRUE(client_->Call(&cri::RuntimeService::Stub::ListContainers, cri::ListContainersRequest(), &list).ok());
  EXPECT_EQ(list.containers_size(), 0);
  auto dirs = ListDir(daemon_->run_dir() + "/containers");
  if (dirs.ok()) {
    EXPECT_TRUE(dirs->empty()) << "a refused create left " << dirs->front();
  } else {
    EXPECT_EQ(dirs.status().code(), absl::StatusCode::kNotFound) << dirs.status();
  }
  cri::VersionResponse v;
  EXPECT_TRUE(client_->Version(&v).ok()) << "the daemon still answers";
}

}  // namespace
}  // namespace podagent
