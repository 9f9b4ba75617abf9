#include "agent/grpc_status.h"
#include "agent/image/image_convert.h"
#include "agent/image/image_manager.h"
#include "agent/services.h"

namespace podagent {

grpc::Status ImageServiceImpl::ListImages(grpc::ServerContext*, const cri::ListImagesRequest* request,
                                          cri::ListImagesResponse* response) {
  const std::string& want = request->filter().image().image();
  if (!want.empty()) {
    auto r = m_.images->Find(want);
    if (r.ok()) ToCriImage(*r, response->add_images());
    return grpc::Status::OK;
  }
  for (const auto& r : m_.images->List()) ToCriImage(r, response->add_images());
  return grpc::Status::OK;
}

}  // namespace podagent
