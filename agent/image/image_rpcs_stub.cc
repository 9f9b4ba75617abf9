// STUB: replaced by the images work, one RPC per file.
#include <cstdio>

#include "agent/grpc_status.h"
#include "agent/image/image_manager.h"
#include "agent/services.h"

namespace podagent {
namespace {
const char kWhy[] = "images are not implemented yet";
}

#define PODAGENT_STUB(Name, Req, Resp) \
  grpc::Status ImageServiceImpl::Name(grpc::ServerContext*, const cri::Req*, cri::Resp*) { return Unimplemented(#Name, kWhy); }
PODAGENT_STUB(ListImages, ListImagesRequest, ListImagesResponse)
PODAGENT_STUB(ImageStatus, ImageStatusRequest, ImageStatusResponse)
PODAGENT_STUB(PullImage, PullImageRequest, PullImageResponse)
PODAGENT_STUB(RemoveImage, RemoveImageRequest, RemoveImageResponse)
PODAGENT_STUB(ImageFsInfo, ImageFsInfoRequest, ImageFsInfoResponse)
#undef PODAGENT_STUB

int ImageCliMain(const Config&, const std::vector<std::string>&) {
  std::fprintf(stderr, "podagent image: %s\n", kWhy);
  return 2;
}

}  // namespace podagent
