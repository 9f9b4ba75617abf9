#include "runtime/cni/cni_config.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "runtime/common/files.h"

namespace podagent {
namespace {

absl::Status CheckPlugin(const nlohmann::json& plugin, const std::string& source) {
  if (!plugin.is_object() || !plugin.contains("type") || !plugin["type"].is_string() ||
      plugin["type"].get<std::string>().empty()) {
    return absl::InvalidArgumentError(absl::StrCat("cni config ", source, ": a plugin without a \"type\""));
  }
  std::string type = plugin["type"];
  if (type.find('/') != std::string::npos || type == "." || type == "..") {
    return absl::InvalidArgumentError(absl::StrCat("cni config ", source, ": bad plugin type \"", type, "\""));
  }
  return absl::OkStatus();
}

}  // namespace

nlohmann::json NetworkConfigList::ToJson() const {
  return {{"cniVersion", cni_version}, {"name", name}, {"plugins", plugins}};
}

absl::StatusOr<NetworkConfigList> ParseNetworkConfig(const std::string& text, bool is_list, const std::string& source) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat("cni config ", source, ": not a JSON object"));
  }
  NetworkConfigList list;
  list.source = source;
  if (!j.contains("name") || !j["name"].is_string() || j["name"].get<std::string>().empty()) {
    return absl::InvalidArgumentError(absl::StrCat("cni config ", source, ": no \"name\""));
  }
  list.name = j["name"];
  list.cni_version = j.value("cniVersion", std::string("0.2.0"));
  if (is_list) {
    if (!j.contains("plugins") || !j["plugins"].is_array() || j["plugins"].empty()) {
      return absl::InvalidArgumentError(absl::StrCat("cni config ", source, ": no \"plugins\" list"));
    }
    for (const nlohmann::json& p : j["plugins"]) list.plugins.push_back(p);
  } else {
    list.plugins.push_back(j);
  }
  for (const nlohmann::json& p : list.plugins) {
    if (absl::Status st = CheckPlugin(p, source); !st.ok()) return st;
  }
  return list;
}

absl::StatusOr<NetworkConfigList> LoadNetworkConfig(const std::string& conf_dir) {
  auto names = ListDir(conf_dir);
  if (!names.ok()) {
    return absl::NotFoundError(absl::StrCat("no cni network config: cannot list ", conf_dir, ": ", names.status().message()));
  }
  std::vector<std::string> problems;
  for (const std::string& name : *names) {
    bool is_list = absl::EndsWith(name, ".conflist");
    if (!is_list && !absl::EndsWith(name, ".conf") && !absl::EndsWith(name, ".json")) continue;
    std::string path = absl::StrCat(conf_dir, "/", name);
    auto text = ReadFile(path);
    if (!text.ok()) {
      problems.push_back(std::string(text.status().message()));
      continue;
    }
    auto list = ParseNetworkConfig(*text, is_list, path);
    if (list.ok()) return list;
    problems.push_back(std::string(list.status().message()));
  }
  if (problems.empty()) return absl::NotFoundError(absl::StrCat("no cni network config in ", conf_dir));
  return absl::NotFoundError(absl::StrCat("no valid cni network config in ", conf_dir, ": ", absl::StrJoin(problems, "; ")));
}

bool CniVersionAtLeast(const std::string& v, int major, int minor) {
  std::vector<std::string> parts = absl::StrSplit(v, '.');
  int ma = 0, mi = 0;
  if (parts.size() < 2 || !absl::SimpleAtoi(parts[0], &ma) || !absl::SimpleAtoi(parts[1], &mi)) return false;
  return ma > major || (ma == major && mi >= minor);
}

}  // namespace podagent
