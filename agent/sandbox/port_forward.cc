#include "agent/grpc_status.h"
#include "agent/services.h"

namespace podagent {

grpc::Status RuntimeServiceImpl::PortForward(grpc::ServerContext*, const cri::PortForwardRequest*,
                                             cri::PortForwardResponse*) {
  return Unimplemented("PortForward", "the streaming server is not implemented yet");
}

}  // namespace podagent
