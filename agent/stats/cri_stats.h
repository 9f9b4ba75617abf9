#pragma once
// Conversion of metrics readings to the CRI's stats messages, and the CRI's stats filters.

#include <map>
#include <string>

#include "api.pb.h"
#include "metrics/container_metrics.h"
#include "metrics/cpu_rate.h"
#include "metrics/workload_stats.h"

namespace podagent {

namespace cri = ::runtime::v1;

// Memory limits at or above this are "no limit" (v1 reports PAGE_COUNTER_MAX pages, v2 "max").
inline constexpr uint64_t kNoMemoryLimit = uint64_t{1} << 62;

// `rates` gives usage_nano_cores from the previous sample of the same id; `fs_mountpoint` names
// the filesystem holding writable layers.
void FillContainerStats(const ContainerReading& r, CpuRateTracker& rates, const std::string& fs_mountpoint,
                        cri::ContainerStats* out);
void FillPodStats(const PodReading& r, CpuRateTracker& rates, const std::string& fs_mountpoint,
                  cri::PodSandboxStats* out);

// CRI label selectors: every key/value of `selector` is in `labels`.
bool MatchesSelector(const google::protobuf::Map<std::string, std::string>& selector,
                     const std::map<std::string, std::string>& labels);
// CRI id filters: empty matches all; else the full id or a prefix of it.
bool MatchesId(const std::string& filter, const std::string& id);

void FillMetricDescriptor(const MetricDef& def, cri::MetricDescriptor* out);
void FillMetric(const MetricSample& sample, cri::Metric* out);
// ListPodSandboxMetrics entry of one pod: pod-level samples, then one ContainerMetrics per
// container that has samples.
void FillPodSandboxMetrics(const PodReading& r, cri::PodSandboxMetrics* out);

}  // namespace podagent
