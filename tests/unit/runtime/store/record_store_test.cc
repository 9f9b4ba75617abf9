#include "runtime/store/record_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include <gtest/gtest.h>

#include "runtime/common/files.h"
#include "runtime/common/unique_fd.h"
#include "tests/lib/temp_dir.h"

namespace podagent {
namespace {

class RecordStoreTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
  RecordStore store_{dir_.Sub("records")};
};

TEST_F(RecordStoreTest, PutGetRemove) {
  ASSERT_TRUE(store_.Put("pods", "abc", {{"name", "web"}}).ok());
  auto r = store_.Get("pods", "abc");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)["name"], "web");
  EXPECT_EQ((*r)["version"], kRecordVersion);
  ASSERT_TRUE(store_.Remove("pods", "abc").ok());
  EXPECT_TRUE(absl::IsNotFound(store_.Get("pods", "abc").status()));
  EXPECT_TRUE(store_.Remove("pods", "abc").ok());  // idempotent
}

// An unsynced record reads like any other, a synced Put replaces it, and no temp file stays.
TEST_F(RecordStoreTest, PutUnsyncedThenPut) {
  ASSERT_TRUE(store_.PutUnsynced("pods", "a", {{"state", "creating"}}).ok());
  auto r = store_.Get("pods", "a");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)["state"], "creating");
  EXPECT_EQ((*r)["version"], kRecordVersion);
  ASSERT_TRUE(store_.Put("pods", "a", {{"state", "ready"}}).ok());
  LoadedRecords all = store_.LoadAll("pods");
  ASSERT_EQ(all.records.size(), 1u);
  EXPECT_EQ(all.records[0].second["state"], "ready");
  auto names = ListDir(dir_.Sub("records") + "/pods");
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_EQ(*names, std::vector<std::string>{"a.json"});
  EXPECT_FALSE(store_.PutUnsynced("pods", "../a", {}).ok());
}

TEST_F(RecordStoreTest, OverwriteReplacesWhole) {
  ASSERT_TRUE(store_.Put("pods", "a", {{"state", "ready"}, {"x", 1}}).ok());
  ASSERT_TRUE(store_.Put("pods", "a", {{"state", "notready"}}).ok());
  auto r = store_.Get("pods", "a");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)["state"], "notready");
  EXPECT_FALSE(r->contains("x"));
}

TEST_F(RecordStoreTest, LoadAllSkipsTornAndCorruptRecords) {
  ASSERT_TRUE(store_.Put("pods", "good1", {{"n", 1}}).ok());
  ASSERT_TRUE(store_.Put("pods", "good2", {{"n", 2}}).ok());
  std::string dir = store_.dir() + "/pods";
  // A torn write: half a JSON document where a record should be.
  int fd = ::open((dir + "/torn.json").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "{\"n\": 3, \"na", 12), 12);
  ::close(fd);
  ASSERT_TRUE(WriteFileAtomic(dir + "/array.json", "[1,2]").ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/future.json", R"({"version": 99})").ok());
  // A temp file from a write that crashed before its rename is cleaned up, not loaded.
  ASSERT_TRUE(WriteFileAtomic(dir + "/good3.json.tmp-1-2", R"({"version": 1})").ok());

  LoadedRecords loaded = store_.LoadAll("pods");
  ASSERT_EQ(loaded.records.size(), 2u);
  EXPECT_EQ(loaded.records[0].first, "good1");
  EXPECT_EQ(loaded.records[1].first, "good2");
  EXPECT_EQ(loaded.problems.size(), 3u);
  EXPECT_FALSE(PathExists(dir + "/good3.json.tmp-1-2"));
}

TEST_F(RecordStoreTest, EmptyKindIsEmptyNotAnError) {
  LoadedRecords loaded = store_.LoadAll("nothing");
  EXPECT_TRUE(loaded.records.empty());
  EXPECT_TRUE(loaded.problems.empty());
}

// The page cache's own count of a file's dirty pages: cachestat(2), Linux 6.5 (451 on every
// architecture; Debian 12's headers predate it). -1 with errno set when it failed.
int64_t DirtyPages(const std::string& path) {
  struct Range {
    uint64_t off = 0, len = 0;  // len 0: to the end of the file
  } range;
  struct Stat {
    uint64_t cache, dirty, writeback, evicted, recently_evicted;
  } stat{};
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return -1;
  return ::syscall(451, fd.Get(), &range, &stat, 0) == 0 ? static_cast<int64_t>(stat.dirty) : -1;
}

// Sync makes PutUnsynced records durable: the kernel counts their pages dirty before and none
// after. Removed ids are skipped; an id whose record is not a regular file is an error.
TEST_F(RecordStoreTest, SyncWritesUnsyncedRecordsToDisk) {
  ASSERT_TRUE(store_.PutUnsynced("pods", "a", {{"state", "ready"}}).ok());
  ASSERT_TRUE(store_.PutUnsynced("pods", "b", {{"state", "ready"}}).ok());
  const std::string a = store_.dir() + "/pods/a.json", b = store_.dir() + "/pods/b.json";
  int64_t before = DirtyPages(a);
  if (before < 0 && errno == ENOSYS) GTEST_SKIP() << "cachestat(2) needs Linux 6.5: no dirty-page count to check";
  ASSERT_GE(before, 0) << "cachestat " << a << ": " << std::strerror(errno);
  ASSERT_EQ(before, 1) << "a fresh unsynced record is one dirty page (the writeback ran within ms?)";
  ASSERT_TRUE(store_.Remove("pods", "gone").ok());
  ASSERT_TRUE(store_.Sync("pods", {"a", "gone", "b"}).ok());
  EXPECT_EQ(DirtyPages(a), 0);
  EXPECT_EQ(DirtyPages(b), 0);
  EXPECT_EQ((*store_.Get("pods", "a"))["state"], "ready");
  EXPECT_TRUE(store_.Sync("nothing", {"x"}).ok());  // no record of that kind was ever written
  ASSERT_EQ(::symlink(a.c_str(), (store_.dir() + "/pods/c.json").c_str()), 0);
  absl::Status st = store_.Sync("pods", {"c"});
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("c.json"), std::string_view::npos) << st;
  EXPECT_EQ(store_.Sync("po/ds", {"a"}).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(RecordStoreTest, RefusesNamesThatAreNotPlain) {
  EXPECT_EQ(store_.Put("pods", "../escape", {}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_.Put("po/ds", "a", {}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(PathExists(dir_.Sub("escape.json")));
}

TEST_F(RecordStoreTest, RecordsAreNotWorldReadable) {
  ASSERT_TRUE(store_.Put("pods", "a", {}).ok());
  struct stat st;
  ASSERT_EQ(::stat((store_.dir() + "/pods/a.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0077, 0u);
}

}  // namespace
}  // namespace podagent
