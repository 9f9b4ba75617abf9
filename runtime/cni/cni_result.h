#pragma once
// Reading what CNI plugins print: a result (IPs) or an error object.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"

namespace podagent {

// The IP addresses (without prefix length) of a CNI 0.3+/1.0 result, IPv4 first, each family in
// result order. Addresses on host-side interfaces (those without "sandbox") are skipped when
// the result says which interface they belong to.
std::vector<std::string> ResultIps(const nlohmann::json& result);

// A status for a failed plugin run: its CNI error object ({"code","msg","details"}) on stdout
// when there is one, else its stderr. `what` says which plugin and command ("bridge ADD").
absl::Status PluginError(const std::string& what, int exit_code, const std::string& out, const std::string& err);

}  // namespace podagent
