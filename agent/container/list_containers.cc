#include <grpcpp/support/proto_buffer_reader.h>

#include "agent/container/container_convert.h"
#include "agent/container/container_manager.h"
#include "agent/services.h"

namespace podagent {

namespace {

grpc::ServerUnaryReactor* Finish(grpc::CallbackServerContext* context, const grpc::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(status);
  return reactor;
}

// A ListContainersResponse holding only `r`. Serialized protobuf messages concatenate into their
// merge, and a repeated field merges by appending: the reply is the concatenation of these.
std::string EncodeOne(const ContainerRecord& r) {
  cri::ListContainersResponse one;
  FillContainer(r, one.add_containers());
  return one.SerializeAsString();
}

// Hands `bytes` to gRPC without copying them.
grpc::ByteBuffer TakeBuffer(std::string bytes) {
  auto* owned = new std::string(std::move(bytes));
  grpc::Slice slice(owned->data(), owned->size(), [](void* p) { delete static_cast<std::string*>(p); }, owned);
  return grpc::ByteBuffer(&slice, 1);
}

}  // namespace

grpc::ServerUnaryReactor* RuntimeServiceImpl::ListContainers(grpc::CallbackServerContext* context,
                                                             const grpc::ByteBuffer* request,
                                                             grpc::ByteBuffer* response) {
  cri::ListContainersRequest req;
  grpc::ByteBuffer in(*request);  // shares the slices; the reader needs a mutable buffer
  grpc::ProtoBufferReader reader(&in);
  if (!req.ParseFromZeroCopyStream(&reader)) {
    return Finish(context, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                        "ListContainers: the request is not a runtime.v1.ListContainersRequest"));
  }
  std::string out;
  m_.containers->ForEach([&](const ContainerRecord& r, ContainerManager::Listing& cached) {
    if (req.has_filter() && !MatchesFilter(r, req.filter())) return;
    if (cached.state != r.state) cached = {r.state, EncodeOne(r)};
    out += cached.bytes;
  });
  *response = TakeBuffer(std::move(out));
  return Finish(context, grpc::Status::OK);
}

}  // namespace podagent
