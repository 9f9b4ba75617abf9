// ShimLauncher::Create when sealing the shim's memfd copy fails with EBUSY, which the kernel
// answers after waiting ~150 ms for a reference to the copy's pages to go (seen once in ~600
// daemon starts): a fresh copy is sealed again, up to three copies, and then the error says so.
//
// This program defines fcntl (and fcntl64) itself, so the launcher's calls land here (an
// executable's symbol comes before libc's). It is the plain system call, except that F_ADD_SEALS
// fails with EBUSY while g_busy_left is above zero. Its own program, so no other test has the hook.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <string>

#include "absl/strings/match.h"
#include "runtime/container/shim_launcher.h"

namespace {

std::atomic<int> g_busy_left{0};
std::atomic<int> g_seal_calls{0};

int Fcntl(int fd, int cmd, unsigned long arg) {
  if (cmd == F_ADD_SEALS) {
    g_seal_calls.fetch_add(1);
    if (g_busy_left.load() > 0) {
      g_busy_left.fetch_sub(1);
      errno = EBUSY;
      return -1;
    }
  }
  return static_cast<int>(::syscall(SYS_fcntl, fd, cmd, arg));
}

}  // namespace

extern "C" int fcntl(int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  unsigned long arg = va_arg(ap, unsigned long);  // as glibc reads it, present or not
  va_end(ap);
  return Fcntl(fd, cmd, arg);
}

extern "C" int fcntl64(int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  unsigned long arg = va_arg(ap, unsigned long);
  va_end(ap);
  return Fcntl(fd, cmd, arg);
}

namespace podagent {
namespace {

class ShimSealRetry : public ::testing::Test {
 protected:
  void SetUp() override {
    g_seal_calls = 0;
    g_busy_left = 0;
  }
  void TearDown() override { g_busy_left = 0; }
  // Any readable binary stands for the shim: this test program.
  static std::string Binary() { return "/proc/self/exe"; }
};

TEST_F(ShimSealRetry, SealsTheFirstCopyWhenTheKernelAgrees) {
  auto launcher = ShimLauncher::Create(Binary());
  ASSERT_TRUE(launcher.ok()) << launcher.status();
  EXPECT_EQ(g_seal_calls.load(), 1);
}

TEST_F(ShimSealRetry, EbusyIsRetriedWithAFreshCopy) {
  g_busy_left = 2;
  auto launcher = ShimLauncher::Create(Binary());
  ASSERT_TRUE(launcher.ok()) << launcher.status();
  EXPECT_EQ(g_seal_calls.load(), 3);
  // The copy that was sealed refuses writes: the seal is real, not skipped.
  int fd = ::open((*launcher)->ExecPath().c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0) << "reopen the memfd: " << std::strerror(errno);
  errno = 0;
  EXPECT_EQ(::write(fd, "x", 1), -1);
  EXPECT_EQ(errno, EPERM);
  ::close(fd);
}

TEST_F(ShimSealRetry, EbusyEveryTimeIsAnErrorAfterThreeCopies) {
  g_busy_left = 100;
  auto launcher = ShimLauncher::Create(Binary());
  ASSERT_FALSE(launcher.ok());
  EXPECT_EQ(g_seal_calls.load(), 3);
  EXPECT_TRUE(absl::StrContains(launcher.status().message(), "seal shim memfd")) << launcher.status();
  EXPECT_TRUE(absl::StrContains(launcher.status().message(), "3 copies")) << launcher.status();
}

TEST_F(ShimSealRetry, OtherFailuresAreNotRetried) {
  g_busy_left = 100;
  auto launcher = ShimLauncher::Create("/nonexistent/podagent-shim");
  ASSERT_FALSE(launcher.ok());
  EXPECT_EQ(g_seal_calls.load(), 0);
  EXPECT_TRUE(absl::StrContains(launcher.status().message(), "open shim binary")) << launcher.status();
}

}  // namespace
}  // namespace podagent
