#pragma once
// CgroupStats: what podagent reads from one cgroup, for cgroup v1 and v2 alike. Every field that
// depends on a controller or a kernel file is optional: absent when the controller is not mounted
// (v1) or not enabled (v2), or when the kernel does not offer the file. Each field names the file
// and key it comes from as "v1: file key / v2: file key".

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "metrics/proc_tasks.h"

namespace podagent {

struct CpuStats {
  std::optional<uint64_t> usage_ns;          // v1: cpuacct.usage / v2: cpu.stat usage_usec*1000
  std::optional<uint64_t> user_ns;           // v1: cpuacct.stat user (USER_HZ) / v2: cpu.stat user_usec
  std::optional<uint64_t> system_ns;         // v1: cpuacct.stat system (USER_HZ) / v2: cpu.stat system_usec
  std::optional<uint64_t> nr_periods;        // v1: cpu.stat nr_periods / v2: cpu.stat nr_periods
  std::optional<uint64_t> nr_throttled;      // v1: cpu.stat nr_throttled / v2: cpu.stat nr_throttled
  std::optional<uint64_t> throttled_ns;      // v1: cpu.stat throttled_time / v2: cpu.stat throttled_usec
  std::optional<uint64_t> shares;            // v1: cpu.shares / v2: cpu.weight mapped back to shares
  std::optional<int64_t> quota_us;           // v1: cpu.cfs_quota_us (-1: none) / v2: cpu.max first ("max": none)
  std::optional<uint64_t> period_us;         // v1: cpu.cfs_period_us / v2: cpu.max second
};

struct MemoryStats {
  std::optional<uint64_t> usage;             // v1: memory.usage_in_bytes / v2: memory.current
  std::optional<uint64_t> max_usage;         // v1: memory.max_usage_in_bytes / v2: memory.peak (5.19+)
  std::optional<uint64_t> limit;             // v1: memory.limit_in_bytes / v2: memory.max (absent: "max")
  std::optional<uint64_t> failcnt;           // v1: memory.failcnt / v2: memory.events max
  std::optional<uint64_t> rss;               // v1: memory.stat total_rss (or rss) / v2: memory.stat anon
  std::optional<uint64_t> cache;             // v1: memory.stat total_cache (or cache) / v2: memory.stat file
  std::optional<uint64_t> inactive_file;     // v1: memory.stat total_inactive_file / v2: memory.stat inactive_file
  std::optional<uint64_t> swap;              // v1: memory.stat total_swap (or swap) / v2: memory.swap.current
  std::optional<uint64_t> pgfault;           // v1: memory.stat total_pgfault (or pgfault) / v2: memory.stat pgfault
  std::optional<uint64_t> pgmajfault;        // v1: memory.stat total_pgmajfault / v2: memory.stat pgmajfault
  std::optional<uint64_t> oom_kills;         // v1: memory.oom_control oom_kill / v2: memory.events oom_kill
  std::optional<uint64_t> mapped_file;       // v1: memory.stat total_mapped_file (or mapped_file) / v2: memory.stat file_mapped
  std::optional<uint64_t> kernel;            // v1: memory.kmem.usage_in_bytes / v2: memory.stat kernel (5.18+)
  std::optional<uint64_t> reservation;       // v1: memory.soft_limit_in_bytes / v2: memory.min (cAdvisor's choice)
  std::optional<uint64_t> swap_limit;        // v1: memory.memsw.limit_in_bytes (memory+swap) / v2: memory.swap.max

  // usage minus inactive file pages, floored at 0 (what kubelet evicts on); absent without usage.
  std::optional<uint64_t> WorkingSet() const;
};

// Pressure stall information: cumulative stall time, from <resource>.pressure "total=" (usec).
struct PsiStats {
  std::optional<uint64_t> some_us;           // "some ... total=" line
  std::optional<uint64_t> full_us;           // "full ... total=" line (cpu: 5.13+)
};

struct PidsStats {
  std::optional<uint64_t> current;           // v1: pids.current / v2: pids.current
  std::optional<uint64_t> processes;         // cgroup.procs lines, this cgroup and below
  std::optional<uint64_t> threads;           // v1: tasks / v2: cgroup.threads lines, this cgroup and below
  std::optional<uint64_t> limit;             // v1: pids.max / v2: pids.max ("max": kUnlimited)
  // Filled by WorkloadStatsReader (metrics/proc_fds.h), not by the cgroup readers: entries of
  // /proc/<pid>/fd of the processes in this cgroup's own cgroup.procs, and how many are sockets.
  std::optional<uint64_t> fds;
  std::optional<uint64_t> sockets;
  // Also by WorkloadStatsReader (metrics/proc_tasks.h): the tasks of those processes by state.
  std::optional<TaskStates> tasks;
};

// Block IO of one device, hierarchical (this cgroup and below). Operations carry cgroup v1's
// names ("Read", "Write", "Sync", "Async", "Discard", "Total"); v2's io.stat gives Read and Write.
struct DeviceIo {
  uint32_t major = 0, minor = 0;
  std::string device;                       // "/dev/<name>", "" when unknown; see metrics/blkio.h
  std::map<std::string, uint64_t> bytes;    // v1: blkio.*io_service_bytes* / v2: io.stat rbytes, wbytes
  std::map<std::string, uint64_t> ios;      // v1: blkio.*io_serviced* / v2: io.stat rios, wios
};

struct CgroupStats {
  CpuStats cpu;
  MemoryStats memory;
  PidsStats pids;
  PsiStats cpu_pressure;                     // v2 only: cpu.pressure
  PsiStats memory_pressure;                  // v2 only: memory.pressure
  PsiStats io_pressure;                      // v2 only: io.pressure
  std::vector<DeviceIo> io;                  // v1: blkio (see metrics/blkio.h) / v2: io.stat
};

}  // namespace podagent
