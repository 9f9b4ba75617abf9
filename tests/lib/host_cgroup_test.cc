#include "tests/lib/host_cgroup_test.h"

#include <unistd.h>

#include "runtime/common/ids.h"

namespace podagent::testing {

void HostCgroupTest::SetUp() {
  ASSERT_EQ(::geteuid(), 0u) << "ROOT test: run as root";
  auto d = CgroupDriver::Detect("/sys/fs/cgroup");
  ASSERT_TRUE(d.ok()) << d.status();
  driver_ = std::move(*d);
  top_ = "/" + prefix_ + "-" + NewId().substr(0, 12);
}

void HostCgroupTest::TearDown() {
  if (!driver_) return;
  absl::Status st = driver_->Destroy(top_);
  EXPECT_TRUE(st.ok()) << st;
  EXPECT_FALSE(driver_->Exists(top_)) << top_ << " left behind";
}

}  // namespace podagent::testing
