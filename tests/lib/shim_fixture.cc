#include "tests/lib/shim_fixture.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "runtime/common/files.h"
#include "runtime/common/ids.h"
#include "runtime/container/capabilities.h"
#include "tests/lib/busybox_rootfs.h"
#include "tests/lib/paths.h"

namespace podagent::testing {

void ShimRootTest::SetUp() {
  ASSERT_EQ(::geteuid(), 0u) << "ROOT test: run as root";
  rootfs_ = tmp_.path() + "/rootfs";
  MakeBusyboxRootfs(rootfs_);
  auto l = ShimLauncher::Create(ShimBinary());
  ASSERT_TRUE(l.ok()) << l.status();
  launcher_ = std::move(*l);
}

void ShimRootTest::TearDown() {
  for (pid_t pid : running_) {
    if (::kill(pid, 0) == 0) ::kill(pid, SIGKILL);
  }
  for (const auto& dir : state_dirs_) WaitExit(dir, absl::Seconds(10));
}

ContainerSpec ShimRootTest::Base(std::vector<std::string> args) {
  ContainerSpec s;
  s.id = NewId();
  s.state_dir = absl::StrCat(tmp_.path(), "/state-", state_dirs_.size());
  s.rootfs_dir = rootfs_;
  s.hostname = "testpod";
  s.process.args = std::move(args);
  s.process.env = {"PATH=/bin", "HOME=/root"};
  s.process.capabilities = DefaultCapabilities();
  s.log_path = s.state_dir + ".log";
  ApplyDefaultPaths(s);
  return s;
}

absl::StatusOr<StartRecord> ShimRootTest::Start(const ContainerSpec& s) {
  EXPECT_TRUE(MakeDirs(s.state_dir).ok());
  EXPECT_TRUE(WriteFileAtomic(SpecPath(s.state_dir), ToJson(s).dump()).ok());
  state_dirs_.push_back(s.state_dir);
  auto r = launcher_->Start(s.state_dir, absl::Seconds(30));
  if (r.ok()) running_.push_back(r->pid);
  return r;
}

std::optional<ExitRecord> ShimRootTest::WaitExit(const std::string& state_dir, absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    auto r = ReadExitRecord(state_dir);
    if (r.ok() && r->has_value()) return *r;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::nullopt;
}

}  // namespace podagent::testing
