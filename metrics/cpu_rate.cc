#include "metrics/cpu_rate.h"

namespace podagent {

std::optional<uint64_t> CpuRateTracker::Update(const std::string& id, int64_t timestamp_ns, uint64_t usage_ns) {
  absl::MutexLock lock(&mu_);
  auto [it, first] = last_.try_emplace(id, Sample{timestamp_ns, usage_ns});
  if (first) return std::nullopt;
  Sample prev = it->second;
  if (timestamp_ns <= prev.timestamp_ns) return std::nullopt;  // keep the older sample
  it->second = Sample{timestamp_ns, usage_ns};
  if (usage_ns < prev.usage_ns) return std::nullopt;
  long double rate = static_cast<long double>(usage_ns - prev.usage_ns) * 1e9L /
                     static_cast<long double>(timestamp_ns - prev.timestamp_ns);
  return static_cast<uint64_t>(rate);
}

void CpuRateTracker::Prune(int64_t before_ns) {
  absl::MutexLock lock(&mu_);
  std::erase_if(last_, [&](const auto& kv) { return kv.second.timestamp_ns < before_ns; });
}

}  // namespace podagent
