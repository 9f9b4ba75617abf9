#include "runtime/cni/cni_result.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace podagent {
namespace {

bool OnSandboxInterface(const nlohmann::json& result, const nlohmann::json& ip) {
  if (!ip.contains("interface") || !ip["interface"].is_number_integer()) return true;
  int idx = ip["interface"];
  if (!result.contains("interfaces") || !result["interfaces"].is_array()) return true;
  const auto& ifs = result["interfaces"];
  if (idx < 0 || static_cast<size_t>(idx) >= ifs.size()) return true;
  return ifs[static_cast<size_t>(idx)].value("sandbox", std::string()) != "";
}

}  // namespace

std::vector<std::string> ResultIps(const nlohmann::json& result) {
  std::vector<std::string> v4, v6;
  if (!result.is_object() || !result.contains("ips") || !result["ips"].is_array()) return {};
  for (const nlohmann::json& ip : result["ips"]) {
    if (!ip.is_object() || !ip.contains("address") || !ip["address"].is_string()) continue;
    if (!OnSandboxInterface(result, ip)) continue;
    std::string addr = ip["address"];
    addr = addr.substr(0, addr.find('/'));
    (addr.find(':') == std::string::npos ? v4 : v6).push_back(addr);
  }
  v4.insert(v4.end(), v6.begin(), v6.end());
  return v4;
}

absl::Status PluginError(const std::string& what, int exit_code, const std::string& out, const std::string& err) {
  nlohmann::json j = nlohmann::json::parse(out, nullptr, false);
  std::string message;
  if (!j.is_discarded() && j.is_object() && j.contains("msg")) {
    message = j["msg"].is_string() ? j["msg"].get<std::string>() : j["msg"].dump();
    if (j.contains("details") && j["details"].is_string() && !j["details"].get<std::string>().empty()) {
      absl::StrAppend(&message, " (", j["details"].get<std::string>(), ")");
    }
    if (j.contains("code")) absl::StrAppend(&message, " [cni error code ", j["code"].dump(), "]");
  } else {
    std::string text(absl::StripAsciiWhitespace(err.empty() ? out : err));
    message = text.empty() ? absl::StrCat("exit status ", exit_code) : text;
  }
  return absl::InternalError(absl::StrCat("cni plugin ", what, ": ", message));
}

}  // namespace podagent
