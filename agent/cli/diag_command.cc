#include "agent/cli/diag_command.h"

#include <cstdio>

namespace podagent {

std::optional<DiagArgs> ParseDiagArgs(const std::vector<std::string>& args, const char* usage) {
  DiagArgs out;
  std::vector<std::string> rest;
  for (const auto& a : args) {
    if (a == "--json") {
      out.json = true;
    } else {
      rest.push_back(a);
    }
  }
  if (rest.size() != 1) {
    std::fputs(usage, stderr);
    return std::nullopt;
  }
  out.target = rest[0];
  return out;
}

int RunDiagCommand(const Config& config, const std::vector<std::string>& args, const char* command, const char* usage,
                   const DiagBody& body) {
  std::optional<DiagArgs> parsed = ParseDiagArgs(args, usage);
  if (!parsed) return 2;
  auto fail = [command](const absl::Status& st) {
    std::fprintf(stderr, "podagent %s: %s\n", command, OneLine(std::string(st.message())).c_str());
    return 1;
  };
  DiagClient client(config.socket);
  if (auto st = client.Connect(); !st.ok()) return fail(st);
  absl::StatusOr<std::string> out = body(client, *parsed);
  if (!out.ok()) return fail(out.status());
  std::fputs(out->c_str(), stdout);
  return 0;
}

}  // namespace podagent
