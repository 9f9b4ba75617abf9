#include "agent/container/container_convert.h"
#include "agent/container/container_manager.h"
#include "agent/raw_reply.h"
#include "agent/services.h"

namespace podagent {

namespace {

// A ListContainersResponse holding only `r` (agent/raw_reply.h: the reply concatenates these).
std::string EncodeOne(const ContainerRecord& r) {
  cri::ListContainersResponse one;
  FillContainer(r, one.add_containers());
  return one.SerializeAsString();
}

}  // namespace

grpc::ServerUnaryReactor* RuntimeServiceImpl::ListContainers(grpc::CallbackServerContext* context,
                                                             const grpc::ByteBuffer* request,
                                                             grpc::ByteBuffer* response) {
  cri::ListContainersRequest req;
  if (!ParseRequest(request, &req)) {
    return FinishCall(context, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                            "ListContainers: the request is not a runtime.v1.ListContainersRequest"));
  }
  std::string out;
  m_.containers->ForEach([&](const ContainerRecord& r, ContainerManager::Listing& cached) {
    if (req.has_filter() && !MatchesFilter(r, req.filter())) return;
    if (cached.state != r.state) cached = {r.state, EncodeOne(r)};
    out += cached.bytes;
  });
  *response = TakeBuffer(std::move(out));
  return FinishCall(context, grpc::Status::OK);
}

}  // namespace podagent
