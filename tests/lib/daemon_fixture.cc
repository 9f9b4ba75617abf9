#include "tests/lib/daemon_fixture.h"

#include <unistd.h>

#include <chrono>
#include <iostream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/cgroups/systemd_names.h"
#include "runtime/cgroups/systemd_units.h"
#include "runtime/common/ids.h"
#include "runtime/ns/pinned_namespace.h"
#include "tests/lib/paths.h"
#include "tests/lib/shell.h"
#include "tests/lib/test_registry.h"

namespace podagent::testing {

namespace cri = ::runtime::v1;

std::string WarningsAndErrors(const std::string& log) {
  std::string out;
  for (absl::string_view line : absl::StrSplit(log, '\n')) {
    if (absl::StrContains(line, " warning [") || absl::StrContains(line, " error [") ||
        absl::StrContains(line, " critical [")) {
      absl::StrAppend(&out, line, "\n");
    }
  }
  return out;
}

void ExpectEmptyAndRemoveCgroup(const std::string& parent) {
  auto cgroups = CgroupDriver::Detect();
  ASSERT_TRUE(cgroups.ok()) << cgroups.status();
  auto pids = (*cgroups)->Pids(parent);
  if (pids.ok()) {
    EXPECT_TRUE(pids->empty()) << "processes left in " << parent;
  }
  EXPECT_TRUE((*cgroups)->Destroy(parent).ok()) << parent;
}

DaemonTest::DaemonTest(const std::string& name) {
  std::string suffix = NewId().substr(0, 10);
  if (!SystemdDriverUnderTest()) {
    cgroup_parent_ = "/" + name + "-" + suffix;
    return;
  }
  // A dash in a slice's name nests it (a-b.slice is in a.slice): one flat slice of the test's.
  cgroup_driver_ = "systemd";
  config_cgroup_parent_ = absl::StrReplaceAll(name, {{"-", ""}}) + suffix + ".slice";
  cgroup_parent_ = "/" + config_cgroup_parent_;
}

void DaemonTest::SetUp() {
  ASSERT_EQ(::geteuid(), 0u) << "e2e: run as root";
  daemon_ = std::make_unique<TestDaemon>();
  std::string config;
  ASSERT_NO_FATAL_FAILURE(config = PrepareConfig());
  yaml_ = absl::StrCat("cgroup_parent: ", config_cgroup_parent_.empty() ? cgroup_parent_ : config_cgroup_parent_, "\n",
                       cgroup_driver_.empty() ? "" : "cgroup_driver: " + cgroup_driver_ + "\n", config, extra_yaml_);
  absl::Status st = daemon_->Start(yaml_);
  ASSERT_TRUE(st.ok()) << st << "\n" << daemon_->Log();
  Reconnect();
}

std::string DaemonTest::PodCgroupPath(const std::string& pod_id) const {
  if (cgroup_driver_ != "systemd") return cgroup_parent_ + "/pod" + pod_id;
  auto path = systemd::PodSlicePath(systemd::UnitOfPath(cgroup_parent_), pod_id);
  return path.ok() ? *path : "<" + path.status().ToString() + ">";
}

void DaemonTest::Reconnect() { client_ = std::make_unique<CriClient>(daemon_->socket()); }

cri::ContainerConfig BusyboxSh(const std::string& name, const std::string& script) {
  return MakeContainerConfig(name, kBusyboxImage, {"/bin/sh", "-c", script});
}

void DaemonTest::ImportBusybox(const std::string& ref) {
  auto layout = SharedBusyboxLayout();  // built once per test binary
  ASSERT_TRUE(layout.ok()) << "busybox test image: " << layout.status();
  absl::Status imported = daemon_->ImportImage(*layout, ref);
  ASSERT_TRUE(imported.ok()) << imported;
}

std::string DaemonTest::RunPod(const cri::PodSandboxConfig& c) {
  std::string id;
  grpc::Status st = client_->RunPod(c, &id);
  EXPECT_TRUE(st.ok()) << st.error_message() << "\n" << daemon_->Log();
  if (!st.ok()) return "";
  pod_configs_[id] = c;
  return id;
}

grpc::Status DaemonTest::Create(const std::string& pod, const cri::ContainerConfig& c, std::string* id) {
  return client_->CreateContainer(pod, c, pod_configs_[pod], id);
}

std::string DaemonTest::Run(const std::string& pod, const cri::ContainerConfig& c) {
  std::string id;
  grpc::Status st = Create(pod, c, &id);
  EXPECT_TRUE(st.ok()) << st.error_message() << "\n" << daemon_->Log();
  if (!st.ok()) return "";
  st = client_->StartContainer(id);
  EXPECT_TRUE(st.ok()) << st.error_message() << "\n" << daemon_->Log();
  return id;
}

cri::ContainerStatusResponse DaemonTest::Status(const std::string& id) {
  cri::ContainerStatusResponse r;
  grpc::Status st = client_->ContainerStatus(id, true, &r);
  EXPECT_TRUE(st.ok()) << st.error_message();
  return r;
}

nlohmann::json DaemonTest::Info(const std::string& id) {
  auto r = Status(id);
  auto it = r.info().find("info");
  if (it == r.info().end()) return nlohmann::json::object();
  return nlohmann::json::parse(it->second);
}

int DaemonTest::Pid(const std::string& id) { return Info(id).value("pid", 0); }

cri::ContainerStatus DaemonTest::WaitExited(const std::string& id, absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    auto r = Status(id);
    if (r.status().state() == cri::CONTAINER_EXITED || absl::Now() > deadline) return r.status();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void DaemonTest::TearDown() {
  if (client_ && daemon_ && daemon_->Running()) {
    cri::ListPodSandboxResponse list;
    grpc::Status listed = client_->ListPods({}, &list);
    EXPECT_TRUE(listed.ok()) << "teardown: ListPodSandbox: " << listed.error_message();
    for (const auto& p : list.items()) {
      grpc::Status stopped = client_->StopPod(p.id());
      EXPECT_TRUE(stopped.ok()) << "teardown: StopPodSandbox " << p.id() << ": " << stopped.error_message();
      grpc::Status removed = client_->RemovePod(p.id());
      EXPECT_TRUE(removed.ok()) << "teardown: RemovePodSandbox " << p.id() << ": " << removed.error_message();
    }
  }
  // A failed test shows what the daemon warned about: its log goes with the temp dir.
  if (daemon_ && HasFailure()) std::cout << "daemon warnings and errors:\n" << WarningsAndErrors(daemon_->Log());
  std::string run_dir = daemon_ ? daemon_->run_dir() : "";
  if (daemon_) daemon_->Stop();
  if (!run_dir.empty()) {
    EXPECT_TRUE(UnmountSharedMountDir(run_dir + "/netns").ok());
  }
  auto cgroups = CgroupDriver::Detect();
  EXPECT_TRUE(cgroups.ok()) << cgroups.status();
  if (cgroups.ok()) {
    auto pids = (*cgroups)->Pids(cgroup_parent_);
    if (pids.ok()) {
      EXPECT_TRUE(pids->empty()) << "processes left in " << cgroup_parent_;
    }
  }
  if (cgroup_driver_ == "systemd") {
    EXPECT_EQ(PodagentUnitsUnder(cgroup_parent_), "") << "units left in " << cgroup_parent_;
    auto units = systemd::SystemdUnits::Connect();
    EXPECT_TRUE(units.ok()) << units.status();
    if (units.ok()) {
      EXPECT_TRUE((*units)->Stop(systemd::UnitOfPath(cgroup_parent_)).ok());
    }
  }
  if (cgroups.ok()) {
    EXPECT_TRUE((*cgroups)->Destroy(cgroup_parent_).ok());
  }
  client_.reset();  // daemon_ (and its temp dirs) goes with the fixture, or earlier in a subclass
}

}  // namespace podagent::testing
