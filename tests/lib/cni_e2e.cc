#include "tests/lib/cni_e2e.h"

#include <random>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "runtime/common/files.h"
#include "tests/lib/paths.h"

namespace podagent::testing {

CniDaemonTest::CniDaemonTest(std::string network, int octet_base)
    : DaemonTest(network), network_(std::move(network)) {
  std::mt19937 rng{std::random_device{}()};
  octet_ = octet_base + static_cast<int>(rng() % 50);
  bridge_ = absl::StrCat("pat", rng() % 1000000);  // at most 9 of the 15 characters a link name has
}

void CniDaemonTest::SetUp() {
  snapshot_ = std::make_unique<HostNetSnapshot>();
  DaemonTest::SetUp();
}

std::string CniDaemonTest::PrepareConfig() {
  conf_dir_ = daemon_->dir().Sub("cni-conf");
  ipam_dir_ = daemon_->dir().Sub("ipam");
  EXPECT_TRUE(MakeDirs(conf_dir_).ok());
  auto text = ReadFile(SourceDir() + "/deploy/cni/10-podagent.conflist");
  EXPECT_TRUE(text.ok()) << text.status();
  if (!text.ok()) return "";
  nlohmann::json conf = nlohmann::json::parse(*text);
  conf["plugins"][0]["bridge"] = bridge_;
  conf["plugins"][0]["ipam"]["ranges"] =
      nlohmann::json::parse(absl::StrCat(R"([[{"subnet":"10.88.)", octet_, R"(.0/24"}]])"));
  conf["plugins"][0]["ipam"]["dataDir"] = ipam_dir_;
  conf["name"] = network_;
  EXPECT_TRUE(WriteFileAtomic(conf_dir_ + "/10-podagent.conflist", conf.dump(2)).ok());
  return absl::StrCat("cni:\n  conf_dir: ", conf_dir_, "\n  bin_dirs: [/usr/lib/cni]\n");
}

void CniDaemonTest::TearDown() {
  DaemonTest::TearDown();
  daemon_.reset();
  if (snapshot_) {
    std::vector<std::string> left = snapshot_->Restore(bridge_, network_);
    EXPECT_TRUE(left.empty()) << "iptables chains of " << network_ << " left behind: " << absl::StrJoin(left, " ");
  }
}

}  // namespace podagent::testing
