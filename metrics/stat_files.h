#pragma once
// Parsers for the small text files the kernel offers under cgroupfs and /proc. Each takes the
// file's content, so fuzzers and unit tests feed them strings; the Read* helpers open the file and
// treat an absent or unreadable file as "no value" (a missing controller or an older kernel is
// not an error for stats).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"

#include "metrics/cgroup_stats.h"

namespace podagent {

// "max" in a cgroup v2 limit file.
inline constexpr uint64_t kUnlimited = UINT64_MAX;

// A single unsigned number ("42\n"); "max" gives kUnlimited. nullopt for anything else.
std::optional<uint64_t> ParseUint(absl::string_view text);
// A single signed number ("-1\n").
std::optional<int64_t> ParseInt(absl::string_view text);
// "key value" lines (cpu.stat, memory.stat, memory.events, cpuacct.stat, memory.oom_control).
// Lines that do not parse are skipped.
std::map<std::string, uint64_t, std::less<>> ParseKeyValues(absl::string_view text);
// cgroup v2 <resource>.pressure: "some avg10=.. avg60=.. avg300=.. total=N" and "full ...".
PsiStats ParsePsi(absl::string_view text);
// Number of non-empty lines (cgroup.procs, tasks, cgroup.threads).
uint64_t CountLines(absl::string_view text);

// Whole file, nullopt when it cannot be read.
std::optional<std::string> ReadOptionalFile(const std::string& path);
std::optional<uint64_t> ReadUintFile(const std::string& path);
std::optional<int64_t> ReadIntFile(const std::string& path);
// Empty map when the file cannot be read.
std::map<std::string, uint64_t, std::less<>> ReadKeyValuesFile(const std::string& path);
// Value of `key` in a key-value map.
std::optional<uint64_t> Lookup(const std::map<std::string, uint64_t, std::less<>>& kv, absl::string_view key);

}  // namespace podagent
