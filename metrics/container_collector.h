#pragma once
// ContainerCollector: the cAdvisor-compatible families, built at every Collect() from a snapshot
// of the workload plus cgroup reads, no cache: a removed container vanishes from the next call by
// itself. The endpoint serves it when metrics.housekeeping_seconds is 0; by default it serves
// metrics/pod_text_cache.h, which writes the same text from readings kept between scrapes.

#include <functional>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "metrics/container_metrics.h"
#include "metrics/workload_stats.h"
#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"

namespace podagent {

// Groups samples into Prometheus families, in ContainerMetricDefs() order; empty families are
// left out. The samples' label values are moved into the families, not copied.
std::vector<prometheus::MetricFamily> ToFamilies(std::vector<MetricSample> samples);

// Every sample of every pod and container of `readings`.
std::vector<MetricSample> WorkloadSamples(const std::vector<PodReading>& readings);

class ContainerCollector : public prometheus::Collectable {
 public:
  using Clock = std::function<absl::Time()>;
  // `source` and `reader` must outlive the collector.
  ContainerCollector(const WorkloadSource& source, const WorkloadStatsReader& reader, Clock clock = absl::Now)
      : source_(source), reader_(reader), clock_(std::move(clock)) {}

  std::vector<prometheus::MetricFamily> Collect() const override;
  // The same families, read the same way, appended to `out` as Prometheus text
  // (metrics/text_writer.h): what the endpoint serves, without building MetricFamily objects.
  void AppendText(std::string& out) const;

 private:
  const WorkloadSource& source_;
  const WorkloadStatsReader& reader_;
  Clock clock_;
};

}  // namespace podagent
