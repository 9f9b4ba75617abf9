// SharedBusyboxLayout with PODAGENT_TEST_BUSYBOX_LAYOUT: the prebuilt layout is used as it is,
// and a directory that is not an OCI layout is an error naming the variable, never a silent build.
#include <cstdlib>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "runtime/common/files.h"
#include "tests/lib/temp_dir.h"
#include "tests/lib/test_registry.h"

namespace podagent {
namespace {

class BusyboxLayoutEnv : public ::testing::Test {
 protected:
  void SetUp() override { ::unsetenv(kVar); }
  void TearDown() override { ::unsetenv(kVar); }
  static constexpr char kVar[] = "PODAGENT_TEST_BUSYBOX_LAYOUT";
  testing::TempDir dir_{"podagent-layout"};
};

TEST_F(BusyboxLayoutEnv, APrebuiltLayoutIsUsedAsItIs) {
  ASSERT_TRUE(WriteFileAtomic(dir_ / "index.json", "{}").ok());
  ASSERT_TRUE(WriteFileAtomic(dir_ / "oci-layout", "{}").ok());
  ::setenv(kVar, dir_.path().c_str(), 1);
  auto layout = testing::SharedBusyboxLayout();
  ASSERT_TRUE(layout.ok()) << layout.status();
  EXPECT_EQ(*layout, dir_.path());
}

TEST_F(BusyboxLayoutEnv, ADirectoryThatIsNoLayoutIsAClearError) {
  ASSERT_TRUE(WriteFileAtomic(dir_ / "index.json", "{}").ok());  // oci-layout missing
  ::setenv(kVar, dir_.path().c_str(), 1);
  auto layout = testing::SharedBusyboxLayout();
  ASSERT_FALSE(layout.ok()) << "used " << *layout;
  EXPECT_EQ(layout.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(layout.status().message(), "PODAGENT_TEST_BUSYBOX_LAYOUT")) << layout.status();
  EXPECT_TRUE(absl::StrContains(layout.status().message(), "oci-layout")) << layout.status();

  ::setenv(kVar, (dir_ / "absent").c_str(), 1);
  EXPECT_FALSE(testing::SharedBusyboxLayout().ok());
}

}  // namespace
}  // namespace podagent
