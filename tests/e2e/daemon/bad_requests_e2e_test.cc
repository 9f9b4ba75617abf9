// The real daemon over its socket, sent well-formed protobuf with bad content on every RPC (empty
// and unknown ids, invalid references, impossible values): each gets a clear status from the
// handler (InvalidArgument, NotFound, ...; never OK where the CRI calls it an error, never
// UNKNOWN or INTERNAL, never a crash) and nothing changes. Where the CRI defines the answer
// (idempotent removal, ImageStatus of an absent image), the test expects exactly that.
#include <sys/wait.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/unknown_field_set.h>

#include "absl/strings/str_cat.h"
#include "tests/lib/cri_client.h"
#include "tests/lib/test_daemon.h"

namespace podagent::testing {
namespace {

using Code = grpc::StatusCode;
using Runtime = cri::RuntimeService::Stub;
using Images = cri::ImageService::Stub;

const std::string kUnknown(64, '0');  // a well-formed id that names nothing
constexpr char kBadRef[] = "UPPER//x:";  // not a reference: upper case, empty component, empty tag

struct Case {
  std::string rpc;
  std::set<Code> allowed;
  std::function<grpc::Status(CriClient&)> call;
};

template <typename Stub, typename Req, typename Resp>
std::function<grpc::Status(CriClient&)> Send(grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                                             std::function<void(Req&)> fill) {
  return [method, fill](CriClient& c) {
    Req req;
    fill(req);
    Resp resp;
    return c.Call(method, req, &resp, std::chrono::milliseconds(20000));
  };
}

// A well-formed request carrying a field this CRI version does not define (as a newer kubelet
// would send): protobuf keeps it as an unknown field and the handler must answer as without it.
template <typename Req>
void AddUnknownField(Req& r) {
  r.GetReflection()->MutableUnknownFields(&r)->AddVarint(4242, 1);
}

const std::set<Code> kRefused = {Code::INVALID_ARGUMENT, Code::NOT_FOUND};
const std::set<Code> kNotFound = {Code::NOT_FOUND};

std::vector<Case> Cases() {
  return {
      {"RunPodSandbox without metadata", {Code::INVALID_ARGUMENT},
       Send(&Runtime::RunPodSandbox, std::function<void(cri::RunPodSandboxRequest&)>([](auto& r) {
              *r.mutable_config() = MakePodConfig("x");
              r.mutable_config()->clear_metadata();
            }))},
      {"RunPodSandbox with an unknown handler", kRefused,
       Send(&Runtime::RunPodSandbox, std::function<void(cri::RunPodSandboxRequest&)>([](auto& r) {
              *r.mutable_config() = MakePodConfig("y");
              r.set_runtime_handler("no-such-handler");
            }))},
      {"StopPodSandbox empty id", kRefused,
       Send(&Runtime::StopPodSandbox, std::function<void(cri::StopPodSandboxRequest&)>([](auto&) {}))},
      {"RemovePodSandbox empty id", kRefused,
       Send(&Runtime::RemovePodSandbox, std::function<void(cri::RemovePodSandboxRequest&)>([](auto&) {}))},
      {"PodSandboxStatus unknown id", kNotFound,
       Send(&Runtime::PodSandboxStatus,
            std::function<void(cri::PodSandboxStatusRequest&)>([](auto& r) { r.set_pod_sandbox_id(kUnknown); }))},
      {"PodSandboxStatus empty id", kRefused,
       Send(&Runtime::PodSandboxStatus, std::function<void(cri::PodSandboxStatusRequest&)>([](auto&) {}))},
      {"CreateContainer in an unknown pod", kNotFound,
       Send(&Runtime::CreateContainer, std::function<void(cri::CreateContainerRequest&)>([](auto& r) {
              r.set_pod_sandbox_id(kUnknown);
              *r.mutable_config() = MakeContainerConfig("c", "busybox", {"true"});
              *r.mutable_sandbox_config() = MakePodConfig("z");
            }))},
      {"StartContainer unknown id", kNotFound,
       Send(&Runtime::StartContainer,
            std::function<void(cri::StartContainerRequest&)>([](auto& r) { r.set_container_id(kUnknown); }))},
      {"StartContainer empty id", kRefused,
       Send(&Runtime::StartContainer, std::function<void(cri::StartContainerRequest&)>([](auto&) {}))},
      // CRI (issue 10): kubelet retries stops of containers that are gone; NotFound there is success.
      {"StopContainer unknown id", {Code::OK},
       Send(&Runtime::StopContainer,
            std::function<void(cri::StopContainerRequest&)>([](auto& r) { r.set_container_id(kUnknown); }))},
      {"RemoveContainer empty id", kRefused,
       Send(&Runtime::RemoveContainer, std::function<void(cri::RemoveContainerRequest&)>([](auto&) {}))},
      {"ContainerStatus unknown id", kNotFound,
       Send(&Runtime::ContainerStatus,
            std::function<void(cri::ContainerStatusRequest&)>([](auto& r) { r.set_container_id(kUnknown); }))},
      {"UpdateContainerResources unknown id", kNotFound,
       Send(&Runtime::UpdateContainerResources,
            std::function<void(cri::UpdateContainerResourcesRequest&)>([](auto& r) {
              r.set_container_id(kUnknown);
              r.mutable_linux()->set_cpu_shares(512);
            }))},
      {"ReopenContainerLog unknown id", kNotFound,
       Send(&Runtime::ReopenContainerLog,
            std::function<void(cri::ReopenContainerLogRequest&)>([](auto& r) { r.set_container_id(kUnknown); }))},
      {"ExecSync unknown id", kNotFound,
       Send(&Runtime::ExecSync, std::function<void(cri::ExecSyncRequest&)>([](auto& r) {
              r.set_container_id(kUnknown);
              r.add_cmd("true");
            }))},
      {"ExecSync without a command", kRefused,
       Send(&Runtime::ExecSync,
            std::function<void(cri::ExecSyncRequest&)>([](auto& r) { r.set_container_id(kUnknown); }))},
      {"Exec unknown id", kNotFound,
       Send(&Runtime::Exec, std::function<void(cri::ExecRequest&)>([](auto& r) {
              r.set_container_id(kUnknown);
              r.add_cmd("sh");
              r.set_stdout(true);
            }))},
      {"Attach unknown id", kNotFound,
       Send(&Runtime::Attach, std::function<void(cri::AttachRequest&)>([](auto& r) {
              r.set_container_id(kUnknown);
              r.set_stdout(true);
            }))},
      {"PortForward unknown pod", kNotFound,
       Send(&Runtime::PortForward, std::function<void(cri::PortForwardRequest&)>([](auto& r) {
              r.set_pod_sandbox_id(kUnknown);
              r.add_port(80);
            }))},
      {"ContainerStats unknown id", kNotFound,
       Send(&Runtime::ContainerStats,
            std::function<void(cri::ContainerStatsRequest&)>([](auto& r) { r.set_container_id(kUnknown); }))},
      {"PodSandboxStats unknown id", kNotFound,
       Send(&Runtime::PodSandboxStats,
            std::function<void(cri::PodSandboxStatsRequest&)>([](auto& r) { r.set_pod_sandbox_id(kUnknown); }))},
      {"UpdateRuntimeConfig with a bad CIDR", {Code::INVALID_ARGUMENT},
       Send(&Runtime::UpdateRuntimeConfig, std::function<void(cri::UpdateRuntimeConfigRequest&)>([](auto& r) {
              r.mutable_runtime_config()->mutable_network_config()->set_pod_cidr("10.88.0.0/33");
            }))},
      {"CheckpointContainer unknown id", {Code::NOT_FOUND, Code::UNIMPLEMENTED},
       Send(&Runtime::CheckpointContainer,
            std::function<void(cri::CheckpointContainerRequest&)>([](auto& r) { r.set_container_id(kUnknown); }))},
      // The RPCs whose requests have no id or reference to get wrong: a field unknown to this CRI,
      // a state value the enum does not define, filters that name nothing. They answer OK
      // (lists are simply empty, as the test below checks) and the daemon stays up.
      {"Version asked for an API version that does not exist", {Code::OK},
       Send(&Runtime::Version, std::function<void(cri::VersionRequest&)>([](auto& r) {
              r.set_version("v999-no-such-version");
              AddUnknownField(r);
            }))},
      {"Status with an unknown field", {Code::OK},
       Send(&Runtime::Status, std::function<void(cri::StatusRequest&)>([](auto& r) {
              r.set_verbose(true);
              AddUnknownField(r);
            }))},
      {"RuntimeConfig with an unknown field", {Code::OK},
       Send(&Runtime::RuntimeConfig,
            std::function<void(cri::RuntimeConfigRequest&)>([](auto& r) { AddUnknownField(r); }))},
      {"ListPodSandbox filtered by an unknown id, an undefined state and a label", {Code::OK},
       Send(&Runtime::ListPodSandbox, std::function<void(cri::ListPodSandboxRequest&)>([](auto& r) {
              r.mutable_filter()->set_id(kUnknown);
              r.mutable_filter()->mutable_state()->set_state(static_cast<cri::PodSandboxState>(77));
              (*r.mutable_filter()->mutable_label_selector())["no/such"] = "label";
            }))},
      {"ListContainers filtered by an unknown pod and an undefined state", {Code::OK},
       Send(&Runtime::ListContainers, std::function<void(cri::ListContainersRequest&)>([](auto& r) {
              r.mutable_filter()->set_pod_sandbox_id(kUnknown);
              r.mutable_filter()->mutable_state()->set_state(static_cast<cri::ContainerState>(77));
            }))},
      {"ListContainerStats filtered by an unknown pod", {Code::OK},
       Send(&Runtime::ListContainerStats, std::function<void(cri::ListContainerStatsRequest&)>([](auto& r) {
              r.mutable_filter()->set_pod_sandbox_id(kUnknown);
              (*r.mutable_filter()->mutable_label_selector())["no/such"] = "label";
            }))},
      {"ListPodSandboxStats filtered by an unknown id", {Code::OK},
       Send(&Runtime::ListPodSandboxStats, std::function<void(cri::ListPodSandboxStatsRequest&)>([](auto& r) {
              r.mutable_filter()->set_id(kUnknown);
            }))},
      {"ListMetricDescriptors with an unknown field", {Code::OK},
       Send(&Runtime::ListMetricDescriptors,
            std::function<void(cri::ListMetricDescriptorsRequest&)>([](auto& r) { AddUnknownField(r); }))},
      {"ListPodSandboxMetrics with an unknown field", {Code::OK},
       Send(&Runtime::ListPodSandboxMetrics,
            std::function<void(cri::ListPodSandboxMetricsRequest&)>([](auto& r) { AddUnknownField(r); }))},
      // Server streaming: podagent does not stream events (kubelet polls); the answer must say so.
      {"GetContainerEvents with an unknown field", {Code::UNIMPLEMENTED},
       [](CriClient& c) {
         cri::GetEventsRequest req;
         AddUnknownField(req);
         grpc::ClientContext ctx;
         ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
         auto reader = c.runtime().GetContainerEvents(&ctx, req);
         cri::ContainerEventResponse event;
         while (reader->Read(&event)) {
         }
         return reader->Finish();
       }},
      {"ListImages filtered by a bad reference", {Code::OK, Code::INVALID_ARGUMENT},
       Send(&Images::ListImages, std::function<void(cri::ListImagesRequest&)>([](auto& r) {
              r.mutable_filter()->mutable_image()->set_image(kBadRef);
            }))},
      {"ImageFsInfo with an unknown field", {Code::OK},
       Send(&Images::ImageFsInfo, std::function<void(cri::ImageFsInfoRequest&)>([](auto& r) { AddUnknownField(r); }))},
      {"PullImage of a bad reference", {Code::INVALID_ARGUMENT},
       Send(&Images::PullImage,
            std::function<void(cri::PullImageRequest&)>([](auto& r) { r.mutable_image()->set_image(kBadRef); }))},
      {"PullImage without an image", {Code::INVALID_ARGUMENT},
       Send(&Images::PullImage, std::function<void(cri::PullImageRequest&)>([](auto&) {}))},
      // CRI: an image that is not there is no error (the response has no image); a reference that
      // cannot name an image is not there.
      {"ImageStatus of a bad reference", {Code::INVALID_ARGUMENT, Code::OK},
       Send(&Images::ImageStatus,
            std::function<void(cri::ImageStatusRequest&)>([](auto& r) { r.mutable_image()->set_image(kBadRef); }))},
      // CRI: RemoveImage of an image that is not there succeeds (idempotent).
      {"RemoveImage of a bad reference", {Code::INVALID_ARGUMENT, Code::NOT_FOUND, Code::OK},
       Send(&Images::RemoveImage,
            std::function<void(cri::RemoveImageRequest&)>([](auto& r) { r.mutable_image()->set_image(kBadRef); }))},
  };
}

class BadRequestsE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(daemon_.Start().ok()) << daemon_.Log();
    client_ = std::make_unique<CriClient>(daemon_.socket());
  }
  // The daemon still runs (its pid has not exited) and answers.
  void ExpectAlive() {
    int status = 0;
    EXPECT_EQ(::waitpid(daemon_.pid(), &status, WNOHANG), 0) << "podagent exited, status " << status << "\n"
                                                              << daemon_.Log();
    cri::VersionResponse v;
    EXPECT_TRUE(client_->Version(&v).ok());
  }
  TestDaemon daemon_;
  std::unique_ptr<CriClient> client_;
};

// The cases above reach every RPC of the CRI this build was generated from (Debian's api.proto):
// a method the CRI gains shows here until a case sends it bad content.
TEST(BadRequestCases, CoverEveryRpcOfTheCri) {
  int methods = 0;
  for (const char* full_name : {cri::RuntimeService::service_full_name(), cri::ImageService::service_full_name()}) {
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(full_name);
    ASSERT_NE(service, nullptr) << full_name;
    for (int i = 0; i < service->method_count(); ++i, ++methods) {
      const std::string name(service->method(i)->name());
      bool covered = false;
      for (const Case& c : Cases()) covered = covered || c.rpc.rfind(name + " ", 0) == 0;
      EXPECT_TRUE(covered) << service->name() << "." << name << " gets no well-formed bad request";
    }
  }
  EXPECT_GE(methods, 34) << "the CRI of Kubernetes 1.32 has 34 RPCs";
}

TEST_F(BadRequestsE2E, EveryRpcRefusesBadContentWithAClearStatus) {
  for (const Case& c : Cases()) {
    grpc::Status st = c.call(*client_);
    EXPECT_TRUE(c.allowed.count(st.error_code()))
        << c.rpc << ": got code " << st.error_code() << " \"" << st.error_message() << "\"";
    if (!st.ok()) {
      EXPECT_FALSE(st.error_message().empty()) << c.rpc << ": an error needs a message";
    }
  }
  ExpectAlive();
  // Nothing was created.
  cri::ListPodSandboxResponse pods;
  ASSERT_TRUE(client_->ListPods({}, &pods).ok());
  EXPECT_EQ(pods.items_size(), 0);
  cri::ListContainersResponse ctrs;
  ASSERT_TRUE(client_->Call(&Runtime::ListContainers, cri::ListContainersRequest(), &ctrs).ok());
  EXPECT_EQ(ctrs.containers_size(), 0);
  cri::ListImagesResponse images;
  ASSERT_TRUE(client_->Call(&Images::ListImages, cri::ListImagesRequest(), &images).ok());
  EXPECT_EQ(images.images_size(), 0);
}

// What the CRI defines exactly: removal is idempotent (no error for what is already gone), an
// absent image's status is OK with no image, filters that match nothing give empty lists.
TEST_F(BadRequestsE2E, AbsentThingsGetTheAnswersTheCriDefines) {
  cri::RemovePodSandboxRequest rp;
  rp.set_pod_sandbox_id(kUnknown);
  cri::RemovePodSandboxResponse rpr;
  EXPECT_TRUE(client_->Call(&Runtime::RemovePodSandbox, rp, &rpr).ok());
  cri::RemoveContainerRequest rc;
  rc.set_container_id(kUnknown);
  cri::RemoveContainerResponse rcr;
  EXPECT_TRUE(client_->Call(&Runtime::RemoveContainer, rc, &rcr).ok());
  cri::RemoveImageRequest ri;
  ri.mutable_image()->set_image("e2e.local/absent:1");
  cri::RemoveImageResponse rir;
  EXPECT_TRUE(client_->Call(&Images::RemoveImage, ri, &rir).ok());
  cri::ImageStatusRequest is;
  is.mutable_image()->set_image("e2e.local/absent:1");
  cri::ImageStatusResponse isr;
  ASSERT_TRUE(client_->Call(&Images::ImageStatus, is, &isr).ok());
  EXPECT_FALSE(isr.has_image());
  cri::ListContainerStatsRequest lcs;
  lcs.mutable_filter()->set_id(kUnknown);
  cri::ListContainerStatsResponse lcsr;
  ASSERT_TRUE(client_->Call(&Runtime::ListContainerStats, lcs, &lcsr).ok());
  EXPECT_EQ(lcsr.stats_size(), 0);
  cri::ListPodSandboxStatsRequest lps;
  lps.mutable_filter()->set_id(kUnknown);
  cri::ListPodSandboxStatsResponse lpsr;
  ASSERT_TRUE(client_->Call(&Runtime::ListPodSandboxStats, lps, &lpsr).ok());
  EXPECT_EQ(lpsr.stats_size(), 0);
  ExpectAlive();
}

}  // namespace
}  // namespace podagent::testing
