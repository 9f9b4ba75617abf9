#pragma once
// Summary statistics of timing samples: nearest-rank percentiles over the sorted samples.

#include <vector>

namespace podagent::bench {

struct Summary {
  int n = 0;
  double p50 = 0, p90 = 0, p99 = 0, min = 0, max = 0;
};

// Empty input gives n == 0 and zeros.
Summary Summarize(std::vector<double> samples);

}  // namespace podagent::bench
