#include "agent/stats/stats_manager.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>

#include "absl/strings/str_cat.h"
#include "agent/version.h"
#include "metrics/metrics_server.h"
#include "runtime/cgroups/cgroup.h"

namespace podagent {
namespace {

CgroupLayout LayoutFor(const AgentContext& ctx) {
  if (ctx.cgroups != nullptr) {
    return ctx.cgroups->IsV2() ? CgroupLayout::V2(ctx.cgroups->MountRoot())
                               : CgroupLayout::V1(ctx.cgroups->MountRoot());
  }
  return CgroupLayout::Probe("/sys/fs/cgroup");
}

}  // namespace

StatsManager::StatsManager(AgentContext& ctx) : StatsManager(ctx, Options{}) {}

StatsManager::StatsManager(AgentContext& ctx, Options options)
    : ctx_(ctx), options_(std::move(options)), workload_(ctx) {
  CgroupLayout layout = options_.layout ? *options_.layout : LayoutFor(ctx_);
  reader_ = std::make_unique<WorkloadStatsReader>(std::move(layout), nullptr, options_.proc_root);
  agent_metrics_ = std::make_shared<AgentMetrics>(BuildInfo{kVersion, kGitCommit});
  container_collector_ = std::make_shared<ContainerCollector>(workload_, *reader_, options_.clock);
  absl::Duration recount = absl::Seconds(std::max<int64_t>(0, ctx_.config.metrics_housekeeping_seconds));
  state_collector_ = std::make_shared<WorkloadStateCollector>(workload_, options_.proc_root, recount, options_.clock);
  MachineRoots machine_roots;
  machine_roots.proc = options_.proc_root;
  machine_collector_ = std::make_shared<MachineCollector>(std::move(machine_roots));
}

StatsManager::~StatsManager() = default;

absl::Status StatsManager::Start() {
  const std::string& listen = ctx_.config.metrics_listen;
  if (listen.empty()) {
    spdlog::info("metrics: endpoint disabled (metrics_listen is empty)");
    return absl::OkStatus();
  }
  try {
    // civetweb throws when it cannot bind.
    server_ = std::make_unique<MetricsServer>(listen, /*threads=*/2);
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("listen for metrics on ", listen, ": ", e.what()));
  }
  // The cAdvisor families are written as text directly (metrics/text_writer.h): at 500 containers
  // they are ~35,000 series, which prometheus-cpp's ostream serialiser took a third of a scrape for.
  MetricsServer::Part container_text{nullptr, ContainerText()};
  server_->Serve("/metrics", {{agent_metrics_->Registry(), nullptr}, {state_collector_, nullptr}, container_text,
                              {machine_collector_, nullptr}});
  // kubelet's path for the cAdvisor families: the kubernetes-mixin selects metrics_path="/metrics/cadvisor".
  server_->Serve("/metrics/cadvisor", {container_text, {machine_collector_, nullptr}});
  spdlog::info("metrics: serving http://{}/metrics and /metrics/cadvisor (cgroup {}, {})", listen,
               reader_->Layout().IsV2() ? "v2" : "v1",
               pod_text_ ? absl::StrCat("cgroups read every ", ctx_.config.metrics_housekeeping_seconds, " s")
                         : std::string("cgroups read at each scrape"));
  return absl::OkStatus();
}

std::function<void(std::string&)> StatsManager::ContainerText() {
  if (ctx_.config.metrics_housekeeping_seconds <= 0) {
    const ContainerCollector* containers = container_collector_.get();
    return [containers](std::string& out) { containers->AppendText(out); };
  }
  pod_text_ = std::make_unique<PodTextCache>(workload_, *reader_,
                                             absl::Seconds(ctx_.config.metrics_housekeeping_seconds), options_.clock);
  pod_text_->Start();
  PodTextCache* cache = pod_text_.get();
  return [cache](std::string& out) { cache->AppendText(out); };
}

int StatsManager::MetricsPort() const {
  if (!server_) return 0;
  std::vector<int> ports = server_->Ports();
  return ports.empty() ? 0 : ports.front();
}

void StatsManager::ObserveRequest(const std::string& method, int grpc_code, double seconds) {
  agent_metrics_->ObserveCriRequest(method, grpc_code, seconds);
}

std::vector<PodReading> StatsManager::ReadPods(const std::function<bool(const PodSnapshot&)>& pod_filter,
                                               const std::function<bool(const ContainerSnapshot&)>& keep,
                                               ReadDepth depth) {
  absl::Time now = options_.clock();
  std::vector<ContainerSnapshot> containers;
  for (ContainerSnapshot& c : workload_.Containers()) {
    if (keep(c)) containers.push_back(std::move(c));
  }
  std::vector<PodSnapshot> pods;
  for (PodSnapshot& pod : workload_.Pods()) {
    if (pod_filter(pod)) pods.push_back(std::move(pod));
  }
  std::vector<PodReading> out = reader_->ReadPods(pods, std::move(containers), now, depth);
  PruneRates(now);
  return out;
}

void StatsManager::PruneRates(absl::Time now) { rates_.Prune(absl::ToUnixNanos(now - absl::Minutes(10))); }

}  // namespace podagent
