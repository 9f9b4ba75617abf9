#include "metrics/container_collector.h"

#include <map>

namespace podagent {

std::vector<MetricSample> WorkloadSamples(const std::vector<PodReading>& readings) {
  std::vector<MetricSample> samples;
  for (const PodReading& pod : readings) {
    AppendPodSamples(pod, samples);
    for (const ContainerReading& c : pod.containers) AppendContainerSamples(pod.pod, c, samples);
  }
  return samples;
}

std::vector<prometheus::MetricFamily> ToFamilies(const std::vector<MetricSample>& samples) {
  std::map<const MetricDef*, std::vector<const MetricSample*>> by_def;
  for (const MetricSample& s : samples) by_def[s.def].push_back(&s);
  std::vector<prometheus::MetricFamily> families;
  for (const MetricDef& def : ContainerMetricDefs()) {
    auto it = by_def.find(&def);
    if (it == by_def.end()) continue;
    prometheus::MetricFamily family;
    family.name = def.name;
    family.help = def.help;
    family.type = def.counter ? prometheus::MetricType::Counter : prometheus::MetricType::Gauge;
    for (const MetricSample* s : it->second) {
      prometheus::ClientMetric m;
      const std::vector<std::string>& keys = BaseLabelKeys();
      for (size_t i = 0; i < s->label_values.size(); ++i) {
        const std::string& key = i < keys.size() ? keys[i] : def.extra_labels[i - keys.size()];
        m.label.push_back({key, s->label_values[i]});
      }
      if (def.counter) {
        m.counter.value = s->value;
      } else {
        m.gauge.value = s->value;
      }
      family.metric.push_back(std::move(m));
    }
    families.push_back(std::move(family));
  }
  return families;
}

std::vector<prometheus::MetricFamily> ContainerCollector::Collect() const {
  return ToFamilies(WorkloadSamples(reader_.ReadAll(source_, clock_(), ReadDepth::kMetrics)));
}

}  // namespace podagent
