// ContainerManager over a RecordStore that fails on command (a full disk): an RPC whose record
// cannot be written fails with that error and changes nothing, in memory or on disk. No root:
// the container is a recovered record that never started, and there is no cgroup driver.
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "agent/container/container_manager.h"
#include "agent/grpc_status.h"
#include "runtime/common/files.h"
#include "runtime/store/record_store.h"
#include "tests/lib/temp_dir.h"

namespace podagent {
namespace {

class FailingStore : public RecordStore {
 public:
  using RecordStore::RecordStore;
  absl::Status Put(const std::string& kind, const std::string& id, nlohmann::json record) override {
    if (full) return absl::ResourceExhaustedError("disk full writing record under " + dir() + ": test");
    return RecordStore::Put(kind, id, std::move(record));
  }
  bool full = false;
};

class ContainerRecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ctx_.config.root_dir = tmp_.path() + "/root";
    ctx_.config.run_dir = tmp_.path() + "/run";
    ContainerRecord r;
    r.id = std::string(64, 'c');
    r.pod_id = std::string(64, 'p');
    r.name = "app";
    r.state = CtrState::kCreated;
    r.state_dir = ctx_.config.run_dir + "/containers/" + r.id;
    r.resources.cpu_shares = 256;
    ASSERT_TRUE(MakeDirs(r.state_dir).ok());
    ASSERT_TRUE(RecordStore(ctx_.config.root_dir).Put("containers", r.id, ToJson(r)).ok());
    auto store = std::make_unique<FailingStore>(ctx_.config.root_dir);
    store_ = store.get();
    mgr_ = std::make_unique<ContainerManager>(ctx_, std::move(store));
    ASSERT_TRUE(mgr_->Recover().ok());
    id_ = r.id;
  }

  // The record as a fresh reader of the disk sees it.
  ContainerRecord OnDisk() {
    auto j = RecordStore(ctx_.config.root_dir).Get("containers", id_);
    EXPECT_TRUE(j.ok()) << j.status();
    auto r = ContainerRecordFromJson(j.value_or(nlohmann::json::object()));
    EXPECT_TRUE(r.ok()) << r.status();
    return r.value_or(ContainerRecord{});
  }

  podagent::testing::TempDir tmp_;
  AgentContext ctx_;
  FailingStore* store_ = nullptr;
  std::unique_ptr<ContainerManager> mgr_;
  std::string id_;
};

TEST_F(ContainerRecordsTest, UpdateResourcesOnAFullDiskFailsAndChangesNothing) {
  store_->full = true;
  cri::LinuxContainerResources res;
  res.set_cpu_shares(512);
  absl::Status st = mgr_->UpdateResources(id_, res);
  EXPECT_TRUE(absl::IsResourceExhausted(st)) << st;
  EXPECT_TRUE(absl::StrContains(st.message(), "disk full writing record under")) << st;
  EXPECT_EQ(ToGrpc(st).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  auto now = mgr_->Get(id_);
  ASSERT_TRUE(now.ok()) << now.status();
  EXPECT_EQ(now->resources.cpu_shares, 256);
  EXPECT_EQ(OnDisk().resources.cpu_shares, 256);

  store_->full = false;  // space again: the same request goes through
  ASSERT_TRUE(mgr_->UpdateResources(id_, res).ok());
  EXPECT_EQ(OnDisk().resources.cpu_shares, 512);
}

TEST_F(ContainerRecordsTest, StopOfACreatedContainerOnAFullDiskFailsAndKeepsItCreated) {
  store_->full = true;
  absl::Status st = mgr_->Stop(id_, 0);
  EXPECT_TRUE(absl::IsResourceExhausted(st)) << st;
  auto now = mgr_->Get(id_);
  ASSERT_TRUE(now.ok()) << now.status();
  EXPECT_EQ(now->state, CtrState::kCreated);
  EXPECT_EQ(OnDisk().state, CtrState::kCreated);

  store_->full = false;
  ASSERT_TRUE(mgr_->Stop(id_, 0).ok());
  EXPECT_EQ(OnDisk().state, CtrState::kExited);
}

// A power cut can take the unsynced first record of a CreateContainer and leave its layer dirs:
// recovery removes a container dir with no record beside it, and nothing else.
TEST_F(ContainerRecordsTest, RecoverRemovesLayerDirsWithoutARecord) {
  std::string dir = ctx_.config.root_dir + "/containers/";
  std::string run = ctx_.config.run_dir + "/containers/";
  std::string orphan = dir + std::string(64, 'a');
  std::string torn = dir + std::string(64, 'b');
  std::string empty = dir + std::string(64, 'e');    // a power cut's empty record, layer empty
  std::string written = dir + std::string(64, 'f');  // an empty record, but the layer has a file
  ASSERT_TRUE(MakeDirs(orphan + "/upper").ok());
  ASSERT_TRUE(MakeDirs(orphan + "/work").ok());
  ASSERT_TRUE(MakeDirs(run + std::string(64, 'a') + "/rootfs").ok());  // its state dir
  ASSERT_TRUE(MakeDirs(torn + "/upper").ok());
  ASSERT_TRUE(WriteFileAtomic(torn + ".json", "{\"id\":").ok());  // unreadable: kept, reported
  ASSERT_TRUE(MakeDirs(empty + "/upper").ok());
  ASSERT_TRUE(WriteFileAtomic(empty + ".json", "").ok());
  ASSERT_TRUE(MakeDirs(written + "/upper").ok());
  ASSERT_TRUE(WriteFileAtomic(written + "/upper/data", "x").ok());
  ASSERT_TRUE(WriteFileAtomic(written + ".json", "").ok());
  ASSERT_TRUE(MakeDirs(dir + id_ + "/upper").ok());  // the recovered container's
  ASSERT_TRUE(MakeDirs(run + id_).ok());
  ASSERT_TRUE(MakeDirs(dir + "not-an-id").ok());
  ASSERT_TRUE(MakeDirs(run + "not-an-id").ok());

  ContainerManager again(ctx_, std::make_unique<RecordStore>(ctx_.config.root_dir));
  ASSERT_TRUE(again.Recover().ok());
  EXPECT_FALSE(PathExists(orphan));
  EXPECT_FALSE(PathExists(run + std::string(64, 'a')));
  EXPECT_TRUE(PathExists(torn + "/upper"));
  EXPECT_FALSE(PathExists(empty));
  EXPECT_FALSE(PathExists(empty + ".json"));
  EXPECT_TRUE(PathExists(written + "/upper/data"));
  EXPECT_TRUE(PathExists(written + ".json"));
  EXPECT_TRUE(PathExists(dir + id_ + "/upper"));
  EXPECT_TRUE(PathExists(run + id_));
  EXPECT_TRUE(PathExists(dir + "not-an-id"));
  EXPECT_TRUE(PathExists(run + "not-an-id"));
  EXPECT_TRUE(again.Get(id_).ok());
}

}  // namespace
}  // namespace podagent
