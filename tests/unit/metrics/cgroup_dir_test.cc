// CgroupDir reads files relative to a directory fd: whole files past its one-read buffer, and
// never through a symlink (a cgroup directory is writable by a delegated container).
#include "metrics/cgroup_dir.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <string>

#include "runtime/common/files.h"
#include "tests/lib/temp_dir.h"

namespace podagent {
namespace {

TEST(CgroupDir, ReadsSmallFilesAndNumbers) {
  testing::TempDir t;
  ASSERT_TRUE(WriteFileAtomic(t / "memory.max", "max\n").ok());
  ASSERT_TRUE(WriteFileAtomic(t / "cpu.cfs_quota_us", "-1\n").ok());
  ASSERT_TRUE(WriteFileAtomic(t / "memory.stat", "anon 4096\nfile 8192\n").ok());
  CgroupDir dir(t.path());
  ASSERT_TRUE(dir.Open());
  EXPECT_EQ(dir.Read("memory.max"), "max\n");
  EXPECT_EQ(dir.Uint("memory.max"), UINT64_MAX);
  EXPECT_EQ(dir.Int("cpu.cfs_quota_us"), -1);
  EXPECT_EQ(dir.KeyValues("memory.stat").at("file"), 8192u);
  EXPECT_EQ(dir.Read("absent"), std::nullopt);
  EXPECT_TRUE(dir.KeyValues("absent").empty());
}

// cgroup.procs of a large cgroup is far longer than the first read's buffer.
TEST(CgroupDir, ReadsAFileLongerThanOneBufferWhole) {
  testing::TempDir t;
  std::string procs;
  for (int pid = 100000; procs.size() < 50000; ++pid) procs += std::to_string(pid) + "\n";
  ASSERT_TRUE(WriteFileAtomic(t / "cgroup.procs", procs).ok());
  EXPECT_EQ(CgroupDir(t.path()).Read("cgroup.procs"), procs);
}

// A seq_file (cgroupfs and /proc serve cgroup.procs, memory.stat, ... through it) returns whole
// records per read: the first read of a long one is shorter than the buffer although more
// follows. /proc/PID/maps is one, longer than two buffers for a gtest binary; it is read from a
// forked child that only waits, so its mappings cannot change between the two reads (this
// process's own can: the sanitizers' allocators map memory at any time).
TEST(CgroupDir, ReadsASeqFilePastAShortFirstRead) {
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    for (;;) ::pause();
  }
  std::string proc = "/proc/" + std::to_string(child);
  auto full = ReadFile(proc + "/maps");
  std::optional<std::string> read = CgroupDir(proc).Read("maps");
  ::kill(child, SIGKILL);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  ASSERT_TRUE(full.ok()) << full.status();
  ASSERT_GT(full->size(), 8192u) << "too short to span reads";
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(*read, *full);
}

TEST(CgroupDir, CutsAFileAtTheBound) {
  testing::TempDir t;
  std::string big(CgroupDir::kMaxFileBytes + 100000, 'x');
  ASSERT_TRUE(WriteFileAtomic(t / "big", big).ok());
  std::optional<std::string> read = CgroupDir(t.path()).Read("big");
  ASSERT_TRUE(read);
  EXPECT_GE(read->size(), CgroupDir::kMaxFileBytes);
  EXPECT_LT(read->size(), big.size());
}

TEST(CgroupDir, FollowsNoSymlinkToAFileOrADirectory) {
  testing::TempDir t;
  ASSERT_TRUE(MakeDirs(t / "real").ok());
  ASSERT_TRUE(WriteFileAtomic(t / "real/memory.max", "42\n").ok());
  ASSERT_EQ(::symlink("real/memory.max", (t / "memory.max").c_str()), 0);
  ASSERT_EQ(::symlink("real", (t / "link").c_str()), 0);
  CgroupDir dir(t.path());
  EXPECT_EQ(dir.Read("memory.max"), std::nullopt);
  EXPECT_FALSE(dir.Child("link").Open());
  EXPECT_FALSE(CgroupDir(t / "link").Open());
  CgroupDir child = dir.Child("real");
  ASSERT_TRUE(child.Open());
  EXPECT_EQ(child.Uint("memory.max"), 42u);
  EXPECT_EQ(child.Path(), t / "real");
}

TEST(CgroupDir, AnEmptyOrMissingPathIsNotOpen) {
  testing::TempDir t;
  EXPECT_FALSE(CgroupDir("").Open());
  EXPECT_FALSE(CgroupDir(t / "gone").Open());
  EXPECT_EQ(CgroupDir(t / "gone").Read("memory.max"), std::nullopt);
  EXPECT_FALSE(CgroupDir(t / "gone").Child("x").Open());
}

}  // namespace
}  // namespace podagent
