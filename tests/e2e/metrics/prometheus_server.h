#pragma once
// Helpers for the metrics e2e tests: Debian's
// Prometheus server started on loopback with a temp storage dir and a generated scrape config.
// Every process is owned: stopped by its pid when its object dies.

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/lib/http_get.h"  // FreeLoopbackPort, HttpGet

namespace podagent::testing {

class PrometheusServer {
 public:
  // Starts /usr/bin/prometheus on a free 127.0.0.1 port, storage and config under `dir`, scraping
  // `target` (host:port, path /metrics) every second. Waits until /-/ready answers.
  static absl::StatusOr<std::unique_ptr<PrometheusServer>> Start(const std::string& dir, const std::string& target);
  // The same with a given scrape config (YAML text), e.g. DeployedScrapeConfig's.
  static absl::StatusOr<std::unique_ptr<PrometheusServer>> StartWithConfig(const std::string& dir,
                                                                           const std::string& config);
  ~PrometheusServer();

  // GET /api/v1/query; returns data.result (a JSON array of {metric, value}).
  absl::StatusOr<nlohmann::json> Query(const std::string& promql);
  // Polls `promql` until its first result's value satisfies `ok`, or `timeout`; returns that
  // value, or an error describing the last answer.
  absl::StatusOr<double> WaitFor(const std::string& promql, const std::function<bool(double)>& ok,
                                 absl::Duration timeout);
  const std::string& addr() const { return addr_; }
  std::string Log() const;

 private:
  PrometheusServer() = default;
  pid_t pid_ = -1;
  std::string dir_, addr_;
};

}  // namespace podagent::testing
