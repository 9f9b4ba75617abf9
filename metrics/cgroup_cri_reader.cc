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

CgroupStats ReadV1(const CgroupLayout& layout, const std::string& path) {
  CgroupStats out;
  std::string cpuacct = layout.Dir(path, "cpuacct");
  if (!cpuacct.empty()) out.cpu.usage_ns = ReadUintFile(cpuacct + "/cpuacct.usage");
  std::string mem = layout.Dir(path, "memory");
  if (!mem.empty()) {
    out.memory.usage = ReadUintFile(mem + "/memory.usage_in_bytes");
    out.memory.limit = ReadUintFile(mem + "/memory.limit_in_bytes");
    KeyValues stat = ReadKeyValuesFile(mem + "/memory.stat");
    out.memory.rss = Hierarchical(stat, "rss");
    out.memory.inactive_file = Hierarchical(stat, "inactive_file");
    out.memory.swap = Hierarchical(stat, "swap");
    out.memory.pgfault = Hierarchical(stat, "pgfault");
    out.memory.pgmajfault = Hierarchical(stat, "pgmajfault");
  }
  std::string procs = ProcsDir(layout, path);
  if (!procs.empty()) out.pids.processes = CountRecursive(procs, "cgroup.procs");
  return out;
}

CgroupStats ReadV2(const std::string& dir) {
  CgroupStats out;
  if (auto usec = Lookup(ReadKeyValuesFile(dir + "/cpu.stat"), "usage_usec")) out.cpu.usage_ns = *usec * 1000;
  out.memory.usage = ReadUintFile(dir + "/memory.current");
  out.memory.limit = ReadUintFile(dir + "/memory.max");
  KeyValues stat = ReadKeyValuesFile(dir + "/memory.stat");
  out.memory.rss = Lookup(stat, "anon");
  out.memory.inactive_file = Lookup(stat, "inactive_file");
  out.memory.pgfault = Lookup(stat, "pgfault");
  out.memory.pgmajfault = Lookup(stat, "pgmajfault");
  out.memory.swap = ReadUintFile(dir + "/memory.swap.current");
  out.pids.processes = CountRecursive(dir, "cgroup.procs");
  return out;
}

}  // namespace

CgroupStats ReadCgroupCriStats(const CgroupLayout& layout, const std::string& path) {
  if (layout.IsV2()) return ReadV2(layout.Dir(path, ""));
  return ReadV1(layout, path);
}

}  // namespace podagent
