#include "tests/lib/cri_client.h"

namespace podagent::testing {

CriClient::CriClient(const std::string& socket_path, std::chrono::seconds timeout)
    : channel_(grpc::CreateChannel("unix:" + socket_path, grpc::InsecureChannelCredentials())),
      runtime_(cri::RuntimeService::NewStub(channel_)),
      image_(cri::ImageService::NewStub(channel_)),
      timeout_(std::chrono::duration_cast<std::chrono::milliseconds>(timeout)) {}

grpc::Status CriClient::Version(cri::VersionResponse* out) {
  cri::VersionRequest req;
  req.set_version("v1");
  return Call(&cri::RuntimeService::Stub::Version, req, out);
}

grpc::Status CriClient::Status(bool verbose, cri::StatusResponse* out) {
  cri::StatusRequest req;
  req.set_verbose(verbose);
  return Call(&cri::RuntimeService::Stub::Status, req, out);
}

grpc::Status CriClient::RunPod(const cri::PodSandboxConfig& config, std::string* pod_id, const std::string& handler) {
  cri::RunPodSandboxRequest req;
  *req.mutable_config() = config;
  req.set_runtime_handler(handler);
  cri::RunPodSandboxResponse resp;
  grpc::Status st = Call(&cri::RuntimeService::Stub::RunPodSandbox, req, &resp);
  if (st.ok() && pod_id) *pod_id = resp.pod_sandbox_id();
  return st;
}

grpc::Status CriClient::StopPod(const std::string& pod_id) {
  cri::StopPodSandboxRequest req;
  req.set_pod_sandbox_id(pod_id);
  cri::StopPodSandboxResponse resp;
  return Call(&cri::RuntimeService::Stub::StopPodSandbox, req, &resp);
}

grpc::Status CriClient::RemovePod(const std::string& pod_id) {
  cri::RemovePodSandboxRequest req;
  req.set_pod_sandbox_id(pod_id);
  cri::RemovePodSandboxResponse resp;
  return Call(&cri::RuntimeService::Stub::RemovePodSandbox, req, &resp);
}

grpc::Status CriClient::PodStatus(const std::string& pod_id, bool verbose, cri::PodSandboxStatusResponse* out) {
  cri::PodSandboxStatusRequest req;
  req.set_pod_sandbox_id(pod_id);
  req.set_verbose(verbose);
  return Call(&cri::RuntimeService::Stub::PodSandboxStatus, req, out);
}

grpc::Status CriClient::ListPods(const cri::PodSandboxFilter& filter, cri::ListPodSandboxResponse* out) {
  cri::ListPodSandboxRequest req;
  *req.mutable_filter() = filter;
  return Call(&cri::RuntimeService::Stub::ListPodSandbox, req, out);
}

grpc::Status CriClient::CreateContainer(const std::string& pod_id, const cri::ContainerConfig& config,
                                        const cri::PodSandboxConfig& pod_config, std::string* container_id) {
  cri::CreateContainerRequest req;
  req.set_pod_sandbox_id(pod_id);
  *req.mutable_config() = config;
  *req.mutable_sandbox_config() = pod_config;
  cri::CreateContainerResponse resp;
  grpc::Status st = Call(&cri::RuntimeService::Stub::CreateContainer, req, &resp);
  if (st.ok() && container_id) *container_id = resp.container_id();
  return st;
}

grpc::Status CriClient::StartContainer(const std::string& container_id) {
  cri::StartContainerRequest req;
  req.set_container_id(container_id);
  cri::StartContainerResponse resp;
  return Call(&cri::RuntimeService::Stub::StartContainer, req, &resp);
}

grpc::Status CriClient::StopContainer(const std::string& container_id, int64_t timeout_seconds) {
  cri::StopContainerRequest req;
  req.set_container_id(container_id);
  req.set_timeout(timeout_seconds);
  cri::StopContainerResponse resp;
  return Call(&cri::RuntimeService::Stub::StopContainer, req, &resp);
}

grpc::Status CriClient::RemoveContainer(const std::string& container_id) {
  cri::RemoveContainerRequest req;
  req.set_container_id(container_id);
  cri::RemoveContainerResponse resp;
  return Call(&cri::RuntimeService::Stub::RemoveContainer, req, &resp);
}

grpc::Status CriClient::ContainerStatus(const std::string& container_id, bool verbose, cri::ContainerStatusResponse* out) {
  cri::ContainerStatusRequest req;
  req.set_container_id(container_id);
  req.set_verbose(verbose);
  return Call(&cri::RuntimeService::Stub::ContainerStatus, req, out);
}

grpc::Status CriClient::ExecSync(const std::string& container_id, const std::vector<std::string>& cmd,
                                 int64_t timeout_seconds, cri::ExecSyncResponse* out) {
  cri::ExecSyncRequest req;
  req.set_container_id(container_id);
  for (const auto& c : cmd) req.add_cmd(c);
  req.set_timeout(timeout_seconds);
  return Call(&cri::RuntimeService::Stub::ExecSync, req, out,
              std::chrono::milliseconds((timeout_seconds + 30) * 1000));
}

grpc::Status CriClient::PullImage(const std::string& ref, std::string* image_ref, const cri::AuthConfig* auth) {
  cri::PullImageRequest req;
  req.mutable_image()->set_image(ref);
  if (auth) *req.mutable_auth() = *auth;
  cri::PullImageResponse resp;
  grpc::Status st = Call(&cri::ImageService::Stub::PullImage, req, &resp, std::chrono::milliseconds(300000));
  if (st.ok() && image_ref) *image_ref = resp.image_ref();
  return st;
}

grpc::Status CriClient::RemoveImage(const std::string& ref) {
  cri::RemoveImageRequest req;
  req.mutable_image()->set_image(ref);
  cri::RemoveImageResponse resp;
  return Call(&cri::ImageService::Stub::RemoveImage, req, &resp);
}

cri::PodSandboxConfig MakePodConfig(const std::string& name, const std::string& log_directory) {
  cri::PodSandboxConfig c;
  c.mutable_metadata()->set_name(name);
  c.mutable_metadata()->set_namespace_("podagent-test");
  c.mutable_metadata()->set_uid("uid-" + name);
  c.mutable_metadata()->set_attempt(0);
  c.set_hostname(name.size() > 63 ? name.substr(0, 63) : name);
  if (!log_directory.empty()) c.set_log_directory(log_directory);
  c.mutable_linux()->mutable_security_context()->mutable_namespace_options()->set_pid(cri::NamespaceMode::CONTAINER);
  return c;
}

cri::ContainerConfig MakeContainerConfig(const std::string& name, const std::string& image,
                                         const std::vector<std::string>& command) {
  cri::ContainerConfig c;
  c.mutable_metadata()->set_name(name);
  c.mutable_image()->set_image(image);
  for (const auto& arg : command) c.add_command(arg);
  c.set_log_path(name + ".log");
  return c;
}

}  // namespace podagent::testing
