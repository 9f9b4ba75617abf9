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

// The pause's cgroup as the driver names it ("<pod>/pause" for cgroupfs); "" without one.
std::string PauseCgroup(const PodRecord& r, const CgroupDriver* cgroups) {
  if (r.cgroup_path.empty()) return "";
  if (cgroups == nullptr) return r.cgroup_path + "/pause";
  return cgroups->PausePath(r.cgroup_path, r.id).value_or("");
}

// The verbose info, with the kernel's facts of a ready pod's pause (its namespaces and the
// processes of its cgroup) and the host's namespaces, for `podagent ns` and `podagent top`, and
// the pause's cgroup for `podagent cgroup`.
nlohmann::json VerboseWithFacts(const PodRecord& r, bool ready, const CgroupDriver* cgroups) {
  nlohmann::json info = VerboseInfo(r, ready);
  const std::string pause_cgroup = PauseCgroup(r, cgroups);
  info["pauseCgroupPath"] = pause_cgroup;
  if (ready) AddProcessFacts(r.pause.pid, r.pause.start_time, cgroups, pause_cgroup, info);
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
