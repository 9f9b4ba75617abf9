// RuntimeDefault is an allow list: anything not on it gets EPERM, io_uring included. Each check
// loads the real profile into a forked child (no_new_privs, so no privilege is needed) and calls
// the kernel.
#include <linux/io_uring.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "gtest/gtest.h"
#include "runtime/container/capabilities.h"
#include "runtime/container/seccomp_profile.h"

namespace podagent {
namespace {

constexpr int kNotLoaded = 100;

// Runs `body` in a child under the RuntimeDefault profile for `caps`; returns its exit code
// (0: every check held; n: check n failed), 200 when it did not exit normally.
template <typename F>
int UnderRuntimeDefault(const std::vector<std::string>& caps, F body) {
  pid_t pid = fork();
  if (pid == 0) {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(kNotLoaded);
    if (!ApplySeccompProfile(RuntimeDefaultSeccompProfile(caps)).ok()) _exit(kNotLoaded);
    _exit(body());
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 200;
}

// errno of a raw syscall that is expected to fail; 0 when it succeeded.
int Errno(long rc) { return rc == -1 ? errno : 0; }

std::vector<std::string> DefaultCaps() {
  auto caps = ComputeCapabilities({}, {}, false);
  return caps.ok() ? *caps : std::vector<std::string>{};
}

TEST(SeccompRuntimeDefaultTest, IoUringIsDenied) {
  int rc = UnderRuntimeDefault(DefaultCaps(), [] {
    struct io_uring_params params {};
    if (Errno(syscall(__NR_io_uring_setup, 1, &params)) != EPERM) return 1;
    if (Errno(syscall(__NR_io_uring_enter, -1, 0, 0, 0, nullptr, 0)) != EPERM) return 2;
    if (Errno(syscall(__NR_io_uring_register, -1, 0, nullptr, 0)) != EPERM) return 3;
    return 0;
  });
  EXPECT_EQ(rc, 0);
}

TEST(SeccompRuntimeDefaultTest, SyscallsOffTheListGetEperm) {
  int rc = UnderRuntimeDefault(DefaultCaps(), [] {
    // personality: only the query and plain domains are listed; turning off ASLR is not.
    if (Errno(syscall(__NR_personality, ADDR_NO_RANDOMIZE)) != EPERM) return 1;
    if (Errno(syscall(__NR_vhangup)) != EPERM) return 2;  // CAP_SYS_TTY_CONFIG is not in the default set
    if (Errno(syscall(__NR_socket, 40 /* AF_VSOCK */, SOCK_STREAM, 0)) != EPERM) return 3;
    if (Errno(syscall(__NR_unshare, CLONE_NEWNS)) != EPERM) return 4;
    if (Errno(syscall(__NR_keyctl, 0, 0, 0, 0, 0)) != EPERM) return 5;
    if (Errno(syscall(__NR_userfaultfd, 0)) != EPERM) return 6;
    if (Errno(syscall(__NR_clone3, nullptr, 0)) != ENOSYS) return 7;  // libc falls back to clone
    return 0;
  });
  EXPECT_EQ(rc, 0);
}

TEST(SeccompRuntimeDefaultTest, OrdinaryProgramsStillWork) {
  int rc = UnderRuntimeDefault(DefaultCaps(), [] {
    if (syscall(__NR_personality, 0xffffffffUL) == -1) return 1;  // the query is allowed
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return 2;
    if (write(sv[0], "x", 1) != 1) return 3;
    char c;
    if (read(sv[1], &c, 1) != 1 || c != 'x') return 4;
    pid_t child = fork();  // clone without namespace flags
    if (child < 0) return 5;
    if (child == 0) {
      execl("/bin/true", "true", nullptr);
      _exit(6);
    }
    int st = 0;
    if (waitpid(child, &st, 0) != child || !WIFEXITED(st) || WEXITSTATUS(st) != 0) return 7;
    return 0;
  });
  EXPECT_EQ(rc, 0);
}

TEST(SeccompRuntimeDefaultTest, CapabilityGatedCallsFollowTheCapabilities) {
  std::vector<std::string> caps = DefaultCaps();
  caps.push_back("CAP_SYS_ADMIN");
  int rc = UnderRuntimeDefault(caps, [] {
    // Allowed by the filter now, so the kernel's answer (not EPERM from seccomp) comes back:
    // unshare(0) is a no-op that succeeds.
    if (syscall(__NR_unshare, 0) != 0) return 1;
    return 0;
  });
  EXPECT_EQ(rc, 0);
  rc = UnderRuntimeDefault(DefaultCaps(), [] { return Errno(syscall(__NR_unshare, 0)) == EPERM ? 0 : 1; });
  EXPECT_EQ(rc, 0);
}

}  // namespace
}  // namespace podagent
