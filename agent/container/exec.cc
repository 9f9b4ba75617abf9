// Exec: validates the request and returns a single-use URL on the streaming server; the command
// starts when the client connects (agent/streaming/agent_backend.cc).
#include "absl/strings/str_cat.h"
#include "agent/container/container_manager.h"
#include "agent/grpc_status.h"
#include "agent/services.h"
#include "agent/streaming/server.h"

namespace podagent {
namespace {

absl::Status ValidateExec(const cri::ExecRequest& req) {
  if (req.container_id().empty()) return absl::InvalidArgumentError("exec: container_id is empty");
  if (req.cmd().empty()) return absl::InvalidArgumentError("exec: cmd is empty");
  if (!req.stdin() && !req.stdout() && !req.stderr()) {
    return absl::InvalidArgumentError("exec: one of stdin, stdout and stderr must be set");
  }
  if (req.tty() && req.stderr()) {
    return absl::InvalidArgumentError("exec: tty and stderr cannot both be set (a tty merges stderr into stdout)");
  }
  return absl::OkStatus();
}

}  // namespace

grpc::Status RuntimeServiceImpl::Exec(grpc::ServerContext*, const cri::ExecRequest* req, cri::ExecResponse* resp) {
  if (auto st = ValidateExec(*req); !st.ok()) return ToGrpc(st);
  auto rec = m_.containers->Get(req->container_id());
  if (!rec.ok()) return ToGrpc(rec.status());
  if (rec->state != CtrState::kRunning) {
    return ToGrpc(absl::FailedPreconditionError(absl::StrCat("exec: container ", rec->id, " is not running")));
  }
  streaming::StreamingServer* server = streaming::ActiveStreamingServer();
  if (server == nullptr) return ToGrpc(absl::UnavailableError("exec: the streaming server is not running"));
  streaming::StreamRequest s;
  s.kind = streaming::StreamKind::kExec;
  s.container_id = rec->id;
  s.cmd.assign(req->cmd().begin(), req->cmd().end());
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
