#pragma once
// The report of `podagent why`: a container's state and what explains it, from ContainerStatus
// (state, exit code, reason, message, times, attempt, log path), its verbose info (the memory
// facts the daemon read from the container's cgroup) and the tail of its CRI log. Pure.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api.grpc.pb.h"

namespace podagent {

// "SIGKILL" for 137 (128 + 9): the signal a shell-style exit code above 128 stands for; "" when
// the code is not one (<= 128, or no such signal).
std::string ExitSignalName(int exit_code);

struct WhyReport {
  ::runtime::v1::ContainerStatus status;
  std::string pod;         // namespace/name (id) of its pod
  nlohmann::json memory;   // verbose info "memory", or null
  std::vector<std::string> log_tail;  // last lines of the CRI log
  std::string log_error;   // why the log could not be read, if it could not
};

std::string WhyText(const WhyReport& r);
nlohmann::json WhyJson(const WhyReport& r);

// The last `n` lines of `text` (a trailing newline does not make an empty line).
std::vector<std::string> LastLines(const std::string& text, size_t n);

}  // namespace podagent
