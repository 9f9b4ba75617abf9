#pragma once
// Disk usage of a container's writable layer (du semantics: allocated blocks, hard links counted
// once, never crossing into another filesystem, symlinks not followed). The walk is bounded and
// cached: a directory is walked again when its mtime changes or its result is older than the TTL,
// so a scrape with hundreds of containers does not walk hundreds of trees every time.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace podagent {

struct DirUsage {
  uint64_t bytes = 0;
  uint64_t inodes = 0;
  bool complete = true;  // false when the walk stopped at the entry limit
};

// One uncached walk of `dir`, stopping after `max_entries` entries. NotFound-like failures give
// an empty usage.
DirUsage MeasureDiskUsage(const std::string& dir, uint64_t max_entries);

class DiskUsageCache {
 public:
  explicit DiskUsageCache(absl::Duration ttl = absl::Seconds(10), uint64_t max_entries = 200000)
      : ttl_(ttl), max_entries_(max_entries) {}

  // Usage of `dir` as of at most the TTL ago (or since its last mtime change).
  DirUsage Get(const std::string& dir, absl::Time now);
  // Drops entries not asked for since `before` (removed containers).
  void Prune(absl::Time before);

 private:
  struct Entry {
    int64_t mtime_ns = 0;
    absl::Time measured, used;
    DirUsage usage;
  };
  const absl::Duration ttl_;
  const uint64_t max_entries_;
  absl::Mutex mu_;
  std::map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace podagent
