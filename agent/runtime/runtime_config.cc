// RuntimeConfig: the cgroup driver kubelet must match, as configured (cgroup_driver).
#include "agent/services.h"

namespace podagent {

grpc::Status RuntimeServiceImpl::RuntimeConfig(grpc::ServerContext*, const cri::RuntimeConfigRequest*,
                                               cri::RuntimeConfigResponse* response) {
  bool systemd = m_.ctx->config.cgroup_driver == "systemd";
  response->mutable_linux()->set_cgroup_driver(systemd ? cri::CgroupDriver::SYSTEMD : cri::CgroupDriver::CGROUPFS);
  return grpc::Status::OK;
}

}  // namespace podagent
