// The namespace table's marks and renderings, on inodes given by the test.
#include "agent/cli/ns_table.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace podagent {
namespace {

std::vector<std::optional<uint64_t>> Row(uint64_t base) {
  std::vector<std::optional<uint64_t>> v;
  for (size_t i = 0; i < NsTypes().size(); ++i) v.push_back(base + i);
  return v;
}

// pause and app share ipc (row 0) and net (row 1); app's cgroup (row 5) is the host's.
NsTable Table() {
  NsTable t{"podid", "ns", "name", Row(100), {}, {}};
  NsColumn pause{"pause", "", 10, Row(200)};
  NsColumn app{"app", "cid", 11, Row(300)};
  app.inodes[0] = 200;
  app.inodes[1] = 201;
  app.inodes[5] = 105;
  app.inodes[7] = std::nullopt;
  t.columns = {pause, app};
  return t;
}

TEST(NsTable, SharedAndHostMarks) {
  NsTable t = Table();
  EXPECT_TRUE(SharedCell(t, 0, 0));
  EXPECT_TRUE(SharedCell(t, 1, 1));
  EXPECT_FALSE(SharedCell(t, 2, 0));
  EXPECT_FALSE(HostCell(t, 0, 1));
  EXPECT_TRUE(HostCell(t, 5, 1));
  EXPECT_FALSE(HostCell(t, 5, 0));
  EXPECT_FALSE(SharedCell(t, 7, 1)) << "no inode is never shared";
}

TEST(NsTable, JsonCellsFollowColumns) {
  nlohmann::json j = NsTableJson(Table());
  ASSERT_EQ(j["rows"].size(), NsTypes().size());
  EXPECT_EQ(j["columns"][1]["name"], "app");
  EXPECT_EQ(j["rows"][2]["ns"], "uts");
  EXPECT_EQ(j["rows"][2]["cells"][0]["inode"], 202);
  EXPECT_EQ(j["rows"][2]["cells"][1]["inode"], 302);
  EXPECT_EQ(j["rows"][5]["cells"][1]["host"], true);
  EXPECT_TRUE(j["rows"][7]["cells"][1]["inode"].is_null());
}

TEST(NsTable, TextMarksCells) {
  std::string s = NsTableText(Table());
  EXPECT_TRUE(absl::StrContains(s, "pause (10)")) << s;
  EXPECT_TRUE(absl::StrContains(s, "app (11)")) << s;
  EXPECT_TRUE(absl::StrContains(s, "200 shared")) << s;
  EXPECT_TRUE(absl::StrContains(s, "105 host")) << s;
  EXPECT_FALSE(absl::StrContains(s, "202 shared")) << s;
}

}  // namespace
}  // namespace podagent
