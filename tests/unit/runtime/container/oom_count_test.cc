// OomCount on fixture files laid out as cgroup v2 is (pod/memory.events, pod/ctr/memory.events):
// the container's own count decides while its file is readable; once systemd has removed an
// emptied scope, the pod's hierarchical count decides for a SIGKILLed container only.
#include "runtime/shim/oom_count.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <csignal>
#include <string>

#include "runtime/common/files.h"
#include "tests/lib/temp_dir.h"

namespace podagent {
namespace {

std::string Events(int oom_kill) {
  return "low 0\nhigh 0\nmax 3\noom " + std::to_string(oom_kill) + "\noom_kill " + std::to_string(oom_kill) +
         "\noom_group_kill 0\n";
}

class OomCountTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::mkdir(ctr_dir_.c_str(), 0755), 0);
    SetPod(2);
    SetCtr(0);
  }
  void SetPod(int n) { ASSERT_TRUE(WriteFileAtomic(pod_file_, Events(n)).ok()); }
  void SetCtr(int n) { ASSERT_TRUE(WriteFileAtomic(ctr_file_, Events(n)).ok()); }
  void RemoveCtr() {
    ASSERT_EQ(::unlink(ctr_file_.c_str()), 0);
    ASSERT_EQ(::rmdir(ctr_dir_.c_str()), 0);
  }

  testing::TempDir dir_{"podagent-oom"};
  std::string pod_file_ = dir_ / "memory.events";
  std::string ctr_dir_ = dir_ / "podagent-c.scope";
  std::string ctr_file_ = ctr_dir_ + "/memory.events";
};

TEST_F(OomCountTest, ReadsTheOomKillField) {
  EXPECT_EQ(ReadOomKillCount(pod_file_), 2u);
  EXPECT_EQ(ReadOomKillCount(dir_ / "absent"), std::nullopt);
  EXPECT_EQ(ReadOomKillCount(""), std::nullopt);
}

TEST_F(OomCountTest, ParentIsThePodsMemoryEventsOnV2Only) {
  EXPECT_EQ(ParentMemoryEvents(ctr_file_), pod_file_);
  EXPECT_EQ(ParentMemoryEvents("/sys/fs/cgroup/memory/pod/c/memory.oom_control"), "");
  EXPECT_EQ(ParentMemoryEvents("/memory.events"), "");
}

TEST_F(OomCountTest, OwnCountDecidesWhileReadable) {
  OomCount oom(ctr_file_);
  EXPECT_FALSE(oom.Killed(SIGKILL));
  SetCtr(1);
  EXPECT_TRUE(oom.Killed(SIGKILL));
  OomCount quiet(ctr_file_);
  SetPod(5);  // a sibling's kill: the container's own file says no
  EXPECT_FALSE(quiet.Killed(SIGKILL));
}

TEST_F(OomCountTest, CountReadAtExitSurvivesTheCgroupsRemoval) {
  OomCount oom(ctr_file_);
  SetCtr(1);
  oom.AtExit();
  RemoveCtr();
  EXPECT_TRUE(oom.Killed(SIGKILL));
}

TEST_F(OomCountTest, GoneCgroupFallsBackToThePodForSigkillOnly) {
  OomCount oom(ctr_file_);
  RemoveCtr();
  oom.AtExit();  // too late: the file is gone
  EXPECT_FALSE(oom.Killed(SIGKILL)) << "the pod counted no kill";
  SetPod(3);
  EXPECT_FALSE(oom.Killed(SIGTERM)) << "the OOM killer sends SIGKILL, nothing else";
  EXPECT_FALSE(oom.Killed(0)) << "an exit code is no kill";
  EXPECT_TRUE(oom.Killed(SIGKILL));
}

}  // namespace
}  // namespace podagent
