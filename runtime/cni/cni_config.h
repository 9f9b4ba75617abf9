#pragma once
// CNI network configuration (CNI spec 1.0): the first .conflist, .conf or .json file in the
// conf dir in sorted order; a .conf (a single plugin) is wrapped as a one-plugin list.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"

namespace podagent {

struct NetworkConfigList {
  std::string name;
  std::string cni_version;
  std::vector<nlohmann::json> plugins;  // each plugin's own config object ("type", ...)
  std::string source;                   // file it came from
  nlohmann::json ToJson() const;        // as a .conflist: {"cniVersion","name","plugins"}
};

// Parses a .conflist (`is_list`) or a single-plugin .conf. InvalidArgument naming `source`.
absl::StatusOr<NetworkConfigList> ParseNetworkConfig(const std::string& text, bool is_list, const std::string& source);

// The first valid config in `conf_dir` (sorted by file name); invalid files are skipped and
// listed in the error when none is valid. NotFound when the directory holds no config.
absl::StatusOr<NetworkConfigList> LoadNetworkConfig(const std::string& conf_dir);

// Whether CNI version `v` ("1.0.0", "0.4.0") is at least major.minor.
bool CniVersionAtLeast(const std::string& v, int major, int minor);

}  // namespace podagent
