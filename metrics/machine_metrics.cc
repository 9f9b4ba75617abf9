#include "metrics/machine_metrics.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "metrics/stat_files.h"

namespace podagent {
namespace {

// The first of `paths` that reads, trimmed; "" when none does.
std::string FirstLine(const std::vector<std::string>& paths) {
  for (const std::string& path : paths) {
    if (std::optional<std::string> text = ReadOptionalFile(path)) {
      return std::string(absl::StripAsciiWhitespace(*text));
    }
  }
  return "";
}

prometheus::MetricFamily Gauge(const std::string& name, const std::string& help, const MachineInfo& m,
                               uint64_t value) {
  prometheus::MetricFamily family;
  family.name = name;
  family.help = help;
  family.type = prometheus::MetricType::Gauge;
  prometheus::ClientMetric metric;
  metric.label = {{"boot_id", m.boot_id}, {"machine_id", m.machine_id}, {"system_uuid", m.system_uuid}};
  metric.gauge.value = static_cast<double>(value);
  family.metric.push_back(std::move(metric));
  return family;
}

}  // namespace

std::optional<uint64_t> ParseCpuinfoProcessors(absl::string_view cpuinfo) {
  uint64_t n = 0;
  for (absl::string_view line : absl::StrSplit(cpuinfo, '\n')) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(line, absl::MaxSplits(':', 1));
    if (absl::StripAsciiWhitespace(kv.first) == "processor") ++n;
  }
  if (n == 0) return std::nullopt;
  return n;
}

std::optional<uint64_t> ParseMemTotal(absl::string_view meminfo) {
  for (absl::string_view line : absl::StrSplit(meminfo, '\n')) {
    if (!absl::ConsumePrefix(&line, "MemTotal:")) continue;
    line = absl::StripAsciiWhitespace(line);
    uint64_t kib = 0;
    if (!absl::ConsumeSuffix(&line, "kB") || !absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &kib)) {
      return std::nullopt;
    }
    return kib * 1024;
  }
  return std::nullopt;
}

MachineInfo ReadMachineInfo(const MachineRoots& roots) {
  MachineInfo m;
  if (auto text = ReadOptionalFile(roots.proc + "/cpuinfo")) m.cpu_cores = ParseCpuinfoProcessors(*text);
  if (auto text = ReadOptionalFile(roots.proc + "/meminfo")) m.memory_bytes = ParseMemTotal(*text);
  m.machine_id = FirstLine({roots.root + "/etc/machine-id", roots.root + "/var/lib/dbus/machine-id"});
  m.system_uuid = FirstLine({roots.sys + "/class/dmi/id/product_uuid"});
  m.boot_id = FirstLine({roots.proc + "/sys/kernel/random/boot_id"});
  return m;
}

std::vector<prometheus::MetricFamily> MachineCollector::Collect() const {
  const MachineInfo& m = info_;
  std::vector<prometheus::MetricFamily> out;
  if (m.cpu_cores) out.push_back(Gauge("machine_cpu_cores", "Number of logical CPU cores.", m, *m.cpu_cores));
  if (m.memory_bytes) {
    out.push_back(Gauge("machine_memory_bytes", "Amount of memory installed on the machine.", m, *m.memory_bytes));
  }
  return out;
}

}  // namespace podagent
