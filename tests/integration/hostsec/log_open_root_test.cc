// ROOT: the shim opens a container's CRI log beneath its directory without following a symlink
// and without blocking on a FIFO planted there (checked against what the kernel then holds: no
// file appears at a symlink's target, a FIFO is refused at once).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <future>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/common/files.h"
#include "runtime/shim/cri_log.h"
#include "tests/lib/temp_dir.h"

namespace podagent {
namespace {

using ::testing::HasSubstr;

class LogOpenRoot : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "ROOT test: run as root";
    ASSERT_TRUE(MakeDirs(logs_ + "/app").ok());
  }
  testing::TempDir tmp_{"podagent-logopen"};
  std::string logs_ = tmp_.Sub("pod-logs");
};

TEST_F(LogOpenRoot, RegularFileIsCreatedAndAppended) {
  auto fd = shim::OpenLogFile(logs_ + "/app/0.log");
  ASSERT_TRUE(fd.ok()) << fd.status();
  struct stat st;
  ASSERT_EQ(::lstat((logs_ + "/app/0.log").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0640u);
}

TEST_F(LogOpenRoot, SymlinkAtTheLogPathIsNotFollowed) {
  std::string target = tmp_.Sub("outside.log");
  ASSERT_EQ(::symlink(target.c_str(), (logs_ + "/app/0.log").c_str()), 0);
  auto fd = shim::OpenLogFile(logs_ + "/app/0.log");
  EXPECT_FALSE(fd.ok()) << "opened the log through a symlink";
  EXPECT_FALSE(PathExists(target)) << "the symlink's target was created";
}

TEST_F(LogOpenRoot, SymlinkedLogDirectoryIsNotFollowed) {
  std::string outside = tmp_.Sub("outside-dir");
  ASSERT_TRUE(MakeDirs(outside).ok());
  ASSERT_EQ(::symlink(outside.c_str(), (logs_ + "/linked").c_str()), 0);
  auto fd = shim::OpenLogFile(logs_ + "/linked/0.log");
  EXPECT_FALSE(fd.ok()) << "opened the log through a symlinked directory";
  EXPECT_FALSE(PathExists(outside + "/0.log"));
}

TEST_F(LogOpenRoot, FifoAtTheLogPathIsRefusedWithoutBlocking) {
  std::string fifo = logs_ + "/app/0.log";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto open = std::async(std::launch::async, [&] { return shim::OpenLogFile(fifo); });
  if (open.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
    int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);  // releases the stuck open
    open.wait();
    if (reader >= 0) ::close(reader);
    FAIL() << "opening a FIFO log blocked";
  }
  auto fd = open.get();
  EXPECT_FALSE(fd.ok()) << "a FIFO was accepted as the log";
}

}  // namespace
}  // namespace podagent
