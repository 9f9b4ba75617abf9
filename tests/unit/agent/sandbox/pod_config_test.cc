#include "agent/sandbox/pod_config.h"

#include "gtest/gtest.h"

namespace podagent {
namespace {

cri::PodSandboxConfig Valid() {
  cri::PodSandboxConfig c;
  c.mutable_metadata()->set_name("web");
  c.mutable_metadata()->set_namespace_("default");
  c.mutable_metadata()->set_uid("uid-1");
  c.mutable_metadata()->set_attempt(2);
  c.set_hostname("web-0");
  c.set_log_directory("/var/log/pods/default_web_uid-1");
  (*c.mutable_labels())["app"] = "web";
  (*c.mutable_annotations())["note"] = "x";
  auto* dns = c.mutable_dns_config();
  dns->add_servers("10.96.0.10");
  dns->add_searches("default.svc.cluster.local");
  dns->add_options("ndots:5");
  auto* pm = c.add_port_mappings();
  pm->set_protocol(cri::UDP);
  pm->set_container_port(53);
  pm->set_host_port(5353);
  auto* unmapped = c.add_port_mappings();
  unmapped->set_container_port(80);
  (*c.mutable_linux()->mutable_sysctls())["net.ipv4.ip_forward"] = "1";
  c.mutable_linux()->mutable_security_context()->mutable_namespace_options()->set_pid(cri::CONTAINER);
  return c;
}

Config Cfg() {
  Config cfg;
  cfg.runtime_handlers = {"", "runc"};
  cfg.cgroup_parent = "/podagent";
  return cfg;
}

TEST(PodConfig, ConvertsEverything) {
  auto r = PodRecordFromConfig(Valid(), "runc", Cfg());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->name, "web");
  EXPECT_EQ(r->namespace_, "default");
  EXPECT_EQ(r->uid, "uid-1");
  EXPECT_EQ(r->attempt, 2u);
  EXPECT_EQ(r->NameKey(), "web_default_uid-1_2");
  EXPECT_EQ(r->hostname, "web-0");
  EXPECT_EQ(r->runtime_handler, "runc");
  EXPECT_EQ(r->labels.at("app"), "web");
  EXPECT_EQ(r->annotations.at("note"), "x");
  EXPECT_TRUE(r->dns.given);
  EXPECT_EQ(r->dns.servers, std::vector<std::string>{"10.96.0.10"});
  ASSERT_EQ(r->port_mappings.size(), 1u) << "mappings without a host port are not for CNI";
  EXPECT_EQ(r->port_mappings[0].protocol, "udp");
  EXPECT_EQ(r->port_mappings[0].host_port, 5353);
  EXPECT_EQ(r->net_mode, NsMode::kPod);
  EXPECT_EQ(r->pid_mode, NsMode::kContainer);
  EXPECT_EQ(r->cgroup_parent, "/podagent") << "the configured default";
  EXPECT_EQ(r->state, PodState::kCreating);
}

TEST(PodConfig, NoNamespaceOptionsMeansPodModes) {
  cri::PodSandboxConfig c = Valid();
  c.mutable_linux()->clear_security_context();
  auto r = PodRecordFromConfig(c, "", Cfg());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->pid_mode, NsMode::kPod) << "protobuf default 0 is POD";
  EXPECT_EQ(r->ipc_mode, NsMode::kPod);
}

TEST(PodConfig, CgroupParentFromRequest) {
  cri::PodSandboxConfig c = Valid();
  c.mutable_linux()->set_cgroup_parent("/kubepods/burstable/poduid-1");
  EXPECT_EQ(PodRecordFromConfig(c, "", Cfg())->cgroup_parent, "/kubepods/burstable/poduid-1");
  c.mutable_linux()->set_cgroup_parent("kubepods-burstable.slice");
  EXPECT_TRUE(absl::IsInvalidArgument(PodRecordFromConfig(c, "", Cfg()).status()));
  c.mutable_linux()->set_cgroup_parent("/kubepods/../../etc");
  EXPECT_TRUE(absl::IsInvalidArgument(PodRecordFromConfig(c, "", Cfg()).status()));
}

TEST(PodConfig, BadInputIsInvalidArgumentNamingTheField) {
  struct Case {
    const char* what;
    std::function<void(cri::PodSandboxConfig&)> mutate;
    const char* expect_in_message;
  };
  std::vector<Case> cases = {
      {"no metadata", [](auto& c) { c.clear_metadata(); }, "no metadata"},
      {"empty name", [](auto& c) { c.mutable_metadata()->set_name(""); }, "metadata.name"},
      {"empty namespace", [](auto& c) { c.mutable_metadata()->set_namespace_(""); }, "metadata.namespace"},
      {"empty uid", [](auto& c) { c.mutable_metadata()->set_uid(""); }, "metadata.uid"},
      {"huge name", [](auto& c) { c.mutable_metadata()->set_name(std::string(300, 'a')); }, "longer than"},
      {"slash in name", [](auto& c) { c.mutable_metadata()->set_name("a/b"); }, "metadata.name"},
      {"long hostname", [](auto& c) { c.set_hostname(std::string(65, 'h')); }, "hostname"},
      {"bad hostname", [](auto& c) { c.set_hostname("a b"); }, "hostname"},
      {"huge annotations", [](auto& c) { (*c.mutable_annotations())["big"] = std::string(300000, 'x'); }, "annotations"},
      {"relative log dir", [](auto& c) { c.set_log_directory("logs"); }, "log_directory"},
      {"node sysctl", [](auto& c) { (*c.mutable_linux()->mutable_sysctls())["kernel.panic"] = "1"; }, "kernel.panic"},
      {"net sysctl on host network",
       [](auto& c) { c.mutable_linux()->mutable_security_context()->mutable_namespace_options()->set_network(cri::NODE); },
       "net.ipv4.ip_forward"},
      {"bad port", [](auto& c) { c.mutable_port_mappings(0)->set_container_port(70000); }, "out of range"},
      {"dns newline", [](auto& c) { c.mutable_dns_config()->add_searches("a\nnameserver 1.2.3.4"); }, "dns"},
      {"target pid", [](auto& c) { c.mutable_linux()->mutable_security_context()->mutable_namespace_options()->set_pid(cri::TARGET); }, "TARGET"},
  };
  for (const Case& tc : cases) {
    cri::PodSandboxConfig c = Valid();
    tc.mutate(c);
    auto r = PodRecordFromConfig(c, "", Cfg());
    EXPECT_TRUE(absl::IsInvalidArgument(r.status())) << tc.what << ": " << r.status();
    EXPECT_NE(r.status().message().find(tc.expect_in_message), std::string::npos) << tc.what << ": " << r.status();
  }
}

TEST(PodConfig, UnknownRuntimeHandler) {
  auto r = PodRecordFromConfig(Valid(), "kata", Cfg());
  EXPECT_TRUE(absl::IsInvalidArgument(r.status()));
  EXPECT_NE(r.status().message().find("\"kata\""), std::string::npos) << r.status();
}

TEST(PodConfig, OomScoreAdjRequest) {
  cri::PodSandboxConfig c = Valid();
  EXPECT_FALSE(RequestedOomScoreAdj(c).has_value());
  c.mutable_linux()->mutable_resources()->set_oom_score_adj(-998);
  EXPECT_EQ(RequestedOomScoreAdj(c), -998);
}

TEST(PodRecord, JsonRoundTrip) {
  auto r = PodRecordFromConfig(Valid(), "runc", Cfg());
  ASSERT_TRUE(r.ok());
  r->id = std::string(64, 'a');
  r->pause = {1234, 99};
  r->ips = {"10.88.0.5", "fd00::5"};
  r->oom_score_adj = 0;
  r->state = PodState::kReady;
  r->network_setup = true;
  auto back = PodRecord::FromJson(r->ToJson());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->ToJson(), r->ToJson());
  EXPECT_TRUE(absl::IsDataLoss(PodRecord::FromJson(nlohmann::json::parse(R"({"id":"x"})")).status()));
}

}  // namespace
}  // namespace podagent
