#pragma once
// What the kernel itself says about a container, read by the metrics acceptance e2e to compare
// Prometheus' answers with: cgroup files (v1 hierarchies or v2 unified) under /sys/fs/cgroup,
// /proc/<pid>/fd, /proc/<pid>/net/dev, /proc/cpuinfo, /proc/meminfo. Every reader returns an error
// when the file cannot be read or parsed; none follows a link a container controls (fd entries are
// read with readlink, never opened).

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace podagent::testing {

bool CgroupIsV2();
// The file `name` of the cgroup `id` (a metric's `id` label, the path under the cgroup root):
// /sys/fs/cgroup/<id>/<name> on v2, /sys/fs/cgroup/<v1_controller>/<id>/<name> on v1.
std::string CgroupFile(const std::string& id, const std::string& v1_controller, const std::string& name);

// The value of `key` in a flat-keyed file ("key value" lines, e.g. memory.stat).
absl::StatusOr<double> KeyedValue(const std::string& path, const std::string& key);
// A single-value file; "max" and values above 2^62 read as 0 (cAdvisor's "unlimited").
absl::StatusOr<double> LimitValue(const std::string& path);
// v2 io.stat: the sum over devices of `key` (rbytes, wbytes, rios, wios).
absl::StatusOr<double> IoStatSum(const std::string& path, const std::string& key);
// v1 blkio *_service_bytes / *_serviced: the sum over devices of the `op` lines (Read, Write);
// -1 when the file lists no device (the kernel accounted nothing there).
absl::StatusOr<double> BlkioSum(const std::string& path, const std::string& op);
// PSI file: total= of the `kind` line (some, full), in seconds.
absl::StatusOr<double> PsiTotalSeconds(const std::string& path, const std::string& kind);

struct FdCount {
  double fds = 0, sockets = 0;
};
// Entries of /proc/<pid>/fd over the pids of the cgroup's own cgroup.procs (`procs_path`).
absl::StatusOr<FdCount> CountFds(const std::string& procs_path);
// /proc/<pid>/net/dev of `pid`'s netns: column `column` (0 = receive bytes, 3 = receive drop,
// 8 = transmit bytes, 11 = transmit drop) of `iface`.
absl::StatusOr<double> NetDevColumn(pid_t pid, const std::string& iface, int column);
absl::StatusOr<double> CpuinfoProcessors();
absl::StatusOr<double> MemTotalBytes();

}  // namespace podagent::testing
