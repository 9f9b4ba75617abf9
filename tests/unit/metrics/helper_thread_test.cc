// metrics/helper_thread.h: a job runs on the caller and the helper at once; a second caller
// while the helper is busy runs alone.
#include "metrics/helper_thread.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>

namespace podagent {
namespace {

TEST(HelperThread, RunsTheJobOnTwoThreadsAtOnce) {
  HelperThread helper;
  for (int round = 0; round < 3; ++round) {
    std::mutex mu;
    std::set<std::thread::id> ids;
    std::atomic<int> arrived{0};
    helper.RunBeside([&] {
      {
        std::lock_guard<std::mutex> lock(mu);
        ids.insert(std::this_thread::get_id());
      }
      ++arrived;
      auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      while (arrived.load() < 2 && std::chrono::steady_clock::now() < until) std::this_thread::yield();
    });
    EXPECT_EQ(arrived.load(), 2) << round;
    EXPECT_EQ(ids.size(), 2u) << round;
    EXPECT_EQ(ids.count(std::this_thread::get_id()), 1u);
  }
}

TEST(HelperThread, ASecondCallerWhileBusyRunsAlone) {
  HelperThread helper;
  std::atomic<bool> release{false};
  std::atomic<int> first_runs{0};
  std::thread first([&] {
    helper.RunBeside([&] {
      ++first_runs;
      while (!release.load()) std::this_thread::yield();
    });
  });
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (first_runs.load() < 2 && std::chrono::steady_clock::now() < until) std::this_thread::yield();
  bool both = first_runs.load() == 2;  // both threads are in the first job
  std::atomic<int> second_runs{0};
  if (both) helper.RunBeside([&] { ++second_runs; });
  release = true;
  first.join();
  EXPECT_TRUE(both) << "the first job ran on " << first_runs.load() << " thread(s)";
  EXPECT_EQ(second_runs.load(), both ? 1 : 0);
}

}  // namespace
}  // namespace podagent
