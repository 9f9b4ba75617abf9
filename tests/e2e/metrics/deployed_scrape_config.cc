#include "tests/e2e/metrics/deployed_scrape_config.h"

#include <yaml-cpp/yaml.h>

#include "absl/strings/str_cat.h"
#include "runtime/common/files.h"

namespace podagent::testing {
namespace {

constexpr char kInterval[] = "1s";

// Points every static target of `job` at `target`; returns how many target lists it rewrote.
int RewriteTargets(YAML::Node job, const std::string& target) {
  int n = 0;
  for (YAML::Node group : job["static_configs"]) {
    YAML::Node targets(YAML::NodeType::Sequence);
    targets.push_back(target);
    group["targets"] = targets;
    ++n;
  }
  return n;
}

}  // namespace

absl::StatusOr<std::string> DeployedScrapeConfig(const std::string& path, const std::string& target) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  YAML::Node root;
  try {
    root = YAML::Load(*text);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", e.what()));
  }
  if (!root["scrape_configs"].IsSequence() || root["scrape_configs"].size() == 0) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": no scrape_configs"));
  }
  root["global"]["scrape_interval"] = kInterval;
  root["global"]["evaluation_interval"] = kInterval;
  for (YAML::Node job : root["scrape_configs"]) {
    job["scrape_interval"] = kInterval;
    job["scrape_timeout"] = kInterval;
    if (RewriteTargets(job, target) == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": job ", job["job_name"].as<std::string>(""), " has no static target to rewrite"));
    }
  }
  YAML::Emitter out;
  out << root;
  return std::string(out.c_str());
}

}  // namespace podagent::testing
