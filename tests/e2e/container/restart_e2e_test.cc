// E2E: a podagent restart (kill -9) does not lose a container's cgroup or its limits. Under the
// systemd driver a created container's scope lives around a holder child of the daemon, so the
// restart ends the holder and systemd stops the emptied scope: StartContainer must make it again
// with the recorded resources. Under cgroupfs the test removes the empty cgroup itself while the
// daemon is down, for the same path. After a restart, UpdateContainerResources must still reach
// the cgroup file (and the unit's property) and RemoveContainer must leave nothing. Under either
// cgroup driver (PODAGENT_TEST_CGROUP_DRIVER, tests/lib/cgroup_driver_e2e.h).
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/cgroups/systemd_names.h"
#include "runtime/common/files.h"
#include "tests/e2e/container/container_e2e_fixture.h"
#include "tests/lib/shell.h"

namespace podagent {
namespace {

using testing::ContainerE2E;
using testing::ProcessAlive;
using testing::SystemdDriverUnderTest;
namespace cri = ::runtime::v1;

constexpr int64_t kCreatedLimit = 64 << 20, kUpdatedLimit = 48 << 20;

grpc::Status UpdateMemory(testing::CriClient& client, const std::string& id, int64_t limit) {
  cri::UpdateContainerResourcesRequest req;
  req.set_container_id(id);
  req.mutable_linux()->set_memory_limit_in_bytes(limit);
  cri::UpdateContainerResourcesResponse resp;
  return client.Call(&cri::RuntimeService::Stub::UpdateContainerResources, req, &resp);
}

// The memory limit in the cgroup's own file (memory.max, memory.limit_in_bytes), the kernel's
// truth; "<...>" when it cannot be read.
std::string MemoryLimitFile(const CgroupDriver& cgroups, const std::string& cgroup) {
  std::string file = cgroups.Dir(cgroup, "memory") + (cgroups.IsV2() ? "/memory.max" : "/memory.limit_in_bytes");
  auto text = ReadFile(file);
  return text.ok() ? std::string(absl::StripAsciiWhitespace(*text)) : "<" + text.status().ToString() + ">";
}

// A property of the unit of `cgroup` (the container's scope), as `systemctl show` gives it.
std::string UnitProperty(const std::string& cgroup, const std::string& property) {
  return testing::Sh({"/usr/bin/systemctl", "show", "-p", property, "--value", systemd::UnitOfPath(cgroup)});
}

// True when `pid` is in `cgroup` by the kernel's /proc/PID/cgroup (v2 "0::PATH", v1 the memory
// hierarchy's line); a failure shows the file.
bool InCgroup(const CgroupDriver& cgroups, int pid, const std::string& cgroup) {
  auto text = ReadFile(absl::StrCat("/proc/", pid, "/cgroup"));
  EXPECT_TRUE(text.ok()) << text.status();
  if (!text.ok()) return false;
  for (absl::string_view line : absl::StrSplit(*text, '\n', absl::SkipEmpty())) {
    std::vector<std::string> f = absl::StrSplit(line, absl::MaxSplits(':', 2));
    if (f.size() != 3 || f[2] != cgroup) continue;
    if (cgroups.IsV2() ? f[0] == "0" : absl::StrContains(f[1], "memory")) return true;
  }
  ADD_FAILURE() << "pid " << pid << " is not in " << cgroup << ":\n" << *text;
  return false;
}

std::unique_ptr<CgroupDriver> DetectCgroups() {
  auto detected = CgroupDriver::Detect();
  EXPECT_TRUE(detected.ok()) << detected.status();
  return detected.ok() ? std::move(*detected) : nullptr;
}

// Created, limit updated, daemon killed and restarted, then started: the created container's
// record (written without fsync) outlives the daemon, and StartContainer makes its cgroup (none is
// made at create) with the updated limit and its device rules.
TEST_F(ContainerE2E, StartAfterKill9RestartMakesTheCgroupWithTheUpdatedLimit) {
  auto cgroups = DetectCgroups();
  ASSERT_NE(cgroups, nullptr);
  std::string pod = RunPod("latestart");
  auto config = Sh("late", "sleep 300");
  config.mutable_linux()->mutable_resources()->set_memory_limit_in_bytes(kCreatedLimit);
  std::string id;
  grpc::Status created = Create(pod, config, &id);
  ASSERT_TRUE(created.ok()) << created.error_message() << "\n" << daemon_->Log();
  std::string cgroup = Info(id)["cgroupPath"];
  ASSERT_FALSE(cgroup.empty());
  ASSERT_TRUE(UpdateMemory(*client_, id, kUpdatedLimit).ok());
  EXPECT_FALSE(cgroups->Exists(cgroup)) << "CreateContainer or the update made the cgroup " << cgroup;

  daemon_->Kill9();
  absl::Status restarted = daemon_->Start();
  ASSERT_TRUE(restarted.ok()) << restarted << "\n" << daemon_->Log();
  Reconnect();

  grpc::Status started = client_->StartContainer(id);
  ASSERT_TRUE(started.ok()) << started.error_message() << "\n" << daemon_->Log();
  auto status = Status(id).status();
  EXPECT_EQ(status.state(), cri::CONTAINER_RUNNING);
  int pid = Pid(id);
  ASSERT_GT(pid, 0);
  EXPECT_TRUE(ProcessAlive(pid));
  EXPECT_TRUE(InCgroup(*cgroups, pid, cgroup));
  EXPECT_EQ(MemoryLimitFile(*cgroups, cgroup), std::to_string(kUpdatedLimit));
  if (SystemdDriverUnderTest()) {
    EXPECT_EQ(UnitProperty(cgroup, "MemoryMax"), std::to_string(kUpdatedLimit));
  }
  if (!cgroups->IsV2()) {
    // Made again deny-by-default: not the parent's allow-all.
    auto devices = ReadFile(cgroups->Dir(cgroup, "devices") + "/devices.list");
    ASSERT_TRUE(devices.ok()) << devices.status();
    EXPECT_FALSE(absl::StrContains(*devices, "a *:* rwm")) << *devices;
    EXPECT_TRUE(absl::StrContains(*devices, "c 1:3 rwm")) << *devices;  // /dev/null
  }
}

// Running, daemon killed and restarted, limit updated: the cgroup file (and the unit) change;
// removal stops the unit and leaves no cgroup.
TEST_F(ContainerE2E, UpdateAndRemoveAfterKill9RestartReachTheRunningContainersCgroup) {
  auto cgroups = DetectCgroups();
  ASSERT_NE(cgroups, nullptr);
  std::string pod = RunPod("liveupdate");
  auto config = Sh("live", "sleep 300");
  config.mutable_linux()->mutable_resources()->set_memory_limit_in_bytes(kCreatedLimit);
  std::string id = Run(pod, config);
  ASSERT_FALSE(id.empty());
  std::string cgroup = Info(id)["cgroupPath"];
  int pid = Pid(id);
  ASSERT_GT(pid, 0);
  EXPECT_EQ(MemoryLimitFile(*cgroups, cgroup), std::to_string(kCreatedLimit));

  daemon_->Kill9();
  absl::Status restarted = daemon_->Start();
  ASSERT_TRUE(restarted.ok()) << restarted << "\n" << daemon_->Log();
  Reconnect();
  ASSERT_EQ(Status(id).status().state(), cri::CONTAINER_RUNNING);
  grpc::Status updated = UpdateMemory(*client_, id, kUpdatedLimit);
  ASSERT_TRUE(updated.ok()) << updated.error_message() << "\n" << daemon_->Log();
  EXPECT_EQ(MemoryLimitFile(*cgroups, cgroup), std::to_string(kUpdatedLimit));
  if (SystemdDriverUnderTest()) {
    EXPECT_EQ(UnitProperty(cgroup, "MemoryMax"), std::to_string(kUpdatedLimit));
  }
  EXPECT_TRUE(InCgroup(*cgroups, pid, cgroup));

  ASSERT_TRUE(client_->StopContainer(id, 0).ok());
  grpc::Status removed = client_->RemoveContainer(id);
  ASSERT_TRUE(removed.ok()) << removed.error_message() << "\n" << daemon_->Log();
  EXPECT_FALSE(ProcessAlive(pid));
  EXPECT_FALSE(cgroups->Exists(cgroup)) << cgroup << " is left after RemoveContainer";
  if (SystemdDriverUnderTest()) {
    EXPECT_EQ(UnitProperty(cgroup, "LoadState"), "not-found") << "the scope stays loaded";
  }
}

}  // namespace
}  // namespace podagent
