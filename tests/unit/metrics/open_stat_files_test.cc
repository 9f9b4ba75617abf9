// OpenStatFiles holds files open between reads and reads them from offset 0 each time: what it
// returns is the file of the moment, whole past a short seq_file read, never through a symlink,
// and it holds no more files than its bound and none that went unread for its idle time.
#include "metrics/open_stat_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <string>
#include <thread>
#include <vector>

#include "metrics/cgroup_dir.h"
#include "runtime/common/files.h"
#include "tests/lib/temp_dir.h"

namespace podagent {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'000'000);

// Overwrites `path` in place (the same inode, as the kernel changes a cgroup file's value).
void Overwrite(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  ASSERT_GE(fd, 0) << path;
  ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ::close(fd);
}

size_t OpenFds() {
  size_t n = 0;
  DIR* d = ::opendir("/proc/self/fd");
  if (d == nullptr) return 0;
  while (struct dirent* e = ::readdir(d)) n += e->d_name[0] != '.';
  ::closedir(d);
  return n;
}

TEST(OpenStatFiles, EachReadShowsTheFileAsItIsNow) {
  testing::TempDir t;
  ASSERT_TRUE(WriteFileAtomic(t / "memory.current", "4096\n").ok());
  ASSERT_TRUE(WriteFileAtomic(t / "memory.stat", "anon 1\nfile 2\n").ok());
  OpenStatFiles files(16);
  EXPECT_EQ(files.Uint(t.path(), "memory.current", kT0), 4096u);
  EXPECT_EQ(files.KeyValues(t.path(), "memory.stat", kT0).at("file"), 2u);
  EXPECT_EQ(files.Size(), 2u);
  ASSERT_NO_FATAL_FAILURE(Overwrite(t / "memory.current", "12\n"));
  ASSERT_NO_FATAL_FAILURE(Overwrite(t / "memory.stat", "anon 100\nfile 200000\n"));
  EXPECT_EQ(files.Uint(t.path(), "memory.current", kT0), 12u);
  EXPECT_EQ(files.KeyValues(t.path(), "memory.stat", kT0).at("file"), 200000u);
  EXPECT_EQ(files.Size(), 2u) << "the second reads opened the files again";
}

TEST(OpenStatFiles, AnAbsentFileIsNoValueAndNotHeld) {
  testing::TempDir t;
  OpenStatFiles files(16);
  EXPECT_EQ(files.Read(t.path(), "memory.max", kT0), std::nullopt);
  EXPECT_EQ(files.Uint(t / "gone", "memory.max", kT0), std::nullopt);
  EXPECT_TRUE(files.KeyValues(t.path(), "memory.stat", kT0).empty());
  EXPECT_EQ(files.Size(), 0u);
}

// A seq_file returns whole records per read; every read from offset 0 gives the whole file.
TEST(OpenStatFiles, ReadsAHeldSeqFileWholeEachTime) {
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    for (;;) ::pause();
  }
  std::string proc = "/proc/" + std::to_string(child);
  auto full = ReadFile(proc + "/maps");
  OpenStatFiles files(16);
  std::optional<std::string> first = files.Read(proc, "maps", kT0);
  std::optional<std::string> second = files.Read(proc, "maps", kT0);
  ::kill(child, SIGKILL);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  ASSERT_TRUE(full.ok()) << full.status();
  ASSERT_GT(full->size(), 8192u) << "too short to span reads";
  EXPECT_EQ(first, *full);
  EXPECT_EQ(second, *full);
  EXPECT_EQ(files.Size(), 1u);
}

TEST(OpenStatFiles, FollowsNoSymlink) {
  testing::TempDir t;
  ASSERT_TRUE(MakeDirs(t / "real").ok());
  ASSERT_TRUE(WriteFileAtomic(t / "real/memory.max", "42\n").ok());
  ASSERT_EQ(::symlink("real/memory.max", (t / "memory.max").c_str()), 0);
  ASSERT_EQ(::symlink(t.Sub("real").c_str(), (t / "link").c_str()), 0);
  OpenStatFiles files(16);
  ASSERT_EQ(files.Uint(t / "real", "memory.max", kT0), 42u);
  EXPECT_EQ(files.Read(t.path(), "memory.max", kT0), std::nullopt);
  EXPECT_EQ(files.Read(t / "link", "memory.max", kT0), std::nullopt);
  EXPECT_EQ(files.Size(), 1u);
}

TEST(OpenStatFiles, PastItsBoundReadsWithoutHolding) {
  testing::TempDir t;
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(WriteFileAtomic(t / std::to_string(i), std::to_string(i) + "\n").ok());
  size_t before = OpenFds();
  {
    OpenStatFiles files(3);
    for (int round = 0; round < 2; ++round) {
      for (int i = 0; i < 5; ++i) EXPECT_EQ(files.Uint(t.path(), std::to_string(i), kT0), uint64_t(i));
    }
    EXPECT_EQ(files.Size(), 3u);
    EXPECT_EQ(OpenFds(), before + 3);
  }
  EXPECT_EQ(OpenFds(), before) << "the owner closed what it held";
}

TEST(OpenStatFiles, ClosesWhatWentUnreadForItsIdleTime) {
  testing::TempDir t;
  ASSERT_TRUE(WriteFileAtomic(t / "a", "1\n").ok());
  ASSERT_TRUE(WriteFileAtomic(t / "b", "2\n").ok());
  size_t before = OpenFds();
  OpenStatFiles files(16, absl::Minutes(2));
  ASSERT_TRUE(files.Read(t.path(), "a", kT0));
  ASSERT_TRUE(files.Read(t.path(), "b", kT0 + absl::Minutes(1)));
  files.Prune(kT0 + absl::Minutes(2) + absl::Seconds(1));
  EXPECT_EQ(files.Size(), 1u) << "a, unread for over 2 minutes, is still held";
  EXPECT_EQ(OpenFds(), before + 1);
  // A read prunes by itself once per idle time: b goes when a is read again much later.
  ASSERT_TRUE(files.Read(t.path(), "a", kT0 + absl::Minutes(10)));
  EXPECT_EQ(files.Size(), 1u);
  EXPECT_EQ(OpenFds(), before + 1);
}

// Readers on several threads share the held files; each sees whole values.
TEST(OpenStatFiles, ThreadsShareTheHeldFiles) {
  testing::TempDir t;
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(WriteFileAtomic(t / std::to_string(i), std::to_string(i) + "\n").ok());
  OpenStatFiles files(64);
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&] {
      for (int round = 0; round < 20; ++round) {
        for (int i = 0; i < 50; ++i) wrong += files.Uint(t.path(), std::to_string(i), kT0) != uint64_t(i);
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(files.Size(), 50u);
}

TEST(OpenStatFiles, DefaultBoundIsAQuarterOfTheFdLimit) {
  struct rlimit lim {};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &lim), 0);
  size_t expect = lim.rlim_cur == RLIM_INFINITY ? 16384 : std::min<size_t>(16384, lim.rlim_cur / 4);
  EXPECT_EQ(DefaultMaxOpenStatFiles(), expect);
  EXPECT_GT(DefaultMaxOpenStatFiles(), 0u);
}

}  // namespace
}  // namespace podagent
