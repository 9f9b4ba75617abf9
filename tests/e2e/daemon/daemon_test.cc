// The real podagent binary over its socket: start-up, config errors, signals, the socket's owner,
// Version/Status/RuntimeConfig, and that malformed requests never crash it.
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

#include <grpcpp/generic/generic_stub.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runtime/common/files.h"
#include "runtime/common/ids.h"
#include "runtime/process/run_command.h"
#include "tests/lib/cri_client.h"
#include "tests/lib/daemon_fixture.h"
#include "tests/lib/paths.h"
#include "tests/lib/test_daemon.h"

namespace podagent::testing {
namespace {

using ::testing::HasSubstr;

struct RunResult {
  int exit_code = -1;
  std::string output;
};

// Runs the podagent binary with `args` to completion through the project's own RunCommand (no
// shell, so no quoting), bounded: a podagent that should have refused to start but serves instead
// fails the test at the deadline rather than hanging it. Output is stdout then stderr.
RunResult RunPodagent(const std::vector<std::string>& args) {
  CommandOptions o;
  o.argv = {BinDir() + "/podagent"};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
  o.timeout = absl::Seconds(30);
  RunResult r;
  auto ran = RunCommand(o);
  if (!ran.ok()) {
    r.output = std::string(ran.status().message());
    return r;
  }
  r.exit_code = ran->exit_code;
  r.output = ran->out + ran->err;
  return r;
}

TEST(DaemonE2E, VersionNamesPodagentAndV1) {
  TestDaemon d;
  ASSERT_TRUE(d.Start().ok()) << d.Log();
  CriClient c(d.socket());
  cri::VersionResponse v;
  ASSERT_TRUE(c.Version(&v).ok());
  EXPECT_EQ(v.runtime_name(), "podagent");
  EXPECT_EQ(v.runtime_api_version(), "v1");
  EXPECT_THAT(v.runtime_version(), HasSubstr("0.1.0"));
}

TEST(DaemonE2E, StatusTellsTheTruth) {
  TestDaemon d;
  ASSERT_TRUE(d.Start().ok()) << d.Log();
  CriClient c(d.socket());
  cri::StatusResponse s;
  ASSERT_TRUE(c.Status(false, &s).ok());
  ASSERT_EQ(s.status().conditions_size(), 2);
  const auto& runtime = s.status().conditions(0);
  const auto& network = s.status().conditions(1);
  EXPECT_EQ(runtime.type(), "RuntimeReady");
  EXPECT_TRUE(runtime.status()) << runtime.reason() << ": " << runtime.message();
  // The fixture's CNI conf dir is empty: the network cannot be ready, and Status must say why.
  EXPECT_EQ(network.type(), "NetworkReady");
  EXPECT_FALSE(network.status());
  EXPECT_FALSE(network.reason().empty());
  EXPECT_FALSE(network.message().empty());
  EXPECT_TRUE(s.info().empty());
}

TEST(DaemonE2E, RuntimeNotReadyWhenPauseIsMissing) {
  TestDaemon d;
  ASSERT_TRUE(d.Start("pause_binary: /nonexistent/podagent-pause\n").ok()) << d.Log();
  CriClient c(d.socket());
  cri::StatusResponse s;
  ASSERT_TRUE(c.Status(false, &s).ok());
  EXPECT_FALSE(s.status().conditions(0).status());
  EXPECT_THAT(s.status().conditions(0).message(), HasSubstr("/nonexistent/podagent-pause"));
}

TEST(DaemonE2E, VerboseStatusCarriesEffectiveConfig) {
  TestDaemon d;
  ASSERT_TRUE(d.Start().ok()) << d.Log();
  CriClient c(d.socket());
  cri::StatusResponse s;
  ASSERT_TRUE(c.Status(true, &s).ok());
  ASSERT_TRUE(s.info().count("config"));
  auto j = nlohmann::json::parse(s.info().at("config"));
  EXPECT_EQ(j["socket"], d.socket());
  EXPECT_EQ(j["root_dir"], d.root_dir());
}

TEST(DaemonE2E, RuntimeConfigSaysCgroupfs) {
  TestDaemon d;
  ASSERT_TRUE(d.Start().ok()) << d.Log();
  CriClient c(d.socket());
  cri::RuntimeConfigRequest req;
  cri::RuntimeConfigResponse resp;
  ASSERT_TRUE(c.Call(&cri::RuntimeService::Stub::RuntimeConfig, req, &resp).ok());
  EXPECT_EQ(resp.linux().cgroup_driver(), cri::CgroupDriver::CGROUPFS);
}

TEST(DaemonE2E, UpdateRuntimeConfigChecksTheCidr) {
  TestDaemon d;
  ASSERT_TRUE(d.Start().ok()) << d.Log();
  CriClient c(d.socket());
  cri::UpdateRuntimeConfigRequest req;
  cri::UpdateRuntimeConfigResponse resp;
  req.mutable_runtime_config()->mutable_network_config()->set_pod_cidr("10.88.0.0/16,fd00::/64");
  EXPECT_TRUE(c.Call(&cri::RuntimeService::Stub::UpdateRuntimeConfig, req, &resp).ok());
  req.mutable_runtime_config()->mutable_network_config()->set_pod_cidr("10.88.0.0/33");
  EXPECT_EQ(c.Call(&cri::RuntimeService::Stub::UpdateRuntimeConfig, req, &resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST(DaemonE2E, SocketIsRootOnly0660) {
  TestDaemon d;
  ASSERT_TRUE(d.Start().ok()) << d.Log();
  struct stat st;
  ASSERT_EQ(::stat(d.socket().c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0660u);
  EXPECT_EQ(st.st_uid, 0u);
  EXPECT_EQ(st.st_gid, 0u);
}

TEST(DaemonE2E, SigtermExitsZeroWithinFiveSeconds) {
  TestDaemon d;
  ASSERT_TRUE(d.Start().ok()) << d.Log();
  auto start = std::chrono::steady_clock::now();
  int status = d.Stop();
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(WIFEXITED(status)) << "status " << status << "\n" << d.Log();
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_LT(took, std::chrono::seconds(5));
  EXPECT_FALSE(PathExists(d.socket()));
}

// A handler stuck past its cancellation (RunPodSandbox in a CNI ADD that hangs: failpoint-cni
// reading a FIFO nobody writes) cannot hold the exit: past shutdown_grace_seconds the daemon
// logs the RPC and exits 1. The pod it left half made is removed by the next daemon.
TEST(DaemonE2E, SigtermExitsWithinTheGraceWhileAHandlerIsStuck) {
  ASSERT_EQ(::geteuid(), 0u) << "e2e: run as root";
  TestDaemon d;
  std::string hold = d.dir().Sub("hold.fifo"), calls = d.dir().Sub("cni-calls.log");
  std::string conf_dir = d.dir().Sub("cni-hold"), bin_dir = d.dir().Sub("cni-bin");
  std::string cgroup_parent = "/podagent-e2e-hold-" + NewId().substr(0, 10);
  ASSERT_EQ(::mkfifo(hold.c_str(), 0600), 0);
  ASSERT_TRUE(MakeDirs(conf_dir).ok() && MakeDirs(bin_dir).ok());
  ASSERT_EQ(::symlink((SourceDir() + "/tests/integration/cni/failpoint-cni").c_str(), (bin_dir + "/failpoint-cni").c_str()), 0);
  nlohmann::json conf = {{"cniVersion", "1.0.0"}, {"name", "hold"},
                         {"plugins", {{{"type", "failpoint-cni"}, {"holdFifo", hold}, {"logFile", calls}}}}};
  ASSERT_TRUE(WriteFileAtomic(conf_dir + "/10-hold.conflist", conf.dump()).ok());
  ASSERT_TRUE(d.Start(absl::StrCat("shutdown_grace_seconds: 1\ncgroup_parent: ", cgroup_parent, "\ncni:\n  conf_dir: ",
                                   conf_dir, "\n  bin_dirs: [", bin_dir, "]\n")).ok()) << d.Log();
  std::thread run([&] {
    CriClient client(d.socket());
    std::string id;
    EXPECT_FALSE(client.RunPod(MakePodConfig("stuck"), &id).ok()) << "the daemon answered a stuck RunPodSandbox";
  });
  auto waiting = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!absl::StrContains(ReadFile(calls).value_or(""), "\"ADD\"") && std::chrono::steady_clock::now() < waiting) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(absl::StrContains(ReadFile(calls).value_or(""), "\"ADD\"")) << d.Log();

  auto start = std::chrono::steady_clock::now();
  int status = d.Stop();
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << "status " << status << "\n" << d.Log();
  // Grace 1 s; the slack is for slow guests (TCG). The old code never exited on its own.
  EXPECT_LT(took, std::chrono::seconds(10)) << "grace 1s";
  EXPECT_THAT(d.Log(), HasSubstr("RunPodSandbox (running"));
  run.join();

  // Let the plugin go (its ADD answers a daemon that is gone), then clean up through the CRI.
  int fd = -1;
  for (int i = 0; i < 100 && fd < 0; ++i) {  // ENXIO until the plugin has the FIFO open
    fd = ::open(hold.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (fd >= 0) {
    EXPECT_EQ(::write(fd, "go\n", 3), 3);
    ::close(fd);
  }
  ASSERT_TRUE(d.Start().ok()) << d.Log();
  {
    CriClient client(d.socket());
    cri::ListPodSandboxResponse pods;
    ASSERT_TRUE(client.ListPods({}, &pods).ok());
    for (const auto& p : pods.items()) {
      EXPECT_TRUE(client.StopPod(p.id()).ok()) << p.id();
      EXPECT_TRUE(client.RemovePod(p.id()).ok()) << p.id();
    }
  }
  int again = d.Stop();
  EXPECT_TRUE(WIFEXITED(again) && WEXITSTATUS(again) == 0) << d.Log();
  ExpectEmptyAndRemoveCgroup(cgroup_parent);
}

TEST(DaemonE2E, SecondDaemonOnTheSameSocketIsRefused) {
  TestDaemon d;
  ASSERT_TRUE(d.Start().ok()) << d.Log();
  RunResult r = RunPodagent({"--config", d.config_path()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("another podagent"));
  // The first one is unharmed.
  CriClient c(d.socket());
  cri::VersionResponse v;
  EXPECT_TRUE(c.Version(&v).ok());
}

TEST(DaemonE2E, StaleSocketIsReplacedAfterACrash) {
  TestDaemon d;
  ASSERT_TRUE(d.Start().ok()) << d.Log();
  d.Kill9();
  ASSERT_TRUE(PathExists(d.socket()));  // left behind by the crash
  ASSERT_TRUE(d.Start().ok()) << d.Log();
  CriClient c(d.socket());
  cri::VersionResponse v;
  EXPECT_TRUE(c.Version(&v).ok());
}

TEST(DaemonE2E, UnknownConfigKeyExitsOneNamingFileLineKey) {
  TempDir dir;
  std::string path = dir.Sub("bad.yaml");
  ASSERT_TRUE(WriteFileAtomic(path, "root_dir: " + dir.Sub("root") + "\nfrobnicate: yes\n").ok());
  RunResult r = RunPodagent({"--config", path});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr(path + ":2: key frobnicate: unknown key"));
  EXPECT_FALSE(PathExists(dir.Sub("root")));  // nothing was created
}

TEST(DaemonE2E, HelpAndVersionFlags) {
  RunResult help = RunPodagent({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.output, HasSubstr("--metrics-listen"));
  RunResult version = RunPodagent({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_THAT(version.output, HasSubstr("podagent 0.1.0"));
  RunResult bad = RunPodagent({"--nope"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.output, HasSubstr("unknown flag --nope"));
}

// The daemon binds every library symbol while it starts (agent/main.cc, BindSymbolsAtStart): it
// ran itself again with LD_BIND_NOW=1, which /proc/PID/environ (the environment the last exec
// received) shows, under the PID the test started, and still under its own name.
TEST(DaemonE2E, BindsLibrarySymbolsAtStart) {
  TestDaemon d;
  ASSERT_TRUE(d.Start().ok()) << d.Log();
  auto environ = ReadFile(absl::StrCat("/proc/", d.pid(), "/environ"));
  ASSERT_TRUE(environ.ok()) << environ.status();
  std::vector<std::string> vars = absl::StrSplit(*environ, '\0', absl::SkipEmpty());
  EXPECT_THAT(vars, ::testing::Contains("LD_BIND_NOW=1"));
  auto comm = ReadFile(absl::StrCat("/proc/", d.pid(), "/comm"));
  ASSERT_TRUE(comm.ok()) << comm.status();
  EXPECT_EQ(*comm, "podagent\n") << "ps, top and pidof name the process after the path it executed";
  CriClient c(d.socket());
  cri::VersionResponse v;
  EXPECT_TRUE(c.Version(&v).ok()) << "it serves after the second exec";
}

TEST(DaemonE2E, JsonLogLinesParse) {
  TestDaemon d;
  ASSERT_TRUE(d.Start("log_format: json\n").ok()) << d.Log();
  CriClient c(d.socket());
  cri::VersionResponse v;
  ASSERT_TRUE(c.Version(&v).ok());
  ASSERT_EQ(WEXITSTATUS(d.Stop()), 0);
  std::string log = d.Log();
  size_t lines = 0, start = 0;
  bool saw_rpc = false;
  while (start < log.size()) {
    size_t nl = log.find('\n', start);
    std::string line = log.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    start = nl == std::string::npos ? log.size() : nl + 1;
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << "not JSON: " << line;
    if (j["msg"].get<std::string>().rfind("Version code=OK", 0) == 0) saw_rpc = true;
    ++lines;
  }
  EXPECT_GT(lines, 2u);
  EXPECT_TRUE(saw_rpc) << "each RPC is logged at debug with method, duration and code\n" << log;
}

TEST(DaemonE2E, MalformedRequestsNeverCrashIt) {
  TestDaemon d;
  ASSERT_TRUE(d.Start().ok()) << d.Log();
  auto channel = grpc::CreateChannel("unix:" + d.socket(), grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  const std::vector<std::string> methods = {
      "/runtime.v1.RuntimeService/RunPodSandbox",  "/runtime.v1.RuntimeService/CreateContainer",
      "/runtime.v1.RuntimeService/Status",         "/runtime.v1.ImageService/PullImage",
      "/runtime.v1.RuntimeService/ExecSync",       "/runtime.v1.RuntimeService/NoSuchMethod",
      "/runtime.v1.RuntimeService/ListContainers", "/runtime.v1.RuntimeService/ListPodSandbox"};
  const std::vector<std::string> payloads = {std::string("\xff\xff\xff\xff\x0f", 5), std::string(1 << 16, '\x0a'),
                                             std::string("\x0a\x05hello\x12", 8)};
  for (const auto& method : methods) {
    for (const auto& payload : payloads) {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
      grpc::Slice slice(payload);
      grpc::ByteBuffer request(&slice, 1), response;
      grpc::Status result;
      std::mutex mu;
      std::condition_variable cv;
      bool done = false;
      stub.UnaryCall(&ctx, method, grpc::StubOptions(), &request, &response, [&](grpc::Status s) {
        std::lock_guard<std::mutex> lock(mu);
        result = s;
        done = true;
        cv.notify_one();
      });
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return done; });
      EXPECT_FALSE(result.ok()) << method;
      if (absl::EndsWith(method, "/ListContainers") ||
          absl::EndsWith(method, "/ListPodSandbox")) {  // parsed by podagent
        EXPECT_EQ(result.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << result.error_message();
      }
    }
  }
  CriClient c(d.socket());
  cri::VersionResponse v;
  EXPECT_TRUE(c.Version(&v).ok()) << "daemon died after malformed requests\n" << d.Log();
  EXPECT_TRUE(d.Running());
  EXPECT_EQ(::kill(d.pid(), 0), 0);
}

}  // namespace
}  // namespace podagent::testing
