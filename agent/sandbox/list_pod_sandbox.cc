#include "agent/raw_reply.h"
#include "agent/sandbox/pod_view.h"
#include "agent/sandbox/sandbox_manager.h"
#include "agent/services.h"

namespace podagent {

namespace {

// A ListPodSandboxResponse holding only `r` (agent/raw_reply.h: the reply concatenates these).
std::string EncodeOne(const PodRecord& r, bool ready) {
  cri::ListPodSandboxResponse one;
  FillPodSandbox(r, ready, one.add_items());
  return one.SerializeAsString();
}

}  // namespace

grpc::ServerUnaryReactor* RuntimeServiceImpl::ListPodSandbox(grpc::CallbackServerContext* context,
                                                             const grpc::ByteBuffer* request,
                                                             grpc::ByteBuffer* response) {
  cri::ListPodSandboxRequest req;
  if (!ParseRequest(request, &req)) {
    return FinishCall(context, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                            "ListPodSandbox: the request is not a runtime.v1.ListPodSandboxRequest"));
  }
  std::string out;
  m_.sandboxes->ForEach([&](const PodRecord& r, bool ready, SandboxManager::Listing& kept) {
    if (req.has_filter() && !MatchesFilter(r, ready, req.filter())) return;
    if (!kept.made || kept.ready != ready) kept = {true, ready, EncodeOne(r, ready)};
    out += kept.bytes;
  });
  *response = TakeBuffer(std::move(out));
  return FinishCall(context, grpc::Status::OK);
}

}  // namespace podagent
