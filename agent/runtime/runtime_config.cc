// RuntimeConfig: the cgroup driver kubelet must match (cgroupfs).
#include "agent/services.h"

namespace podagent {

grpc::Status RuntimeServiceImpl::RuntimeConfig(grpc::ServerContext*, const cri::RuntimeConfigRequest*,
                                               cri::RuntimeConfigResponse* response) {
  response->mutable_linux()->set_cgroup_driver(cri::CgroupDriver::CGROUPFS);
  return grpc::Status::OK;
}

}  // namespace podagent
