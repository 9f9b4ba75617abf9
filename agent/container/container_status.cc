#include "agent/container/container_convert.h"
#include "agent/container/container_manager.h"
#include "agent/container/process_facts.h"
#include "agent/grpc_status.h"
#include "agent/services.h"
#include "metrics/cgroup_layout.h"
#include "metrics/cgroup_reader.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/common/json_text.h"

namespace podagent {
namespace {

// What the kernel keeps of the container's memory, read from its cgroup now (it lives until
// RemoveContainer, so an OOM-killed container still shows it): the limit (v1
// memory.limit_in_bytes, v2 memory.max), the peak (v1 memory.max_usage_in_bytes, v2 memory.peak
// where the kernel has it) and the OOM kill count. A fact the kernel does not give is left out;
// null when there is no cgroup to read.
nlohmann::json ContainerMemoryFacts(const AgentContext& ctx, const ContainerRecord& r) {
  if (ctx.cgroups == nullptr || r.cgroup_path.empty() || !ctx.cgroups->Exists(r.cgroup_path)) return nullptr;
  CgroupLayout layout =
      ctx.cgroups->IsV2() ? CgroupLayout::V2(ctx.cgroups->MountRoot()) : CgroupLayout::V1(ctx.cgroups->MountRoot());
  MemoryStats m = ReadCgroupStats(layout, r.cgroup_path).memory;
  nlohmann::json j = {{"cgroupVersion", ctx.cgroups->IsV2() ? 2 : 1}};
  if (m.limit) j["limitBytes"] = *m.limit;
  if (m.max_usage) j["peakBytes"] = *m.max_usage;
  if (m.usage) j["usageBytes"] = *m.usage;
  if (m.oom_kills) j["oomKills"] = *m.oom_kills;
  return j;
}

// The verbose info, with the kernel's facts of a running container's main process (its
// namespaces and the processes of its cgroup) for `podagent ns` and `podagent top`.
std::string VerboseWithFacts(const AgentContext* ctx, const ContainerRecord& r) {
  std::string base = VerboseInfo(r, ctx ? ContainerMemoryFacts(*ctx, r) : nlohmann::json(nullptr));
  nlohmann::json info = nlohmann::json::parse(base, nullptr, false);
  if (!info.is_object()) return base;
  if (r.state == CtrState::kRunning) {
    AddProcessFacts(r.pid, r.pid_start_time, ctx ? ctx->cgroups : nullptr, r.cgroup_path, info);
  }
  return JsonText(info);
}

}  // namespace

grpc::Status RuntimeServiceImpl::ContainerStatus(grpc::ServerContext*, const cri::ContainerStatusRequest* req,
                                                 cri::ContainerStatusResponse* resp) {
  auto rec = m_.containers->Get(req->container_id());
  if (!rec.ok()) return ToGrpc(rec.status());
  FillContainerStatus(*rec, resp->mutable_status());
  if (req->verbose()) {
    (*resp->mutable_info())["info"] = VerboseWithFacts(m_.ctx, *rec);
  }
  return grpc::Status::OK;
}

}  // namespace podagent
