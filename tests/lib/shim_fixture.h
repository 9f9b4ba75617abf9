#pragma once
// ShimRootTest: the gtest fixture of root tests that start containers through ShimLauncher
// exactly as the daemon does, from a busybox rootfs in a temp dir (busybox_rootfs.h). TearDown
// kills every container a test started and waits for each shim's exit record, so no process is
// left behind.
//   class ShimTest : public testing::ShimRootTest {};
//   TEST_F(ShimTest, Echo) {
//     ContainerSpec s = Base({"/bin/echo", "hi"});
//     auto started = Start(s);
//     ASSERT_TRUE(started.ok()) << started.status();
//     EXPECT_TRUE(WaitExit(s.state_dir).has_value());
//   }

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "runtime/container/container_spec.h"
#include "runtime/container/shim_launcher.h"
#include "runtime/container/shim_records.h"
#include "tests/lib/temp_dir.h"

namespace podagent::testing {

class ShimRootTest : public ::testing::Test {
 protected:
  void SetUp() override;     // fails unless root; builds rootfs_ and launcher_
  void TearDown() override;  // SIGKILL to what still runs, then each exit record (10 s each)

  // A spec with a fresh id and state dir in tmp_, rootfs_, hostname "testpod", PATH=/bin, the
  // default capabilities and paths, and `args` as the process.
  ContainerSpec Base(std::vector<std::string> args);
  // Writes the spec into its state dir and starts it; the test owns it from here until TearDown.
  absl::StatusOr<StartRecord> Start(const ContainerSpec& s);
  // The exit record the shim writes, or nothing after `timeout`.
  std::optional<ExitRecord> WaitExit(const std::string& state_dir, absl::Duration timeout = absl::Seconds(20));

  TempDir tmp_;
  std::string rootfs_;
  std::unique_ptr<ShimLauncher> launcher_;
  std::vector<std::string> state_dirs_;
  std::vector<pid_t> running_;
};

}  // namespace podagent::testing
