// Attach: validates the request and returns a single-use URL on the streaming server; the client
// then reaches the container's stdio through its shim (agent/streaming/agent_backend.cc).

#include "absl/strings/str_cat.h"
#include "agent/container/container_manager.h"
#include "agent/grpc_status.h"
#include "agent/services.h"
#include "agent/streaming/server.h"

namespace podagent {
namespace {

absl::Status ValidateAttach(const cri::AttachRequest& req) {
  if (req.container_id().empty()) return absl::InvalidArgumentError("attach: container_id is empty");
  if (!req.stdin() && !req.stdout() && !req.stderr()) {
    return absl::InvalidArgumentError("attach: one of stdin, stdout and stderr must be set");
  }
  if (req.tty() && req.stderr()) {
    return absl::InvalidArgumentError("attach: tty and stderr cannot both be set (a tty merges stderr into stdout)");
  }
  return absl::OkStatus();
}

}  // namespace

grpc::Status RuntimeServiceImpl::Attach(grpc::ServerContext*, const cri::AttachRequest* req, cri::AttachResponse* resp) {
  if (auto st = ValidateAttach(*req); !st.ok()) return ToGrpc(st);
  auto rec = m_.containers->Get(req->container_id());
  if (!rec.ok()) return ToGrpc(rec.status());
  if (rec->state != CtrState::kRunning) {
    return ToGrpc(absl::FailedPreconditionError(absl::StrCat("attach: container ", rec->id, " is not running")));
  }
  // kubectl matches tty to the container's own; a tty request for a container without a
  // terminal would put the client's terminal in raw mode for nothing. The reverse (a plain
  // attach to a tty container) works as containerd's does: the terminal's output on stdout.
  if (req->tty() && !rec->tty) {
    return ToGrpc(absl::InvalidArgumentError(
        absl::StrCat("attach: tty requested but container ", rec->id, " was not created with tty")));
  }
  streaming::StreamingServer* server = streaming::ActiveStreamingServer();
  if (server == nullptr) return ToGrpc(absl::UnavailableError("attach: the streaming server is not running"));
  streaming::StreamRequest s;
  s.kind = streaming::StreamKind::kAttach;
  s.container_id = rec->id;
  s.tty = req->tty();
  s.stdin = req->stdin();
  s.stdout = req->stdout();
  s.stderr = req->stderr();
  auto url = server->UrlFor(std::move(s));
  if (!url.ok()) return ToGrpc(url.status());
  resp->set_url(*url);
  return grpc::Status::OK;
}

}  // namespace podagent
