#pragma once
// PodTextCache: the cAdvisor families of each pod kept as Prometheus text, read again by a
// housekeeping thread every `interval`, so that a scrape copies text instead of opening ~25
// kernfs files per cgroup (about 260 ms at 500 pods on 2 cores). This is cAdvisor's own model:
// kubelet's /metrics/cadvisor serves what its housekeeping (every 10 s) last read. As cAdvisor
// does, every line carries the time its value was read (milliseconds), so Prometheus stores each
// value at the moment it was read, not at the scrape.
//
// What a scrape shows is still the workload of the moment: a pod that is new, whose containers
// (ids, states, processes) or pause process changed since it was read, or whose text is older
// than twice the interval, is read by the scrape itself before it answers; a pod that is gone is
// left out. Values are at most 2 x interval old.
//
// Housekeeping runs only while someone scrapes: after 10 intervals without a scrape it stops
// reading until the next scrape (which reads what is too old itself), so an unscraped node pays
// nothing. After each pass the heap's free pages go back to the kernel (malloc_trim): a pass
// frees the previous text of every pod and a scrape frees its body, ~10 MB each at 500 pods,
// which glibc keeps otherwise. Thread-safe: scrapes may run at the same time as each other and
// as housekeeping.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "metrics/workload.h"
#include "metrics/workload_stats.h"

namespace podagent {

class PodTextCache {
 public:
  using Clock = std::function<absl::Time()>;
  // `source` and `reader` must outlive the cache. `interval` > 0.
  PodTextCache(const WorkloadSource& source, const WorkloadStatsReader& reader, absl::Duration interval,
               Clock clock = absl::Now);
  ~PodTextCache();  // stops and joins the housekeeping thread
  PodTextCache(const PodTextCache&) = delete;
  PodTextCache& operator=(const PodTextCache&) = delete;

  // Starts the housekeeping thread (idle until the first scrape).
  void Start();
  // A scrape: the families of every current pod and container, appended to `out` in the order
  // and format of AppendSamplesText, each line with its read time.
  void AppendText(std::string& out);
  // One housekeeping pass: reads every current pod now (the thread calls it each interval).
  void Refresh();

  // Pods read by scrapes themselves (missing or out of date in the cache), since the start.
  size_t PodsReadByScrapes() const;
  // Passes the housekeeping thread has made.
  size_t HousekeepingPasses() const;

 private:
  struct PodText {
    std::string key;                 // what the text depends on besides the values (PodKey)
    absl::Time read_at;
    // This pod's sample lines, family after family in ContainerMetricDefs() order (one
    // allocation per pod); family i's lines are text[ends[i-1], ends[i]).
    std::string text;
    std::vector<uint32_t> ends;
  };
  using Entry = std::shared_ptr<const PodText>;

  // The pods of `pods` (with their containers) read at `now` and written as text; keys[i] is
  // pods[i]'s cache key.
  std::vector<Entry> ReadPods(const std::vector<PodSnapshot>& pods,
                              const std::map<std::string, std::vector<ContainerSnapshot>>& by_pod,
                              std::vector<std::string> keys, absl::Time now) const;
  void Loop();

  const WorkloadSource& source_;
  const WorkloadStatsReader& reader_;
  const absl::Duration interval_;
  Clock clock_;

  mutable std::mutex mu_;
  std::map<std::string, Entry> pods_;  // by pod id
  absl::Time last_scrape_ = absl::InfinitePast();
  size_t read_by_scrapes_ = 0;
  size_t passes_ = 0;
  bool stop_ = false;
  std::condition_variable cv_;
  std::thread thread_;
};

}  // namespace podagent
