#include "agent/grpc_status.h"
#include "agent/image/image_convert.h"
#include "agent/image/image_manager.h"
#include "agent/services.h"
#include "agent/stats/stats_manager.h"
#include "spdlog/spdlog.h"

namespace podagent {

grpc::Status ImageServiceImpl::PullImage(grpc::ServerContext* context, const cri::PullImageRequest* request,
                                         cri::PullImageResponse* response) {
  const std::string& ref = request->image().image();
  // Never log the auth config: it carries credentials.
  spdlog::info("image {}: pull requested{}", ref, request->has_auth() ? " (with credentials)" : "");
  // A client that gives up (cancels, or its deadline passes) stops the pull, so a trickling
  // registry never pins this thread past the client's interest.
  auto r = m_.images->Pull(ref, FromCriAuth(request->auth()), [context] { return context->IsCancelled(); });
  m_.stats->Metrics().ObserveImagePull(r.ok(), r.ok() ? static_cast<uint64_t>(r->size) : 0);
  if (!r.ok()) {
    spdlog::error("image {}: pull failed: {}", ref, std::string(r.status().message()));
    return ToGrpc(r.status());
  }
  response->set_image_ref(r->id);
  return grpc::Status::OK;
}

}  // namespace podagent
