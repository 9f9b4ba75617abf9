#include "absl/strings/str_cat.h"
#include "agent/grpc_status.h"
#include "agent/sandbox/pod_config.h"
#include "agent/sandbox/pod_resources.h"
#include "agent/sandbox/sandbox_manager.h"
#include "agent/services.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/common/fmt_absl.h"
#include "spdlog/spdlog.h"

namespace podagent {
namespace {

// The pod cgroup gets linux.resources + linux.overhead; a pod whose limits cannot be written is
// removed again, so a failed RunPodSandbox leaves nothing.
absl::Status ApplyPodResources(AgentContext& ctx, SandboxManager& sandboxes, const std::string& id,
                               const CgroupResources& resources) {
  if (ctx.cgroups == nullptr) return absl::OkStatus();
  auto pod = sandboxes.GetPod(id);
  absl::Status st = pod.ok() ? ctx.cgroups->Apply(pod->cgroup_path, resources) : pod.status();
  if (st.ok()) return st;
  if (absl::Status undo = sandboxes.Remove(id); !undo.ok()) spdlog::error("pod {}: rollback: {}", id, undo.message());
  return absl::Status(st.code(), absl::StrCat("pod ", id, ": apply pod resources: ", st.message()));
}

}  // namespace

grpc::Status RuntimeServiceImpl::RunPodSandbox(grpc::ServerContext*, const cri::RunPodSandboxRequest* request,
                                               cri::RunPodSandboxResponse* response) {
  if (!request->has_config()) return ToGrpc(absl::InvalidArgumentError("run pod sandbox: no config"));
  auto record = PodRecordFromConfig(request->config(), request->runtime_handler(), m_.ctx->config);
  if (!record.ok()) return ToGrpc(record.status());
  auto resources = PodCgroupResources(request->config().linux());
  if (!resources.ok()) return ToGrpc(resources.status());
  auto id = m_.sandboxes->Run(std::move(*record), RequestedOomScoreAdj(request->config()));
  if (!id.ok()) return ToGrpc(id.status());
  if (absl::Status st = ApplyPodResources(*m_.ctx, *m_.sandboxes, *id, *resources); !st.ok()) return ToGrpc(st);
  response->set_pod_sandbox_id(*id);
  return grpc::Status::OK;
}

}  // namespace podagent
