// Measures the cost of one /metrics scrape with many containers: creates N container cgroups
// (pods of K containers) on the real cgroup hierarchy through the CgroupDriver, each with a small
// writable-layer directory, then times ContainerCollector::Collect() plus text serialisation.
// Root only; everything it creates is removed at the end.
//
//   metrics_scrape_bench [containers=300] [containers_per_pod=3] [iterations=30]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <vector>

#include "absl/strings/str_cat.h"
#include "metrics/container_collector.h"
#include "prometheus/text_serializer.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/common/files.h"
#include "runtime/common/ids.h"

namespace podagent {
namespace {

struct Source : WorkloadSource {
  std::vector<PodSnapshot> pods;
  std::vector<ContainerSnapshot> containers;
  std::vector<PodSnapshot> Pods() const override { return pods; }
  std::vector<ContainerSnapshot> Containers() const override { return containers; }
};

double Ms(std::chrono::steady_clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

int Main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 300;
  int per_pod = argc > 2 ? std::atoi(argv[2]) : 3;
  int iterations = argc > 3 ? std::atoi(argv[3]) : 30;
  if (::geteuid() != 0) {
    std::fprintf(stderr, "metrics_scrape_bench: needs root (creates cgroups)\n");
    return 2;
  }
  auto driver = CgroupDriver::Detect("/sys/fs/cgroup");
  if (!driver.ok()) {
    std::fprintf(stderr, "metrics_scrape_bench: %s\n", driver.status().ToString().c_str());
    return 1;
  }
  std::string root = "/podagent-bench-" + NewId().substr(0, 8);
  std::string layers = "/tmp" + root;
  Source source;
  absl::Status st;
  for (int i = 0; i < n && st.ok(); ++i) {
    if (i % per_pod == 0) {
      PodSnapshot pod;
      pod.id = absl::StrCat("pod", i / per_pod);
      pod.name = pod.id;
      pod.namespace_ = "bench";
      pod.state = "ready";
      pod.cgroup_path = absl::StrCat(root, "/", pod.id);
      pod.pause_pid = ::getpid();  // one /proc/PID/net/dev read per pod, as for real pods
      source.pods.push_back(pod);
    }
    ContainerSnapshot c;
    c.id = absl::StrCat("ctr", i);
    c.pod_id = source.pods.back().id;
    c.name = c.id;
    c.image = "bench:latest";
    c.state = "running";
    c.cgroup_path = absl::StrCat(source.pods.back().cgroup_path, "/", c.id);
    c.upper_dir = absl::StrCat(layers, "/", c.id);
    c.started_at_ns = 1;
    st = (*driver)->Create(c.cgroup_path);
    if (st.ok()) st = MakeDirs(c.upper_dir + "/etc");
    if (st.ok()) st = WriteFileAtomic(c.upper_dir + "/etc/hostname", "bench\n");
    source.containers.push_back(c);
  }
  if (st.ok()) {
    CgroupLayout layout = (*driver)->IsV2() ? CgroupLayout::V2((*driver)->MountRoot())
                                            : CgroupLayout::V1((*driver)->MountRoot());
    WorkloadStatsReader reader(layout, nullptr);
    ContainerCollector collector(source, reader);
    prometheus::TextSerializer serializer;
    std::vector<double> times;
    double collect_ms = 0;
    size_t bytes = 0, series = 0;
    for (int k = 0; k < iterations + 1; ++k) {
      auto t0 = std::chrono::steady_clock::now();
      auto families = collector.Collect();
      if (k > 0) collect_ms += Ms(std::chrono::steady_clock::now() - t0);
      std::string text = serializer.Serialize(families);
      times.push_back(Ms(std::chrono::steady_clock::now() - t0));
      bytes = text.size();
      series = 0;
      for (const auto& f : families) series += f.metric.size();
    }
    double first = times.front();  // includes the uncached du walks
    times.erase(times.begin());
    std::sort(times.begin(), times.end());
    double mean = std::accumulate(times.begin(), times.end(), 0.0) / times.size();
    std::printf("cgroup %s, %d containers in %zu pods, %zu series, %zu bytes of text\n",
                layout.IsV2() ? "v2" : "v1", n, source.pods.size(), series, bytes);
    std::printf("first scrape (uncached du): %.1f ms\n", first);
    std::printf("scrape over %d iterations: mean %.1f ms (collect %.1f ms, serialise the rest), p50 %.1f ms, "
                "max %.1f ms (%.1f us per container)\n",
                iterations, mean, collect_ms / iterations, times[times.size() / 2], times.back(), 1000 * mean / n);
  } else {
    std::fprintf(stderr, "metrics_scrape_bench: setup: %s\n", st.ToString().c_str());
  }
  absl::Status destroyed = (*driver)->Destroy(root);
  if (!destroyed.ok()) std::fprintf(stderr, "metrics_scrape_bench: cleanup %s: %s\n", root.c_str(), destroyed.ToString().c_str());
  (void)RemoveTree(layers);
  return st.ok() && destroyed.ok() ? 0 : 1;
}

}  // namespace
}  // namespace podagent

int main(int argc, char** argv) { return podagent::Main(argc, argv); }
