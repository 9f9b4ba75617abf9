// UpdateRuntimeConfig: kubelet tells us the node's pod CIDR. The CNI config owns addressing, so
// this is recorded in the log only; an invalid CIDR is still refused.
#include <arpa/inet.h>

#include "agent/logging.h"
#include "agent/services.h"

namespace podagent {
namespace {

bool ValidCidr(const std::string& cidr) {
  auto slash = cidr.find('/');
  if (slash == std::string::npos) return false;
  std::string addr = cidr.substr(0, slash), bits = cidr.substr(slash + 1);
  if (bits.empty() || bits.size() > 3 || bits.find_first_not_of("0123456789") != std::string::npos) return false;
  unsigned char buf[16];
  int n = std::stoi(bits);
  if (::inet_pton(AF_INET, addr.c_str(), buf) == 1) return n <= 32;
  if (::inet_pton(AF_INET6, addr.c_str(), buf) == 1) return n <= 128;
  return false;
}

}  // namespace

grpc::Status RuntimeServiceImpl::UpdateRuntimeConfig(grpc::ServerContext*, const cri::UpdateRuntimeConfigRequest* request,
                                                     cri::UpdateRuntimeConfigResponse*) {
  const std::string& cidr = request->runtime_config().network_config().pod_cidr();
  if (cidr.empty()) return grpc::Status::OK;
  for (size_t start = 0; start <= cidr.size();) {  // dual-stack: comma-separated
    size_t comma = cidr.find(',', start);
    std::string one = cidr.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!ValidCidr(one)) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "pod cidr \"" + one + "\" is not a valid CIDR");
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  ComponentLogger("cri")->info("kubelet set pod cidr {} (addressing comes from the CNI config)", cidr);
  return grpc::Status::OK;
}

}  // namespace podagent
