// PortForward: validates the pod and ports and returns a single-use URL on the streaming server.
#include "absl/strings/str_cat.h"
#include "agent/grpc_status.h"
#include "agent/services.h"
#include "agent/streaming/server.h"

namespace podagent {

grpc::Status RuntimeServiceImpl::PortForward(grpc::ServerContext*, const cri::PortForwardRequest* req,
                                             cri::PortForwardResponse* resp) {
  if (req->pod_sandbox_id().empty()) {
    return ToGrpc(absl::InvalidArgumentError("port-forward: pod_sandbox_id is empty"));
  }
  for (int32_t port : req->port()) {
    if (port <= 0 || port > 65535) {
      return ToGrpc(absl::InvalidArgumentError(absl::StrCat("port-forward: port ", port, " is outside 1-65535")));
    }
  }
  auto pod = m_.ctx->pods->GetPod(req->pod_sandbox_id());
  if (!pod.ok()) return ToGrpc(pod.status());
  if (!pod->ready) {
    return ToGrpc(absl::FailedPreconditionError(absl::StrCat("port-forward: pod ", pod->id, " is not ready")));
  }
  streaming::StreamingServer* server = streaming::ActiveStreamingServer();
  if (server == nullptr) {
    return ToGrpc(absl::UnavailableError("port-forward: the streaming server is not running"));
  }
  streaming::StreamRequest s;
  s.kind = streaming::StreamKind::kPortForward;
  s.pod_id = pod->id;
  s.ports.assign(req->port().begin(), req->port().end());
  auto url = server->UrlFor(std::move(s));
  if (!url.ok()) return ToGrpc(url.status());
  resp->set_url(*url);
  return grpc::Status::OK;
}

}  // namespace podagent
