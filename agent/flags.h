#pragma once
// Command-line flags of the podagent binary. Flags override the config file.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace podagent {

struct Flags {
  std::string config_path = "/etc/podagent/podagent.yaml";
  bool config_given = false;
  std::optional<std::string> socket, root_dir, run_dir, log_level, log_format, metrics_listen;
  bool help = false, version = false;
  std::vector<std::string> subcommand;  // e.g. {"image", "ls"}
};

// argv without argv[0]. Accepts "--flag value" and "--flag=value".
absl::StatusOr<Flags> ParseFlags(const std::vector<std::string>& args);
std::string UsageText();

}  // namespace podagent
