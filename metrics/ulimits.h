#pragma once
// container_ulimits_soft: cAdvisor exports one ulimit, "max_open_files", the soft limit of the
// container's main process from the "Max open files" line of /proc/<pid>/limits; "unlimited" is
// -1 (cAdvisor's parseUlimit). The file is the kernel's, read once and bounded.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace podagent {

// The soft limit on the "Max open files" line of a /proc/<pid>/limits text; nullopt when the line
// is missing or does not parse.
std::optional<int64_t> ParseMaxOpenFilesSoft(absl::string_view limits);
// The same for <proc_root>/<pid>/limits; nullopt for pid 0, a gone process or a read error.
std::optional<int64_t> ReadMaxOpenFilesSoft(pid_t pid, const std::string& proc_root = "/proc");

}  // namespace podagent
