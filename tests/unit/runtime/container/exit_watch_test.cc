// ExitRecordWatch against the real inotify: a record written by another thread wakes the waiter,
// and nothing else does. No timing is asserted; a missed event shows as a false after 30 s.
#include "runtime/container/exit_watch.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <thread>

#include "runtime/container/shim_records.h"
#include "tests/lib/temp_dir.h"

namespace podagent {
namespace {

// Waits on `watch` until an exit record reads from `dir`, for 30 s at most: the record, or
// nothing (a missed event). A read error fails the test.
std::optional<ExitRecord> WaitForRecord(ExitRecordWatch& watch, const std::string& dir) {
  absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    watch.WaitForChange(deadline - absl::Now());
    auto r = ReadExitRecord(dir);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return std::nullopt;
    if (r->has_value()) return **r;
  }
  return std::nullopt;
}

TEST(ExitRecordWatchTest, ARecordWrittenLaterWakesTheWaiter) {
  podagent::testing::TempDir dir;
  auto watch = ExitRecordWatch::Open(dir.path());
  ASSERT_TRUE(watch.ok()) << watch.status();
  std::thread writer([&] {
    absl::SleepFor(absl::Milliseconds(100));
    ASSERT_TRUE(WriteExitRecord(dir.path(), ExitRecord{.exit_code = 3}).ok());
  });
  std::optional<ExitRecord> seen = WaitForRecord(*watch, dir.path());
  writer.join();
  ASSERT_TRUE(seen.has_value()) << "no exit record seen after 30 s";
  EXPECT_EQ(seen->exit_code, 3);
}

TEST(ExitRecordWatchTest, AReservationFilledLaterWakesTheWaiter) {
  podagent::testing::TempDir dir;
  ASSERT_TRUE(ReserveExitRecord(dir.path()).ok());
  auto watch = ExitRecordWatch::Open(dir.path());
  ASSERT_TRUE(watch.ok()) << watch.status();
  auto before = ReadExitRecord(dir.path());
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_FALSE(before->has_value()) << "a blank reservation reads as an exit";
  std::thread writer([&] { ASSERT_TRUE(WriteExitRecord(dir.path(), ExitRecord{.exit_code = 4}).ok()); });
  std::optional<ExitRecord> seen = WaitForRecord(*watch, dir.path());
  writer.join();
  ASSERT_TRUE(seen.has_value()) << "the filled reservation was not seen after 30 s";
  EXPECT_EQ(seen->exit_code, 4);
}

TEST(ExitRecordWatchTest, QuietDirTimesOut) {
  podagent::testing::TempDir dir;
  auto watch = ExitRecordWatch::Open(dir.path());
  ASSERT_TRUE(watch.ok()) << watch.status();
  EXPECT_FALSE(watch->WaitForChange(absl::Milliseconds(50)));
}

TEST(ExitRecordWatchTest, MissingDirIsAnError) {
  podagent::testing::TempDir dir;
  auto watch = ExitRecordWatch::Open(dir.path() + "/gone");
  EXPECT_FALSE(watch.ok());
  EXPECT_NE(watch.status().message().find("gone"), std::string::npos) << watch.status();
}

}  // namespace
}  // namespace podagent
