#pragma once
// Reading a file of an image from its unpacked layers (lowest first) without mounting them: the
// topmost layer that has it wins. Resolved inside each layer (openat2 RESOLVE_IN_ROOT), so a
// symlink in an image never reads a host file.

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace podagent {

// "" when no layer has `path`.
absl::StatusOr<std::string> ReadFileFromLayers(const std::vector<std::string>& layers_lowest_first, const std::string& path);

}  // namespace podagent
