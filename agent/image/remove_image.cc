#include "agent/grpc_status.h"
#include "agent/image/image_manager.h"
#include "agent/services.h"

namespace podagent {

// By id, tag or digest reference. Idempotent per the CRI: an absent image is success.
grpc::Status ImageServiceImpl::RemoveImage(grpc::ServerContext*, const cri::RemoveImageRequest* request,
                                           cri::RemoveImageResponse*) {
  const std::string& ref = request->image().image();
  if (ref.empty()) return ToGrpc(absl::InvalidArgumentError("remove image: empty image reference"));
  return ToGrpc(m_.images->Remove(ref));
}

}  // namespace podagent
