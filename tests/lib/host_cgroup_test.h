#pragma once
// HostCgroupTest: the gtest fixture of root tests on this machine's real cgroup hierarchy
// (/sys/fs/cgroup, whichever version the kernel shows). SetUp fails unless root, detects the
// driver and names a fresh top cgroup "/PREFIX-<12 hex>" (the test creates it); TearDown
// destroys it with everything below it and fails the test if it is still there.
//   class RootMetrics : public testing::HostCgroupTest {
//    protected:
//     RootMetrics() : HostCgroupTest("podagent-mtest") {}
//   };
// A parameterized suite adds ::testing::WithParamInterface<T>.

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "runtime/cgroups/cgroup.h"

namespace podagent::testing {

class HostCgroupTest : public ::testing::Test {
 protected:
  explicit HostCgroupTest(std::string prefix) : prefix_(std::move(prefix)) {}
  void SetUp() override;
  void TearDown() override;

  std::unique_ptr<CgroupDriver> driver_;
  std::string top_;

 private:
  std::string prefix_;
};

}  // namespace podagent::testing
