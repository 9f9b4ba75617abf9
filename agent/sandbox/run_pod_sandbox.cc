#include "agent/grpc_status.h"
#include "agent/sandbox/pod_config.h"
#include "agent/sandbox/sandbox_manager.h"
#include "agent/services.h"

namespace podagent {

grpc::Status RuntimeServiceImpl::RunPodSandbox(grpc::ServerContext*, const cri::RunPodSandboxRequest* request,
                                               cri::RunPodSandboxResponse* response) {
  if (!request->has_config()) return ToGrpc(absl::InvalidArgumentError("run pod sandbox: no config"));
  auto record = PodRecordFromConfig(request->config(), request->runtime_handler(), m_.ctx->config);
  if (!record.ok()) return ToGrpc(record.status());
  auto id = m_.sandboxes->Run(std::move(*record), RequestedOomScoreAdj(request->config()));
  if (!id.ok()) return ToGrpc(id.status());
  response->set_pod_sandbox_id(*id);
  return grpc::Status::OK;
}

}  // namespace podagent
