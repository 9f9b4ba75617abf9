#pragma once
// The node's cAdvisor machine families, read once when the collector is made (not at every
// scrape; cAdvisor too reads its machine info at start and refreshes it only every
// --update_machine_info_interval, 5 minutes): machine_cpu_cores (logical CPUs,
// the "processor" entries of /proc/cpuinfo) and machine_memory_bytes (/proc/meminfo MemTotal),
// labelled as cAdvisor labels them: machine_id (/etc/machine-id, else /var/lib/dbus/machine-id),
// system_uuid (/sys/class/dmi/id/product_uuid) and boot_id (/proc/sys/kernel/random/boot_id),
// each "" when its file cannot be read.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"

namespace podagent {

// Where the files are; tests point these at fixture trees.
struct MachineRoots {
  std::string proc = "/proc";
  std::string sys = "/sys";
  std::string root = "";  // prefix of /etc and /var/lib
};

struct MachineInfo {
  std::optional<uint64_t> cpu_cores;
  std::optional<uint64_t> memory_bytes;
  std::string machine_id, system_uuid, boot_id;
};

// "processor : N" lines of /proc/cpuinfo; nullopt when there are none.
std::optional<uint64_t> ParseCpuinfoProcessors(absl::string_view cpuinfo);
// "MemTotal: N kB" of /proc/meminfo, in bytes.
std::optional<uint64_t> ParseMemTotal(absl::string_view meminfo);

MachineInfo ReadMachineInfo(const MachineRoots& roots);

class MachineCollector : public prometheus::Collectable {
 public:
  // Reads the files under `roots` now; Collect() serves what was read.
  explicit MachineCollector(const MachineRoots& roots = {}) : info_(ReadMachineInfo(roots)) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const MachineInfo info_;
};

}  // namespace podagent
