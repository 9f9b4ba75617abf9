#include "absl/time/clock.h"
#include "agent/container/process_facts.h"
#include "agent/container/process_namespaces.h"
#include "agent/grpc_status.h"
#include "agent/sandbox/pod_view.h"
#include "agent/sandbox/sandbox_manager.h"
#include "agent/services.h"
#include "runtime/common/json_text.h"

namespace podagent {
namespace {

constexpr char kPauseCgroup[] = "/pause";  // runtime/sandbox/linux_sandbox_runtime.cc

// The verbose info, with the kernel's facts of a ready pod's pause (its namespaces and the
// processes of its cgroup) and the host's namespaces, for `podagent ns` and `podagent top`.
nlohmann::json VerboseWithFacts(const PodRecord& r, bool ready, const CgroupDriver* cgroups) {
  nlohmann::json info = VerboseInfo(r, ready);
  if (ready) {
    AddProcessFacts(r.pause.pid, r.pause.start_time, cgroups, r.cgroup_path.empty() ? "" : r.cgroup_path + kPauseCgroup,
                    info);
  }
  info["hostNamespaces"] = NamespacesJson(HostNamespaces());
  return info;
}

}  // namespace

grpc::Status RuntimeServiceImpl::PodSandboxStatus(grpc::ServerContext*, const cri::PodSandboxStatusRequest* request,
                                                  cri::PodSandboxStatusResponse* response) {
  auto view = m_.sandboxes->Status(request->pod_sandbox_id());
  if (!view.ok()) return ToGrpc(view.status());
  FillPodSandboxStatus(view->record, view->ready, response->mutable_status());
  if (request->verbose())
    (*response->mutable_info())["info"] =
        JsonText(VerboseWithFacts(view->record, view->ready, m_.ctx ? m_.ctx->cgroups : nullptr));
  response->set_timestamp(absl::ToUnixNanos(absl::Now()));
  return grpc::Status::OK;
}

}  // namespace podagent
