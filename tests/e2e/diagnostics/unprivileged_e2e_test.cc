// E2E: `podagent ns` and `podagent top` run as an unprivileged user (uid/gid 65534, no groups,
// through util-linux's setpriv) who may use the daemon's socket but has no ptrace access to the
// pod's processes, so cannot read their /proc/PID/ns or root. The daemon reads those facts and
// returns them in the verbose info of PodSandboxStatus / ContainerStatus (issue 15: "they work
// without root access to /proc of other users where the socket's permissions allow"). The output
// is checked against /proc, the cgroup files and the container's /etc/passwd read here as root.
#include <sys/stat.h>

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

constexpr char kNobody[] = "65534";

using Result = CommandResult;

// A field of /proc/PID/status read here; fails the test when absent or unreadable.
std::vector<std::string> StatusField(int pid, const std::string& key) {
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

// The name of `uid` in the /etc/passwd that process `pid` sees, read here as root; the number
// when that root has no passwd file.
std::string PasswdName(int pid, int uid) {
  auto text = ReadFile(absl::StrCat("/proc/", pid, "/root/etc/passwd"));
  if (!text.ok()) {
    EXPECT_EQ(text.status().code(), absl::StatusCode::kNotFound) << text.status();
    return absl::StrCat(uid);
  }
  for (absl::string_view line : absl::StrSplit(*text, '\n', absl::SkipEmpty())) {
    std::vector<std::string> f = absl::StrSplit(line, ':');
    if (f.size() >= 4 && f[2] == absl::StrCat(uid)) return f[0];
  }
  return absl::StrCat(uid);
}

class UnprivilegedDiagE2E : public testing::ContainerE2E {
 protected:
  UnprivilegedDiagE2E() : ContainerE2E("podagent-dgu", 200) {}

  // The socket usable by every user: its directory (this test's temp dir) traversable, the
  // socket itself read-write for all.
  void SetUp() override {
    ContainerE2E::SetUp();
    ASSERT_FALSE(HasFatalFailure());
    ASSERT_EQ(::chmod(daemon_->dir().path().c_str(), 0711), 0) << daemon_->dir().path();
    ASSERT_EQ(::chmod(daemon_->socket().c_str(), 0666), 0) << daemon_->socket();
  }

  // `argv` run as uid/gid 65534 without supplementary groups; stdout and stderr apart.
  Result AsNobody(std::vector<std::string> argv) {
    argv.insert(argv.begin(), {"/usr/bin/setpriv", absl::StrCat("--reuid=", kNobody), absl::StrCat("--regid=", kNobody),
                               "--clear-groups", "--"});
    Result r = testing::RunArgv(argv);
    EXPECT_EQ(r.signal, 0) << argv[5] << " died: signal " << r.signal;
    EXPECT_NE(r.exit_code, -1) << r.err;
    return r;
  }

  // `podagent --socket <the daemon's socket> ARGS... --json` as uid 65534, parsed.
  nlohmann::json CliJsonAsNobody(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {testing::BinDir() + "/podagent", "--socket", daemon_->socket()};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--json");
    Result r = AsNobody(argv);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_TRUE(j.is_object()) << r.out << r.err;
    return j;
  }

  // The proof that uid 65534 cannot read the pod's namespaces itself (else this suite would not
  // show that the CLI no longer needs to): readlink of /proc/PID/ns/net fails for it.
  void ExpectNobodyCannotReadNs(int pid) {
    Result r = AsNobody({"/bin/readlink", absl::StrCat("/proc/", pid, "/ns/net")});
    EXPECT_NE(r.exit_code, 0) << "uid 65534 read /proc/" << pid << "/ns/net: " << r.out;
  }

  std::set<int> CgroupProcs(const std::string& path) {
    auto cgroups = CgroupDriver::Detect();
    EXPECT_TRUE(cgroups.ok()) << cgroups.status();
    if (!cgroups.ok()) return {};
    auto text = ReadFile((*cgroups)->Dir(path, "memory") + "/cgroup.procs");
    EXPECT_TRUE(text.ok()) << text.status();
    std::set<int> out;
    for (absl::string_view l : absl::StrSplit(text.ok() ? *text : "", '\n', absl::SkipEmpty())) {
      int pid = 0;
      EXPECT_TRUE(absl::SimpleAtoi(l, &pid)) << l;
      out.insert(pid);
    }
    return out;
  }

  std::string PodCgroup(const std::string& pod) {
    cri::PodSandboxStatusResponse r;
    EXPECT_TRUE(client_->PodStatus(pod, true, &r).ok());
    return nlohmann::json::parse(r.info().at("info"))["cgroupPath"].get<std::string>();
  }
};

// Every cell is the kernel's inode of that process (read here as root); ipc and net are the
// pause's, marked shared; pid, mnt and uts are each process's own; the host marks and the host
// column are PID 1's.
TEST_F(UnprivilegedDiagE2E, NsWithoutPtraceAccess) {
  std::string pod = RunPod("nobodyns");
  int pause = PausePid(pod);
  std::string app = Run(pod, Sh("app", "sleep 300"));
  std::string side = Run(pod, Sh("side", "sleep 300"));
  std::map<std::string, int> pids = {
      {"pause", pause}, {"app", Info(app)["pid"].get<int>()}, {"side", Info(side)["pid"].get<int>()}};
  for (const auto& [name, pid] : pids) ASSERT_GT(pid, 0) << name;
  ExpectNobodyCannotReadNs(pause);

  nlohmann::json j = CliJsonAsNobody({"ns", pod});
  EXPECT_EQ(j["notes"], nlohmann::json::array()) << j.dump();
  testing::ExpectNsJsonIsTheKernels(j, pids, pause);
}

// Host pids equal each cgroup's cgroup.procs; nsPids and uid equal /proc/PID/status; the user
// is the name in the container's own /etc/passwd (root for busybox's uid 0), all read here.
TEST_F(UnprivilegedDiagE2E, TopWithoutPtraceAccess) {
  std::string pod = RunPod("nobodytop");
  std::string app = Run(pod, Sh("app", "sleep 300 & sleep 301 & wait"));
  std::string side = Run(pod, Sh("side", "exec sleep 302"));
  std::map<std::string, std::string> paths = {{"pause", PodCgroup(pod) + "/pause"},
                                              {"app", Info(app)["cgroupPath"].get<std::string>()},
                                              {"side", Info(side)["cgroupPath"].get<std::string>()}};
  for (int i = 0; i < 100 && CgroupProcs(paths["app"]).size() < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ExpectNobodyCannotReadNs(Info(app)["pid"].get<int>());

  nlohmann::json j = CliJsonAsNobody({"top", "podagent-test/nobodytop"});
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["notes"], nlohmann::json::array()) << j.dump();
  std::map<std::string, std::set<int>> listed;
  for (const auto& row : j["processes"]) {
    int host = row["hostPid"].get<int>();
    listed[row["container"].get<std::string>()].insert(host);
    std::vector<int> nspid;
    for (const auto& p : StatusField(host, "NSpid")) nspid.push_back(std::stoi(p));
    ASSERT_FALSE(nspid.empty()) << host;
    EXPECT_EQ(row["nsPids"], nlohmann::json(nspid)) << row;
    EXPECT_EQ(row["pid"], nspid.back()) << row;
    int uid = std::stoi(StatusField(host, "Uid").at(1));
    EXPECT_EQ(row["uid"], uid) << row;
    EXPECT_EQ(row["user"], PasswdName(host, uid)) << row;
    if (row["container"] != "pause") {
      EXPECT_EQ(row["user"], "root") << row << ": busybox's passwd names uid 0";
    }
  }
  for (const auto& [name, path] : paths) {
    EXPECT_EQ(listed[name], CgroupProcs(path)) << name << ": top's host pids against " << path << "/cgroup.procs";
  }
  EXPECT_EQ(listed["app"].size(), 3u);
}

}  // namespace
}  // namespace podagent
