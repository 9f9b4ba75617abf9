#include "metrics/cgroup_reader.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <functional>
#include <utility>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/strings/str_cat.h"
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

void ReadV1Cpu(const CgroupDir& cpuacct, const CgroupDir& cpu, CpuStats& out) {
  if (cpuacct.Open()) {
    out.usage_ns = cpuacct.Uint("cpuacct.usage");
    KeyValues stat = cpuacct.KeyValues("cpuacct.stat");
    uint64_t ns_per_tick = 1000000000ULL / static_cast<uint64_t>(::sysconf(_SC_CLK_TCK));
    out.user_ns = Times(Lookup(stat, "user"), ns_per_tick);
    out.system_ns = Times(Lookup(stat, "system"), ns_per_tick);
  }
  if (cpu.Open()) {
    KeyValues stat = cpu.KeyValues("cpu.stat");
    out.nr_periods = Lookup(stat, "nr_periods");
    out.nr_throttled = Lookup(stat, "nr_throttled");
    out.throttled_ns = Lookup(stat, "throttled_time");
    out.shares = cpu.Uint("cpu.shares");
    out.quota_us = cpu.Int("cpu.cfs_quota_us");
    out.period_us = cpu.Uint("cpu.cfs_period_us");
  }
}

void ReadV1Memory(const CgroupDir& dir, MemoryStats& out) {
  if (!dir.Open()) return;
  out.usage = dir.Uint("memory.usage_in_bytes");
  out.max_usage = dir.Uint("memory.max_usage_in_bytes");
  out.limit = dir.Uint("memory.limit_in_bytes");
  out.failcnt = dir.Uint("memory.failcnt");
  KeyValues stat = dir.KeyValues("memory.stat");
  out.rss = Hierarchical(stat, "rss");
  out.cache = Hierarchical(stat, "cache");
  out.inactive_file = Hierarchical(stat, "inactive_file");
  out.swap = Hierarchical(stat, "swap");
  out.pgfault = Hierarchical(stat, "pgfault");
  out.pgmajfault = Hierarchical(stat, "pgmajfault");
  out.oom_kills = Lookup(dir.KeyValues("memory.oom_control"), "oom_kill");
  out.mapped_file = Hierarchical(stat, "mapped_file");
  out.kernel = dir.Uint("memory.kmem.usage_in_bytes");
  out.reservation = dir.Uint("memory.soft_limit_in_bytes");
  out.swap_limit = dir.Uint("memory.memsw.limit_in_bytes");  // absent without swapaccount
}

void ReadV2Cpu(const CgroupDir& dir, CpuStats& out) {
  KeyValues stat = dir.KeyValues("cpu.stat");
  out.usage_ns = Times(Lookup(stat, "usage_usec"), 1000);
  out.user_ns = Times(Lookup(stat, "user_usec"), 1000);
  out.system_ns = Times(Lookup(stat, "system_usec"), 1000);
  out.nr_periods = Lookup(stat, "nr_periods");
  out.nr_throttled = Lookup(stat, "nr_throttled");
  out.throttled_ns = Times(Lookup(stat, "throttled_usec"), 1000);
  if (auto weight = dir.Uint("cpu.weight")) out.shares = CpuWeightToShares(*weight);
  if (auto max = dir.Read("cpu.max")) {
    std::pair<std::string, std::string> fields = absl::StrSplit(*max, absl::MaxSplits(' ', 1));
    if (fields.first == "max") {
      out.quota_us = -1;
    } else {
      out.quota_us = ParseInt(fields.first);
    }
    out.period_us = ParseUint(fields.second);
  }
}

void ReadV2Memory(const CgroupDir& dir, MemoryStats& out) {
  out.usage = dir.Uint("memory.current");
  out.max_usage = dir.Uint("memory.peak");
  out.limit = dir.Uint("memory.max");
  KeyValues stat = dir.KeyValues("memory.stat");
  out.rss = Lookup(stat, "anon");
  out.cache = Lookup(stat, "file");
  out.inactive_file = Lookup(stat, "inactive_file");
  out.pgfault = Lookup(stat, "pgfault");
  out.pgmajfault = Lookup(stat, "pgmajfault");
  out.mapped_file = Lookup(stat, "file_mapped");
  out.kernel = Lookup(stat, "kernel");
  out.swap = dir.Uint("memory.swap.current");
  out.reservation = dir.Uint("memory.min");
  out.swap_limit = dir.Uint("memory.swap.max");
  KeyValues events = dir.KeyValues("memory.events");
  out.oom_kills = Lookup(events, "oom_kill");
  out.failcnt = Lookup(events, "max");
}

void ReadPids(const CgroupDir& dir, const char* threads_file, PidsStats& out,
              std::optional<std::string>* own_procs, const KnownChildren* known) {
  if (own_procs != nullptr) own_procs->reset();
  if (!dir.Open()) return;
  out.current = dir.Uint("pids.current");
  out.limit = dir.Uint("pids.max");
  CgroupProcessCounts counts = CountCgroupProcesses(dir, threads_file, known);
  out.processes = counts.processes;
  out.threads = counts.threads;
  if (own_procs != nullptr) *own_procs = std::move(counts.own_procs);
}

// What a walk's visit says about the directory it was given.
enum class Walk { kDescend, kSkipSubtree };
using CgroupVisit = std::function<Walk(const CgroupDir& parent, const std::string& name, bool direct_child)>;

// Calls visit(parent, name, direct_child) for each cgroup directory below `dir`, `parent` being
// the open directory that holds `name`, `direct_child` true when that is `dir` itself; lists at
// most kMaxCgroupWalk directories, and not those below a directory whose visit said
// kSkipSubtree. Paths still to list are opened relative to `dir` when their turn comes: the walk
// holds two fds at a time however wide the tree.
void ForEachCgroupBelow(const CgroupDir& dir, const CgroupVisit& visit) {
  std::vector<std::string> pending;
  auto list = [&](const CgroupDir& d, const std::string& rel) {
    for (const std::string& name : ChildDirs(d)) {
      if (visit(d, name, rel.empty()) == Walk::kSkipSubtree) continue;
      pending.push_back(rel.empty() ? name : absl::StrCat(rel, "/", name));
    }
  };
  list(dir, "");
  for (int listed = 1; !pending.empty() && listed < kMaxCgroupWalk; ++listed) {
    std::string rel = std::move(pending.back());
    pending.pop_back();
    list(dir.Child(rel), rel);
  }
}

// Adds the lines of `parent`/`name`/`file` to `total` when `total` holds a count.
void AddLines(const CgroupDir& parent, const std::string& name, const char* file, std::optional<uint64_t>& total) {
  if (!total) return;
  if (auto content = parent.Read(absl::StrCat(name, "/", file))) *total += CountLines(*content);
}

// The counts `known` holds for the direct child `name`, when it has each one `total` needs.
const ChildCounts* KnownCounts(const KnownChildren* known, const std::string& name, bool direct_child,
                               bool need_processes, bool need_threads) {
  if (known == nullptr || !direct_child) return nullptr;
  auto it = known->find(name);
  if (it == known->end()) return nullptr;
  const ChildCounts& c = it->second;
  if ((need_processes && !c.processes) || (need_threads && !c.threads)) return nullptr;
  return &c;
}

void Add(std::optional<uint64_t>& total, const std::optional<uint64_t>& count) {
  if (total && count) *total += *count;
}

}  // namespace

std::vector<std::string> ChildDirs(const CgroupDir& dir) {
  std::vector<std::string> names;
  if (!dir.Open()) return names;
  // A directory's link count is 2 plus its subdirectories on cgroupfs (kernfs keeps it so) and
  // on tmpfs or ext4; filesystems that do not count report 1. So 2 means no child cgroup, and
  // one fstat spares the open, getdents and close of the common leaf cgroup.
  struct stat st {};
  if (::fstatat(dir.Fd(), "", &st, AT_EMPTY_PATH) == 0 && st.st_nlink == 2) return names;
  int fd = ::openat(dir.Fd(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return names;
  DIR* d = ::fdopendir(fd);
  if (d == nullptr) {
    ::close(fd);
    return names;
  }
  while (struct dirent* e = ::readdir(d)) {
    if (e->d_type == DT_DIR && e->d_name[0] != '.') names.emplace_back(e->d_name);
  }
  ::closedir(d);  // closes fd
  return names;
}

uint64_t CpuWeightToShares(uint64_t weight) {
  if (weight == 0) return 0;
  // The smallest shares that Kubernetes' (and runc's) shares -> weight conversion,
  // 1 + ((shares - 2) * 9999) / 262142, turns into `weight`, so the shares reported for a v2
  // cgroup map back to the weight the kernel holds (1024 shares: weight 39, read back as 999).
  // Rounding down instead gives shares of the weight below (39 -> 998 -> 38).
  return 2 + ((weight - 1) * 262142 + 9998) / 9999;
}

std::optional<uint64_t> CountRecursive(const CgroupDir& dir, const char* file) {
  std::optional<std::string> top = dir.Read(file);
  if (!top) return std::nullopt;
  std::optional<uint64_t> total = CountLines(*top);
  ForEachCgroupBelow(dir, [&](const CgroupDir& parent, const std::string& name, bool) {
    AddLines(parent, name, file, total);
    return Walk::kDescend;
  });
  return total;
}

std::optional<uint64_t> CountProcsRecursive(const CgroupDir& dir, const KnownChildren* known) {
  std::optional<std::string> top = dir.Read("cgroup.procs");
  if (!top) return std::nullopt;
  std::optional<uint64_t> total = CountLines(*top);
  ForEachCgroupBelow(dir, [&](const CgroupDir& parent, const std::string& name, bool direct_child) {
    if (const ChildCounts* c = KnownCounts(known, name, direct_child, true, false)) {
      Add(total, c->processes);
      return Walk::kSkipSubtree;
    }
    AddLines(parent, name, "cgroup.procs", total);
    return Walk::kDescend;
  });
  return total;
}

CgroupProcessCounts CountCgroupProcesses(const CgroupDir& dir, const char* threads_file,
                                         const KnownChildren* known) {
  CgroupProcessCounts out;
  out.own_procs = dir.Read("cgroup.procs");
  if (out.own_procs) out.processes = CountLines(*out.own_procs);
  if (auto threads = dir.Read(threads_file)) out.threads = CountLines(*threads);
  if (!out.processes && !out.threads) return out;
  ForEachCgroupBelow(dir, [&](const CgroupDir& parent, const std::string& name, bool direct_child) {
    bool need_processes = out.processes.has_value();
    bool need_threads = out.threads.has_value();
    if (const ChildCounts* c = KnownCounts(known, name, direct_child, need_processes, need_threads)) {
      Add(out.processes, c->processes);
      Add(out.threads, c->threads);
      return Walk::kSkipSubtree;
    }
    AddLines(parent, name, "cgroup.procs", out.processes);
    AddLines(parent, name, threads_file, out.threads);
    return Walk::kDescend;
  });
  return out;
}

std::optional<uint64_t> CountRecursive(const std::string& dir, const std::string& file) {
  if (dir.empty()) return std::nullopt;
  return CountRecursive(CgroupDir(dir), file.c_str());
}

std::string ProcsDir(const CgroupLayout& layout, const std::string& path) {
  if (layout.IsV2()) return layout.Dir(path, "");
  std::string dir = layout.Dir(path, "pids");
  return dir.empty() ? layout.Dir(path, "memory") : dir;
}

CgroupStats ReadCgroupV1Stats(const CgroupLayout& layout, const std::string& path,
                              std::optional<std::string>* own_procs, const KnownChildren* known) {
  CgroupStats out;
  ReadV1Cpu(CgroupDir(layout.Dir(path, "cpuacct")), CgroupDir(layout.Dir(path, "cpu")), out.cpu);
  ReadV1Memory(CgroupDir(layout.Dir(path, "memory")), out.memory);
  // In the memory hierarchy where pids is not mounted: counts only, no pids.current.
  ReadPids(CgroupDir(ProcsDir(layout, path)), "tasks", out.pids, own_procs, known);
  out.io = ReadBlkioV1(CgroupDir(layout.Dir(path, "blkio")));
  return out;
}

CgroupStats ReadCgroupV2Stats(const std::string& path, std::optional<std::string>* own_procs,
                              const KnownChildren* known) {
  CgroupDir dir(path);
  CgroupStats out;
  ReadV2Cpu(dir, out.cpu);
  ReadV2Memory(dir, out.memory);
  ReadPids(dir, "cgroup.threads", out.pids, own_procs, known);
  out.io = ReadIoStatV2(dir);
  if (auto psi = dir.Read("cpu.pressure")) out.cpu_pressure = ParsePsi(*psi);
  if (auto psi = dir.Read("memory.pressure")) out.memory_pressure = ParsePsi(*psi);
  if (auto psi = dir.Read("io.pressure")) out.io_pressure = ParsePsi(*psi);
  return out;
}

CgroupStats ReadCgroupStats(const CgroupLayout& layout, const std::string& path,
                            std::optional<std::string>* own_procs, const KnownChildren* known) {
  if (layout.IsV2()) return ReadCgroupV2Stats(layout.Dir(path, ""), own_procs, known);
  return ReadCgroupV1Stats(layout, path, own_procs, known);
}

std::optional<uint64_t> MemoryStats::WorkingSet() const {
  if (!usage) return std::nullopt;
  uint64_t inactive = inactive_file.value_or(0);
  return *usage > inactive ? *usage - inactive : 0;
}

}  // namespace podagent
