#include "metrics/agent_metrics.h"

#include <sys/stat.h>

#include <map>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "prometheus/gauge.h"
#include "metrics/stat_files.h"

namespace podagent {
namespace {

const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const prometheus::Histogram::BucketBoundaries b = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                            0.25,  0.5,    1,     2.5,  5,     10,   30, 60, 120};
  return b;
}

bool Alive(const std::string& proc_root, pid_t pid) {
  struct stat st{};
  return pid > 0 && ::stat(absl::StrCat(proc_root, "/", pid).c_str(), &st) == 0;
}

// Parent pid from /proc/PID/stat: the field after the ")" that closes comm, then the state.
pid_t ParentOf(const std::string& proc_root, pid_t pid) {
  std::optional<std::string> stat = ReadOptionalFile(absl::StrCat(proc_root, "/", pid, "/stat"));
  if (!stat) return 0;
  size_t close = stat->rfind(')');
  if (close == std::string::npos) return 0;
  std::vector<absl::string_view> fields = absl::StrSplit(absl::string_view(*stat).substr(close + 1), ' ', absl::SkipEmpty());
  int ppid = 0;
  if (fields.size() < 2 || !absl::SimpleAtoi(fields[1], &ppid)) return 0;
  return ppid;
}

prometheus::MetricFamily GaugeFamily(const std::string& name, const std::string& help) {
  prometheus::MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = prometheus::MetricType::Gauge;
  return f;
}

void AddGauge(prometheus::MetricFamily& f, std::vector<prometheus::ClientMetric::Label> labels, double v) {
  prometheus::ClientMetric m;
  m.label = std::move(labels);
  m.gauge.value = v;
  f.metric.push_back(std::move(m));
}

}  // namespace

std::string GrpcCodeName(int code) {
  static const char* const kNames[] = {"OK",           "Canceled",          "Unknown",       "InvalidArgument",
                                       "DeadlineExceeded", "NotFound",      "AlreadyExists", "PermissionDenied",
                                       "ResourceExhausted", "FailedPrecondition", "Aborted",  "OutOfRange",
                                       "Unimplemented", "Internal",         "Unavailable",   "DataLoss",
                                       "Unauthenticated"};
  if (code < 0 || code > 16) return "Unknown";
  return kNames[code];
}

AgentMetrics::AgentMetrics(const BuildInfo& build)
    : registry_(std::make_shared<prometheus::Registry>()),
      requests_(prometheus::BuildCounter()
                    .Name("podagent_cri_requests_total")
                    .Help("CRI requests served, by method and gRPC status code.")
                    .Register(*registry_)),
      durations_(prometheus::BuildHistogram()
                     .Name("podagent_cri_request_duration_seconds")
                     .Help("Time to serve a CRI request, by method.")
                     .Register(*registry_)),
      pulls_(prometheus::BuildCounter()
                 .Name("podagent_image_pulls_total")
                 .Help("Image pulls finished, by result (success, failure).")
                 .Register(*registry_)),
      pull_bytes_(prometheus::BuildCounter()
                      .Name("podagent_image_pull_bytes_total")
                      .Help("Bytes (config and compressed layers) of the images that pulls delivered.")
                      .Register(*registry_)
                      .Add({})) {
  prometheus::BuildGauge()
      .Name("podagent_build_info")
      .Help("A constant 1, labelled with podagent's version and git commit.")
      .Register(*registry_)
      .Add({{"version", build.version}, {"git_commit", build.git_commit}})
      .Set(1);
}

void AgentMetrics::ObserveCriRequest(const std::string& method, int grpc_code, double seconds) {
  requests_.Add({{"method", method}, {"code", GrpcCodeName(grpc_code)}}).Increment();
  durations_.Add({{"method", method}}, LatencyBuckets()).Observe(seconds);
}

void AgentMetrics::ObserveImagePull(bool success, uint64_t bytes) {
  pulls_.Add({{"result", success ? "success" : "failure"}}).Increment();
  pull_bytes_.Increment(static_cast<double>(bytes));
}

ProcessCounts CountProcesses(const std::vector<PodSnapshot>& pods, const std::vector<ContainerSnapshot>& containers,
                             const std::string& proc_root) {
  ProcessCounts counts;
  for (const PodSnapshot& p : pods) counts.pause += Alive(proc_root, p.pause_pid) ? 1 : 0;
  std::map<pid_t, bool> shims;
  for (const ContainerSnapshot& c : containers) {
    if (c.pid <= 0) continue;
    pid_t parent = ParentOf(proc_root, c.pid);
    if (parent <= 1 || shims.contains(parent)) continue;
    std::optional<std::string> comm = ReadOptionalFile(absl::StrCat(proc_root, "/", parent, "/comm"));
    shims[parent] = comm && absl::StartsWith(*comm, "podagent-shim");
  }
  for (const auto& [pid, is_shim] : shims) counts.shim += is_shim ? 1 : 0;
  return counts;
}

ProcessCounts WorkloadStateCollector::Counts(const std::vector<PodSnapshot>& pods,
                                            const std::vector<ContainerSnapshot>& containers) const {
  std::string key;
  for (const PodSnapshot& p : pods) absl::StrAppend(&key, p.pause_pid, p.state, ",");
  key += ";";
  for (const ContainerSnapshot& c : containers) absl::StrAppend(&key, c.pid, c.state, ",");
  std::lock_guard<std::mutex> l(mu_);
  absl::Time now = clock_();
  if (key == counted_for_ && now - counted_at_ < recount_after_) return counts_;
  counts_ = CountProcesses(pods, containers, proc_root_);
  counted_for_ = std::move(key);
  counted_at_ = now;
  return counts_;
}

std::vector<prometheus::MetricFamily> WorkloadStateCollector::Collect() const {
  std::vector<PodSnapshot> pods = source_.Pods();
  std::vector<ContainerSnapshot> containers = source_.Containers();
  std::map<std::string, int> pod_states = {{"ready", 0}, {"notready", 0}};
  for (const PodSnapshot& p : pods) ++pod_states[p.state];
  std::map<std::string, int> ctr_states = {{"created", 0}, {"running", 0}, {"exited", 0}, {"unknown", 0}};
  for (const ContainerSnapshot& c : containers) ++ctr_states[c.state];

  prometheus::MetricFamily pf = GaugeFamily("podagent_pods", "Pod sandboxes by state.");
  for (const auto& [state, n] : pod_states) AddGauge(pf, {{"state", state}}, n);
  prometheus::MetricFamily cf = GaugeFamily("podagent_containers", "Containers by state.");
  for (const auto& [state, n] : ctr_states) AddGauge(cf, {{"state", state}}, n);
  ProcessCounts counts = Counts(pods, containers);
  prometheus::MetricFamily pause = GaugeFamily("podagent_pause_processes", "Live pause processes of pods.");
  AddGauge(pause, {}, double(counts.pause));
  prometheus::MetricFamily shim = GaugeFamily("podagent_shim_processes", "Live shim processes of containers.");
  AddGauge(shim, {}, double(counts.shim));
  return {pf, cf, pause, shim};
}

}  // namespace podagent
