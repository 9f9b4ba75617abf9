// ROOT, systemd guest only: the machine this runs on is a systemd node on cgroup v2. The checks
// read the kernel (/proc/1/exe, /proc/1/cgroup, statfs of /sys/fs/cgroup) and systemd itself
// (systemctl); a read that fails fails the test. On the host and in the bash guest it fails by
// design, so hack/test.sh and hack/vm/ci.sh exclude SystemdGuest (README.md here).
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <climits>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "runtime/common/files.h"
#include "tests/lib/shell.h"

namespace podagent::testing {
namespace {

std::string ReadOrFail(const std::string& path) {
  auto s = ReadFile(path);
  if (!s.ok()) {
    ADD_FAILURE() << "read " << path << ": " << s.status();
    return "<unreadable>";
  }
  return std::string(absl::StripTrailingAsciiWhitespace(*s));
}

// The path the kernel gives for `link`, or "<error>" (a failed read never equals a real path).
std::string ReadLink(const std::string& link) {
  char buf[PATH_MAX];
  ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
  if (n < 0) return absl::StrCat("<readlink ", link, ": ", std::strerror(errno), ">");
  return std::string(buf, static_cast<size_t>(n));
}

std::string RealPath(const std::string& path) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr) return absl::StrCat("<realpath ", path, ": ", std::strerror(errno), ">");
  return buf;
}

TEST(SystemdGuest, PidOneIsSystemd) {
  std::string exe = ReadLink("/proc/1/exe");
  std::string systemd = RealPath("/lib/systemd/systemd");
  EXPECT_EQ(exe, systemd) << "PID 1 runs " << exe << " (comm " << ReadOrFail("/proc/1/comm") << ")";
}

// `running`, or `degraded` with the failed units named in the test's output.
TEST(SystemdGuest, SystemIsRunning) {
  // --wait returns once start-up has finished; `timeout` bounds a boot that never finishes.
  auto state = RunShell("timeout 120 systemctl is-system-running --wait || true");
  ASSERT_TRUE(state.ok()) << state.status();
  if (*state == "degraded") {
    auto failed = RunShell("systemctl list-units --state=failed --no-legend --plain");
    std::cout << "systemd is degraded; failed units:\n" << (failed.ok() ? *failed : failed.status().ToString()) << "\n";
    return;
  }
  EXPECT_EQ(*state, "running") << "systemctl is-system-running --wait said: " << *state;
}

TEST(SystemdGuest, CgroupTreeIsCgroup2ManagedBySystemd) {
  struct statfs fs {};
  ASSERT_EQ(::statfs("/sys/fs/cgroup", &fs), 0) << "statfs /sys/fs/cgroup: " << std::strerror(errno);
  EXPECT_EQ(static_cast<unsigned long>(fs.f_type), static_cast<unsigned long>(CGROUP2_SUPER_MAGIC))
      << "/sys/fs/cgroup is not cgroup2 (f_type 0x" << std::hex << fs.f_type << ")";

  struct stat st {};
  EXPECT_EQ(::stat("/sys/fs/cgroup/init.scope", &st), 0) << "no /sys/fs/cgroup/init.scope: " << std::strerror(errno);
  EXPECT_TRUE(S_ISDIR(st.st_mode)) << "/sys/fs/cgroup/init.scope is not a directory";
  EXPECT_EQ(ReadOrFail("/proc/1/cgroup"), "0::/init.scope");

  // This test runs as (a child of) a systemd service: its cgroup is a unit's, under system.slice.
  std::string self = ReadOrFail("/proc/self/cgroup");
  EXPECT_TRUE(absl::StartsWith(self, "0::/system.slice/")) << "this test's cgroup: " << self;
}

}  // namespace
}  // namespace podagent::testing
