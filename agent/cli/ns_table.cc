#include "agent/cli/ns_table.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace podagent {
namespace {

std::string Cell(const NsTable& t, size_t row, size_t col) {
  const auto& ino = t.columns[col].inodes[row];
  if (!ino) return "-";
  std::string s = absl::StrCat(*ino);
  bool shared = SharedCell(t, row, col), host = HostCell(t, row, col);
  if (shared || host) absl::StrAppend(&s, " ", shared ? "shared" : "", shared && host ? "," : "", host ? "host" : "");
  return s;
}

void Pad(std::string& line, const std::string& cell, size_t width) {
  line += cell;
  line.append(width > cell.size() ? width - cell.size() : 0, ' ');
}

}  // namespace

bool SharedCell(const NsTable& t, size_t row, size_t col) {
  const auto& ino = t.columns[col].inodes[row];
  if (!ino) return false;
  for (size_t c = 0; c < t.columns.size(); ++c) {
    if (c != col && t.columns[c].inodes[row] == ino) return true;
  }
  return false;
}

bool HostCell(const NsTable& t, size_t row, size_t col) {
  const auto& ino = t.columns[col].inodes[row];
  return ino && row < t.host.size() && t.host[row] == ino;
}

std::string NsTableText(const NsTable& t) {
  std::string out = absl::StrCat("pod ", t.pod_namespace, "/", t.pod_name, " (", t.pod_id, ")\n");
  std::vector<std::string> header = {"NS"};
  for (const auto& c : t.columns) header.push_back(absl::StrCat(c.name, " (", c.pid, ")"));
  header.push_back("HOST");
  std::vector<std::vector<std::string>> rows = {header};
  for (size_t r = 0; r < NsTypes().size(); ++r) {
    std::vector<std::string> row = {NsTypes()[r]};
    for (size_t c = 0; c < t.columns.size(); ++c) row.push_back(Cell(t, r, c));
    row.push_back(t.host[r] ? absl::StrCat(*t.host[r]) : "-");
    rows.push_back(row);
  }
  std::vector<size_t> width(header.size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size() + 2);
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) Pad(line, row[i], i + 1 == row.size() ? 0 : width[i]);
    absl::StrAppend(&out, line, "\n");
  }
  absl::StrAppend(&out, "shared: another process of the pod is in the same namespace; host: PID 1's namespace\n");
  for (const auto& n : t.notes) absl::StrAppend(&out, "note: ", n, "\n");
  return out;
}

nlohmann::json NsTableJson(const NsTable& t) {
  nlohmann::json cols = nlohmann::json::array();
  for (const auto& c : t.columns) cols.push_back({{"name", c.name}, {"containerId", c.container_id}, {"pid", c.pid}});
  nlohmann::json rows = nlohmann::json::array();
  for (size_t r = 0; r < NsTypes().size(); ++r) {
    nlohmann::json cells = nlohmann::json::array();
    for (size_t c = 0; c < t.columns.size(); ++c) {
      const auto& ino = t.columns[c].inodes[r];
      cells.push_back({{"column", t.columns[c].name},
                       {"inode", ino ? nlohmann::json(*ino) : nlohmann::json(nullptr)},
                       {"shared", SharedCell(t, r, c)},
                       {"host", HostCell(t, r, c)}});
    }
    rows.push_back({{"ns", NsTypes()[r]},
                    {"hostInode", t.host[r] ? nlohmann::json(*t.host[r]) : nlohmann::json(nullptr)},
                    {"cells", cells}});
  }
  return {{"pod", {{"id", t.pod_id}, {"namespace", t.pod_namespace}, {"name", t.pod_name}}},
          {"columns", cols},
          {"rows", rows},
          {"notes", t.notes}};
}

}  // namespace podagent
