#include "runtime/container/process_args.h"

#include <algorithm>

namespace podagent {
namespace {

std::string KeyOf(const std::string& kv) { return kv.substr(0, kv.find('=')); }

}  // namespace

absl::StatusOr<std::vector<std::string>> MergeCommand(const std::vector<std::string>& command,
                                                      const std::vector<std::string>& args,
                                                      const std::vector<std::string>& image_entrypoint,
                                                      const std::vector<std::string>& image_cmd) {
  std::vector<std::string> out;
  if (!command.empty()) {
    out = command;
    out.insert(out.end(), args.begin(), args.end());
  } else {
    // An Entrypoint of [""] means "reset" in Docker's image config.
    bool empty_entrypoint = image_entrypoint.size() == 1 && image_entrypoint[0].empty();
    if (!empty_entrypoint) out = image_entrypoint;
    const auto& tail = args.empty() ? image_cmd : args;
    out.insert(out.end(), tail.begin(), tail.end());
  }
  if (out.empty()) return absl::InvalidArgumentError("no command specified: neither the container config nor the image has one");
  return out;
}

std::vector<std::string> MergeEnv(const std::vector<std::string>& image_env, const std::vector<std::string>& cri_env) {
  std::vector<std::string> out;
  auto put = [&out](const std::string& kv) {
    std::string key = KeyOf(kv);
    auto it = std::find_if(out.begin(), out.end(), [&](const std::string& e) { return KeyOf(e) == key; });
    if (it != out.end()) {
      *it = kv;
    } else {
      out.push_back(kv);
    }
  };
  for (const auto& kv : image_env) put(kv);
  for (const auto& kv : cri_env) put(kv);
  if (std::none_of(out.begin(), out.end(), [](const std::string& e) { return KeyOf(e) == "PATH"; })) {
    out.insert(out.begin(), std::string("PATH=") + kDefaultPath);
  }
  return out;
}

}  // namespace podagent
