#include "agent/grpc_status.h"
#include "agent/services.h"

namespace podagent {

grpc::Status RuntimeServiceImpl::CheckpointContainer(grpc::ServerContext*, const cri::CheckpointContainerRequest*, cri::CheckpointContainerResponse*) {
  return Unimplemented("CheckpointContainer", "checkpointing (CRIU) is not supported");
}

}  // namespace podagent
