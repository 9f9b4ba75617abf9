#include "tests/lib/cni_e2e.h"

#include <unistd.h>

#include <random>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/common/files.h"
#include "runtime/common/ids.h"
#include "runtime/ns/pinned_namespace.h"
#include "tests/lib/paths.h"

namespace podagent::testing {

namespace cri = ::runtime::v1;

CniDaemonTest::CniDaemonTest(std::string network, int octet_base) : network_(std::move(network)) {
  std::mt19937 rng{std::random_device{}()};
  octet_ = octet_base + static_cast<int>(rng() % 50);
  bridge_ = absl::StrCat("pat", rng() % 1000000);  // at most 9 of the 15 characters a link name has
  cgroup_parent_ = "/" + network_ + "-" + NewId().substr(0, 10);
}

void CniDaemonTest::SetUp() {
  ASSERT_EQ(::geteuid(), 0u) << "e2e: run as root";
  snapshot_ = std::make_unique<HostNetSnapshot>();
  daemon_ = std::make_unique<TestDaemon>();
  conf_dir_ = daemon_->dir().Sub("cni-conf");
  ipam_dir_ = daemon_->dir().Sub("ipam");
  ASSERT_TRUE(MakeDirs(conf_dir_).ok());
  auto text = ReadFile(SourceDir() + "/deploy/cni/10-podagent.conflist");
  ASSERT_TRUE(text.ok()) << text.status();
  nlohmann::json conf = nlohmann::json::parse(*text);
  conf["plugins"][0]["bridge"] = bridge_;
  conf["plugins"][0]["ipam"]["ranges"] =
      nlohmann::json::parse(absl::StrCat(R"([[{"subnet":"10.88.)", octet_, R"(.0/24"}]])"));
  conf["plugins"][0]["ipam"]["dataDir"] = ipam_dir_;
  conf["name"] = network_;
  ASSERT_TRUE(WriteFileAtomic(conf_dir_ + "/10-podagent.conflist", conf.dump(2)).ok());
  yaml_ = absl::StrCat("cgroup_parent: ", cgroup_parent_, "\ncni:\n  conf_dir: ", conf_dir_,
                       "\n  bin_dirs: [/usr/lib/cni]\n", extra_yaml_);
  absl::Status st = daemon_->Start(yaml_);
  ASSERT_TRUE(st.ok()) << st << "\n" << daemon_->Log();
  Reconnect();
}

void CniDaemonTest::Reconnect() { client_ = std::make_unique<CriClient>(daemon_->socket()); }

void CniDaemonTest::TearDown() {
  if (client_ && daemon_ && daemon_->Running()) {
    cri::ListPodSandboxResponse list;
    grpc::Status listed = client_->ListPods({}, &list);
    EXPECT_TRUE(listed.ok()) << "teardown: ListPodSandbox: " << listed.error_message();
    for (const auto& p : list.items()) {
      EXPECT_TRUE(client_->StopPod(p.id()).ok()) << "teardown: StopPodSandbox " << p.id();
      EXPECT_TRUE(client_->RemovePod(p.id()).ok()) << "teardown: RemovePodSandbox " << p.id();
    }
  }
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
    EXPECT_TRUE((*cgroups)->Destroy(cgroup_parent_).ok());
  }
  daemon_.reset();
  if (snapshot_) snapshot_->Restore(bridge_, network_);
}

}  // namespace podagent::testing
