#include "runtime/store/record_syncer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "tests/lib/temp_dir.h"

namespace podagent {
namespace {

// A store whose Sync is recorded, can be held at a gate, and can fail.
class GatedStore : public RecordStore {
 public:
  explicit GatedStore(std::string dir) : RecordStore(std::move(dir)) {}
  absl::Status Sync(const std::string& kind, const std::vector<std::string>& ids) override {
    bool first;
    {
      absl::MutexLock lock(&mu);
      batches.push_back(ids);
      first = batches.size() == 1;
    }
    if (first) entered.Notify();
    gate.WaitForNotification();
    absl::MutexLock lock(&mu);
    return fail ? absl::DataLossError("fsync " + kind + ": Input/output error") : absl::OkStatus();
  }
  std::vector<std::vector<std::string>> Batches() {
    absl::MutexLock lock(&mu);
    return batches;
  }
  void Fail(bool f) {
    absl::MutexLock lock(&mu);
    fail = f;
  }
  absl::Notification entered, gate;  // entered: the first Sync began
  absl::Mutex mu;
  std::vector<std::vector<std::string>> batches;
  bool fail = false;
};

class RecordSyncerTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
  GatedStore store_{dir_.Sub("records")};
};

TEST_F(RecordSyncerTest, NothingQueuedIsDurableAtOnce) {
  store_.gate.Notify();
  RecordSyncer syncer(store_, "pods");
  EXPECT_TRUE(syncer.WaitSynced("never-written").ok());
  EXPECT_TRUE(store_.Batches().empty());
}

// WaitSynced returns only once the sync of its record has finished.
TEST_F(RecordSyncerTest, WaitSyncedWaitsForTheSync) {
  RecordSyncer syncer(store_, "pods");
  syncer.Enqueue("a");
  store_.entered.WaitForNotification();
  std::atomic<bool> returned{false};
  absl::Status waited;
  std::thread waiter([&] {
    waited = syncer.WaitSynced("a");
    returned = true;
  });
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_FALSE(returned) << "WaitSynced returned while the record's sync was still running";
  store_.gate.Notify();
  waiter.join();
  EXPECT_TRUE(waited.ok()) << waited;
  EXPECT_EQ(store_.Batches(), (std::vector<std::vector<std::string>>{{"a"}}));
}

// Records queued while a sync runs share the next one.
TEST_F(RecordSyncerTest, RecordsQueuedDuringASyncShareTheNext) {
  RecordSyncer syncer(store_, "pods");
  syncer.Enqueue("a");
  store_.entered.WaitForNotification();
  syncer.Enqueue("b");
  syncer.Enqueue("c");
  store_.gate.Notify();
  EXPECT_TRUE(syncer.WaitSynced("b").ok());
  EXPECT_TRUE(syncer.WaitSynced("c").ok());
  EXPECT_EQ(store_.Batches(), (std::vector<std::vector<std::string>>{{"a"}, {"b", "c"}}));
}

// A failed sync never passes as durable: WaitSynced syncs again and returns that result.
TEST_F(RecordSyncerTest, AFailedSyncIsRetriedByWaitSynced) {
  store_.Fail(true);
  store_.gate.Notify();
  RecordSyncer syncer(store_, "pods");
  syncer.Enqueue("a");
  absl::Status st = syncer.WaitSynced("a");
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss) << st;
  EXPECT_EQ(store_.Batches().size(), 2u);  // the thread's, then the caller's
  store_.Fail(false);
  EXPECT_TRUE(syncer.WaitSynced("a").ok());
  EXPECT_EQ(store_.Batches().size(), 3u);
  EXPECT_TRUE(syncer.WaitSynced("a").ok());  // durable now: no sync
  EXPECT_EQ(store_.Batches().size(), 3u);
}

// A removed record leaves nothing behind: a WaitSynced after Forget does not sync it again.
TEST_F(RecordSyncerTest, ForgetDropsAFailedSync) {
  store_.Fail(true);
  store_.gate.Notify();
  RecordSyncer syncer(store_, "pods");
  syncer.Enqueue("a");
  EXPECT_FALSE(syncer.WaitSynced("a").ok());
  size_t syncs = store_.Batches().size();
  syncer.Forget("a");
  EXPECT_TRUE(syncer.WaitSynced("a").ok());
  EXPECT_EQ(store_.Batches().size(), syncs) << "a forgotten record was synced again";
}

TEST_F(RecordSyncerTest, DestructionSyncsWhatIsQueued) {
  store_.gate.Notify();
  {
    RecordSyncer syncer(store_, "pods");
    syncer.Enqueue("a");
  }
  ASSERT_FALSE(store_.Batches().empty());
  EXPECT_EQ(store_.Batches().back(), std::vector<std::string>{"a"});
}

}  // namespace
}  // namespace podagent
