// E2E: the diagnostics subcommands `podagent ns`, `why`, `cgroup` and `top` (agent/cli/), run as
// the real binary against the real daemon (`podagent --config <daemon's config> ...`), checked
// against what this test reads from the kernel itself: /proc/PID/ns/* of the pause, the
// containers and PID 1, /proc/PID/status and cmdline, the cgroup files of the pod, the pause and
// the containers (cgroup.procs, memory, cpu, pids), and the CRI log file.

#include <algorithm>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/common/files.h"
#include "tests/e2e/container/container_e2e_fixture.h"
#include "tests/lib/ns_inode.h"
#include "tests/lib/paths.h"
#include "tests/lib/shell.h"
#include "tests/e2e/diagnostics/ns_json_check.h"

namespace podagent {
namespace {

using testing::HostNsInode;
using testing::ReadNsInode;
namespace cri = ::runtime::v1;

using CliResult = CommandResult;

class DiagnosticsE2E : public testing::ContainerE2E {
 protected:
  DiagnosticsE2E() : ContainerE2E("podagent-diag", 200) {}

  // `podagent --config <the daemon's config> ARGS...`, stdout and stderr apart.
  CliResult Cli(std::vector<std::string> args, const std::vector<std::string>& flags = {}) {
    std::vector<std::string> argv = {testing::BinDir() + "/podagent", "--config", daemon_->config_path()};
    argv.insert(argv.end(), flags.begin(), flags.end());
    argv.insert(argv.end(), args.begin(), args.end());
    CliResult r = testing::RunArgv(argv);
    EXPECT_EQ(r.signal, 0) << "podagent died: signal " << r.signal;
    EXPECT_NE(r.exit_code, -1) << r.err;
    return r;
  }

  nlohmann::json CliJson(const std::vector<std::string>& args) {
    CliResult r = Cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out;
    return j;
  }

  // One line on stderr, nothing on stdout, exit code 1.
  void ExpectOneLineError(const CliResult& r, const std::string& must_contain) {
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_TRUE(absl::EndsWith(r.err, "\n") && r.err.find('\n') == r.err.size() - 1) << "not one line: " << r.err;
    EXPECT_TRUE(absl::StrContains(r.err, must_contain)) << r.err;
  }

  // A file of the cgroup at `path` (relative to the hierarchy roots) in `controller`'s
  // hierarchy, read by the test; fails the test when unreadable.
  std::string CgroupFile(const std::string& path, const std::string& controller, const std::string& file) {
    auto cgroups = CgroupDriver::Detect();
    EXPECT_TRUE(cgroups.ok()) << cgroups.status();
    if (!cgroups.ok()) return "";
    auto text = ReadFile((*cgroups)->Dir(path, controller) + "/" + file);
    EXPECT_TRUE(text.ok()) << text.status();
    return text.ok() ? std::string(absl::StripAsciiWhitespace(*text)) : "";
  }
  uint64_t CgroupNumber(const std::string& path, const std::string& controller, const std::string& file) {
    std::string text = CgroupFile(path, controller, file);
    uint64_t v = 0;
    EXPECT_TRUE(absl::SimpleAtoi(text, &v)) << path << " " << file << ": " << text;
    return v;
  }
  bool V2() {
    auto cgroups = CgroupDriver::Detect();
    EXPECT_TRUE(cgroups.ok()) << cgroups.status();
    return cgroups.ok() && (*cgroups)->IsV2();
  }

  // The container's memory cgroup file, read by the test; fails the test when unreadable.
  uint64_t MemoryFile(const std::string& id, const std::string& v1_name, const std::string& v2_name) {
    return CgroupNumber(Info(id)["cgroupPath"].get<std::string>(), "memory", V2() ? v2_name : v1_name);
  }

  std::string PodCgroup(const std::string& pod) {
    cri::PodSandboxStatusResponse r;
    EXPECT_TRUE(client_->PodStatus(pod, true, &r).ok());
    return nlohmann::json::parse(r.info().at("info"))["cgroupPath"].get<std::string>();
  }

  // The last `n` lines of the container's CRI log file, read by the test.
  std::vector<std::string> LogTail(const std::string& id, size_t n) {
    auto text = ReadFile(Status(id).status().log_path());
    EXPECT_TRUE(text.ok()) << text.status();
    if (!text.ok()) return {};
    std::vector<std::string> lines = absl::StrSplit(absl::StripTrailingAsciiWhitespace(*text), '\n');
    if (lines.size() > n) lines.erase(lines.begin(), lines.end() - static_cast<std::ptrdiff_t>(n));
    return lines;
  }
};

// The table's cells against /proc read here: every cell is the kernel's inode of that process;
// containers share the pause's ipc and net (marked shared), each has its own pid, mnt and uts
// (not shared); none of these is the host's, while the host column is PID 1's.
TEST_F(DiagnosticsE2E, NsTableIsTheKernels) {
  std::string pod = RunPod("nspod");
  int pause = PausePid(pod);
  std::string app = Run(pod, Sh("app", "sleep 300"));
  std::string side = Run(pod, Sh("side", "sleep 300"));
  std::map<std::string, int> pids = {
      {"pause", pause}, {"app", Info(app)["pid"].get<int>()}, {"side", Info(side)["pid"].get<int>()}};
  for (const auto& [name, pid] : pids) ASSERT_GT(pid, 0) << name;

  for (const std::string& query : {std::string("podagent-test/nspod"), pod.substr(0, 10), pod}) {
    SCOPED_TRACE(query);
    nlohmann::json j = CliJson({"ns", query, "--json"});
    testing::ExpectNsJsonIsTheKernels(j, pids, pause);
    EXPECT_EQ(j["pod"]["id"], pod);
  }

  // The text table: a header naming each column with its pid, and the net row giving the
  // pause's inode, marked shared, once per column.
  CliResult text = Cli({"ns", pod.substr(0, 12)});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  std::cout << text.out;  // for whoever reads the test log
  std::vector<std::string> lines = absl::StrSplit(text.out, '\n');
  ASSERT_GE(lines.size(), 3u) << text.out;
  std::vector<std::string> header = absl::StrSplit(lines[1], "  ", absl::SkipWhitespace());
  ASSERT_EQ(header.size(), 5u) << lines[1];
  EXPECT_EQ(absl::StripAsciiWhitespace(header[1]), absl::StrCat("pause (", pause, ")")) << lines[1];
  EXPECT_EQ(absl::StripAsciiWhitespace(header[2]), absl::StrCat("app (", pids["app"], ")")) << lines[1];
  EXPECT_EQ(absl::StripAsciiWhitespace(header[3]), absl::StrCat("side (", pids["side"], ")")) << lines[1];
  std::string net_row;
  for (const auto& l : lines) {
    if (absl::StartsWith(l, "net ")) net_row = l;
  }
  std::string cell = absl::StrCat(ReadNsInode(pause, "net"), " shared");
  size_t count = 0;
  for (size_t at = net_row.find(cell); at != std::string::npos; at = net_row.find(cell, at + 1)) ++count;
  EXPECT_EQ(count, 3u) << net_row;
}

// An OOM kill: exit code 137 = 128 + SIGKILL, reason OOMKilled, the limit the CRI asked (and the
// cgroup file holds), the peak the kernel kept, and the log line written before the hog.
TEST_F(DiagnosticsE2E, WhyOomKilled) {
  std::string pod = RunPod("oompod");
  auto c = Sh("hog", "echo before-the-hog; x=$(head -c 104857600 /dev/zero | tr '\\0' a); echo survived");
  c.mutable_linux()->mutable_resources()->set_memory_limit_in_bytes(10 << 20);
  c.mutable_linux()->mutable_resources()->set_memory_swap_limit_in_bytes(10 << 20);
  std::string id = Run(pod, c);
  ASSERT_EQ(WaitExited(id).exit_code(), 137);

  nlohmann::json j = CliJson({"why", id.substr(0, 12), "--json"});
  EXPECT_EQ(j["id"], id);
  EXPECT_EQ(j["state"], "exited");
  EXPECT_EQ(j["exitCode"], 137);
  EXPECT_EQ(j["signal"], "SIGKILL");
  EXPECT_EQ(j["reason"], "OOMKilled");
  ASSERT_TRUE(j["memory"].is_object()) << j.dump();
  EXPECT_EQ(j["memory"]["limitBytes"], 10 << 20) << "what the CRI asked";
  EXPECT_EQ(j["memory"]["limitBytes"], MemoryFile(id, "memory.limit_in_bytes", "memory.max"));
  if (j["memory"].contains("peakBytes")) {
    EXPECT_EQ(j["memory"]["peakBytes"], MemoryFile(id, "memory.max_usage_in_bytes", "memory.peak"));
  }
  EXPECT_EQ(j["logTail"], nlohmann::json(LogTail(id, 10)));
  EXPECT_TRUE(absl::StrContains(j["logTail"].dump(), "before-the-hog")) << j.dump();

  CliResult text = Cli({"why", id});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  std::cout << text.out;
  for (const char* want : {"OOMKilled", "137", "SIGKILL", "limit 10485760 bytes", "before-the-hog"}) {
    EXPECT_TRUE(absl::StrContains(text.out, want)) << want << " in\n" << text.out;
  }
}

// A plain `exit 3`: exit code 3, no signal, and exactly the last 10 lines of its log.
TEST_F(DiagnosticsE2E, WhyExitCodeAndLogTail) {
  std::string pod = RunPod("exitpod");
  std::string id = Run(pod, Sh("three", "i=1; while [ $i -le 15 ]; do echo line$i; i=$((i+1)); done; exit 3"));
  ASSERT_EQ(WaitExited(id).exit_code(), 3);
  nlohmann::json j = CliJson({"why", id, "--json"});
  EXPECT_EQ(j["exitCode"], 3);
  EXPECT_TRUE(j["signal"].is_null()) << j.dump();
  EXPECT_EQ(j["reason"], "Error");
  std::vector<std::string> tail = LogTail(id, 10);
  ASSERT_EQ(tail.size(), 10u);
  EXPECT_TRUE(absl::EndsWith(tail.front(), " line6")) << tail.front();
  EXPECT_TRUE(absl::EndsWith(tail.back(), " line15")) << tail.back();
  EXPECT_EQ(j["logTail"], nlohmann::json(tail));
  CliResult text = Cli({"why", id});
  std::cout << text.out;
  EXPECT_TRUE(absl::StrContains(text.out, "\nexit code  3\n")) << text.out;
  EXPECT_FALSE(absl::StrContains(text.out, "SIG")) << text.out;
}

// A container whose start failed: the error the daemon recorded (ContainerStatus message).
TEST_F(DiagnosticsE2E, WhyStartError) {
  std::string pod = RunPod("failpod");
  std::string id;
  ASSERT_TRUE(client_
                  ->CreateContainer(pod, testing::MakeContainerConfig("nobin", testing::kImage, {"/no/such/binary"}),
                                    pod_configs_[pod], &id)
                  .ok());
  EXPECT_FALSE(client_->StartContainer(id).ok());
  cri::ContainerStatus st = Status(id).status();
  ASSERT_FALSE(st.message().empty()) << st.DebugString();
  nlohmann::json j = CliJson({"why", id, "--json"});
  EXPECT_EQ(j["reason"], st.reason());
  EXPECT_EQ(j["message"], st.message());
  CliResult text = Cli({"why", id});
  EXPECT_TRUE(absl::StrContains(text.out, st.message())) << text.out;
}

// The value of `key` in /proc/PID/status, read by the test ("NSpid", "Uid").
std::vector<std::string> ProcStatusField(int pid, const std::string& key) {
  auto text = ReadFile(absl::StrCat("/proc/", pid, "/status"));
  EXPECT_TRUE(text.ok()) << text.status();
  if (!text.ok()) return {};
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    if (absl::StartsWith(line, key + ":")) {
      return absl::StrSplit(line.substr(key.size() + 1), absl::ByAnyChar(" \t"), absl::SkipEmpty());
    }
  }
  ADD_FAILURE() << "no " << key << " in /proc/" << pid << "/status";
  return {};
}

// The cgroup report against the cgroup files read here: the tree is the pod, the pause and each
// container at the paths the daemon names; the capped container's memory limit, cpu shares (v1)
// or weight (v2) and quota/period are what the CRI asked and what the files hold; usage, pids and
// OOM kills equal the files.
TEST_F(DiagnosticsE2E, CgroupReportIsTheKernels) {
  std::string pod = RunPod("cgpod");
  auto capped = Sh("capped", "sleep 300");
  auto* res = capped.mutable_linux()->mutable_resources();
  res->set_memory_limit_in_bytes(64 << 20);
  res->set_cpu_shares(512);
  res->set_cpu_quota(50000);
  res->set_cpu_period(100000);
  std::string cid = Run(pod, capped);
  std::string plain = Run(pod, Sh("plain", "sleep 300"));
  std::string pod_path = PodCgroup(pod), cpath = Info(cid)["cgroupPath"].get<std::string>();
  bool v2 = V2();

  nlohmann::json j = CliJson({"cgroup", "podagent-test/cgpod", "--json"});
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["pod"]["id"], pod);
  EXPECT_EQ(j["cgroupVersion"], v2 ? 2 : 1);
  EXPECT_EQ(j["driver"], "cgroupfs");
  ASSERT_EQ(j["cgroups"].size(), 4u) << j.dump(2);
  EXPECT_EQ(j["cgroups"][0]["name"], "pod");
  EXPECT_EQ(j["cgroups"][0]["path"], pod_path);
  EXPECT_EQ(j["cgroups"][1]["name"], "pause");
  EXPECT_EQ(j["cgroups"][1]["path"], pod_path + "/pause");
  EXPECT_EQ(j["cgroups"][2]["containerId"], cid);
  EXPECT_EQ(j["cgroups"][2]["path"], cpath);
  EXPECT_EQ(j["cgroups"][3]["containerId"], plain);
  EXPECT_EQ(j["cgroups"][3]["path"], Info(plain)["cgroupPath"]);

  const nlohmann::json& c = j["cgroups"][2];
  EXPECT_EQ(c["memory"]["limitBytes"], 64 << 20) << "what the CRI asked";
  EXPECT_EQ(c["memory"]["limitBytes"], CgroupNumber(cpath, "memory", v2 ? "memory.max" : "memory.limit_in_bytes"));
  EXPECT_GT(c["memory"]["usageBytes"].get<uint64_t>(), 0u);
  EXPECT_EQ(c["memory"]["oomKills"], 0);
  EXPECT_EQ(c["cpu"]["quotaUs"], 50000);
  EXPECT_EQ(c["cpu"]["periodUs"], 100000);
  if (v2) {
    EXPECT_EQ(c["cpu"]["weight"], CgroupNumber(cpath, "cpu", "cpu.weight"));
    EXPECT_EQ(CgroupFile(cpath, "cpu", "cpu.max"), "50000 100000");
    EXPECT_FALSE(c["cpu"].contains("shares"));
  } else {
    EXPECT_EQ(c["cpu"]["shares"], 512) << "what the CRI asked";
    EXPECT_EQ(c["cpu"]["shares"], CgroupNumber(cpath, "cpu", "cpu.shares"));
    EXPECT_EQ(CgroupNumber(cpath, "cpu", "cpu.cfs_quota_us"), 50000u);
    EXPECT_EQ(CgroupNumber(cpath, "cpu", "cpu.cfs_period_us"), 100000u);
  }
  EXPECT_EQ(c["cpuset"]["cpus"], CgroupFile(cpath, "cpuset", "cpuset.cpus"));
  if (c["pids"].contains("current")) {
    EXPECT_EQ(c["pids"]["current"], CgroupNumber(cpath, "pids", "pids.current"));
  }
  for (const auto& node : j["cgroups"]) {
    EXPECT_TRUE(absl::StrContains(node["dirs"][0].get<std::string>(), node["path"].get<std::string>())) << node;
  }

  CliResult text = Cli({"cgroup", pod.substr(0, 12)});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  std::cout << text.out;
  EXPECT_TRUE(absl::StrContains(text.out, v2 ? "CPU WEIGHT" : "CPU SHARES")) << text.out;
  std::string row;
  for (absl::string_view l : absl::StrSplit(text.out, '\n')) {
    if (absl::StartsWith(l, "|- capped ")) row = std::string(l);
  }
  for (const char* want : {"64.0Mi", "50000/100000", v2 ? "" : " 512 "}) {
    EXPECT_TRUE(absl::StrContains(row, want)) << want << " in the capped row: " << row;
  }
}

// `top` against each cgroup's cgroup.procs and each process's /proc/PID/status, read here: the
// host pids are exactly the cgroups' processes, NSpid is the kernel's, the pid inside is its last
// entry (1 for the pause and for each container's main process), the command is its cmdline.
TEST_F(DiagnosticsE2E, TopIsTheCgroupsProcesses) {
  std::string pod = RunPod("toppod");
  std::string app = Run(pod, Sh("app", "sleep 300 & sleep 301 & wait"));
  std::string side = Run(pod, Sh("side", "exec sleep 302"));
  std::string pod_path = PodCgroup(pod);
  std::map<std::string, std::string> paths = {{"pause", pod_path + "/pause"},
                                              {"app", Info(app)["cgroupPath"].get<std::string>()},
                                              {"side", Info(side)["cgroupPath"].get<std::string>()}};
  // The shell forks its two sleeps after it starts: wait until the cgroup holds all three.
  auto procs = [&](const std::string& name) {
    std::set<int> out;
    for (absl::string_view l :
         absl::StrSplit(CgroupFile(paths[name], "memory", "cgroup.procs"), '\n', absl::SkipEmpty())) {
      out.insert(std::stoi(std::string(l)));
    }
    return out;
  };
  for (int i = 0; i < 100 && procs("app").size() < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));

  nlohmann::json j = CliJson({"top", pod, "--json"});
  ASSERT_TRUE(j.is_object());
  std::map<std::string, std::set<int>> listed;
  for (const auto& row : j["processes"]) {
    int host = row["hostPid"].get<int>();
    listed[row["container"].get<std::string>()].insert(host);
    std::vector<std::string> nspid = ProcStatusField(host, "NSpid");
    ASSERT_FALSE(nspid.empty());
    std::vector<int> want;
    for (const auto& p : nspid) want.push_back(std::stoi(p));
    EXPECT_EQ(row["nsPids"], nlohmann::json(want)) << row;
    EXPECT_EQ(row["pid"], want.back()) << row;
    EXPECT_EQ(row["uid"], std::stoi(ProcStatusField(host, "Uid").at(1))) << row;
    auto cmdline = ReadFile(absl::StrCat("/proc/", host, "/cmdline"));
    ASSERT_TRUE(cmdline.ok());
    std::string cmd = *cmdline;
    while (!cmd.empty() && cmd.back() == '\0') cmd.pop_back();
    std::replace(cmd.begin(), cmd.end(), '\0', ' ');
    EXPECT_EQ(row["command"], cmd) << row;
  }
  for (const auto& [name, path] : paths) {
    EXPECT_EQ(listed[name], procs(name)) << name << ": top's host pids against " << path << "/cgroup.procs";
  }
  EXPECT_EQ(listed["app"].size(), 3u);
  auto pid_inside = [&](int host) {
    for (const auto& row : j["processes"]) {
      if (row["hostPid"] == host) return row["pid"].get<int>();
    }
    return -1;
  };
  EXPECT_EQ(pid_inside(PausePid(pod)), 1);
  EXPECT_EQ(pid_inside(Info(app)["pid"].get<int>()), 1);
  EXPECT_EQ(pid_inside(Info(side)["pid"].get<int>()), 1);

  CliResult text = Cli({"top", "podagent-test/toppod"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  std::cout << text.out;
  std::vector<std::string> side_row;
  for (absl::string_view l : absl::StrSplit(text.out, '\n')) {
    if (absl::StartsWith(l, "side ")) side_row = absl::StrSplit(l, ' ', absl::SkipEmpty());
  }
  ASSERT_GE(side_row.size(), 6u) << text.out;
  EXPECT_EQ(side_row[1], "1") << "pid inside";
  EXPECT_EQ(side_row[2], absl::StrCat(Info(side)["pid"].get<int>())) << "pid on the host";
  EXPECT_EQ(side_row[5], "sleep") << text.out;
  EXPECT_TRUE(absl::StrContains(text.out, "sleep 301")) << text.out;
}

// Unknown and ambiguous names, an unreachable daemon: one line on stderr, exit code 1.
TEST_F(DiagnosticsE2E, ErrorsAreOneLineAndExitOne) {
  ExpectOneLineError(Cli({"ns", "no-such/pod"}), "no-such/pod");
  ExpectOneLineError(Cli({"ns", "ffffffffffff"}), "not found");
  ExpectOneLineError(Cli({"why", "ffffffffffff"}), "not found");
  ExpectOneLineError(Cli({"cgroup", "no-such/pod"}), "no-such/pod");
  ExpectOneLineError(Cli({"top", "ffffffffffff"}), "not found");

  // Two attempts of one pod, both ready: namespace/name is ambiguous.
  std::string first = RunPod("twice");
  cri::PodSandboxConfig again = testing::MakePodConfig("twice", logs_ + "/twice1");
  again.mutable_metadata()->set_attempt(1);
  std::string second;
  ASSERT_TRUE(client_->RunPod(again, &second).ok());
  ExpectOneLineError(Cli({"ns", "podagent-test/twice"}), "ambiguous");

  // Containers until two ids share their first hex digit: that digit is an ambiguous prefix.
  std::map<char, std::string> by_digit;
  std::string prefix;
  for (int i = 0; i < 17 && prefix.empty(); ++i) {
    std::string id;
    ASSERT_TRUE(client_->CreateContainer(first, Sh(absl::StrCat("c", i), "true"), pod_configs_[first], &id).ok());
    if (by_digit.count(id[0])) prefix = id.substr(0, 1);
    by_digit[id[0]] = id;
  }
  ASSERT_FALSE(prefix.empty());
  ExpectOneLineError(Cli({"why", prefix}), "ambiguous");

  std::string absent = daemon_->dir().Sub("absent.sock");
  ExpectOneLineError(Cli({"why", "abc"}, {"--socket", absent}), absent);
  ExpectOneLineError(Cli({"ns", "abc"}, {"--socket", absent}), absent);
  ExpectOneLineError(Cli({"cgroup", "abc"}, {"--socket", absent}), absent);
  ExpectOneLineError(Cli({"top", "abc"}, {"--socket", absent}), absent);
}

}  // namespace
}  // namespace podagent
