// `podagent top`'s pure parts: /proc/PID/status and cmdline, passwd, the table.
#include "absl/strings/match.h"
#include "agent/hostfs/cgroup_source.h"
#include "agent/container/container_users.h"
#include "agent/container/proc_info.h"
#include "agent/cli/top_table.h"
#include "gtest/gtest.h"

namespace podagent {
namespace {

TEST(ProcInfo, Status) {
  auto p = ParseProcStatus(
      "Name:\tsleep\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t4242\nPid:\t4242\nPPid:\t4200\n"
      "Uid:\t0\t1000\t1000\t1000\nGid:\t0\t0\t0\t0\nNSpid:\t4242\t7\t1\n");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->name, "sleep");
  EXPECT_EQ(p->state, 'S');
  EXPECT_EQ(p->uid, 1000u) << "the effective uid, as ps shows";
  EXPECT_EQ(p->ns_pids, (std::vector<pid_t>{4242, 7, 1}));
  EXPECT_FALSE(ParseProcStatus("Name:\tx\nUid:\t0\t0\t0\t0\n").ok()) << "no NSpid";
}

TEST(ProcInfo, Cmdline) {
  EXPECT_EQ(CmdlineText(std::string("sleep\0" "300\0", 10)), "sleep 300");
  EXPECT_EQ(CmdlineText(""), "");
}

TEST(ContainerUsers, Passwd) {
  auto u = ParsePasswd("root:x:0:0:root:/root:/bin/sh\nbad line\nnobody:x:65534:65534::/:/bin/false\ntoor:x:0:0::/:\n");
  EXPECT_EQ(UserName(u, 0), "root");
  EXPECT_EQ(UserName(u, 65534), "nobody");
  EXPECT_EQ(UserName(u, 1000), "1000");
}

TEST(CgroupSource, ParseProcs) { EXPECT_EQ(ParseProcs("12\n7\n\nx\n-3\n"), (std::vector<pid_t>{12, 7})); }

TEST(TopTable, TextAndJson) {
  TopTable t{"podid", "ns", "name", {}, {"side (abc): no process"}};
  t.rows.push_back({"app", "cid", 1, 4242, {4242, 1}, 0, "root", 'S', "sleep 300"});
  std::string s = TopTableText(t);
  EXPECT_TRUE(absl::StrContains(s, "CONTAINER  PID  HOST PID  USER  STAT  COMMAND")) << s;
  EXPECT_TRUE(absl::StrContains(s, "app        1    4242      root  S     sleep 300")) << s;
  EXPECT_TRUE(absl::StrContains(s, "note: side (abc): no process")) << s;
  nlohmann::json j = TopTableJson(t);
  EXPECT_EQ(j["processes"][0]["nsPids"], nlohmann::json({4242, 1}));
  EXPECT_EQ(j["processes"][0]["hostPid"], 4242);
}

}  // namespace
}  // namespace podagent
