// "ALL" and privileged mean what this process can hand on: the kernel's capabilities that are in
// its own bounding set (CapBnd in /proc/self/status), never one more, or capset fails in the shim.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/capability.h>

#include <algorithm>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_split.h"
#include "runtime/common/files.h"
#include "runtime/container/capabilities.h"

namespace podagent {
namespace {

using ::testing::Contains;
using ::testing::Not;

// The bounding set as the kernel reports it; fails the test on a read or parse error.
uint64_t ReadCapBnd() {
  auto text = ReadFile("/proc/self/status");
  EXPECT_TRUE(text.ok()) << text.status();
  if (!text.ok()) return 0;
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    if (!absl::ConsumePrefix(&line, "CapBnd:")) continue;
    uint64_t mask = 0;
    EXPECT_TRUE(absl::SimpleHexAtoi(absl::StripAsciiWhitespace(line), &mask)) << line;
    return mask;
  }
  ADD_FAILURE() << "no CapBnd line in /proc/self/status";
  return 0;
}

TEST(CapabilitiesBoundingTest, AllIsTheKernelsCapabilitiesInOurBoundingSet) {
  uint64_t bnd = ReadCapBnd();
  std::vector<std::string> expected;
  for (cap_value_t bit = 0; bit < static_cast<cap_value_t>(KernelCapabilities().size()); ++bit) {
    if (!(bnd & (uint64_t{1} << bit))) continue;
    char* name = cap_to_name(bit);
    ASSERT_NE(name, nullptr) << bit;
    expected.push_back(absl::AsciiStrToUpper(name));
    cap_free(name);
  }
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(AllCapabilities(), expected) << "CapBnd " << std::hex << bnd;
  if (!(bnd & (uint64_t{1} << CAP_SYS_RESOURCE))) {
    EXPECT_THAT(AllCapabilities(), Not(Contains("CAP_SYS_RESOURCE"))) << "this node lacks it in CapBnd";
  }
}

TEST(CapabilitiesBoundingTest, PrivilegedAndAddAllStayInsideWhatTheNodeHolds) {
  std::vector<std::string> node = {"CAP_CHOWN", "CAP_KILL", "CAP_NET_ADMIN", "CAP_SYS_ADMIN"};
  auto priv = ComputeCapabilities({}, {}, true, node);
  ASSERT_TRUE(priv.ok()) << priv.status();
  EXPECT_EQ(*priv, node);
  auto all = ComputeCapabilities({"ALL"}, {}, false, node);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(*all, node);
  auto defaults = ComputeCapabilities({}, {}, false, node);
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_EQ(*defaults, (std::vector<std::string>{"CAP_CHOWN", "CAP_KILL"}));
}

TEST(CapabilitiesBoundingTest, NamingACapabilityTheNodeLacksIsFailedPrecondition) {
  auto c = ComputeCapabilities({"SYS_RESOURCE"}, {}, false, {"CAP_CHOWN", "CAP_SYS_ADMIN"});
  EXPECT_EQ(c.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(c.status().message()), ::testing::HasSubstr("CAP_SYS_RESOURCE"));
}

}  // namespace
}  // namespace podagent
