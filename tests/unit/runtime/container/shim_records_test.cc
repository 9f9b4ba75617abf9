// The exit record's reservation (runtime/container/shim_records.h): a blank reservation reads as
// "not exited", a filled one is read even before its rename, and the file read is bounded.
#include "runtime/container/shim_records.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "runtime/common/files.h"
#include "tests/lib/temp_dir.h"

namespace podagent {
namespace {

off_t SizeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_size;
}

TEST(ShimRecordsTest, ABlankReservationReadsAsNotExited) {
  podagent::testing::TempDir dir;
  ASSERT_TRUE(ReserveExitRecord(dir.path()).ok());
  EXPECT_EQ(SizeOf(ExitReservePath(dir.path())), static_cast<off_t>(kExitRecordBytes));
  auto r = ReadExitRecord(dir.path());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->has_value());
}

TEST(ShimRecordsTest, WritingFillsTheReservationInPlaceAndRenamesIt) {
  podagent::testing::TempDir dir;
  ASSERT_TRUE(ReserveExitRecord(dir.path()).ok());
  ASSERT_TRUE(WriteExitRecord(dir.path(), ExitRecord{.exit_code = 137, .signal = 9, .oom_killed = true}).ok());
  EXPECT_FALSE(PathExists(ExitReservePath(dir.path())));
  EXPECT_EQ(SizeOf(ExitRecordPath(dir.path())), static_cast<off_t>(kExitRecordBytes));
  auto r = ReadExitRecord(dir.path());
  ASSERT_TRUE(r.ok() && r->has_value()) << r.status();
  EXPECT_EQ((*r)->exit_code, 137);
  EXPECT_EQ((*r)->signal, 9);
  EXPECT_TRUE((*r)->oom_killed);
}

TEST(ShimRecordsTest, AFilledReservationThatWasNotRenamedIsRead) {
  podagent::testing::TempDir dir;
  std::string text = R"({"exit_code":7,"signal":0,"oom_killed":false,"finished_at_ns":5})";
  text.resize(kExitRecordBytes, ' ');
  ASSERT_TRUE(WriteFileAtomic(ExitReservePath(dir.path()), text).ok());
  auto r = ReadExitRecord(dir.path());
  ASSERT_TRUE(r.ok() && r->has_value()) << r.status();
  EXPECT_EQ((*r)->exit_code, 7);
}

TEST(ShimRecordsTest, AHalfWrittenReservationReadsAsNotExited) {
  podagent::testing::TempDir dir;
  std::string text = R"({"exit_code":7,"sig)";
  text.resize(kExitRecordBytes, ' ');
  ASSERT_TRUE(WriteFileAtomic(ExitReservePath(dir.path()), text).ok());
  auto r = ReadExitRecord(dir.path());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->has_value());
}

TEST(ShimRecordsTest, AnOversizedOrForeignExitRecordIsDataLoss) {
  podagent::testing::TempDir dir;
  ASSERT_TRUE(WriteFileAtomic(ExitRecordPath(dir.path()), std::string(kExitRecordBytes + 1, ' ')).ok());
  EXPECT_TRUE(absl::IsDataLoss(ReadExitRecord(dir.path()).status()));
  ASSERT_TRUE(WriteFileAtomic(ExitRecordPath(dir.path()), R"({"pid":1})").ok());
  EXPECT_TRUE(absl::IsDataLoss(ReadExitRecord(dir.path()).status()));
}

TEST(ShimRecordsTest, WithoutAReservationTheRecordIsStillWritten) {
  podagent::testing::TempDir dir;
  ASSERT_TRUE(WriteExitRecord(dir.path(), ExitRecord{.exit_code = 3}).ok());
  auto r = ReadExitRecord(dir.path());
  ASSERT_TRUE(r.ok() && r->has_value()) << r.status();
  EXPECT_EQ((*r)->exit_code, 3);
}

}  // namespace
}  // namespace podagent
