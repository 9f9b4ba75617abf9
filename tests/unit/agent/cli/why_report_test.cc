// `podagent why`'s pure parts: the signal behind an exit code, the log tail, the report text.
#include "agent/cli/why_report.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace podagent {
namespace {

TEST(WhyReport, ExitSignalName) {
  EXPECT_EQ(ExitSignalName(137), "SIGKILL");
  EXPECT_EQ(ExitSignalName(143), "SIGTERM");
  EXPECT_EQ(ExitSignalName(130), "SIGINT");
  EXPECT_EQ(ExitSignalName(128), "");
  EXPECT_EQ(ExitSignalName(3), "");
  EXPECT_EQ(ExitSignalName(0), "");
  EXPECT_EQ(ExitSignalName(255), "");
}

TEST(WhyReport, LastLines) {
  EXPECT_EQ(LastLines("a\nb\nc\n", 2), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(LastLines("a\nb", 5), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(LastLines("", 3).empty());
}

TEST(WhyReport, OomText) {
  WhyReport r;
  r.status.set_id("cid");
  r.status.mutable_metadata()->set_name("hog");
  r.status.set_state(::runtime::v1::CONTAINER_EXITED);
  r.status.set_exit_code(137);
  r.status.set_reason("OOMKilled");
  r.status.set_log_path("/l");
  r.memory = {{"limitBytes", 10485760u}, {"peakBytes", 10485760u}, {"cgroupVersion", 1}};
  r.log_tail = {"x"};
  std::string s = WhyText(r);
  for (const char* want : {"exit code  137 (128 + 9: killed by SIGKILL)", "reason     OOMKilled",
                           "limit 10485760 bytes (10.0 MiB), peak 10485760 bytes", "  x\n"}) {
    EXPECT_TRUE(absl::StrContains(s, want)) << want << " in\n" << s;
  }
  nlohmann::json j = WhyJson(r);
  EXPECT_EQ(j["signal"], "SIGKILL");
  EXPECT_EQ(j["exitCode"], 137);
}

}  // namespace
}  // namespace podagent
