#include "metrics/cgroup_cri_reader.h"

#include "metrics/cgroup_reader.h"
#include "metrics/stat_files.h"

namespace podagent {
namespace {

using KeyValues = std::map<std::string, uint64_t, std::less<>>;

// One cgroup directory's files: read through the held files when there are some, else opened
// for this read (the directory once, on first use).
class Files {
 public:
  Files(std::string dir, OpenStatFiles* held, absl::Time now) : path_(std::move(dir)), held_(held), now_(now) {}

  std::optional<uint64_t> Uint(absl::string_view name) {
    return held_ != nullptr ? held_->Uint(path_, name, now_) : Dir().Uint(name);
  }
  KeyValues Map(absl::string_view name) {
    return held_ != nullptr ? held_->KeyValues(path_, name, now_) : Dir().KeyValues(name);
  }

 private:
  const CgroupDir& Dir() {
    if (!dir_) dir_.emplace(path_);
    return *dir_;
  }

  std::string path_;
  OpenStatFiles* held_;
  absl::Time now_;
  std::optional<CgroupDir> dir_;
};

// v1 memory.stat: the hierarchical total_<key>, else <key> (as ReadCgroupStats).
std::optional<uint64_t> Hierarchical(const KeyValues& kv, const std::string& key) {
  if (auto v = Lookup(kv, "total_" + key)) return v;
  return Lookup(kv, key);
}

CgroupStats ReadV1(const CgroupLayout& layout, const std::string& path, const KnownChildren* known, bool processes,
                   OpenStatFiles* held, absl::Time now) {
  CgroupStats out;
  out.cpu.usage_ns = Files(layout.Dir(path, "cpuacct"), held, now).Uint("cpuacct.usage");
  Files mem(layout.Dir(path, "memory"), held, now);
  out.memory.usage = mem.Uint("memory.usage_in_bytes");
  out.memory.limit = mem.Uint("memory.limit_in_bytes");
  KeyValues stat = mem.Map("memory.stat");
  out.memory.rss = Hierarchical(stat, "rss");
  out.memory.inactive_file = Hierarchical(stat, "inactive_file");
  out.memory.swap = Hierarchical(stat, "swap");
  out.memory.pgfault = Hierarchical(stat, "pgfault");
  out.memory.pgmajfault = Hierarchical(stat, "pgmajfault");
  if (!processes) return out;
  CgroupDir procs(ProcsDir(layout, path));
  if (procs.Open()) out.pids.processes = CountProcsRecursive(procs, known);
  return out;
}

CgroupStats ReadV2(const std::string& path, const KnownChildren* known, bool processes, OpenStatFiles* held,
                   absl::Time now) {
  Files files(path, held, now);
  CgroupStats out;
  if (auto usec = Lookup(files.Map("cpu.stat"), "usage_usec")) out.cpu.usage_ns = *usec * 1000;
  out.memory.usage = files.Uint("memory.current");
  out.memory.limit = files.Uint("memory.max");
  KeyValues stat = files.Map("memory.stat");
  out.memory.rss = Lookup(stat, "anon");
  out.memory.inactive_file = Lookup(stat, "inactive_file");
  out.memory.pgfault = Lookup(stat, "pgfault");
  out.memory.pgmajfault = Lookup(stat, "pgmajfault");
  out.memory.swap = files.Uint("memory.swap.current");
  if (processes) {
    CgroupDir dir(path);
    out.pids.processes = CountProcsRecursive(dir, known);
  }
  return out;
}

}  // namespace

CgroupStats ReadCgroupCriStats(const CgroupLayout& layout, const std::string& path,
                               const KnownChildren* known, bool processes, OpenStatFiles* held, absl::Time now) {
  if (layout.IsV2()) return ReadV2(layout.Dir(path, ""), known, processes, held, now);
  return ReadV1(layout, path, known, processes, held, now);
}

}  // namespace podagent
