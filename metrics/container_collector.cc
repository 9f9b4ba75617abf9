#include "metrics/container_collector.h"

#include <map>
#include <utility>

#include "metrics/text_writer.h"

namespace podagent {

std::vector<MetricSample> WorkloadSamples(const std::vector<PodReading>& readings) {
  std::vector<MetricSample> samples;
  for (const PodReading& pod : readings) {
    AppendPodSamples(pod, samples);
    for (const ContainerReading& c : pod.containers) AppendContainerSamples(pod.pod, c, samples);
  }
  return samples;
}

std::vector<prometheus::MetricFamily> ToFamilies(std::vector<MetricSample> samples) {
  std::map<const MetricDef*, std::vector<MetricSample*>> by_def;
  for (MetricSample& s : samples) by_def[s.def].push_back(&s);
  const std::vector<std::string>& keys = BaseLabelKeys();
  std::vector<prometheus::MetricFamily> families;
  for (const MetricDef& def : ContainerMetricDefs()) {
    auto it = by_def.find(&def);
    if (it == by_def.end()) continue;
    prometheus::MetricFamily family;
    family.name = def.name;
    family.help = def.help;
    family.type = def.counter ? prometheus::MetricType::Counter : prometheus::MetricType::Gauge;
    family.metric.reserve(it->second.size());
    for (MetricSample* s : it->second) {
      prometheus::ClientMetric m;
      m.label.reserve(s->label_values.size());
      for (size_t i = 0; i < s->label_values.size(); ++i) {
        const std::string& key = i < keys.size() ? keys[i] : def.extra_labels[i - keys.size()];
        m.label.push_back({key, std::move(s->label_values[i])});  // each sample is read once
      }
      m.timestamp_ms = s->timestamp_ms;
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

void ContainerCollector::AppendText(std::string& out) const {
  AppendSamplesText(WorkloadSamples(reader_.ReadAll(source_, clock_(), ReadDepth::kMetrics)), out);
}

}  // namespace podagent
