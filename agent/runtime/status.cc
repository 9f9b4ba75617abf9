// Status: RuntimeReady and NetworkReady, each telling the truth; the features podagent has (per
// runtime handler: recursive read-only mounts when the kernel has mount_setattr; for all:
// SupplementalGroupsPolicy and ContainerStatus.user); verbose adds the config.
#include "agent/runtime/runtime_conditions.h"
#include "agent/sandbox/sandbox_manager.h"
#include "agent/streaming/server.h"
#include "agent/services.h"
#include "runtime/container/mount_features.h"
#include "runtime/common/json_text.h"

namespace podagent {
namespace {

void AddCondition(cri::RuntimeStatus* status, const std::string& type, bool ok, const std::string& reason,
                  const std::string& message) {
  cri::RuntimeCondition* c = status->add_conditions();
  c->set_type(type);
  c->set_status(ok);
  if (!ok) {
    c->set_reason(reason);
    c->set_message(message);
  }
}

void AddFeatures(const Config& config, cri::StatusResponse* response) {
  bool rro = RecursiveReadOnlyMountsSupported();
  for (const std::string& name : config.runtime_handlers) {
    cri::RuntimeHandler* h = response->add_runtime_handlers();
    h->set_name(name);
    h->mutable_features()->set_recursive_read_only_mounts(rro);
    h->mutable_features()->set_user_namespaces(false);
  }
  response->mutable_features()->set_supplemental_groups_policy(true);
}

}  // namespace

grpc::Status RuntimeServiceImpl::Status(grpc::ServerContext*, const cri::StatusRequest* request, cri::StatusResponse* response) {
  RuntimeCondition runtime = CheckRuntimeReady(*m_.ctx);
  NetworkCondition network = m_.sandboxes->Network();
  cri::RuntimeStatus* status = response->mutable_status();
  AddCondition(status, "RuntimeReady", runtime.ready, runtime.reason, runtime.message);
  AddCondition(status, "NetworkReady", network.ready, network.reason, network.message);
  AddFeatures(m_.ctx->config, response);
  if (request->verbose()) {
    (*response->mutable_info())["config"] = JsonText(m_.ctx->config.ToJson());
    if (auto* s = streaming::ActiveStreamingServer()) {
      (*response->mutable_info())["streamingAddress"] = JsonText(nlohmann::json(s->address()));
    }
  }
  return grpc::Status::OK;
}

}  // namespace podagent
