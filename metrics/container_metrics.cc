#include "metrics/container_metrics.h"

#include <map>
#include <optional>

#include "metrics/stat_files.h"

namespace podagent {
namespace {

MetricDef Counter(std::string name, std::string help, std::vector<std::string> extra = {}) {
  return MetricDef{std::move(name), std::move(help), true, std::move(extra)};
}
MetricDef Gauge(std::string name, std::string help, std::vector<std::string> extra = {}) {
  return MetricDef{std::move(name), std::move(help), false, std::move(extra)};
}

std::vector<MetricDef> BuildDefs() {
  const std::vector<std::string> cpu = {"cpu"};
  const std::vector<std::string> iface = {"interface"};
  const std::vector<std::string> device = {"device"};
  const std::vector<std::string> blkio = {"device", "major", "minor", "operation"};
  return {
      Counter("container_cpu_usage_seconds_total", "Cumulative cpu time consumed in seconds.", cpu),
      Counter("container_cpu_user_seconds_total", "Cumulative user cpu time consumed in seconds."),
      Counter("container_cpu_system_seconds_total", "Cumulative system cpu time consumed in seconds."),
      Counter("container_cpu_cfs_periods_total", "Number of elapsed enforcement period intervals."),
      Counter("container_cpu_cfs_throttled_periods_total", "Number of throttled period intervals."),
      Counter("container_cpu_cfs_throttled_seconds_total", "Total time duration the container has been throttled."),
      Gauge("container_memory_usage_bytes",
            "Current memory usage in bytes, including all memory regardless of when it was accessed"),
      Gauge("container_memory_working_set_bytes", "Current working set in bytes."),
      Gauge("container_memory_rss", "Size of RSS in bytes."),
      Gauge("container_memory_cache", "Number of bytes of page cache memory."),
      Gauge("container_memory_swap", "Container swap usage in bytes."),
      Gauge("container_memory_mapped_file", "Size of memory mapped files in bytes."),
      Gauge("container_memory_kernel_usage", "Size of kernel memory allocated in bytes."),
      Counter("container_memory_failcnt", "Number of memory usage hits limits"),
      Gauge("container_memory_max_usage_bytes", "Maximum memory usage recorded in bytes"),
      Counter("container_oom_events_total", "Count of out of memory events observed for the container"),
      Gauge("container_spec_memory_limit_bytes", "Memory limit for the container."),
      Gauge("container_spec_memory_reservation_limit_bytes", "Memory reservation limit for the container."),
      Gauge("container_spec_memory_swap_limit_bytes", "Memory swap limit for the container."),
      Gauge("container_spec_cpu_shares", "CPU share of the container."),
      Gauge("container_spec_cpu_quota", "CPU quota of the container."),
      Gauge("container_spec_cpu_period", "CPU period of the container."),
      Gauge("container_processes", "Number of processes running inside the container."),
      Gauge("container_threads", "Number of threads running inside the container"),
      Gauge("container_threads_max",
            "Maximum number of threads allowed inside the container, infinity if value is zero"),
      Gauge("container_tasks_state", "Number of tasks in given state", {"state"}),
      Gauge("container_ulimits_soft",
            "Soft ulimit values for the container root process. Unlimited if -1, except priority and nice",
            {"ulimit"}),
      Gauge("container_file_descriptors", "Number of open file descriptors for the container."),
      Gauge("container_sockets", "Number of open sockets for the container."),
      Gauge("container_start_time_seconds", "Start time of the container since unix epoch in seconds."),
      Gauge("container_last_seen", "Last time a container was seen by the exporter"),
      Counter("container_network_receive_bytes_total", "Cumulative count of bytes received", iface),
      Counter("container_network_receive_packets_total", "Cumulative count of packets received", iface),
      Counter("container_network_receive_errors_total", "Cumulative count of errors encountered while receiving",
              iface),
      Counter("container_network_receive_packets_dropped_total", "Cumulative count of packets dropped while receiving",
              iface),
      Counter("container_network_transmit_bytes_total", "Cumulative count of bytes transmitted", iface),
      Counter("container_network_transmit_packets_total", "Cumulative count of packets transmitted", iface),
      Counter("container_network_transmit_errors_total",
              "Cumulative count of errors encountered while transmitting", iface),
      Counter("container_network_transmit_packets_dropped_total",
              "Cumulative count of packets dropped while transmitting", iface),
      Counter("container_fs_reads_bytes_total", "Cumulative count of bytes read", device),
      Counter("container_fs_reads_total", "Cumulative count of reads completed", device),
      Counter("container_fs_writes_bytes_total", "Cumulative count of bytes written", device),
      Counter("container_fs_writes_total", "Cumulative count of writes completed", device),
      Counter("container_blkio_device_usage_total", "Blkio Device bytes usage", blkio),
      Gauge("container_fs_inodes_free", "Number of available Inodes", device),
      Gauge("container_fs_inodes_total", "Number of Inodes", device),
      Gauge("container_fs_limit_bytes", "Number of bytes that can be consumed by the container on this filesystem.",
            device),
      Gauge("container_fs_usage_bytes", "Number of bytes that are consumed by the container on this filesystem.",
            device),
      Counter("container_pressure_cpu_waiting_seconds_total",
              "Total time duration tasks in the container have waited due to CPU congestion."),
      Counter("container_pressure_cpu_stalled_seconds_total",
              "Total time duration no tasks in the container could make progress due to CPU congestion."),
      Counter("container_pressure_memory_waiting_seconds_total",
              "Total time duration tasks in the container have waited due to memory congestion."),
      Counter("container_pressure_memory_stalled_seconds_total",
              "Total time duration no tasks in the container could make progress due to memory congestion."),
      Counter("container_pressure_io_waiting_seconds_total",
              "Total time duration tasks in the container have waited due to IO congestion."),
      Counter("container_pressure_io_stalled_seconds_total",
              "Total time duration no tasks in the container could make progress due to IO congestion."),
  };
}

class Emitter {
 public:
  Emitter(std::vector<std::string> base, std::vector<MetricSample>& out) : base_(std::move(base)), out_(out) {}

  template <typename T>
  void Add(const char* name, const std::optional<T>& v, double divisor = 1.0) {
    if (v) Add(name, static_cast<double>(*v) / divisor);
  }
  void Add(const char* name, double v, const std::vector<std::string>& extra = {}) {
    MetricSample s;
    s.def = FindMetricDef(name);
    s.label_values = base_;
    s.label_values.insert(s.label_values.end(), extra.begin(), extra.end());
    s.value = v;
    out_.push_back(std::move(s));
  }

 private:
  std::vector<std::string> base_;
  std::vector<MetricSample>& out_;
};

void AddPsi(Emitter& e, const char* waiting, const char* stalled, const PsiStats& psi) {
  e.Add(waiting, psi.some_us, 1e6);
  e.Add(stalled, psi.full_us, 1e6);
}

// A memory spec value as cAdvisor reports it: a file that is not there reads as 0, and anything
// above 2^62 is "unlimited", also 0: v2's "max" and v1's page-counter maximum
// (9223372036854771712) alike.
double SpecMemory(const std::optional<uint64_t>& v) {
  constexpr uint64_t kUnlimitedAbove = uint64_t{1} << 62;
  if (!v || *v > kUnlimitedAbove) return 0;
  return double(*v);
}

// cAdvisor emits the three memory spec families together whenever the cgroup has the memory
// controller; the limit file is the sign of it (v1 memory.limit_in_bytes, v2 memory.max).
void AddMemorySpec(Emitter& e, const MemoryStats& m) {
  if (!m.limit) return;
  e.Add("container_spec_memory_limit_bytes", SpecMemory(m.limit));
  e.Add("container_spec_memory_reservation_limit_bytes", SpecMemory(m.reservation));
  e.Add("container_spec_memory_swap_limit_bytes", SpecMemory(m.swap_limit));
}

uint64_t Op(const std::map<std::string, uint64_t>& ops, const char* op) {
  auto it = ops.find(op);
  return it == ops.end() ? 0 : it->second;
}

// cAdvisor's disk IO families: one series per device of the io_service_bytes table for the byte
// counters and the usage (one per operation), one per device of the io_serviced table for counts.
void AddDiskIo(Emitter& e, const std::vector<DeviceIo>& io) {
  for (const DeviceIo& d : io) {
    if (!d.bytes.empty()) {
      e.Add("container_fs_reads_bytes_total", double(Op(d.bytes, "Read")), {d.device});
      e.Add("container_fs_writes_bytes_total", double(Op(d.bytes, "Write")), {d.device});
    }
    if (!d.ios.empty()) {
      e.Add("container_fs_reads_total", double(Op(d.ios, "Read")), {d.device});
      e.Add("container_fs_writes_total", double(Op(d.ios, "Write")), {d.device});
    }
    for (const auto& [op, bytes] : d.bytes) {
      e.Add("container_blkio_device_usage_total", double(bytes),
            {d.device, std::to_string(d.major), std::to_string(d.minor), op});
    }
  }
}

// cAdvisor's five states, iowaiting included (always 0 from /proc: see metrics/proc_tasks.h).
void AddTaskStates(Emitter& e, const std::optional<TaskStates>& t) {
  if (!t) return;
  e.Add("container_tasks_state", double(t->sleeping), {"sleeping"});
  e.Add("container_tasks_state", double(t->running), {"running"});
  e.Add("container_tasks_state", double(t->stopped), {"stopped"});
  e.Add("container_tasks_state", double(t->uninterruptible), {"uninterruptible"});
  e.Add("container_tasks_state", double(t->iowaiting), {"iowaiting"});
}

// The writable layer: its du (usage) and, when its filesystem was read, that filesystem's size
// and inodes, all labelled with the filesystem's device as cAdvisor labels them.
void AddWritableLayer(Emitter& e, const ContainerReading& c) {
  std::string device = c.filesystem ? c.filesystem->device : "";
  if (c.filesystem) {
    e.Add("container_fs_inodes_free", double(c.filesystem->inodes_free), {device});
    e.Add("container_fs_inodes_total", double(c.filesystem->inodes_total), {device});
    e.Add("container_fs_limit_bytes", double(c.filesystem->limit_bytes), {device});
  }
  if (c.has_writable_layer) e.Add("container_fs_usage_bytes", double(c.writable_layer.bytes), {device});
}

// cAdvisor's value: whole seconds since the epoch of the read.
double LastSeen(int64_t timestamp_ns) { return double(timestamp_ns / 1'000'000'000); }

void AddCgroup(Emitter& e, const CgroupStats& s) {
  if (s.cpu.usage_ns) e.Add("container_cpu_usage_seconds_total", double(*s.cpu.usage_ns) / 1e9, {"total"});
  e.Add("container_cpu_user_seconds_total", s.cpu.user_ns, 1e9);
  e.Add("container_cpu_system_seconds_total", s.cpu.system_ns, 1e9);
  e.Add("container_cpu_cfs_periods_total", s.cpu.nr_periods);
  e.Add("container_cpu_cfs_throttled_periods_total", s.cpu.nr_throttled);
  e.Add("container_cpu_cfs_throttled_seconds_total", s.cpu.throttled_ns, 1e9);
  e.Add("container_memory_usage_bytes", s.memory.usage);
  e.Add("container_memory_working_set_bytes", s.memory.WorkingSet());
  e.Add("container_memory_rss", s.memory.rss);
  e.Add("container_memory_cache", s.memory.cache);
  e.Add("container_memory_swap", s.memory.swap);
  e.Add("container_memory_mapped_file", s.memory.mapped_file);
  e.Add("container_memory_kernel_usage", s.memory.kernel);
  e.Add("container_memory_failcnt", s.memory.failcnt);
  e.Add("container_memory_max_usage_bytes", s.memory.max_usage);
  e.Add("container_oom_events_total", s.memory.oom_kills);
  AddMemorySpec(e, s.memory);
  e.Add("container_spec_cpu_shares", s.cpu.shares);
  // cAdvisor leaves quota and period out when they are unset (quota -1 / "max").
  if (s.cpu.quota_us && *s.cpu.quota_us > 0) {
    e.Add("container_spec_cpu_quota", double(*s.cpu.quota_us));
    e.Add("container_spec_cpu_period", s.cpu.period_us);
  }
  e.Add("container_processes", s.pids.processes);
  e.Add("container_threads", s.pids.threads ? s.pids.threads : s.pids.current);
  // pids.max "max" is 0, "infinity" in cAdvisor's help text.
  if (s.pids.limit) e.Add("container_threads_max", *s.pids.limit == kUnlimited ? 0.0 : double(*s.pids.limit));
  AddTaskStates(e, s.pids.tasks);
  e.Add("container_file_descriptors", s.pids.fds);
  e.Add("container_sockets", s.pids.sockets);
  AddDiskIo(e, s.io);
  AddPsi(e, "container_pressure_cpu_waiting_seconds_total", "container_pressure_cpu_stalled_seconds_total",
         s.cpu_pressure);
  AddPsi(e, "container_pressure_memory_waiting_seconds_total", "container_pressure_memory_stalled_seconds_total",
         s.memory_pressure);
  AddPsi(e, "container_pressure_io_waiting_seconds_total", "container_pressure_io_stalled_seconds_total",
         s.io_pressure);
}

}  // namespace

const std::vector<std::string>& BaseLabelKeys() {
  static const std::vector<std::string> keys = {"container", "id", "image", "name", "namespace", "pod"};
  return keys;
}

const std::vector<MetricDef>& ContainerMetricDefs() {
  static const std::vector<MetricDef> defs = BuildDefs();
  return defs;
}

const MetricDef* FindMetricDef(const std::string& name) {
  static const std::map<std::string, const MetricDef*> index = [] {
    std::map<std::string, const MetricDef*> m;
    for (const MetricDef& d : ContainerMetricDefs()) m[d.name] = &d;
    return m;
  }();
  auto it = index.find(name);
  return it == index.end() ? nullptr : it->second;
}

void AppendContainerSamples(const PodSnapshot& pod, const ContainerReading& c, std::vector<MetricSample>& out) {
  if (!c.cgroup_found) return;  // gone or never started: cAdvisor has no cgroup to report either
  const ContainerSnapshot& s = c.container;
  Emitter e({s.name, s.cgroup_path, s.image, s.id, pod.namespace_, pod.name}, out);
  AddCgroup(e, c.stats);
  if (c.max_open_files_soft) e.Add("container_ulimits_soft", double(*c.max_open_files_soft), {"max_open_files"});
  if (s.started_at_ns > 0) e.Add("container_start_time_seconds", double(s.started_at_ns) / 1e9);
  e.Add("container_last_seen", LastSeen(c.timestamp_ns));
  AddWritableLayer(e, c);
}

void AppendPodSamples(const PodReading& r, std::vector<MetricSample>& out) {
  const PodSnapshot& pod = r.pod;
  Emitter e({"", pod.cgroup_path, "", "", pod.namespace_, pod.name}, out);
  if (r.cgroup_found) {
    AddCgroup(e, r.stats);
    if (pod.created_at_ns > 0) e.Add("container_start_time_seconds", double(pod.created_at_ns) / 1e9);
    e.Add("container_last_seen", LastSeen(r.timestamp_ns));
  }
  for (const InterfaceStats& i : r.interfaces) {
    e.Add("container_network_receive_bytes_total", double(i.rx_bytes), {i.name});
    e.Add("container_network_receive_packets_total", double(i.rx_packets), {i.name});
    e.Add("container_network_receive_errors_total", double(i.rx_errors), {i.name});
    e.Add("container_network_receive_packets_dropped_total", double(i.rx_dropped), {i.name});
    e.Add("container_network_transmit_bytes_total", double(i.tx_bytes), {i.name});
    e.Add("container_network_transmit_packets_total", double(i.tx_packets), {i.name});
    e.Add("container_network_transmit_errors_total", double(i.tx_errors), {i.name});
    e.Add("container_network_transmit_packets_dropped_total", double(i.tx_dropped), {i.name});
  }
}

}  // namespace podagent
