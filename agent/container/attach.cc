#include "agent/grpc_status.h"
#include "agent/services.h"

namespace podagent {

grpc::Status RuntimeServiceImpl::Attach(grpc::ServerContext*, const cri::AttachRequest*, cri::AttachResponse*) {
  return Unimplemented("Attach", "attach needs the streaming server, which podagent does not serve yet");
}

}  // namespace podagent
