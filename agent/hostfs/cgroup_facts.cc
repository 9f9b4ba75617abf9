#include "agent/hostfs/cgroup_facts.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "metrics/stat_files.h"

namespace podagent {
namespace {

using Read = CgroupFileReader;

std::optional<uint64_t> Uint(const Read& read, const std::string& controller, const std::string& file) {
  auto text = read(controller, file);
  return text ? ParseUint(*text) : std::nullopt;  // "max" parses as kUnlimited (UINT64_MAX)
}

std::optional<uint64_t> Key(const Read& read, const std::string& controller, const std::string& file,
                            const std::string& key) {
  auto text = read(controller, file);
  return text ? Lookup(ParseKeyValues(*text), key) : std::nullopt;
}

std::optional<std::string> Text(const Read& read, const std::string& controller, const std::string& file) {
  auto text = read(controller, file);
  if (!text) return std::nullopt;
  return std::string(absl::StripAsciiWhitespace(*text));
}

void ReadV1(const Read& read, CgroupFacts& f) {
  f.memory_limit = Uint(read, "memory", "memory.limit_in_bytes");
  f.memory_usage = Uint(read, "memory", "memory.usage_in_bytes");
  f.memory_peak = Uint(read, "memory", "memory.max_usage_in_bytes");
  f.oom_kills = Key(read, "memory", "memory.oom_control", "oom_kill");
  if (auto ns = Uint(read, "cpuacct", "cpuacct.usage")) f.cpu_usage_us = *ns / 1000;
  f.cpu_shares = Uint(read, "cpu", "cpu.shares");
  if (auto q = read("cpu", "cpu.cfs_quota_us")) f.cpu_quota_us = ParseInt(*q);
  f.cpu_period_us = Uint(read, "cpu", "cpu.cfs_period_us");
  if (auto ns = Key(read, "cpu", "cpu.stat", "throttled_time")) f.throttled_us = *ns / 1000;
  f.nr_throttled = Key(read, "cpu", "cpu.stat", "nr_throttled");
  f.cpuset_cpus = Text(read, "cpuset", "cpuset.cpus");
  f.cpuset_effective = Text(read, "cpuset", "cpuset.effective_cpus");
}

// cpu.max: "$MAX $PERIOD", $MAX "max" for no quota.
void ReadCpuMax(const std::string& text, CgroupFacts& f) {
  std::vector<std::string> fields = absl::StrSplit(absl::StripAsciiWhitespace(text), ' ', absl::SkipEmpty());
  if (fields.size() != 2) return;
  f.cpu_quota_us = fields[0] == "max" ? std::optional<int64_t>(-1) : ParseInt(fields[0]);
  f.cpu_period_us = ParseUint(fields[1]);
}

void ReadV2(const Read& read, CgroupFacts& f) {
  f.memory_limit = Uint(read, "memory", "memory.max");
  f.memory_usage = Uint(read, "memory", "memory.current");
  f.memory_peak = Uint(read, "memory", "memory.peak");
  f.oom_kills = Key(read, "memory", "memory.events", "oom_kill");
  f.cpu_usage_us = Key(read, "cpu", "cpu.stat", "usage_usec");
  f.cpu_weight = Uint(read, "cpu", "cpu.weight");
  if (auto max = read("cpu", "cpu.max")) ReadCpuMax(*max, f);
  f.throttled_us = Key(read, "cpu", "cpu.stat", "throttled_usec");
  f.nr_throttled = Key(read, "cpu", "cpu.stat", "nr_throttled");
  f.cpuset_cpus = Text(read, "cpuset", "cpuset.cpus");
  f.cpuset_effective = Text(read, "cpuset", "cpuset.cpus.effective");
}

template <typename T>
void Put(nlohmann::json& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = *v;
}

void PutLimit(nlohmann::json& j, const char* key, const std::optional<uint64_t>& v) {
  if (v) j[key] = *v == kCgroupUnlimited ? nlohmann::json(nullptr) : nlohmann::json(*v);
}

}  // namespace

CgroupFacts ReadCgroupFacts(bool v2, const CgroupFileReader& read) {
  CgroupFacts f;
  if (v2) {
    ReadV2(read, f);
  } else {
    ReadV1(read, f);
  }
  f.pids_limit = Uint(read, "pids", "pids.max");
  f.pids_current = Uint(read, "pids", "pids.current");
  return f;
}

nlohmann::json CgroupFactsJson(const CgroupFacts& f) {
  nlohmann::json mem = nlohmann::json::object(), cpu = nlohmann::json::object();
  nlohmann::json cpuset = nlohmann::json::object(), pids = nlohmann::json::object();
  PutLimit(mem, "limitBytes", f.memory_limit);
  Put(mem, "usageBytes", f.memory_usage);
  Put(mem, "peakBytes", f.memory_peak);
  Put(mem, "oomKills", f.oom_kills);
  Put(cpu, "usageUs", f.cpu_usage_us);
  Put(cpu, "shares", f.cpu_shares);
  Put(cpu, "weight", f.cpu_weight);
  Put(cpu, "quotaUs", f.cpu_quota_us);
  Put(cpu, "periodUs", f.cpu_period_us);
  Put(cpu, "throttledUs", f.throttled_us);
  Put(cpu, "nrThrottled", f.nr_throttled);
  Put(cpuset, "cpus", f.cpuset_cpus);
  Put(cpuset, "effectiveCpus", f.cpuset_effective);
  PutLimit(pids, "limit", f.pids_limit);
  Put(pids, "current", f.pids_current);
  return {{"memory", mem}, {"cpu", cpu}, {"cpuset", cpuset}, {"pids", pids}};
}

}  // namespace podagent
