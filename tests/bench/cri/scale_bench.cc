#include "tests/bench/cri/scale_bench.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "runtime/common/errors.h"
#include "tests/bench/cri/proc_memory.h"
#include "tests/bench/cri/stop_signal.h"
#include "tests/bench/cri/timing.h"
#include "tests/lib/http_get.h"

namespace podagent::bench {
namespace {

constexpr double kMiB = 1024.0;

struct Pod {
  std::string id, container;
  bool running = false;
};

void StartOne(Target& t, Results& r, bool host_network, Pod& pod) {
  auto& c = t.client();
  std::string name = UniqueName("bench-scale");
  auto pod_config = t.PodConfig(name, host_network);
  grpc::Status st = c.RunPod(pod_config, &pod.id);
  if (st.ok()) {
    t.Track(pod.id);
    st = c.CreateContainer(pod.id, t.ContainerConfig(name), pod_config, &pod.container);
  }
  if (st.ok()) st = c.StartContainer(pod.container);
  if (!st.ok()) return r.Error(t.name(), "scale start: " + st.error_message());
  pod.running = true;
}

void TearDownOne(Target& t, Results& r, const Pod& pod) {
  if (pod.id.empty()) return;
  grpc::Status st = t.client().StopPod(pod.id);
  if (st.ok()) st = t.client().RemovePod(pod.id);
  if (!st.ok()) return r.Error(t.name(), "scale teardown: " + st.error_message());
  t.Untrack(pod.id);
}

// "pid" of the verbose info JSON both containerd and podagent return.
absl::StatusOr<pid_t> InfoPid(const google::protobuf::Map<std::string, std::string>& info, const std::string& id) {
  auto it = info.find("info");
  if (it == info.end()) return absl::NotFoundError("no verbose info for " + id);
  nlohmann::json j = nlohmann::json::parse(it->second, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("pid") || !j["pid"].is_number_integer() || j["pid"].get<int>() <= 0) {
    return absl::NotFoundError("no pid in the verbose info of " + id);
  }
  return static_cast<pid_t>(j["pid"].get<int>());
}

struct PodPids {
  std::set<pid_t> pause, workload;
};

absl::StatusOr<PodPids> CollectPids(Target& t, const std::vector<Pod>& pods) {
  PodPids out;
  for (const Pod& p : pods) {
    cri::PodSandboxStatusResponse ps;
    cri::ContainerStatusResponse cs;
    grpc::Status st = t.client().PodStatus(p.id, true, &ps);
    if (st.ok()) st = t.client().ContainerStatus(p.container, true, &cs);
    if (!st.ok()) return absl::UnavailableError("status of " + p.id + ": " + st.error_message());
    auto pause = InfoPid(ps.info(), p.id);
    auto ctr = InfoPid(cs.info(), p.container);
    if (!pause.ok()) return pause.status();
    if (!ctr.ok()) return ctr.status();
    out.pause.insert(*pause);
    out.workload.insert(*ctr);
  }
  return out;
}

// Splits the runtime's processes at K pods into pause, shim and daemon, without the workloads.
absl::Status MeasureMemory(Target& t, Results& r, const std::vector<Pod>& pods, pid_t daemon, const Memory& before) {
  ASSIGN_OR_RETURN(PodPids pids, CollectPids(t, pods));
  ProcessTree tree = ProcessTree::Scan();
  std::set<pid_t> workload = pids.workload;
  for (pid_t w : pids.workload) workload.merge(tree.Descendants(w));
  std::set<pid_t> shims;
  auto add_shim = [&](pid_t child) {
    pid_t p = tree.Parent(child);
    if (p > 1 && p != daemon && !pids.pause.count(p) && !workload.count(p)) shims.insert(p);
  };
  for (pid_t w : pids.workload) add_shim(w);
  for (pid_t p : pids.pause) add_shim(p);
  std::set<pid_t> daemon_set = tree.Descendants(daemon);
  daemon_set.insert(daemon);
  for (const auto* drop : {&pids.pause, &shims, &workload}) {
    for (pid_t p : *drop) daemon_set.erase(p);
  }
  ASSIGN_OR_RETURN(Memory pause, SumMemory(pids.pause));
  ASSIGN_OR_RETURN(Memory shim, SumMemory(shims));
  ASSIGN_OR_RETURN(Memory daemon_now, SumMemory(daemon_set));
  double k = static_cast<double>(pods.size());
  std::string at = absl::StrCat(" at K=", pods.size());
  double growth_rss = daemon_now.rss_kib - before.rss_kib, growth_pss = daemon_now.pss_kib - before.pss_kib;
  r.Add("RSS per pod (pause+shim+daemon growth)" + at, "MiB", t.name(), (pause.rss_kib + shim.rss_kib + growth_rss) / k / kMiB);
  r.Add("PSS per pod (pause+shim+daemon growth)" + at, "MiB", t.name(), (pause.pss_kib + shim.pss_kib + growth_pss) / k / kMiB);
  r.Add("  pause RSS per pod" + at, "MiB", t.name(), pause.rss_kib / k / kMiB);
  r.Add("  shim RSS per pod" + at, "MiB", t.name(), shim.rss_kib / k / kMiB);
  r.Add("  shim processes per pod" + at, "n", t.name(), static_cast<double>(shims.size()) / k);
  r.Add("  daemon RSS growth per pod" + at, "MiB", t.name(), growth_rss / k / kMiB);
  return absl::OkStatus();
}

template <typename Req, typename Resp>
void TimeList(Target& t, Results& r, const std::string& row, int rounds,
              grpc::Status (cri::RuntimeService::Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
              size_t want, int (Resp::*count)() const) {
  for (int i = 0; i < rounds; ++i) {
    Resp resp;
    if (!TimedStep(t, r, row, [&] { return t.client().Call(method, Req(), &resp); })) return;
    if (static_cast<size_t>((resp.*count)()) < want) {
      return r.Error(t.name(), absl::StrCat(row, ": ", (resp.*count)(), " items, want at least ", want));
    }
  }
}

void MeasureCosts(Target& t, Results& r, size_t k, int rounds) {
  std::string at = absl::StrCat(" at K=", k);
  using S = cri::RuntimeService::Stub;
  TimeList(t, r, "ListPodSandbox" + at, rounds, &S::ListPodSandbox, k, &cri::ListPodSandboxResponse::items_size);
  TimeList(t, r, "ListContainers" + at, rounds, &S::ListContainers, k, &cri::ListContainersResponse::containers_size);
  TimeList(t, r, "ListContainerStats" + at, rounds, &S::ListContainerStats, k, &cri::ListContainerStatsResponse::stats_size);
  TimeList(t, r, "ListPodSandboxStats" + at, rounds, &S::ListPodSandboxStats, k,
           &cri::ListPodSandboxStatsResponse::stats_size);
  if (t.options().metrics_url.empty()) return;
  // The first scrape after the K pods started finds none of them read yet (podagent's
  // housekeeping cache, metrics/pod_text_cache.h, reads only while scraped): it is its own row.
  for (int i = 0; i <= rounds; ++i) {
    absl::StatusOr<std::string> body;
    double ms = ElapsedMs([&] { body = testing::HttpGet(t.options().metrics_url); });
    if (!body.ok() || body->empty()) return r.Error(t.name(), "/metrics scrape: " + body.status().ToString());
    r.Add((i == 0 ? "/metrics first scrape" : "/metrics scrape") + at, "ms", t.name(), ms);
  }
  // As Prometheus scrapes: it asks for gzip every time. Timed to the last compressed byte, not
  // decoded (the server's cost and the transfer, not the client's inflate).
  for (int i = 0; i < rounds; ++i) {
    absl::StatusOr<std::string> body;
    double ms = ElapsedMs([&] {
      body = testing::HttpGet(t.options().metrics_url, absl::Seconds(30), {"Accept-Encoding: gzip"});
    });
    if (!body.ok()) return r.Error(t.name(), "/metrics gzip scrape: " + body.status().ToString());
    if (body->size() < 2 || (*body)[0] != '\x1f' || (*body)[1] != '\x8b') {
      return r.Error(t.name(), "/metrics gzip scrape: the answer to Accept-Encoding: gzip is not gzip");
    }
    r.Add("/metrics scrape, gzip" + at, "ms", t.name(), ms);
  }
}

}  // namespace

absl::StatusOr<Memory> DaemonMemory(pid_t daemon) {
  std::set<pid_t> pids = ProcessTree::Scan().Descendants(daemon);
  pids.insert(daemon);
  return SumMemory(pids);
}

void RunScale(Target& t, Results& r, const ScaleOptions& o) {
  auto daemon = t.DaemonPid();
  if (!daemon.ok()) return r.Error(t.name(), "daemon pid: " + daemon.status().ToString());
  absl::StatusOr<Memory> before = Memory{};  // the host-network rounds measure no memory
  if (!o.host_network) before = DaemonMemory(*daemon);
  if (!before.ok()) return r.Error(t.name(), "daemon memory: " + before.status().ToString());
  std::vector<Pod> pods(static_cast<size_t>(o.pods));
  std::string k = absl::StrCat("K=", o.pods);
  std::string kind = o.host_network ? "K host-network pods" : "K pods";
  double start_ms = ElapsedMs([&] {
    Parallel(o.pods, o.clients, [&](int i) {
      if (!StopRequested()) StartOne(t, r, o.host_network, pods[i]);  // those made are torn down below
    });
  });
  bool all = std::all_of(pods.begin(), pods.end(), [](const Pod& p) { return p.running; });
  if (all) r.Add(kind + " started at once, " + k, "s", t.name(), start_ms / 1000);
  if (all && !o.host_network) {
    absl::Status mem = MeasureMemory(t, r, pods, *daemon, *before);
    if (!mem.ok()) r.Error(t.name(), "memory at " + k + ": " + mem.ToString());
    MeasureCosts(t, r, pods.size(), o.list_rounds);
  }
  double down_ms = ElapsedMs([&] { Parallel(o.pods, o.clients, [&](int i) { TearDownOne(t, r, pods[i]); }); });
  if (all) r.Add(kind + " torn down, " + k, "s", t.name(), down_ms / 1000);
}

}  // namespace podagent::bench
