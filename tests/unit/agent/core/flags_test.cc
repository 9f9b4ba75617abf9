#include "agent/flags.h"

#include <gtest/gtest.h>

namespace podagent {
namespace {

TEST(FlagsTest, ValuesInBothForms) {
  auto f = ParseFlags({"--config", "/etc/x.yaml", "--socket=/tmp/s.sock", "--root-dir", "/r", "--run-dir=/u",
                       "--log-level", "debug", "--log-format", "json", "--metrics-listen", "127.0.0.1:1"});
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->config_path, "/etc/x.yaml");
  EXPECT_TRUE(f->config_given);
  EXPECT_EQ(*f->socket, "/tmp/s.sock");
  EXPECT_EQ(*f->root_dir, "/r");
  EXPECT_EQ(*f->run_dir, "/u");
  EXPECT_EQ(*f->log_level, "debug");
  EXPECT_EQ(*f->log_format, "json");
  EXPECT_EQ(*f->metrics_listen, "127.0.0.1:1");
}

TEST(FlagsTest, DefaultConfigPathIsNotExplicit) {
  auto f = ParseFlags({});
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->config_path, "/etc/podagent/podagent.yaml");
  EXPECT_FALSE(f->config_given);
}

TEST(FlagsTest, UnknownFlagAndMissingValueAreErrors) {
  EXPECT_FALSE(ParseFlags({"--frobnicate"}).ok());
  EXPECT_FALSE(ParseFlags({"--socket"}).ok());
}

TEST(FlagsTest, SubcommandKeepsItsWords) {
  auto f = ParseFlags({"--root-dir", "/r", "image", "import", "/tmp/x.tar"});
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->subcommand, (std::vector<std::string>{"image", "import", "/tmp/x.tar"}));
}

TEST(FlagsTest, HelpAndVersion) {
  EXPECT_TRUE(ParseFlags({"--help"})->help);
  EXPECT_TRUE(ParseFlags({"--version"})->version);
}

}  // namespace
}  // namespace podagent
