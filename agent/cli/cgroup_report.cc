#include "agent/cli/cgroup_report.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace podagent {
namespace {

constexpr uint64_t kHuge = uint64_t{1} << 62;  // v1 says "unlimited" with LLONG_MAX rounded to a page

template <typename T>
std::string Num(const std::optional<T>& v) {
  return v ? absl::StrCat(*v) : "-";
}

std::string Limit(const std::optional<uint64_t>& v) {
  if (!v) return "-";
  return *v >= kHuge ? "max" : absl::StrCat(*v);
}

std::string Seconds(const std::optional<uint64_t>& us) {
  if (!us) return "-";
  char s[32];
  std::snprintf(s, sizeof s, "%.3fs", static_cast<double>(*us) / 1e6);
  return s;
}

std::string Quota(const CgroupFacts& f) {
  if (!f.cpu_quota_us && !f.cpu_period_us) return "-";
  std::string q = !f.cpu_quota_us ? "-" : *f.cpu_quota_us < 0 ? "max" : absl::StrCat(*f.cpu_quota_us);
  return absl::StrCat(q, "/", Num(f.cpu_period_us));
}

std::string Throttled(const CgroupFacts& f) {
  std::string s = Seconds(f.throttled_us);
  return f.throttled_us && f.nr_throttled ? absl::StrCat(s, " (", *f.nr_throttled, ")") : s;
}

std::string Cpuset(const CgroupFacts& f) {
  std::string cpus = f.cpuset_cpus && !f.cpuset_cpus->empty() ? *f.cpuset_cpus : "";
  std::string eff = f.cpuset_effective.value_or("");
  if (cpus.empty()) return eff.empty() ? "-" : absl::StrCat("(", eff, ")");
  return cpus;
}

std::string TreeName(const CgroupReport& r, size_t i) {
  if (i == 0) return r.nodes[0].name;
  return absl::StrCat(i + 1 == r.nodes.size() ? "`-" : "|-", " ", r.nodes[i].name);
}

std::vector<std::string> Row(const CgroupReport& r, size_t i) {
  const CgroupFacts& f = r.nodes[i].facts;
  return {TreeName(r, i),
          HumanBytes(f.memory_limit),
          HumanBytes(f.memory_usage),
          HumanBytes(f.memory_peak),
          Num(f.oom_kills),
          Seconds(f.cpu_usage_us),
          Num(r.version == 2 ? f.cpu_weight : f.cpu_shares),
          Quota(f),
          Throttled(f),
          Cpuset(f),
          absl::StrCat(Num(f.pids_current), "/", Limit(f.pids_limit))};
}

std::string Table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size() + 2);
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(width[i] - row[i].size(), ' ');
    }
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

}  // namespace

std::string HumanBytes(const std::optional<uint64_t>& b) {
  if (!b) return "-";
  if (*b >= kHuge) return "unlimited";
  const char* units[] = {"", "Ki", "Mi", "Gi", "Ti"};
  double v = static_cast<double>(*b);
  size_t u = 0;
  while (v >= 1024 && u + 1 < std::size(units)) {
    v /= 1024;
    ++u;
  }
  char s[32];
  std::snprintf(s, sizeof s, u == 0 ? "%.0f%s" : "%.1f%s", v, units[u]);
  return s;
}

std::string CgroupReportText(const CgroupReport& r) {
  std::string out = absl::StrCat("pod ", r.pod_namespace, "/", r.pod_name, " (", r.pod_id, ")\n", "cgroup v", r.version,
                                 ", driver ", r.driver, ", mounted at ", r.mount_root, "\n");
  std::vector<std::vector<std::string>> rows = {{"CGROUP", "MEM LIMIT", "USAGE", "PEAK", "OOM KILLS", "CPU TIME",
                                                 r.version == 2 ? "CPU WEIGHT" : "CPU SHARES", "QUOTA/PERIOD us",
                                                 "THROTTLED", "CPUSET", "PIDS/MAX"}};
  for (size_t i = 0; i < r.nodes.size(); ++i) rows.push_back(Row(r, i));
  out += Table(rows);
  absl::StrAppend(&out, "paths:\n");
  for (const auto& n : r.nodes) {
    std::string who = n.container_id.empty() ? n.name : absl::StrCat(n.name, " (", n.container_id.substr(0, 13), ")");
    absl::StrAppend(&out, "  ", who, "  ", n.path, "\n");
    for (const auto& d : n.dirs) absl::StrAppend(&out, "    ", d, "\n");
  }
  for (const auto& n : r.notes) absl::StrAppend(&out, "note: ", n, "\n");
  return out;
}

nlohmann::json CgroupReportJson(const CgroupReport& r) {
  nlohmann::json nodes = nlohmann::json::array();
  for (const auto& n : r.nodes) {
    nlohmann::json j = CgroupFactsJson(n.facts);
    j["name"] = n.name;
    j["containerId"] = n.container_id;
    j["path"] = n.path;
    j["dirs"] = n.dirs;
    nodes.push_back(std::move(j));
  }
  return {{"pod", {{"id", r.pod_id}, {"namespace", r.pod_namespace}, {"name", r.pod_name}}},
          {"cgroupVersion", r.version},
          {"driver", r.driver},
          {"mountRoot", r.mount_root},
          {"cgroups", nodes},
          {"notes", r.notes}};
}

}  // namespace podagent
