#include "tests/bench/cri/results.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "runtime/common/files.h"
#include "tests/bench/cri/percentiles.h"

namespace podagent::bench {

void Results::Add(const std::string& row, const std::string& unit, const std::string& target, double value) {
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = rows_.try_emplace(row);
  if (inserted) order_.push_back(row);
  it->second.unit = unit;
  it->second.samples[target].push_back(value);
}

void Results::Error(const std::string& target, const std::string& what) {
  std::lock_guard<std::mutex> lock(mu_);
  errors_.push_back(target + ": " + what);
  std::fprintf(stderr, "cri-bench: %s: %s\n", target.c_str(), what.c_str());
}

size_t Results::ErrorCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return errors_.size();
}

std::string Results::Table() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out = absl::StrFormat("%-44s %-4s", "operation", "unit");
  for (const auto& t : targets_) out += absl::StrFormat(" | %12.12s p50      p90      p99   n", t);
  if (targets_.size() == 2) out += " | ratio";
  out += "\n";
  for (const auto& name : order_) {
    const Row& row = rows_.at(name);
    out += absl::StrFormat("%-44s %-4s", name, row.unit);
    std::vector<double> p50s;
    for (const auto& t : targets_) {
      auto it = row.samples.find(t);
      Summary s = Summarize(it == row.samples.end() ? std::vector<double>{} : it->second);
      out += absl::StrFormat(" | %17.2f %8.2f %8.2f %3d", s.p50, s.p90, s.p99, s.n);
      p50s.push_back(s.n ? s.p50 : -1);
    }
    if (p50s.size() == 2 && p50s[0] >= 0 && p50s[1] > 0) out += absl::StrFormat(" | %5.2f", p50s[0] / p50s[1]);
    out += "\n";
  }
  return out;
}

nlohmann::json Results::Json(const nlohmann::json& extra) const {
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json j = extra;
  j["targets"] = targets_;
  j["rows"] = nlohmann::json::array();
  for (const auto& name : order_) {
    const Row& row = rows_.at(name);
    nlohmann::json r = {{"name", name}, {"unit", row.unit}, {"results", nlohmann::json::object()}};
    std::vector<double> p50s;
    for (const auto& t : targets_) {
      auto it = row.samples.find(t);
      if (it == row.samples.end()) continue;
      Summary s = Summarize(it->second);
      r["results"][t] = {{"n", s.n}, {"p50", s.p50}, {"p90", s.p90}, {"p99", s.p99},
                         {"min", s.min}, {"max", s.max}, {"samples", it->second}};
      p50s.push_back(s.p50);
    }
    if (targets_.size() == 2 && p50s.size() == 2 && p50s[1] > 0) r["ratio_p50"] = p50s[0] / p50s[1];
    j["rows"].push_back(r);
  }
  j["errors"] = errors_;
  return j;
}

absl::Status Results::WriteJson(const std::string& path, const nlohmann::json& j) {
  return WriteFileAtomic(path, j.dump(2) + "\n");
}

}  // namespace podagent::bench
