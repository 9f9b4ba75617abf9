#include "agent/streaming/status_json.h"

#include <nlohmann/json.hpp>

namespace podagent::streaming {

std::string SuccessStatusJson() {
  return nlohmann::json{{"metadata", nlohmann::json::object()}, {"status", "Success"}}.dump();
}

std::string ExitCodeStatusJson(int exit_code) {
  nlohmann::json cause = {{"reason", "ExitCode"}, {"message", std::to_string(exit_code)}};
  return nlohmann::json{
      {"metadata", nlohmann::json::object()},
      {"status", "Failure"},
      {"message", "command terminated with non-zero exit code: exit status " + std::to_string(exit_code)},
      {"reason", "NonZeroExitCode"},
      {"details", {{"causes", nlohmann::json::array({cause})}}},
  }.dump();
}

std::string ErrorStatusJson(const std::string& message) {
  return nlohmann::json{{"metadata", nlohmann::json::object()},
                        {"status", "Failure"},
                        {"message", message},
                        {"reason", "InternalError"},
                        {"code", 500}}
      .dump();
}

}  // namespace podagent::streaming
