#include "tests/bench/cri/percentiles.h"

#include <algorithm>
#include <cmath>

namespace podagent::bench {
namespace {

// Nearest rank: the smallest sample with at least p% of the samples at or below it.
double Rank(const std::vector<double>& sorted, double p) {
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace

Summary Summarize(std::vector<double> samples) {
  Summary s;
  if (samples.empty()) return s;
  std::sort(samples.begin(), samples.end());
  s.n = static_cast<int>(samples.size());
  s.p50 = Rank(samples, 50);
  s.p90 = Rank(samples, 90);
  s.p99 = Rank(samples, 99);
  s.min = samples.front();
  s.max = samples.back();
  return s;
}

}  // namespace podagent::bench
