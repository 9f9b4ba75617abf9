#pragma once
// StatsManager: cgroup stats for the CRI stats calls and the Prometheus endpoint.
// STUB: replaced by the metrics work.

#include "absl/status/status.h"
#include "agent/context.h"

namespace podagent {

class StatsManager {
 public:
  explicit StatsManager(AgentContext& ctx) : ctx_(ctx) {}
  // Starts the metrics endpoint on ctx.config.metrics_listen ("" = none).
  absl::Status Start() { return absl::OkStatus(); }
  // Records one finished CRI request (method, gRPC code, seconds) for podagent's own metrics.
  void ObserveRequest(const std::string&, int, double) {}

 private:
  [[maybe_unused]] AgentContext& ctx_;
};

}  // namespace podagent
