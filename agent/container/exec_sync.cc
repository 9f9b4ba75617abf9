#include "agent/container/container_manager.h"
#include "agent/grpc_status.h"
#include "agent/services.h"

namespace podagent {

grpc::Status RuntimeServiceImpl::ExecSync(grpc::ServerContext*, const cri::ExecSyncRequest* req,
                                          cri::ExecSyncResponse* resp) {
  std::vector<std::string> cmd(req->cmd().begin(), req->cmd().end());
  auto r = m_.containers->ExecSync(req->container_id(), cmd, req->timeout());
  if (!r.ok()) return ToGrpc(r.status());
  resp->set_stdout(r->out);
  resp->set_stderr(r->err);
  resp->set_exit_code(r->exit_code);
  return grpc::Status::OK;
}

}  // namespace podagent
