#include "agent/grpc_status.h"
#include "agent/image/image_convert.h"
#include "agent/image/image_manager.h"
#include "agent/services.h"

namespace podagent {

// CRI: an absent image is not an error; the response has no image.
grpc::Status ImageServiceImpl::ImageStatus(grpc::ServerContext*, const cri::ImageStatusRequest* request,
                                           cri::ImageStatusResponse* response) {
  auto r = m_.images->Find(request->image().image());
  if (absl::IsNotFound(r.status())) return grpc::Status::OK;
  if (!r.ok()) return ToGrpc(r.status());
  ToCriImage(*r, response->mutable_image());
  if (request->verbose()) {
    (*response->mutable_info())["info"] = VerboseImageInfo(*r, m_.images->ToInfo(*r).layer_dirs);
  }
  return grpc::Status::OK;
}

}  // namespace podagent
