#pragma once
// The cAdvisor metric families podagent exposes, as data: the Prometheus collector and the CRI's
// ListMetricDescriptors / ListPodSandboxMetrics are both built from this one table and from the
// same samples, so the endpoint and kubelet's CRI-only stats path agree.
//
// Labels are cAdvisor's, fixed, never copied from user labels: container (CRI name; "" for the
// pod cgroup), id (cgroup path), image, name (container id; "" for the pod), namespace, pod; plus
// "cpu" (always "total") on container_cpu_usage_seconds_total and "interface" on network families.

#include <string>
#include <vector>

#include "metrics/workload_stats.h"

namespace podagent {

struct MetricDef {
  std::string name;
  std::string help;
  bool counter = false;               // else gauge
  std::vector<std::string> extra_labels;  // after the base labels
};

// container, id, image, name, namespace, pod (sorted, as the CRI asks).
const std::vector<std::string>& BaseLabelKeys();
// Every family, in exposition order.
const std::vector<MetricDef>& ContainerMetricDefs();
const MetricDef* FindMetricDef(const std::string& name);

struct MetricSample {
  const MetricDef* def = nullptr;
  std::vector<std::string> label_values;  // BaseLabelKeys() then def->extra_labels
  double value = 0;
  // When the value was read, for samples served later than they were read (metrics/pod_text_cache.h),
  // as cAdvisor stamps its cached samples; 0: none (read for this scrape).
  int64_t timestamp_ms = 0;
};

// Samples of a container's cgroup (when found), its start time and writable layer.
void AppendContainerSamples(const PodSnapshot& pod, const ContainerReading& c, std::vector<MetricSample>& out);
// Samples of the pod cgroup (container="") and its network interfaces.
void AppendPodSamples(const PodReading& pod, std::vector<MetricSample>& out);

}  // namespace podagent
