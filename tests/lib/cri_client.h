#pragma once
// CriClient: a small CRI client over a unix socket for e2e tests and benchmarks.
// Call(&Stub::Method, request, &response) runs any RPC with a deadline; the typed helpers cover
// what most tests need.

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

#include "api.grpc.pb.h"

namespace podagent::testing {

namespace cri = ::runtime::v1;

class CriClient {
 public:
  explicit CriClient(const std::string& socket_path, std::chrono::seconds timeout = std::chrono::seconds(60));

  cri::RuntimeService::Stub& runtime() { return *runtime_; }
  cri::ImageService::Stub& image() { return *image_; }

  template <typename Stub, typename Req, typename Resp>
  grpc::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*), const Req& req, Resp* resp,
                    std::chrono::milliseconds timeout = std::chrono::milliseconds(0)) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + (timeout.count() ? timeout : timeout_));
    return (StubFor<Stub>().*method)(&ctx, req, resp);
  }

  // Typed helpers: return the status; results through out-params.
  grpc::Status Version(cri::VersionResponse* out);
  grpc::Status Status(bool verbose, cri::StatusResponse* out);
  grpc::Status RunPod(const cri::PodSandboxConfig& config, std::string* pod_id, const std::string& handler = "");
  grpc::Status StopPod(const std::string& pod_id);
  grpc::Status RemovePod(const std::string& pod_id);
  grpc::Status PodStatus(const std::string& pod_id, bool verbose, cri::PodSandboxStatusResponse* out);
  grpc::Status ListPods(const cri::PodSandboxFilter& filter, cri::ListPodSandboxResponse* out);
  grpc::Status CreateContainer(const std::string& pod_id, const cri::ContainerConfig& config,
                               const cri::PodSandboxConfig& pod_config, std::string* container_id);
  grpc::Status StartContainer(const std::string& container_id);
  grpc::Status StopContainer(const std::string& container_id, int64_t timeout_seconds);
  grpc::Status RemoveContainer(const std::string& container_id);
  grpc::Status ContainerStatus(const std::string& container_id, bool verbose, cri::ContainerStatusResponse* out);
  grpc::Status ExecSync(const std::string& container_id, const std::vector<std::string>& cmd, int64_t timeout_seconds,
                        cri::ExecSyncResponse* out);
  grpc::Status PullImage(const std::string& ref, std::string* image_ref, const cri::AuthConfig* auth = nullptr);
  grpc::Status RemoveImage(const std::string& ref);

 private:
  template <typename Stub>
  Stub& StubFor();

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<cri::RuntimeService::Stub> runtime_;
  std::unique_ptr<cri::ImageService::Stub> image_;
  std::chrono::milliseconds timeout_;
};

template <>
inline cri::RuntimeService::Stub& CriClient::StubFor<cri::RuntimeService::Stub>() { return *runtime_; }
template <>
inline cri::ImageService::Stub& CriClient::StubFor<cri::ImageService::Stub>() { return *image_; }

// A minimal pod config with the given name; uid and namespace derived from it.
cri::PodSandboxConfig MakePodConfig(const std::string& name, const std::string& log_directory = "");
// A minimal container config running `command` from `image`.
cri::ContainerConfig MakeContainerConfig(const std::string& name, const std::string& image,
                                         const std::vector<std::string>& command);

}  // namespace podagent::testing
