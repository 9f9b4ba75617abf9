#pragma once
// How a container's command line and environment come from the CRI config and the image config,
// with the Kubernetes (Docker) rules.

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace podagent {

// command given: command + args (the image's Entrypoint and Cmd are ignored).
// command empty: image Entrypoint + (args, or the image Cmd when args are empty).
// InvalidArgument when the result is empty.
absl::StatusOr<std::vector<std::string>> MergeCommand(const std::vector<std::string>& command,
                                                      const std::vector<std::string>& args,
                                                      const std::vector<std::string>& image_entrypoint,
                                                      const std::vector<std::string>& image_cmd);

// Image env first; each CRI "KEY=value" replaces the image's value of KEY in place or is appended.
// A PATH is added when neither sets one.
std::vector<std::string> MergeEnv(const std::vector<std::string>& image_env,
                                  const std::vector<std::string>& cri_env);

inline constexpr char kDefaultPath[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

}  // namespace podagent
