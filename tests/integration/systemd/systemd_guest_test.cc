// ROOT, systemd guest only: the machine this runs on is a systemd node on cgroup v2 (or on its
// hybrid layout when PODAGENT_EXPECT_CGROUP=v1). The checks
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

// cgroup v2, or systemd's hybrid layout where the guest was booted so (PODAGENT_EXPECT_CGROUP=v1,
// hack/vm PODAGENT_VM_CGROUP=hybrid): v1 hierarchies on a tmpfs, name=systemd among them, and
// systemd's units tracked in a controller-less cgroup2 at /sys/fs/cgroup/unified.
TEST(SystemdGuest, CgroupTreeIsManagedBySystemd) {
  const char* expect = std::getenv("PODAGENT_EXPECT_CGROUP");
  const bool hybrid = expect != nullptr && std::string(expect) == "v1";
  struct statfs fs {};
  ASSERT_EQ(::statfs("/sys/fs/cgroup", &fs), 0) << "statfs /sys/fs/cgroup: " << std::strerror(errno);
  const unsigned long want = hybrid ? TMPFS_MAGIC : CGROUP2_SUPER_MAGIC;
  EXPECT_EQ(static_cast<unsigned long>(fs.f_type), want)
      << "/sys/fs/cgroup is not " << (hybrid ? "a tmpfs of v1 hierarchies" : "cgroup2") << " (f_type 0x" << std::hex
      << fs.f_type << ")";
  const std::string unified = hybrid ? "/sys/fs/cgroup/unified" : "/sys/fs/cgroup";
  if (hybrid) {
    struct statfs ufs {};
    ASSERT_EQ(::statfs(unified.c_str(), &ufs), 0) << "statfs " << unified << ": " << std::strerror(errno);
    EXPECT_EQ(static_cast<unsigned long>(ufs.f_type), static_cast<unsigned long>(CGROUP2_SUPER_MAGIC))
        << unified << " is not cgroup2";
  }

  struct stat st {};
  const std::string init_scope = unified + "/init.scope";
  EXPECT_EQ(::stat(init_scope.c_str(), &st), 0) << "no " << init_scope << ": " << std::strerror(errno);
  EXPECT_TRUE(S_ISDIR(st.st_mode)) << init_scope << " is not a directory";
  std::string pid1 = ReadOrFail("/proc/1/cgroup");
  if (hybrid) {
    EXPECT_TRUE(absl::StrContains(pid1, ":name=systemd:/init.scope\n") && absl::EndsWith(pid1, "\n0::/init.scope"))
        << "PID 1's cgroups:\n"
        << pid1;
  } else {
    EXPECT_EQ(pid1, "0::/init.scope");
  }

  // This test runs as (a child of) a systemd service: its cgroup is a unit's, under system.slice.
  std::string self = ReadOrFail("/proc/self/cgroup");
  EXPECT_TRUE(absl::StartsWith(self.substr(self.rfind('\n') + 1), "0::/system.slice/"))
      << "this test's cgroup: " << self;
}

}  // namespace
}  // namespace podagent::testing
