// `podagent cgroup`'s facts from v1 and v2 file sets given by the test (the kernel's file names
// and formats, Documentation/admin-guide/cgroup-v2.rst and cgroup-v1/), and their renderings.
#include "agent/hostfs/cgroup_facts.h"

#include <map>

#include "absl/strings/match.h"
#include "agent/cli/cgroup_report.h"
#include "gtest/gtest.h"

namespace podagent {
namespace {

using Files = std::map<std::string, std::string>;  // "controller/file" -> content

CgroupFileReader Reader(const Files& files) {
  return [files](const std::string& controller, const std::string& file) -> std::optional<std::string> {
    auto it = files.find(controller + "/" + file);
    if (it == files.end()) return std::nullopt;
    return it->second;
  };
}

TEST(CgroupFacts, V1) {
  Files f = {{"memory/memory.limit_in_bytes", "10485760\n"},
             {"memory/memory.usage_in_bytes", "4096\n"},
             {"memory/memory.max_usage_in_bytes", "10481664\n"},
             {"memory/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n"},
             {"cpu/cpu.shares", "2\n"},
             {"cpu/cpu.cfs_quota_us", "-1\n"},
             {"cpu/cpu.cfs_period_us", "100000\n"},
             {"cpu/cpu.stat", "nr_periods 10\nnr_throttled 3\nthrottled_time 2500000\n"},
             {"cpuset/cpuset.cpus", "0-1\n"},
             {"cpuset/cpuset.effective_cpus", "0-1\n"},
             {"pids/pids.max", "max\n"},
             {"pids/pids.current", "2\n"}};
  CgroupFacts c = ReadCgroupFacts(false, Reader(f));
  EXPECT_EQ(c.memory_limit, 10485760u);
  EXPECT_EQ(c.memory_usage, 4096u);
  EXPECT_EQ(c.memory_peak, 10481664u);
  EXPECT_EQ(c.oom_kills, 1u);
  EXPECT_EQ(c.cpu_shares, 2u);
  EXPECT_FALSE(c.cpu_weight);
  EXPECT_EQ(c.cpu_quota_us, -1);
  EXPECT_EQ(c.cpu_period_us, 100000u);
  EXPECT_EQ(c.throttled_us, 2500u) << "v1 throttled_time is in ns";
  EXPECT_EQ(c.nr_throttled, 3u);
  EXPECT_EQ(c.cpuset_cpus, "0-1");
  EXPECT_EQ(c.pids_limit, kCgroupUnlimited);
  EXPECT_EQ(c.pids_current, 2u);
  nlohmann::json j = CgroupFactsJson(c);
  EXPECT_TRUE(j["pids"]["limit"].is_null()) << "unlimited";
  EXPECT_EQ(j["cpu"]["shares"], 2);
  EXPECT_FALSE(j["cpu"].contains("weight"));
}

TEST(CgroupFacts, V2) {
  Files f = {{"memory/memory.max", "max\n"},
             {"memory/memory.current", "8192\n"},
             {"memory/memory.peak", "16384\n"},
             {"memory/memory.events", "low 0\nhigh 0\nmax 4\noom 1\noom_kill 2\noom_group_kill 0\n"},
             {"cpu/cpu.weight", "79\n"},
             {"cpu/cpu.max", "50000 100000\n"},
             {"cpu/cpu.stat", "usage_usec 10\nnr_periods 5\nnr_throttled 1\nthrottled_usec 700\n"},
             {"cpuset/cpuset.cpus", "\n"},
             {"cpuset/cpuset.cpus.effective", "0-3\n"},
             {"pids/pids.max", "100\n"}};
  CgroupFacts c = ReadCgroupFacts(true, Reader(f));
  EXPECT_EQ(c.memory_limit, kCgroupUnlimited);
  EXPECT_EQ(c.memory_usage, 8192u);
  EXPECT_EQ(c.memory_peak, 16384u);
  EXPECT_EQ(c.oom_kills, 2u);
  EXPECT_EQ(c.cpu_weight, 79u);
  EXPECT_FALSE(c.cpu_shares);
  EXPECT_EQ(c.cpu_quota_us, 50000);
  EXPECT_EQ(c.cpu_period_us, 100000u);
  EXPECT_EQ(c.throttled_us, 700u);
  EXPECT_EQ(c.cpuset_cpus, "");
  EXPECT_EQ(c.cpuset_effective, "0-3");
  EXPECT_EQ(c.pids_limit, 100u);
  EXPECT_FALSE(c.pids_current);
  EXPECT_EQ(ReadCgroupFacts(true, Reader({{"cpu/cpu.max", "max 100000\n"}})).cpu_quota_us, -1);
}

TEST(CgroupReport, TextSideBySide) {
  CgroupReport r;
  r.pod_id = "podid";
  r.version = 1;
  r.mount_root = "/sys/fs/cgroup";
  CgroupFacts hog;
  hog.memory_limit = 10 << 20;
  hog.memory_usage = 5 << 20;
  hog.cpu_shares = 2;
  hog.cpu_quota_us = -1;
  hog.cpu_period_us = 100000;
  CgroupFacts pod;
  pod.memory_limit = 9223372036854771712u;  // v1's "unlimited"
  r.nodes = {{"pod", "", "/p/podid", {"/sys/fs/cgroup/memory/p/podid"}, pod},
             {"hog", "cid", "/p/podid/cid", {"/sys/fs/cgroup/memory/p/podid/cid"}, hog}};
  std::string s = CgroupReportText(r);
  for (const char* want : {"cgroup v1, driver cgroupfs", "CPU SHARES", "unlimited", "10.0Mi", "5.0Mi", "max/100000",
                           "`- hog", "/sys/fs/cgroup/memory/p/podid/cid"}) {
    EXPECT_TRUE(absl::StrContains(s, want)) << want << " in\n" << s;
  }
  r.version = 2;
  EXPECT_TRUE(absl::StrContains(CgroupReportText(r), "CPU WEIGHT"));
  EXPECT_EQ(HumanBytes(1536), "1.5Ki");
  EXPECT_EQ(HumanBytes(100), "100");
}

}  // namespace
}  // namespace podagent
