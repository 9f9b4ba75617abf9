// metrics/pod_text_cache.h: a scrape served from the housekeeping cache is what a scrape reading
// the cgroups writes, with read times; values are as old as the last pass (at most twice the
// interval); new, changed and removed pods are seen at once; housekeeping runs only while scraped.
#include "metrics/pod_text_cache.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "metrics/container_collector.h"
#include "metrics/text_writer.h"
#include "prometheus/text_serializer.h"
#include "tests/lib/temp_dir.h"
#include "tests/unit/metrics/fake_workload.h"
#include "tests/unit/metrics/fixture.h"

namespace podagent {
namespace {

using testing::CgroupFixture;
using testing::FakeWorkload;
using testing::FixtureContainer;
using testing::FixturePod;
using testing::TempDir;

constexpr int64_t kStart = 1700000100;

// The fixture's pod and container, as pod `n` (all read from the same fixture cgroups).
void AddPod(FakeWorkload& w, int n) {
  PodSnapshot pod = FixturePod();
  ContainerSnapshot c = FixtureContainer();
  if (n > 0) {
    pod.id = absl::StrCat("pod", n);
    pod.name = absl::StrCat("web", n);
    c.id = absl::StrCat("ctr", n);
    c.pod_id = pod.id;
  }
  w.pods.push_back(pod);
  w.containers.push_back(c);
}

class PodTextCacheTest : public ::testing::Test {
 protected:
  // A writable copy of the v1 fixture tree, so a test can change what the kernel would report.
  PodTextCacheTest() {
    std::filesystem::copy(CgroupFixture("v1"), tree_.path(), std::filesystem::copy_options::recursive);
    reader_ = std::make_unique<WorkloadStatsReader>(CgroupLayout::V1(tree_.path()), nullptr, "/proc", "/nonexistent");
  }
  std::unique_ptr<PodTextCache> Cache(absl::Duration interval) {
    return std::make_unique<PodTextCache>(workload_, *reader_, interval, [this] { return now_; });
  }
  void SetMemoryUsage(int64_t bytes) {
    std::ofstream(tree_.path() + "/memory/podagent/podaaa/ctr1/memory.usage_in_bytes") << bytes << "\n";
  }
  static std::string Scrape(PodTextCache& cache) {
    std::string out;
    cache.AppendText(out);
    return out;
  }
  // The line of the container's container_memory_usage_bytes ("" when absent).
  static std::string UsageLine(const std::string& text, const std::string& name = "nginx") {
    std::string head = "\ncontainer_memory_usage_bytes{container=\"" + name + "\",";
    size_t at = text.find(head);
    if (at == std::string::npos) return "";
    return text.substr(at + 1, text.find('\n', at + 1) - at - 1);
  }
  static std::string ValueAndTime(const std::string& line) { return line.substr(line.find("} ") + 2); }

  TempDir tree_;
  FakeWorkload workload_;
  std::unique_ptr<WorkloadStatsReader> reader_;
  absl::Time now_ = absl::FromUnixSeconds(kStart);  // read by the cache's clock on the test's thread
};

// Several pods, each family's lines gathered across them: the same bytes as the one-pass writer
// and as prometheus-cpp's serialiser for the same samples stamped with their read time.
TEST_F(PodTextCacheTest, ServesWhatAReadingScrapeWritesWithReadTimes) {
  for (int n = 0; n < 3; ++n) AddPod(workload_, n);
  auto cache = Cache(absl::Seconds(10));
  std::string served = Scrape(*cache);
  std::vector<MetricSample> samples =
      WorkloadSamples(reader_->ReadAll(workload_, absl::FromUnixSeconds(kStart), ReadDepth::kMetrics));
  ASSERT_GT(samples.size(), 30u);
  for (MetricSample& s : samples) s.timestamp_ms = kStart * 1000;
  std::string expected;
  AppendSamplesText(samples, expected);
  EXPECT_EQ(served, expected);
  EXPECT_EQ(served, prometheus::TextSerializer().Serialize(ToFamilies(samples)));
  EXPECT_EQ(ValueAndTime(UsageLine(served)), "104857600 1700000100000") << served;
  EXPECT_EQ(cache->PodsReadByScrapes(), 3u);
}

// Values stay those of the last read until a pass, or until twice the interval has gone by.
TEST_F(PodTextCacheTest, ValuesAreTheLastPassesUntilTwiceTheInterval) {
  AddPod(workload_, 0);
  auto cache = Cache(absl::Seconds(10));
  EXPECT_EQ(ValueAndTime(UsageLine(Scrape(*cache))), "104857600 1700000100000");
  SetMemoryUsage(111);
  now_ = absl::FromUnixSeconds(kStart + 5);
  EXPECT_EQ(ValueAndTime(UsageLine(Scrape(*cache))), "104857600 1700000100000") << "served from the cache";
  cache->Refresh();
  EXPECT_EQ(ValueAndTime(UsageLine(Scrape(*cache))), "111 1700000105000") << "the pass's reading";
  SetMemoryUsage(222);
  now_ = absl::FromUnixSeconds(kStart + 25);
  EXPECT_EQ(ValueAndTime(UsageLine(Scrape(*cache))), "111 1700000105000") << "20 s old: still served";
  now_ = absl::FromUnixSeconds(kStart + 26);
  EXPECT_EQ(ValueAndTime(UsageLine(Scrape(*cache))), "222 1700000126000") << "21 s old: read by the scrape";
  EXPECT_EQ(cache->PodsReadByScrapes(), 2u);
}

// The workload of the moment: a new pod appears, a pod whose container changed is read again,
// a removed pod is gone, without a housekeeping pass.
TEST_F(PodTextCacheTest, NewChangedAndRemovedPodsAreSeenAtOnce) {
  AddPod(workload_, 0);
  auto cache = Cache(absl::Seconds(10));
  std::string first = Scrape(*cache);
  ASSERT_NE(UsageLine(first), "");
  AddPod(workload_, 1);
  std::string second = Scrape(*cache);
  EXPECT_NE(second.find("pod=\"web1\""), std::string::npos);
  EXPECT_EQ(cache->PodsReadByScrapes(), 2u) << "only the new pod was read";

  SetMemoryUsage(333);
  workload_.containers[0].pid = 4321;  // the container restarted
  EXPECT_EQ(ValueAndTime(UsageLine(Scrape(*cache))), "333 1700000100000");
  EXPECT_EQ(cache->PodsReadByScrapes(), 3u);

  workload_.pods.erase(workload_.pods.begin());
  workload_.containers.erase(workload_.containers.begin());
  std::string after = Scrape(*cache);
  EXPECT_EQ(after.find("pod=\"web\""), std::string::npos) << after;
  EXPECT_NE(after.find("pod=\"web1\""), std::string::npos);
  EXPECT_EQ(cache->PodsReadByScrapes(), 3u);

  workload_.pods.clear();
  workload_.containers.clear();
  EXPECT_EQ(Scrape(*cache), "") << "no pod, no family";
}

// A pass that read a pod before a scrape did (it started earlier) does not replace the scrape's
// newer reading: a series' timestamps never go back.
TEST_F(PodTextCacheTest, APassKeepsANewerReadingOfAScrape) {
  AddPod(workload_, 0);
  auto cache = Cache(absl::Seconds(10));
  now_ = absl::FromUnixSeconds(kStart + 10);
  EXPECT_EQ(ValueAndTime(UsageLine(Scrape(*cache))), "104857600 1700000110000");
  now_ = absl::FromUnixSeconds(kStart + 5);  // the pass's reading time
  cache->Refresh();
  now_ = absl::FromUnixSeconds(kStart + 11);
  EXPECT_EQ(ValueAndTime(UsageLine(Scrape(*cache))), "104857600 1700000110000");
  EXPECT_EQ(cache->PodsReadByScrapes(), 1u);
}

// The thread makes passes only while scrapes come (none before the first, none 10 intervals
// after the last), and a pass brings the values up to date.
TEST_F(PodTextCacheTest, HousekeepingRunsWhileScraped) {
  AddPod(workload_, 0);
  auto cache = std::make_unique<PodTextCache>(workload_, *reader_, absl::Milliseconds(20));
  cache->Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(cache->HousekeepingPasses(), 0u) << "nobody scraped yet";

  ASSERT_NE(UsageLine(Scrape(*cache)), "");
  SetMemoryUsage(444);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (cache->HousekeepingPasses() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_GE(cache->HousekeepingPasses(), 2u);
  std::string line = UsageLine(Scrape(*cache));
  EXPECT_EQ(line.substr(line.find("} ") + 2, 4), "444 ") << line;

  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // 30 intervals without a scrape
  size_t idle = cache->HousekeepingPasses();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(cache->HousekeepingPasses(), idle) << "passes go on without scrapes";
}

}  // namespace
}  // namespace podagent
