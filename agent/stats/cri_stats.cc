#include "agent/stats/cri_stats.h"

#include <cmath>

namespace podagent {
namespace {

void Set(cri::UInt64Value* v, uint64_t value) { v->set_value(value); }

void FillCpu(const std::string& rate_key, const CgroupStats& s, int64_t ts, CpuRateTracker& rates,
             cri::CpuUsage* out) {
  out->set_timestamp(ts);
  if (!s.cpu.usage_ns) return;
  Set(out->mutable_usage_core_nano_seconds(), *s.cpu.usage_ns);
  // kubelet treats a missing usage_nano_cores as 0 until the second sample.
  Set(out->mutable_usage_nano_cores(), rates.Update(rate_key, ts, *s.cpu.usage_ns).value_or(0));
}

void FillMemory(const MemoryStats& m, int64_t ts, cri::MemoryUsage* out) {
  out->set_timestamp(ts);
  std::optional<uint64_t> ws = m.WorkingSet();
  if (ws) Set(out->mutable_working_set_bytes(), *ws);
  if (ws && m.limit && *m.limit < kNoMemoryLimit) Set(out->mutable_available_bytes(), *m.limit > *ws ? *m.limit - *ws : 0);
  if (m.usage) Set(out->mutable_usage_bytes(), *m.usage);
  if (m.rss) Set(out->mutable_rss_bytes(), *m.rss);
  if (m.pgfault) Set(out->mutable_page_faults(), *m.pgfault);
  if (m.pgmajfault) Set(out->mutable_major_page_faults(), *m.pgmajfault);
}

void FillInterface(const InterfaceStats& i, cri::NetworkInterfaceUsage* out) {
  out->set_name(i.name);
  Set(out->mutable_rx_bytes(), i.rx_bytes);
  Set(out->mutable_rx_errors(), i.rx_errors);
  Set(out->mutable_tx_bytes(), i.tx_bytes);
  Set(out->mutable_tx_errors(), i.tx_errors);
}

// kubelet's default interface is eth0; without one, the first interface stands in.
void FillNetwork(const std::vector<InterfaceStats>& ifs, int64_t ts, cri::NetworkUsage* out) {
  out->set_timestamp(ts);
  size_t def = 0;
  for (size_t i = 0; i < ifs.size(); ++i) {
    if (ifs[i].name == "eth0") def = i;
  }
  for (size_t i = 0; i < ifs.size(); ++i) {
    FillInterface(ifs[i], i == def ? out->mutable_default_interface() : out->add_interfaces());
  }
}

}  // namespace

void FillContainerStats(const ContainerReading& r, CpuRateTracker& rates, const std::string& fs_mountpoint,
                        cri::ContainerStats* out) {
  const ContainerSnapshot& c = r.container;
  cri::ContainerAttributes* a = out->mutable_attributes();
  a->set_id(c.id);
  a->mutable_metadata()->set_name(c.name);
  a->mutable_metadata()->set_attempt(c.attempt);
  a->mutable_labels()->insert(c.labels.begin(), c.labels.end());
  a->mutable_annotations()->insert(c.annotations.begin(), c.annotations.end());
  if (r.cgroup_found) {
    FillCpu("container:" + c.id, r.stats, r.timestamp_ns, rates, out->mutable_cpu());
    FillMemory(r.stats.memory, r.timestamp_ns, out->mutable_memory());
    if (r.stats.memory.swap) {
      out->mutable_swap()->set_timestamp(r.timestamp_ns);
      Set(out->mutable_swap()->mutable_swap_usage_bytes(), *r.stats.memory.swap);
    }
  }
  if (r.has_writable_layer) {
    cri::FilesystemUsage* fs = out->mutable_writable_layer();
    fs->set_timestamp(r.timestamp_ns);
    fs->mutable_fs_id()->set_mountpoint(fs_mountpoint);
    Set(fs->mutable_used_bytes(), r.writable_layer.bytes);
    Set(fs->mutable_inodes_used(), r.writable_layer.inodes);
  }
}

void FillPodStats(const PodReading& r, CpuRateTracker& rates, const std::string& fs_mountpoint,
                  cri::PodSandboxStats* out) {
  const PodSnapshot& p = r.pod;
  cri::PodSandboxAttributes* a = out->mutable_attributes();
  a->set_id(p.id);
  a->mutable_metadata()->set_name(p.name);
  a->mutable_metadata()->set_uid(p.uid);
  a->mutable_metadata()->set_namespace_(p.namespace_);
  a->mutable_metadata()->set_attempt(p.attempt);
  a->mutable_labels()->insert(p.labels.begin(), p.labels.end());
  a->mutable_annotations()->insert(p.annotations.begin(), p.annotations.end());
  cri::LinuxPodSandboxStats* linux_stats = out->mutable_linux();
  if (r.cgroup_found) {
    FillCpu("pod:" + p.id, r.stats, r.timestamp_ns, rates, linux_stats->mutable_cpu());
    FillMemory(r.stats.memory, r.timestamp_ns, linux_stats->mutable_memory());
    if (r.stats.pids.processes) {
      linux_stats->mutable_process()->set_timestamp(r.timestamp_ns);
      Set(linux_stats->mutable_process()->mutable_process_count(), *r.stats.pids.processes);
    }
  }
  if (!r.interfaces.empty()) FillNetwork(r.interfaces, r.timestamp_ns, linux_stats->mutable_network());
  for (const ContainerReading& c : r.containers) {
    FillContainerStats(c, rates, fs_mountpoint, linux_stats->add_containers());
  }
}

bool MatchesSelector(const google::protobuf::Map<std::string, std::string>& selector,
                     const std::map<std::string, std::string>& labels) {
  for (const auto& [key, value] : selector) {
    auto it = labels.find(key);
    if (it == labels.end() || it->second != value) return false;
  }
  return true;
}

bool MatchesId(const std::string& filter, const std::string& id) {
  return filter.empty() || id.compare(0, filter.size(), filter) == 0;
}

void FillMetricDescriptor(const MetricDef& def, cri::MetricDescriptor* out) {
  out->set_name(def.name);
  out->set_help(def.help);
  for (const std::string& k : BaseLabelKeys()) out->add_label_keys(k);
  for (const std::string& k : def.extra_labels) out->add_label_keys(k);
}

void FillMetric(const MetricSample& sample, cri::Metric* out) {
  out->set_name(sample.def->name);
  out->set_timestamp(0);  // gathered live
  out->set_metric_type(sample.def->counter ? cri::MetricType::COUNTER : cri::MetricType::GAUGE);
  for (const std::string& v : sample.label_values) out->add_label_values(v);
  // The CRI carries integers only: seconds are rounded, as other runtimes do.
  out->mutable_value()->set_value(sample.value > 0 ? static_cast<uint64_t>(std::llround(sample.value)) : 0);
}

void FillPodSandboxMetrics(const PodReading& r, cri::PodSandboxMetrics* out) {
  out->set_pod_sandbox_id(r.pod.id);
  std::vector<MetricSample> samples;
  AppendPodSamples(r, samples);
  for (const MetricSample& s : samples) FillMetric(s, out->add_metrics());
  for (const ContainerReading& c : r.containers) {
    samples.clear();
    AppendContainerSamples(r.pod, c, samples);
    if (samples.empty()) continue;
    cri::ContainerMetrics* cm = out->add_container_metrics();
    cm->set_container_id(c.container.id);
    for (const MetricSample& s : samples) FillMetric(s, cm->add_metrics());
  }
}

}  // namespace podagent
