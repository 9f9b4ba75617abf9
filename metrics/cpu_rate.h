#pragma once
// CpuRateTracker: CRI's usage_nano_cores, i.e. CPU time used per second of wall time between the
// previous sample of an id and this one. The first sample of an id has no rate. Thread-safe.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace podagent {

class CpuRateTracker {
 public:
  // Records (timestamp_ns, usage_ns) for `id`; returns nanocores since the previous sample, or
  // nullopt for the first sample, a clock that did not move, or a counter that went back (a new
  // cgroup under a reused id).
  std::optional<uint64_t> Update(const std::string& id, int64_t timestamp_ns, uint64_t usage_ns);
  // Forgets ids not updated since `before_ns` (removed containers and pods).
  void Prune(int64_t before_ns);

 private:
  struct Sample {
    int64_t timestamp_ns = 0;
    uint64_t usage_ns = 0;
  };
  absl::Mutex mu_;
  std::map<std::string, Sample> last_ ABSL_GUARDED_BY(mu_);
};

}  // namespace podagent
