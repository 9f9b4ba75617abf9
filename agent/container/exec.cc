#include "agent/grpc_status.h"
#include "agent/services.h"

namespace podagent {

grpc::Status RuntimeServiceImpl::Exec(grpc::ServerContext*, const cri::ExecRequest*, cri::ExecResponse*) {
  return Unimplemented("Exec", "streaming exec needs the streaming server, which podagent does not serve yet");
}

}  // namespace podagent
