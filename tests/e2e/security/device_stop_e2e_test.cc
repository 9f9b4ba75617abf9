// E2E: the device cgroup and StopContainer's cgroup kill, through the real podagent on its
// socket. Truths: what the kernel answers to mknod/open inside the container (ExecSync), the
// container cgroup's devices.list (v1) or attached programs (v2), a loop device the test made
// with known content, and /proc of the host for the processes a stopped container leaves.
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/cgroups/device_bpf.h"
#include "runtime/common/files.h"
#include "runtime/common/ids.h"
#include "tests/fixtures/image/test_registry.h"
#include "tests/lib/cri_client.h"
#include "tests/lib/daemon_fixture.h"
#include "tests/lib/test_daemon.h"

namespace podagent {
namespace {

using testing::BusyboxSh;
using testing::CriClient;
namespace cri = ::runtime::v1;

constexpr char kMarker[] = "PODAGENT-DEVTEST";

// A loop device over a temp file that starts with kMarker; detached at destruction.
class LoopDevice {
 public:
  explicit LoopDevice(const std::string& dir) {
    file_ = dir + "/loop.img";
    std::string marker = kMarker;
    std::ofstream(file_) << marker << std::string(64 * 1024 - marker.size(), 'x');  // whole sectors
    auto out = imagetest::Run("losetup --find --show " + file_);
    if (!out.ok()) return;
    for (absl::string_view line : absl::StrSplit(*out, '\n', absl::SkipWhitespace())) {
      if (absl::StartsWith(line, "/dev/")) device_ = std::string(absl::StripAsciiWhitespace(line));
    }
  }
  ~LoopDevice() {
    if (!device_.empty()) (void)imagetest::Run("losetup -d " + device_);
  }
  const std::string& device() const { return device_; }

 private:
  std::string file_, device_;
};

class SecurityE2E : public testing::DaemonTest {
 protected:
  SecurityE2E() : DaemonTest("podagent-sece2e") {}
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(DaemonTest::SetUp());
    ASSERT_NO_FATAL_FAILURE(ImportBusybox());
    auto cgroups = CgroupDriver::Detect();
    ASSERT_TRUE(cgroups.ok()) << cgroups.status();
    cgroups_ = std::move(*cgroups);
  }

  using DaemonTest::RunPod;
  std::string RunPod(const std::string& name, cri::NamespaceMode pid_mode = cri::CONTAINER) {
    cri::PodSandboxConfig c = testing::MakePodConfig(name, daemon_->dir().Sub("logs-" + name));
    auto* ns = c.mutable_linux()->mutable_security_context()->mutable_namespace_options();
    ns->set_network(cri::NODE);
    ns->set_pid(pid_mode);
    return RunPod(c);
  }

  // ExecSync of `sh -c script`; the response (the RPC itself must succeed).
  cri::ExecSyncResponse Exec(const std::string& id, const std::string& script) {
    cri::ExecSyncResponse r;
    grpc::Status st = client_->ExecSync(id, {"sh", "-c", script}, 20, &r);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return r;
  }

  std::string CgroupOf(const std::string& id) { return Info(id).value("cgroupPath", ""); }

  // v1: the lines of devices.list; v2: one "<n> programs" line from BPF_PROG_QUERY.
  std::set<std::string> DeviceRulesOf(const std::string& cgroup) {
    std::set<std::string> out;
    if (cgroups_->IsV2()) {
      auto progs = AttachedDevicePrograms(cgroups_->Dir(cgroup, ""));
      EXPECT_TRUE(progs.ok()) << progs.status();
      out.insert(absl::StrCat(progs.ok() ? progs->size() : 0, " programs"));
      return out;
    }
    auto list = ReadFile(cgroups_->Dir(cgroup, "devices") + "/devices.list");
    EXPECT_TRUE(list.ok()) << list.status();
    for (absl::string_view l : absl::StrSplit(list.value_or(""), '\n', absl::SkipEmpty())) out.emplace(l);
    return out;
  }

  std::set<std::string> Expected(const std::vector<DeviceRule>& extra) {
    if (cgroups_->IsV2()) return {"1 programs"};
    std::set<std::string> want;
    for (const DeviceRule& r : DefaultDeviceRules()) want.insert(DeviceRuleLine(r));
    for (const DeviceRule& r : extra) want.insert(DeviceRuleLine(r));
    return want;
  }

  std::unique_ptr<CgroupDriver> cgroups_;
};

struct stat StatOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st;
}

TEST_F(SecurityE2E, DefaultContainerCannotMakeOrOpenAHostBlockDevice) {
  LoopDevice loop(daemon_->dir().path());
  ASSERT_FALSE(loop.device().empty()) << "losetup failed";
  struct stat st = StatOf(loop.device());
  std::string pod = RunPod("devdefault");
  std::string id = Run(pod, BusyboxSh("app", "sleep 300"));
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(DeviceRulesOf(CgroupOf(id)), Expected({}));
  cri::PodSandboxStatusResponse ps;
  ASSERT_TRUE(client_->PodStatus(pod, true, &ps).ok());
  std::string pod_cgroup = nlohmann::json::parse(ps.info().at("info")).value("cgroupPath", "");
  ASSERT_FALSE(pod_cgroup.empty());
  EXPECT_EQ(DeviceRulesOf(pod_cgroup + "/pause"), Expected({})) << "the pause gets the same default rules";

  std::string nums = absl::StrCat(major(st.st_rdev), " ", minor(st.st_rdev));
  auto in_dev = Exec(id, absl::StrCat("mknod /dev/blk b ", nums, " && head -c 16 /dev/blk"));
  EXPECT_NE(in_dev.exit_code(), 0);
  EXPECT_FALSE(absl::StrContains(in_dev.stdout(), kMarker)) << "the host's block device was read";
  EXPECT_TRUE(absl::StrContains(in_dev.stderr(), "Operation not permitted")) << in_dev.stderr();

  // A node for an allowed device (null) made in the image's rootfs: unusable there (nodev).
  auto in_root = Exec(id, "mknod /tmp/null c 1 3 && echo x > /tmp/null");
  EXPECT_NE(in_root.exit_code(), 0);
  EXPECT_TRUE(absl::StrContains(in_root.stderr(), "Permission denied")) << in_root.stderr();

  auto standard = Exec(id, "echo x > /dev/null && head -c 5 /dev/zero | wc -c && head -c 4 /dev/urandom | wc -c");
  EXPECT_EQ(standard.exit_code(), 0) << standard.stderr();
  EXPECT_EQ(absl::StrReplaceAll(standard.stdout(), {{" ", ""}}), "5\n4\n") << "the standard nodes work";
}

TEST_F(SecurityE2E, GrantedDeviceOpensWithExactlyItsPermissions) {
  LoopDevice loop(daemon_->dir().path());
  ASSERT_FALSE(loop.device().empty()) << "losetup failed";
  struct stat st = StatOf(loop.device());
  std::string pod = RunPod("devgrant");
  auto c = BusyboxSh("app", "sleep 300");
  auto* ro = c.add_devices();
  ro->set_host_path(loop.device());
  ro->set_container_path("/dev/xdisk");
  ro->set_permissions("r");
  std::string id = Run(pod, c);
  ASSERT_FALSE(id.empty());
  DeviceRule granted{'b', static_cast<int64_t>(major(st.st_rdev)), static_cast<int64_t>(minor(st.st_rdev)), "r"};
  EXPECT_EQ(DeviceRulesOf(CgroupOf(id)), Expected({granted}));

  auto read = Exec(id, "head -c 16 /dev/xdisk");
  EXPECT_EQ(read.exit_code(), 0) << read.stderr();
  EXPECT_EQ(read.stdout(), kMarker);
  auto write = Exec(id, "echo overwrite > /dev/xdisk");
  EXPECT_NE(write.exit_code(), 0) << "written without the w permission";
  EXPECT_TRUE(absl::StrContains(write.stderr(), "Operation not permitted")) << write.stderr();
  auto another = Exec(id, "mknod /dev/copy b " + absl::StrCat(major(st.st_rdev), " ", minor(st.st_rdev)));
  EXPECT_NE(another.exit_code(), 0) << "mknod without the m permission";

  // A grant outside /dev (the rootfs is nodev) with read and write.
  auto c2 = BusyboxSh("app2", "sleep 300");
  auto* rw = c2.add_devices();
  rw->set_host_path(loop.device());
  rw->set_container_path("/data/disk");
  rw->set_permissions("rw");
  std::string id2 = Run(pod, c2);
  ASSERT_FALSE(id2.empty());
  auto read2 = Exec(id2, "head -c 16 /data/disk && : > /dev/null && dd if=/data/disk of=/dev/null bs=512 count=1 2>&1");
  EXPECT_EQ(read2.exit_code(), 0) << read2.stderr() << read2.stdout();
  EXPECT_TRUE(absl::StartsWith(read2.stdout(), kMarker)) << read2.stdout();

  // Bad permissions are refused before anything is made.
  auto bad = BusyboxSh("bad", "sleep 300");
  auto* d = bad.add_devices();
  d->set_host_path(loop.device());
  d->set_permissions("rwx");
  std::string bad_id;
  grpc::Status st_bad = client_->CreateContainer(pod, bad, pod_configs_[pod], &bad_id);
  EXPECT_EQ(st_bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << st_bad.error_message();
}

// Host pids in the container's cgroup once at least `n` are there.
std::vector<pid_t> WaitForPids(CgroupDriver& cgroups, const std::string& cgroup, size_t n) {
  std::vector<pid_t> pids;
  for (int i = 0; i < 500 && pids.size() < n; ++i) {
    pids = cgroups.Pids(cgroup).value_or(std::vector<pid_t>{});
    if (pids.size() < n) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pids;
}

bool Alive(pid_t pid) {
  auto stat = ReadFile(absl::StrCat("/proc/", pid, "/stat"));
  return stat.ok() && stat->find(") Z ") == std::string::npos;  // a zombie waits for its reaper only
}

void ExpectStopLeavesNothing(CriClient& client, CgroupDriver& cgroups, const std::string& id, const std::string& cgroup) {
  std::vector<pid_t> pids = WaitForPids(cgroups, cgroup, 3);
  ASSERT_GE(pids.size(), 3u) << "main sleep and two background sleeps";
  grpc::Status st = client.StopContainer(id, 5);
  ASSERT_TRUE(st.ok()) << st.error_message();
  for (pid_t p : pids) EXPECT_FALSE(Alive(p)) << "pid " << p << " of the stopped container still runs";
  auto left = cgroups.Pids(cgroup);
  ASSERT_TRUE(left.ok()) << left.status();
  EXPECT_TRUE(left->empty()) << left->size() << " processes left in " << cgroup;
}

TEST_F(SecurityE2E, StopContainerKillsEveryProcessInASharedPidPod) {
  std::string pod = RunPod("sharedpid", cri::POD);
  auto c = BusyboxSh("app", "sleep 1000 & sleep 1000 & exec sleep 1000");
  c.mutable_linux()->mutable_security_context()->mutable_namespace_options()->set_pid(cri::POD);
  std::string id = Run(pod, c);
  ASSERT_FALSE(id.empty());
  ExpectStopLeavesNothing(*client_, *cgroups_, id, CgroupOf(id));
}

TEST_F(SecurityE2E, StopContainerKillsEveryProcessInAHostPidPod) {
  std::string pod = RunPod("hostpid", cri::NODE);
  auto c = BusyboxSh("app", "sleep 1000 & sleep 1000 & exec sleep 1000");
  c.mutable_linux()->mutable_security_context()->mutable_namespace_options()->set_pid(cri::NODE);
  std::string id = Run(pod, c);
  ASSERT_FALSE(id.empty());
  ExpectStopLeavesNothing(*client_, *cgroups_, id, CgroupOf(id));
}

}  // namespace
}  // namespace podagent
