#include "metrics/cgroup_cri_reader.h"

#include "metrics/cgroup_reader.h"
#include "metrics/stat_files.h"

namespace podagent {
namespace {

using KeyValues = std::map<std::string, uint64_t, std::less<>>;

// v1 memory.stat: the hierarchical total_<key>, else <key> (as ReadCgroupStats).
std::optional<uint64_t> Hierarchical(const KeyValues& kv, const std::string& key) {
  if (auto v = Lookup(kv, "total_" + key)) return v;
  return Lookup(kv, key);
}

CgroupStats ReadV1(const CgroupLayout& layout, const std::string& path, const KnownChildren* known, bool processes) {
  CgroupStats out;
  CgroupDir cpuacct(layout.Dir(path, "cpuacct"));
  if (cpuacct.Open()) out.cpu.usage_ns = cpuacct.Uint("cpuacct.usage");
  CgroupDir mem(layout.Dir(path, "memory"));
  if (mem.Open()) {
    out.memory.usage = mem.Uint("memory.usage_in_bytes");
    out.memory.limit = mem.Uint("memory.limit_in_bytes");
    KeyValues stat = mem.KeyValues("memory.stat");
    out.memory.rss = Hierarchical(stat, "rss");
    out.memory.inactive_file = Hierarchical(stat, "inactive_file");
    out.memory.swap = Hierarchical(stat, "swap");
    out.memory.pgfault = Hierarchical(stat, "pgfault");
    out.memory.pgmajfault = Hierarchical(stat, "pgmajfault");
  }
  if (!processes) return out;
  CgroupDir procs(ProcsDir(layout, path));
  if (procs.Open()) out.pids.processes = CountProcsRecursive(procs, known);
  return out;
}

CgroupStats ReadV2(const std::string& path, const KnownChildren* known, bool processes) {
  CgroupDir dir(path);
  CgroupStats out;
  if (auto usec = Lookup(dir.KeyValues("cpu.stat"), "usage_usec")) out.cpu.usage_ns = *usec * 1000;
  out.memory.usage = dir.Uint("memory.current");
  out.memory.limit = dir.Uint("memory.max");
  KeyValues stat = dir.KeyValues("memory.stat");
  out.memory.rss = Lookup(stat, "anon");
  out.memory.inactive_file = Lookup(stat, "inactive_file");
  out.memory.pgfault = Lookup(stat, "pgfault");
  out.memory.pgmajfault = Lookup(stat, "pgmajfault");
  out.memory.swap = dir.Uint("memory.swap.current");
  if (processes) out.pids.processes = CountProcsRecursive(dir, known);
  return out;
}

}  // namespace

CgroupStats ReadCgroupCriStats(const CgroupLayout& layout, const std::string& path,
                               const KnownChildren* known, bool processes) {
  if (layout.IsV2()) return ReadV2(layout.Dir(path, ""), known, processes);
  return ReadV1(layout, path, known, processes);
}

}  // namespace podagent
