// ExitRecordWatch against the real inotify: a record written by another thread wakes the waiter,
// and nothing else does. No timing is asserted; a missed event shows as a false after 30 s.
#include "runtime/container/exit_watch.h"

#include <gtest/gtest.h>

#include <thread>

#include "runtime/container/shim_records.h"
#include "tests/lib/temp_dir.h"

namespace podagent {
namespace {

TEST(ExitRecordWatchTest, ARecordWrittenLaterWakesTheWaiter) {
  podagent::testing::TempDir dir;
  auto watch = ExitRecordWatch::Open(dir.path());
  ASSERT_TRUE(watch.ok()) << watch.status();
  std::thread writer([&] {
    absl::SleepFor(absl::Milliseconds(100));
    ASSERT_TRUE(WriteExitRecord(dir.path(), ExitRecord{.exit_code = 3}).ok());
  });
  bool woke = false;
  absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (!woke && absl::Now() < deadline) {
    watch->WaitForChange(deadline - absl::Now());
    auto r = ReadExitRecord(dir.path());
    ASSERT_TRUE(r.ok()) << r.status();
    woke = r->has_value();
  }
  writer.join();
  ASSERT_TRUE(woke) << "no exit record seen after 30 s";
  auto r = ReadExitRecord(dir.path());
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((*r)->exit_code, 3);
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
  bool woke = false;
  absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (!woke && absl::Now() < deadline) {
    watch->WaitForChange(deadline - absl::Now());
    auto r = ReadExitRecord(dir.path());
    ASSERT_TRUE(r.ok()) << r.status();
    woke = r->has_value() && (*r)->exit_code == 4;
  }
  writer.join();
  EXPECT_TRUE(woke) << "the filled reservation was not seen after 30 s";
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
