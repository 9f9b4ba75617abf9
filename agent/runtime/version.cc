// Version: who we are and which CRI we speak.
#include "agent/services.h"
#include "agent/version.h"

namespace podagent {

grpc::Status RuntimeServiceImpl::Version(grpc::ServerContext*, const cri::VersionRequest*, cri::VersionResponse* response) {
  response->set_version("0.1.0");  // the kubelet-facing API version of this response format
  response->set_runtime_name("podagent");
  response->set_runtime_version(std::string(kVersion) + "+" + kGitCommit);
  response->set_runtime_api_version("v1");
  return grpc::Status::OK;
}

}  // namespace podagent
