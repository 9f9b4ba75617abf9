#include "metrics/pod_text_cache.h"

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "metrics/container_metrics.h"
#include "metrics/text_writer.h"

namespace podagent {
namespace {

// Text older than this many intervals is read again by the scrape itself.
constexpr int kMaxAgeIntervals = 2;
// Housekeeping stops after this many intervals without a scrape.
constexpr int kIdleIntervals = 10;

// A WorkloadSource over fixed lists: the pods a pass reads, with their containers.
class FixedWorkload : public WorkloadSource {
 public:
  FixedWorkload(std::vector<PodSnapshot> pods, std::vector<ContainerSnapshot> containers)
      : pods_(std::move(pods)), containers_(std::move(containers)) {}
  std::vector<PodSnapshot> Pods() const override { return pods_; }
  std::vector<ContainerSnapshot> Containers() const override { return containers_; }

 private:
  std::vector<PodSnapshot> pods_;
  std::vector<ContainerSnapshot> containers_;
};

using ByPod = std::map<std::string, std::vector<ContainerSnapshot>>;

const std::vector<ContainerSnapshot>& ContainersOf(const ByPod& by_pod, const std::string& pod_id) {
  static const std::vector<ContainerSnapshot> kNone;
  auto it = by_pod.find(pod_id);
  return it == by_pod.end() ? kNone : it->second;
}

// Everything besides the values that a pod's text depends on: which cgroups, processes and
// network namespace are read, and the states that decide which samples exist.
std::string PodKey(const PodSnapshot& pod, const std::vector<ContainerSnapshot>& containers) {
  std::vector<std::string> parts;
  parts.reserve(containers.size());
  for (const ContainerSnapshot& c : containers) {
    parts.push_back(absl::StrCat(c.id, "|", c.state, "|", c.pid, "|", c.cgroup_path, "|", c.upper_dir));
  }
  std::sort(parts.begin(), parts.end());
  std::string key = absl::StrCat(pod.id, "|", pod.state, "|", pod.pause_pid, "|", pod.cgroup_path);
  for (const std::string& p : parts) absl::StrAppend(&key, "\n", p);
  return key;
}

std::vector<std::string> Keys(const std::vector<PodSnapshot>& pods, const ByPod& by_pod) {
  std::vector<std::string> keys;
  keys.reserve(pods.size());
  for (const PodSnapshot& pod : pods) keys.push_back(PodKey(pod, ContainersOf(by_pod, pod.id)));
  return keys;
}

// The pod's samples and its containers' as text lines, family after family, stamped with the
// read time; `ends` gets the end of each family's lines.
std::string PodLines(const PodReading& reading, std::vector<uint32_t>& ends) {
  std::vector<MetricSample> samples;
  AppendPodSamples(reading, samples);
  for (const ContainerReading& c : reading.containers) AppendContainerSamples(reading.pod, c, samples);
  const std::vector<MetricDef>& defs = ContainerMetricDefs();
  std::vector<std::vector<const MetricSample*>> by_def(defs.size());
  for (MetricSample& s : samples) {
    s.timestamp_ms = reading.timestamp_ns / 1'000'000;
    size_t i = static_cast<size_t>(s.def - defs.data());
    if (i < defs.size()) by_def[i].push_back(&s);
  }
  std::string text;
  ends.assign(defs.size(), 0);
  for (size_t i = 0; i < defs.size(); ++i) {
    if (!by_def[i].empty()) AppendSampleLines(defs[i], by_def[i], text);
    ends[i] = static_cast<uint32_t>(text.size());
  }
  text.shrink_to_fit();
  return text;
}

ByPod ContainersByPod(std::vector<ContainerSnapshot> containers) {
  ByPod by_pod;
  for (ContainerSnapshot& c : containers) by_pod[c.pod_id].push_back(std::move(c));
  return by_pod;
}

}  // namespace

PodTextCache::PodTextCache(const WorkloadSource& source, const WorkloadStatsReader& reader, absl::Duration interval,
                           Clock clock)
    : source_(source), reader_(reader), interval_(interval), clock_(std::move(clock)) {}

PodTextCache::~PodTextCache() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void PodTextCache::Start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
}

void PodTextCache::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, absl::ToChronoNanoseconds(interval_), [this] { return stop_; });
    if (stop_ || clock_() - last_scrape_ > kIdleIntervals * interval_) continue;
    lock.unlock();
    Refresh();
    ::malloc_trim(0);
    lock.lock();
    ++passes_;
  }
}

std::vector<PodTextCache::Entry> PodTextCache::ReadPods(const std::vector<PodSnapshot>& pods, const ByPod& by_pod,
                                                        std::vector<std::string> keys, absl::Time now) const {
  std::vector<ContainerSnapshot> containers;
  for (const PodSnapshot& pod : pods) {
    const std::vector<ContainerSnapshot>& of_pod = ContainersOf(by_pod, pod.id);
    containers.insert(containers.end(), of_pod.begin(), of_pod.end());
  }
  // ReadAll answers in the order of the source's pods, on two threads from 8 pods on.
  std::vector<PodReading> readings = reader_.ReadAll(FixedWorkload(pods, std::move(containers)), now,
                                                     ReadDepth::kMetrics);
  std::vector<Entry> entries;
  entries.reserve(readings.size());
  for (size_t i = 0; i < readings.size() && i < pods.size(); ++i) {
    auto text = std::make_shared<PodText>();
    text->key = std::move(keys[i]);
    text->read_at = now;
    text->text = PodLines(readings[i], text->ends);
    entries.push_back(std::move(text));
  }
  return entries;
}

void PodTextCache::Refresh() {
  absl::Time now = clock_();
  std::vector<PodSnapshot> pods = source_.Pods();
  ByPod by_pod = ContainersByPod(source_.Containers());
  std::vector<Entry> entries = ReadPods(pods, by_pod, Keys(pods, by_pod), now);
  std::map<std::string, Entry> fresh;
  for (size_t i = 0; i < entries.size(); ++i) fresh[pods[i].id] = std::move(entries[i]);
  std::lock_guard<std::mutex> lock(mu_);
  // A scrape may have read a pod after this pass did: keep the newer reading, so that a series'
  // timestamps never go back (Prometheus drops an out-of-order sample).
  for (auto& [id, entry] : pods_) {
    if (entry->read_at > now) fresh[id] = entry;
  }
  pods_.swap(fresh);
}

void PodTextCache::AppendText(std::string& out) {
  absl::Time now = clock_();
  std::vector<PodSnapshot> pods = source_.Pods();
  ByPod by_pod = ContainersByPod(source_.Containers());
  std::vector<std::string> keys = Keys(pods, by_pod);  // before the lock: a pass waits less
  std::vector<Entry> texts(pods.size());
  std::vector<PodSnapshot> missing;
  std::vector<std::string> missing_keys;
  std::vector<size_t> missing_at;
  std::set<std::string> current;
  {
    std::lock_guard<std::mutex> lock(mu_);
    last_scrape_ = now;
    for (size_t i = 0; i < pods.size(); ++i) {
      current.insert(pods[i].id);
      auto it = pods_.find(pods[i].id);
      if (it != pods_.end() && now - it->second->read_at <= kMaxAgeIntervals * interval_ && it->second->key == keys[i]) {
        texts[i] = it->second;
      } else {
        missing.push_back(pods[i]);
        missing_keys.push_back(std::move(keys[i]));
        missing_at.push_back(i);
      }
    }
  }
  std::vector<Entry> read = missing.empty() ? std::vector<Entry>{} : ReadPods(missing, by_pod, std::move(missing_keys), now);
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t j = 0; j < read.size(); ++j) {
      texts[missing_at[j]] = read[j];
      Entry& kept = pods_[missing[j].id];
      if (!kept || kept->read_at <= now) kept = read[j];  // a scrape at the same time may have read it later
    }
    read_by_scrapes_ += read.size();
    std::erase_if(pods_, [&](const auto& kv) { return current.count(kv.first) == 0; });
  }
  const std::vector<MetricDef>& defs = ContainerMetricDefs();
  size_t bytes = 0;
  for (const Entry& t : texts) bytes += t ? t->text.size() : 0;
  // Room for the headers and what the endpoint appends after (the machine families), so the
  // body of ~10 MB at 500 pods is not copied again by a growth.
  out.reserve(out.size() + bytes + defs.size() * 256 + 64 * 1024);
  for (size_t i = 0; i < defs.size(); ++i) {
    bool header = false;
    for (const Entry& t : texts) {
      if (!t) continue;
      uint32_t from = i == 0 ? 0 : t->ends[i - 1];
      if (t->ends[i] == from) continue;
      if (!header) AppendFamilyHeader(defs[i], out);
      header = true;
      out.append(t->text, from, t->ends[i] - from);
    }
  }
}

size_t PodTextCache::PodsReadByScrapes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return read_by_scrapes_;
}

size_t PodTextCache::HousekeepingPasses() const {
  std::lock_guard<std::mutex> lock(mu_);
  return passes_;
}

}  // namespace podagent
