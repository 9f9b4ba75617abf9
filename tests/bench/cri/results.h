#pragma once
// Results: samples per row and per runtime, in the order rows first appear; the table printed
// side by side with the ratio of the medians (first runtime / second), and the JSON file.

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "nlohmann/json.hpp"

namespace podagent::bench {

class Results {
 public:
  explicit Results(std::vector<std::string> targets) : targets_(std::move(targets)) {}

  void Add(const std::string& row, const std::string& unit, const std::string& target, double value);
  void Error(const std::string& target, const std::string& what);
  size_t ErrorCount() const;

  // name | unit | per target p50 p90 p99 (n) | ratio of p50s when there are two targets.
  std::string Table() const;
  // {"targets": [...], "rows": [{"name", "unit", "results": {target: {n, p50, ...}}, "ratio_p50"}],
  //  "errors": [...]} plus `extra` merged at the top level.
  nlohmann::json Json(const nlohmann::json& extra) const;
  static absl::Status WriteJson(const std::string& path, const nlohmann::json& j);

 private:
  struct Row {
    std::string unit;
    std::map<std::string, std::vector<double>> samples;
  };
  std::vector<std::string> targets_;
  mutable std::mutex mu_;
  std::vector<std::string> order_;
  std::map<std::string, Row> rows_;
  std::vector<std::string> errors_;
};

}  // namespace podagent::bench
