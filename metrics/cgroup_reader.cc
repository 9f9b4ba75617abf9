#include "metrics/cgroup_reader.h"

#include <dirent.h>
#include <unistd.h>

#include <vector>

#include "absl/strings/str_split.h"
#include "metrics/blkio.h"
#include "metrics/stat_files.h"

namespace podagent {
namespace {

using KeyValues = std::map<std::string, uint64_t, std::less<>>;

std::optional<uint64_t> Times(std::optional<uint64_t> v, uint64_t factor) {
  if (!v) return std::nullopt;
  return *v * factor;
}

// memory.stat in v1 has per-cgroup keys ("rss") and hierarchical ones ("total_rss"); cAdvisor
// reports the hierarchical ones.
std::optional<uint64_t> Hierarchical(const KeyValues& kv, const std::string& key) {
  if (auto v = Lookup(kv, "total_" + key)) return v;
  return Lookup(kv, key);
}

void ReadV1Cpu(const std::string& cpuacct, const std::string& cpu, CpuStats& out) {
  if (!cpuacct.empty()) {
    out.usage_ns = ReadUintFile(cpuacct + "/cpuacct.usage");
    KeyValues stat = ReadKeyValuesFile(cpuacct + "/cpuacct.stat");
    uint64_t ns_per_tick = 1000000000ULL / static_cast<uint64_t>(::sysconf(_SC_CLK_TCK));
    out.user_ns = Times(Lookup(stat, "user"), ns_per_tick);
    out.system_ns = Times(Lookup(stat, "system"), ns_per_tick);
  }
  if (!cpu.empty()) {
    KeyValues stat = ReadKeyValuesFile(cpu + "/cpu.stat");
    out.nr_periods = Lookup(stat, "nr_periods");
    out.nr_throttled = Lookup(stat, "nr_throttled");
    out.throttled_ns = Lookup(stat, "throttled_time");
    out.shares = ReadUintFile(cpu + "/cpu.shares");
    out.quota_us = ReadIntFile(cpu + "/cpu.cfs_quota_us");
    out.period_us = ReadUintFile(cpu + "/cpu.cfs_period_us");
  }
}

void ReadV1Memory(const std::string& dir, MemoryStats& out) {
  if (dir.empty()) return;
  out.usage = ReadUintFile(dir + "/memory.usage_in_bytes");
  out.max_usage = ReadUintFile(dir + "/memory.max_usage_in_bytes");
  out.limit = ReadUintFile(dir + "/memory.limit_in_bytes");
  out.failcnt = ReadUintFile(dir + "/memory.failcnt");
  KeyValues stat = ReadKeyValuesFile(dir + "/memory.stat");
  out.rss = Hierarchical(stat, "rss");
  out.cache = Hierarchical(stat, "cache");
  out.inactive_file = Hierarchical(stat, "inactive_file");
  out.swap = Hierarchical(stat, "swap");
  out.pgfault = Hierarchical(stat, "pgfault");
  out.pgmajfault = Hierarchical(stat, "pgmajfault");
  out.oom_kills = Lookup(ReadKeyValuesFile(dir + "/memory.oom_control"), "oom_kill");
  out.mapped_file = Hierarchical(stat, "mapped_file");
  out.kernel = ReadUintFile(dir + "/memory.kmem.usage_in_bytes");
  out.reservation = ReadUintFile(dir + "/memory.soft_limit_in_bytes");
  out.swap_limit = ReadUintFile(dir + "/memory.memsw.limit_in_bytes");  // absent without swapaccount
}

void ReadV2Cpu(const std::string& dir, CpuStats& out) {
  KeyValues stat = ReadKeyValuesFile(dir + "/cpu.stat");
  out.usage_ns = Times(Lookup(stat, "usage_usec"), 1000);
  out.user_ns = Times(Lookup(stat, "user_usec"), 1000);
  out.system_ns = Times(Lookup(stat, "system_usec"), 1000);
  out.nr_periods = Lookup(stat, "nr_periods");
  out.nr_throttled = Lookup(stat, "nr_throttled");
  out.throttled_ns = Times(Lookup(stat, "throttled_usec"), 1000);
  if (auto weight = ReadUintFile(dir + "/cpu.weight")) out.shares = CpuWeightToShares(*weight);
  if (auto max = ReadOptionalFile(dir + "/cpu.max")) {
    std::pair<std::string, std::string> fields = absl::StrSplit(*max, absl::MaxSplits(' ', 1));
    if (fields.first == "max") {
      out.quota_us = -1;
    } else {
      out.quota_us = ParseInt(fields.first);
    }
    out.period_us = ParseUint(fields.second);
  }
}

void ReadV2Memory(const std::string& dir, MemoryStats& out) {
  out.usage = ReadUintFile(dir + "/memory.current");
  out.max_usage = ReadUintFile(dir + "/memory.peak");
  out.limit = ReadUintFile(dir + "/memory.max");
  KeyValues stat = ReadKeyValuesFile(dir + "/memory.stat");
  out.rss = Lookup(stat, "anon");
  out.cache = Lookup(stat, "file");
  out.inactive_file = Lookup(stat, "inactive_file");
  out.pgfault = Lookup(stat, "pgfault");
  out.pgmajfault = Lookup(stat, "pgmajfault");
  out.mapped_file = Lookup(stat, "file_mapped");
  out.kernel = Lookup(stat, "kernel");
  out.swap = ReadUintFile(dir + "/memory.swap.current");
  out.reservation = ReadUintFile(dir + "/memory.min");
  out.swap_limit = ReadUintFile(dir + "/memory.swap.max");
  KeyValues events = ReadKeyValuesFile(dir + "/memory.events");
  out.oom_kills = Lookup(events, "oom_kill");
  out.failcnt = Lookup(events, "max");
}

void ReadPids(const std::string& dir, const std::string& threads_file, PidsStats& out) {
  if (dir.empty()) return;
  out.current = ReadUintFile(dir + "/pids.current");
  out.limit = ReadUintFile(dir + "/pids.max");
  out.processes = CountRecursive(dir, "cgroup.procs");
  out.threads = CountRecursive(dir, threads_file);
}

}  // namespace

uint64_t CpuWeightToShares(uint64_t weight) {
  if (weight == 0) return 0;
  // The smallest shares that Kubernetes' (and runc's) shares -> weight conversion,
  // 1 + ((shares - 2) * 9999) / 262142, turns into `weight`, so the shares reported for a v2
  // cgroup map back to the weight the kernel holds (1024 shares: weight 39, read back as 999).
  // Rounding down instead gives shares of the weight below (39 -> 998 -> 38).
  return 2 + ((weight - 1) * 262142 + 9998) / 9999;
}

std::optional<uint64_t> CountRecursive(const std::string& dir, const std::string& file) {
  std::optional<std::string> top = ReadOptionalFile(dir + "/" + file);
  if (!top) return std::nullopt;
  uint64_t total = CountLines(*top);
  std::vector<std::string> pending = {dir};
  int visited = 0;
  while (!pending.empty() && visited < kMaxCgroupWalk) {
    std::string current = std::move(pending.back());
    pending.pop_back();
    ++visited;
    DIR* d = ::opendir(current.c_str());
    if (d == nullptr) continue;
    while (struct dirent* e = ::readdir(d)) {
      if (e->d_type != DT_DIR || e->d_name[0] == '.') continue;
      std::string child = current + "/" + e->d_name;
      if (auto content = ReadOptionalFile(child + "/" + file)) total += CountLines(*content);
      pending.push_back(std::move(child));
    }
    ::closedir(d);
  }
  return total;
}

std::string ProcsDir(const CgroupLayout& layout, const std::string& path) {
  if (layout.IsV2()) return layout.Dir(path, "");
  std::string dir = layout.Dir(path, "pids");
  return dir.empty() ? layout.Dir(path, "memory") : dir;
}

CgroupStats ReadCgroupV1Stats(const CgroupLayout& layout, const std::string& path) {
  CgroupStats out;
  ReadV1Cpu(layout.Dir(path, "cpuacct"), layout.Dir(path, "cpu"), out.cpu);
  ReadV1Memory(layout.Dir(path, "memory"), out.memory);
  ReadPids(ProcsDir(layout, path), "tasks", out.pids);  // memory hierarchy: counts only, no pids.current
  out.io = ReadBlkioV1(layout.Dir(path, "blkio"));
  return out;
}

CgroupStats ReadCgroupV2Stats(const std::string& dir) {
  CgroupStats out;
  ReadV2Cpu(dir, out.cpu);
  ReadV2Memory(dir, out.memory);
  ReadPids(dir, "cgroup.threads", out.pids);
  out.io = ReadIoStatV2(dir);
  if (auto psi = ReadOptionalFile(dir + "/cpu.pressure")) out.cpu_pressure = ParsePsi(*psi);
  if (auto psi = ReadOptionalFile(dir + "/memory.pressure")) out.memory_pressure = ParsePsi(*psi);
  if (auto psi = ReadOptionalFile(dir + "/io.pressure")) out.io_pressure = ParsePsi(*psi);
  return out;
}

CgroupStats ReadCgroupStats(const CgroupLayout& layout, const std::string& path) {
  if (layout.IsV2()) return ReadCgroupV2Stats(layout.Dir(path, ""));
  return ReadCgroupV1Stats(layout, path);
}

std::optional<uint64_t> MemoryStats::WorkingSet() const {
  if (!usage) return std::nullopt;
  uint64_t inactive = inactive_file.value_or(0);
  return *usage > inactive ? *usage - inactive : 0;
}

}  // namespace podagent
