// The systemd driver refuses a cgroup v1 tree that is not systemd's hybrid layout, with a message
// naming what is missing and what to do (the daemon reports it as SystemdDriverUnsupported). The
// hybrid layout itself needs a real cgroup2 mount at <root>/unified: tested in the hack/vm guest
// (SystemdDriverSystemdGuest with PODAGENT_VM_CGROUP=hybrid).
#include <gmock/gmock.h>

#include "fixture.h"
#include "gtest/gtest.h"
#include "runtime/cgroups/systemd_driver.h"

namespace podagent {
namespace {

using ::testing::HasSubstr;
using testing::Put;

absl::Status NewOnV1Fixture(const std::string& root) {
  auto files = NewCgroupV1Driver(root, {.create_missing_files = true});
  if (!files.ok()) return files.status();
  return SystemdCgroupDriver::New(std::move(*files), nullptr).status();
}

TEST(SystemdDriverLayout, PlainV1IsRefusedNamingTheHybridLayout) {
  testing::TempDir tmp;
  for (const char* h : {"cpu", "memory", "pids"}) Put(tmp.path() + "/" + h + "/cgroup.procs", "");
  absl::Status st = NewOnV1Fixture(tmp.path());
  EXPECT_TRUE(absl::IsFailedPrecondition(st)) << st;
  EXPECT_THAT(std::string(st.message()), HasSubstr("needs systemd's hybrid layout"));
  EXPECT_THAT(std::string(st.message()), HasSubstr("no name=systemd hierarchy"));
  EXPECT_THAT(std::string(st.message()), HasSubstr("systemd.unified_cgroup_hierarchy=0"));
}

TEST(SystemdDriverLayout, NameSystemdWithoutAUnifiedMountIsRefused) {
  testing::TempDir tmp;
  for (const char* h : {"cpu", "memory", "systemd"}) Put(tmp.path() + "/" + h + "/cgroup.procs", "");
  Put(tmp.path() + "/unified/cgroup.controllers", "");  // a plain directory, not a cgroup2 mount
  absl::Status st = NewOnV1Fixture(tmp.path());
  EXPECT_TRUE(absl::IsFailedPrecondition(st)) << st;
  EXPECT_THAT(std::string(st.message()), HasSubstr("cgroup2 at " + tmp.path() + "/unified"));
}

}  // namespace
}  // namespace podagent
