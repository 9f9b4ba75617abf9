#include "runtime/image/content_store.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <thread>
#include <vector>

#include "runtime/common/files.h"
#include "tests/lib/temp_dir_test.h"

namespace podagent {
namespace {

class ContentStoreTest : public testing::TempDirTest {
 protected:
  ContentStoreTest() : TempDirTest("podagent-cs") {}
  void SetUp() override {
    store_ = std::make_unique<ContentStore>(dir_ + "/blobs");
    ASSERT_TRUE(store_->Init().ok());
  }
  size_t TempFiles() { return ListDir(dir_ + "/blobs/tmp")->size(); }

  std::unique_ptr<ContentStore> store_;
};

TEST_F(ContentStoreTest, PutVerifiesDigest) {
  std::string data = "hello";
  std::string d = Sha256Digest(data);
  EXPECT_EQ(d, "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  ASSERT_TRUE(store_->Put(d, data).ok());
  EXPECT_TRUE(store_->Has(d));
  EXPECT_EQ(*store_->Read(d), data);
  EXPECT_EQ(store_->List(), std::vector<std::string>{d});
}

TEST_F(ContentStoreTest, TamperedBlobIsRefusedAndInvisible) {
  std::string d = Sha256Digest("good");
  auto st = store_->Put(d, "evil");
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss) << st;
  EXPECT_NE(st.message().find("digest mismatch"), std::string::npos) << st;
  EXPECT_FALSE(store_->Has(d));
  EXPECT_EQ(TempFiles(), 0u);
}

// Blobs are not fsynced, so a crash may leave one cut short under its digest: Read checks.
TEST_F(ContentStoreTest, BlobCutShortOnDiskIsRemovedOnRead) {
  std::string d = Sha256Digest("whole blob");
  ASSERT_TRUE(store_->Put(d, "whole blob").ok());
  ASSERT_TRUE(WriteFileAtomic(store_->BlobPath(d), "whole").ok());
  auto r = store_->Read(d);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss) << r.status();
  EXPECT_NE(r.status().message().find("pull the image again"), std::string::npos) << r.status();
  EXPECT_FALSE(store_->Has(d));
}

TEST_F(ContentStoreTest, SizeCheckedWhileStreaming) {
  std::string d = Sha256Digest("abcdef");
  auto w = store_->NewWriter(d, 3);
  ASSERT_TRUE(w.ok());
  EXPECT_TRUE((*w)->Write("abc").ok());
  auto st = (*w)->Write("def");
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss) << st;
  auto short_w = store_->NewWriter(d, 10);
  ASSERT_TRUE((*short_w)->Write("abcdef").ok());
  EXPECT_NE((*short_w)->Commit().message().find("size mismatch"), std::string::npos);
  w->reset();
  short_w->reset();
  EXPECT_FALSE(store_->Has(d));
  EXPECT_EQ(TempFiles(), 0u);
}

TEST_F(ContentStoreTest, PartialBlobNeverVisible) {
  std::string data(100000, 'x');
  std::string d = Sha256Digest(data);
  auto w = store_->NewWriter(d, static_cast<int64_t>(data.size()));
  ASSERT_TRUE((*w)->Write(data.substr(0, 5000)).ok());
  EXPECT_FALSE(store_->Has(d));
  ASSERT_TRUE((*w)->Reset().ok());
  ASSERT_TRUE((*w)->Write(data).ok());
  ASSERT_TRUE((*w)->Commit().ok());
  EXPECT_TRUE(store_->Has(d));
}

TEST_F(ContentStoreTest, EnsureIsSingleFlight) {
  std::string data(1 << 20, 'y');
  std::string d = Sha256Digest(data);
  std::atomic<int> fetches{0};
  std::atomic<bool> release{false};
  auto fetch = [&](BlobWriter& w) -> absl::Status {
    ++fetches;
    while (!release) std::this_thread::yield();
    return w.Write(data);
  };
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      if (store_->Ensure(d, static_cast<int64_t>(data.size()), fetch).ok()) ++ok;
    });
  }
  // Let every thread reach Ensure before the single fetch finishes.
  while (fetches.load() == 0) std::this_thread::yield();
  release = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(fetches.load(), 1);
  EXPECT_EQ(store_->fetch_count(), 1);
  EXPECT_TRUE(store_->Ensure(d, static_cast<int64_t>(data.size()), fetch).ok());
  EXPECT_EQ(fetches.load(), 1);  // present: not fetched again
}

TEST_F(ContentStoreTest, EnsureFailureLeavesNothing) {
  std::string d = Sha256Digest("zzz");
  auto st = store_->Ensure(d, 3, [](BlobWriter& w) { return w.Write("zzy"); });
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss);
  EXPECT_FALSE(store_->Has(d));
  EXPECT_EQ(TempFiles(), 0u);
  EXPECT_TRUE(store_->Ensure(d, 3, [](BlobWriter& w) { return w.Write("zzz"); }).ok());
}

TEST_F(ContentStoreTest, InitRemovesStaleTemps) {
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/blobs/tmp/partial", "x").ok());
  ASSERT_TRUE(store_->Init().ok());
  EXPECT_EQ(TempFiles(), 0u);
}

TEST_F(ContentStoreTest, RejectsBadDigest) {
  EXPECT_EQ(store_->Put("sha256:../../etc", "x").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Remove("md5:x").code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace podagent
