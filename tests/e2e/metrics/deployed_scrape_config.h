#pragma once
// The deployed scrape config (deploy/prometheus/prometheus.yml) as the metrics e2e tests run it:
// every job, label and relabel rule kept; only the targets (to the test daemon's metrics address)
// and the intervals (1 s, so a test sees several scrapes in seconds) rewritten.

#include <string>

#include "absl/status/statusor.h"

namespace podagent::testing {

// Reads `path` and returns it rewritten as above; an error if it is not YAML with scrape_configs
// or a job has no static target to rewrite.
absl::StatusOr<std::string> DeployedScrapeConfig(const std::string& path, const std::string& target);

}  // namespace podagent::testing
