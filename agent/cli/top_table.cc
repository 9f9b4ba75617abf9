#include "agent/cli/top_table.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace podagent {
namespace {

std::string Text(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

}  // namespace

std::optional<TopRow> TopRowFromJson(const nlohmann::json& process, const std::string& container,
                                     const std::string& container_id) {
  if (!process.is_object() || !process.contains("nsPids") || !process["nsPids"].is_array()) return std::nullopt;
  TopRow r{container, container_id, 0, 0, {}, 0, Text(process, "user"), '?', Text(process, "command")};
  for (const auto& p : process["nsPids"]) {
    if (!p.is_number_integer()) return std::nullopt;
    r.ns_pids.push_back(p.get<pid_t>());
  }
  if (r.ns_pids.empty()) return std::nullopt;
  r.host_pid = r.ns_pids.front();
  r.pid = r.ns_pids.back();
  if (process.contains("uid") && process["uid"].is_number_unsigned()) r.uid = process["uid"].get<uid_t>();
  std::string state = Text(process, "state");
  if (!state.empty()) r.state = state[0];
  return r;
}

std::string TopTableText(const TopTable& t) {
  std::string out = absl::StrCat("pod ", t.pod_namespace, "/", t.pod_name, " (", t.pod_id, ")\n");
  std::vector<std::vector<std::string>> rows = {{"CONTAINER", "PID", "HOST PID", "USER", "STAT", "COMMAND"}};
  for (const auto& r : t.rows) {
    rows.push_back(
        {r.container, absl::StrCat(r.pid), absl::StrCat(r.host_pid), r.user, std::string(1, r.state), r.command});
  }
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size() + 2);
  }
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      out += row[i];
      if (i + 1 < row.size()) out.append(width[i] - row[i].size(), ' ');
    }
    out += "\n";
  }
  for (const auto& n : t.notes) absl::StrAppend(&out, "note: ", n, "\n");
  return out;
}

nlohmann::json TopTableJson(const TopTable& t) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : t.rows) {
    rows.push_back({{"container", r.container},
                    {"containerId", r.container_id},
                    {"pid", r.pid},
                    {"hostPid", r.host_pid},
                    {"nsPids", r.ns_pids},
                    {"uid", r.uid},
                    {"user", r.user},
                    {"state", std::string(1, r.state)},
                    {"command", r.command}});
  }
  return {{"pod", {{"id", t.pod_id}, {"namespace", t.pod_namespace}, {"name", t.pod_name}}},
          {"processes", rows},
          {"notes", t.notes}};
}

}  // namespace podagent
