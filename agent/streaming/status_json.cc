#include "agent/streaming/status_json.h"

#include <nlohmann/json.hpp>

#include "runtime/common/json_text.h"

namespace podagent::streaming {

std::string SuccessStatusJson() {
  return JsonText(nlohmann::json{{"metadata", nlohmann::json::object()}, {"status", "Success"}});
}

std::string ExitCodeStatusJson(int exit_code) {
  nlohmann::json cause = {{"reason", "ExitCode"}, {"message", std::to_string(exit_code)}};
  return JsonText(nlohmann::json{
      {"metadata", nlohmann::json::object()},
      {"status", "Failure"},
      {"message", "command terminated with non-zero exit code: exit status " + std::to_string(exit_code)},
      {"reason", "NonZeroExitCode"},
      {"details", {{"causes", nlohmann::json::array({cause})}}},
  });
}

std::string ErrorStatusJson(const std::string& message) {
  // The message may carry bytes from the container (a path it named): not always UTF-8.
  return JsonText(nlohmann::json{{"metadata", nlohmann::json::object()},
                                 {"status", "Failure"},
                                 {"message", message},
                                 {"reason", "InternalError"},
                                 {"code", 500}});
}

}  // namespace podagent::streaming
