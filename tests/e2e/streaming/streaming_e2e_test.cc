// E2E: Exec and PortForward through the real daemon's streaming server, with a SPDY client of our
// own (spdy_client.h) speaking Kubernetes' remotecommand v4 and portforward protocols: output and
// exit codes as the process produced them, stdin round trips, a pty whose size follows resize
// events (stty reads it from the kernel), single-use URLs, the command killed when the client
// goes away (checked in /proc), a client that stops reading does not grow the daemon's memory
// (VmRSS), and a port-forward to busybox httpd inside the pod's network namespace.
#include <signal.h>
#include <unistd.h>

#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/common/files.h"
#include "runtime/common/ids.h"
#include "runtime/ns/pinned_namespace.h"
#include "tests/e2e/streaming/spdy_client.h"
#include "tests/e2e/streaming/ws_client.h"
#include "tests/fixtures/image/test_registry.h"
#include "tests/lib/cni_e2e.h"
#include "tests/lib/cri_client.h"
#include "tests/lib/test_daemon.h"

namespace podagent {
namespace {

using testing::CriClient;
using testing::SpdyClient;
using testing::TestDaemon;
using testing::WsClient;
namespace cri = ::runtime::v1;

const std::vector<std::string> kV4 = {"v4.channel.k8s.io"};

// The error channel's Status object for a command that exited with `code`, as Kubernetes'
// remotecommand protocol defines it (reason NonZeroExitCode, cause ExitCode with the code).
void ExpectExitCodeStatus(const std::string& error_channel, const std::string& code) {
  auto status = nlohmann::json::parse(error_channel, nullptr, false);
  ASSERT_FALSE(status.is_discarded()) << error_channel;
  EXPECT_EQ(status.value("status", ""), "Failure");
  EXPECT_EQ(status.value("reason", ""), "NonZeroExitCode");
  EXPECT_EQ(status["details"]["causes"][0]["reason"], "ExitCode") << error_channel;
  EXPECT_EQ(status["details"]["causes"][0]["message"], code) << error_channel;
}

// A process whose command line contains `needle` exists on the host (the kernel's view).
bool ProcessWithArg(const std::string& needle) {
  auto names = ListDir("/proc");
  if (!names.ok()) return false;
  for (const auto& n : *names) {
    int pid = 0;
    if (!absl::SimpleAtoi(n, &pid)) continue;
    auto cmd = ReadFile("/proc/" + n + "/cmdline");
    if (!cmd.ok()) continue;
    std::string stat = ReadFile("/proc/" + n + "/stat").value_or("");
    if (stat.find(") Z ") != std::string::npos) continue;  // a zombie is dead
    // Whole arguments only ("sleep N" after exec, or the end of an "sh -c '...; exec sleep N'"
    // script before it): a substring would also match another container's id in a shim's argv.
    for (absl::string_view arg : absl::StrSplit(*cmd, '\0')) {
      if (arg == needle || absl::EndsWith(arg, absl::StrCat(" ", needle))) return true;
    }
  }
  return false;
}

int64_t RssKiB(pid_t pid) {
  auto status = ReadFile(absl::StrCat("/proc/", pid, "/status"));
  if (!status.ok()) return -1;
  size_t at = status->find("VmRSS:");
  if (at == std::string::npos) return -1;
  int64_t kib = -1;
  std::string line = status->substr(at + 6, status->find('\n', at) - at - 6);
  if (line.find(" kB") == std::string::npos) return -1;
  line.erase(line.find(" kB"));
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &kib)) return -1;
  return kib;
}

// The real daemon on a private CNI bridge (CniDaemonTest: teardown removes every pod through the
// CRI and restores the host's network), the busybox image, and one pod for the streams.
class StreamingE2E : public testing::CniDaemonTest {
 protected:
  StreamingE2E() : CniDaemonTest("podagent-se2e", 150) {}

  void SetUp() override {
    CniDaemonTest::SetUp();
    ASSERT_FALSE(HasFatalFailure());
    ASSERT_NO_FATAL_FAILURE(ImportBusybox());
    pod_config_ = testing::MakePodConfig("stream", daemon_->dir().Sub("podlogs"));
    grpc::Status st = client_->RunPod(pod_config_, &pod_);
    ASSERT_TRUE(st.ok()) << st.error_message() << "\n" << daemon_->Log();
  }

  std::string Container(const std::string& name, const std::string& script) {
    std::string id;
    grpc::Status st = client_->CreateContainer(
        pod_, testing::BusyboxSh(name, script), pod_config_, &id);
    EXPECT_TRUE(st.ok()) << st.error_message() << "\n" << daemon_->Log();
    st = client_->StartContainer(id);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return id;
  }

  std::string ExecUrl(const std::string& ctr, const std::vector<std::string>& cmd, bool tty, bool in, bool err) {
    cri::ExecRequest req;
    req.set_container_id(ctr);
    for (const auto& c : cmd) req.add_cmd(c);
    req.set_tty(tty);
    req.set_stdin(in);
    req.set_stdout(true);
    req.set_stderr(err);
    cri::ExecResponse resp;
    grpc::Status st = client_->Call(&cri::RuntimeService::Stub::Exec, req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp.url();
  }

  // Connects, opens the streams of an exec in kubectl's order; ids by name.
  std::map<std::string, uint32_t> OpenExec(SpdyClient& c, const std::string& url, const std::vector<std::string>& types) {
    auto up = c.Connect(url, kV4);
    EXPECT_TRUE(up.ok()) << up.status();
    if (!up.ok()) return {};
    EXPECT_EQ(up->http_code, 101) << up->body;
    EXPECT_EQ(up->protocol, "v4.channel.k8s.io");
    std::map<std::string, uint32_t> ids;
    for (const auto& t : types) {
      auto id = c.Open({{"streamtype", t}});
      EXPECT_TRUE(id.ok()) << t << ": " << id.status();
      if (id.ok()) ids[t] = *id;
    }
    return ids;
  }

  cri::PodSandboxConfig pod_config_;
  std::string pod_;
};

// A daemon whose streaming URLs live 2 s (streaming.token_ttl_seconds): one used late is refused.
class StreamingTokenTtlE2E : public StreamingE2E {
 protected:
  StreamingTokenTtlE2E() { extra_yaml_ = "streaming:\n  token_ttl_seconds: 2\n"; }
};

TEST_F(StreamingTokenTtlE2E, ExpiredUrlIsRefusedAndAFreshOneServed) {
  std::string ctr = Container("sleeper", "exec sleep 1000");
  std::string late = ExecUrl(ctr, {"true"}, false, false, false);
  absl::SleepFor(absl::Seconds(4.5));
  SpdyClient c;
  auto up = c.Connect(late, kV4);
  ASSERT_TRUE(up.ok()) << up.status();
  EXPECT_EQ(up->http_code, 404) << "a URL past token_ttl_seconds must be refused";
  SpdyClient fresh;
  auto ids = OpenExec(fresh, ExecUrl(ctr, {"true"}, false, false, false), {"error", "stdout"});
  ASSERT_EQ(ids.size(), 2u);
  ASSERT_TRUE(fresh.ReadUntil([&] { return fresh.fin.count(ids["error"]) > 0; }, absl::Seconds(30)).ok());
  EXPECT_EQ(nlohmann::json::parse(fresh.data[ids["error"]]).value("status", ""), "Success");
}

TEST_F(StreamingE2E, ExecWithoutTtyReportsOutputAndExitCode) {
  std::string ctr = Container("sleeper", "exec sleep 1000");
  SpdyClient c;
  auto ids = OpenExec(c, ExecUrl(ctr, {"sh", "-c", "echo out; echo err >&2; exit 3"}, false, false, true),
                      {"error", "stdout", "stderr"});
  ASSERT_EQ(ids.size(), 3u);
  ASSERT_TRUE(c.ReadUntil([&] { return c.fin.count(ids["error"]) > 0; }, absl::Seconds(30)).ok()) << daemon_->Log();
  EXPECT_EQ(c.data[ids["stdout"]], "out\n");
  EXPECT_EQ(c.data[ids["stderr"]], "err\n");
  ExpectExitCodeStatus(c.data[ids["error"]], "3");
}

TEST_F(StreamingE2E, ExecStdinRoundTripsAndUrlIsSingleUse) {
  std::string ctr = Container("sleeper", "exec sleep 1000");
  std::string url = ExecUrl(ctr, {"cat"}, false, true, false);
  SpdyClient c;
  auto ids = OpenExec(c, url, {"error", "stdin", "stdout"});
  ASSERT_EQ(ids.size(), 3u);
  ASSERT_TRUE(c.Send(ids["stdin"], "hello through stdin\n", true).ok());
  ASSERT_TRUE(c.ReadUntil([&] { return c.fin.count(ids["error"]) > 0; }, absl::Seconds(30)).ok()) << daemon_->Log();
  EXPECT_EQ(c.data[ids["stdout"]], "hello through stdin\n");
  EXPECT_EQ(nlohmann::json::parse(c.data[ids["error"]]).value("status", ""), "Success");

  SpdyClient again;
  auto up = again.Connect(url, kV4);
  ASSERT_TRUE(up.ok()) << up.status();
  EXPECT_EQ(up->http_code, 404) << "a used URL must be refused";
  SpdyClient other;
  up = other.Connect(absl::StrCat(url.substr(0, url.find("/exec/")), "/metrics"), kV4);
  ASSERT_TRUE(up.ok());
  EXPECT_EQ(up->http_code, 404);
  EXPECT_TRUE(absl::StrContains(daemon_->Log(), "no such stream")) << "refusals are logged";
}

// The terminal is on the container's own devpts, so ttyname() inside names it (as with runc);
// one from the host's devpts reads as "not a tty" there.
TEST_F(StreamingE2E, TtyExecHasAContainerPtyAndSeesResize) {
  std::string ctr = Container("sleeper", "exec sleep 1000");
  SpdyClient c;
  auto ids = OpenExec(c, ExecUrl(ctr, {"sh"}, true, true, false), {"error", "stdin", "stdout", "resize"});
  ASSERT_EQ(ids.size(), 4u);
  ASSERT_TRUE(c.Send(ids["resize"], "{\"Width\":123,\"Height\":45}\n", false).ok());
  ASSERT_TRUE(c.Send(ids["stdin"], "stty size; t=$(tty) && [ -c \"$t\" ] && echo \"pty=$t\"; exit 0\n", false).ok());
  ASSERT_TRUE(c.ReadUntil([&] { return c.fin.count(ids["error"]) > 0; }, absl::Seconds(30)).ok()) << daemon_->Log();
  EXPECT_TRUE(absl::StrContains(c.data[ids["stdout"]], "45 123")) << c.data[ids["stdout"]];
  EXPECT_TRUE(absl::StrContains(c.data[ids["stdout"]], "pty=/dev/pts/")) << c.data[ids["stdout"]];
  EXPECT_EQ(nlohmann::json::parse(c.data[ids["error"]]).value("status", ""), "Success");
}

TEST_F(StreamingE2E, ClientGoneKillsCommandAndSlowReaderIsBounded) {
  std::string ctr = Container("sleeper", "exec sleep 1000");
  // The command floods stdout; the client reads nothing. The daemon must stop reading the pipe
  // (back-pressure) instead of buffering: its RSS stays flat.
  SpdyClient c;
  auto ids = OpenExec(c, ExecUrl(ctr, {"sh", "-c", "exec yes flood-4242-marker"}, false, false, false),
                      {"error", "stdout"});
  ASSERT_EQ(ids.size(), 2u);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  int64_t before = RssKiB(daemon_->pid());
  std::this_thread::sleep_for(std::chrono::seconds(3));
  int64_t after = RssKiB(daemon_->pid());
  ASSERT_GT(before, 0);
  EXPECT_LT(after - before, 8 * 1024) << "daemon RSS grew from " << before << " to " << after << " KiB";
  ASSERT_TRUE(ProcessWithArg("flood-4242-marker")) << "the command should still run while the client is connected";
  c.Close();
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (ProcessWithArg("flood-4242-marker") && absl::Now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_FALSE(ProcessWithArg("flood-4242-marker")) << "the command outlived its client";
}

TEST_F(StreamingE2E, PortForwardReachesHttpdInThePod) {
  Container("web", "mkdir -p /www && echo hello-from-the-pod > /www/index.html && exec httpd -f -p 8080 -h /www");
  std::string body;
  absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < deadline && !absl::StrContains(body, "hello-from-the-pod")) {
    cri::PortForwardRequest req;
    req.set_pod_sandbox_id(pod_);
    req.add_port(8080);
    cri::PortForwardResponse resp;
    grpc::Status st = client_->Call(&cri::RuntimeService::Stub::PortForward, req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
    SpdyClient c;
    auto up = c.Connect(resp.url(), {"portforward.k8s.io"});
    ASSERT_TRUE(up.ok()) << up.status();
    ASSERT_EQ(up->http_code, 101) << up->body;
    auto err = c.Open({{"streamtype", "error"}, {"port", "8080"}, {"requestid", "0"}});
    ASSERT_TRUE(err.ok()) << err.status();
    auto data = c.Open({{"streamtype", "data"}, {"port", "8080"}, {"requestid", "0"}});
    ASSERT_TRUE(data.ok()) << data.status();
    ASSERT_TRUE(c.Send(*data, "GET /index.html HTTP/1.0\r\n\r\n", false).ok());
    ASSERT_TRUE(c.ReadUntil([&] { return c.fin.count(*data) > 0; }, absl::Seconds(10)).ok()) << daemon_->Log();
    body = c.data[*data];
    if (body.empty()) {
      EXPECT_TRUE(absl::StrContains(c.data[*err], "8080")) << c.data[*err];  // not listening yet
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
  EXPECT_TRUE(absl::StrContains(body, "200 OK")) << body;
  EXPECT_TRUE(absl::StrContains(body, "hello-from-the-pod")) << body;
}

TEST_F(StreamingE2E, AttachEchoesStdinToSeveralClientsAndStdinOnceEndsIt) {
  cri::ContainerConfig config = testing::MakeContainerConfig("shell", testing::kBusyboxImage, {"/bin/sh"});
  config.set_stdin(true);
  config.set_stdin_once(true);
  config.set_log_path("shell.log");
  std::string ctr;
  grpc::Status st = client_->CreateContainer(pod_, config, pod_config_, &ctr);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_TRUE(client_->StartContainer(ctr).ok());
  auto attach_url = [&](bool in) {
    cri::AttachRequest req;
    req.set_container_id(ctr);
    req.set_stdin(in);
    req.set_stdout(true);
    req.set_stderr(true);
    cri::AttachResponse resp;
    grpc::Status s = client_->Call(&cri::RuntimeService::Stub::Attach, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.url();
  };
  // A watcher that only reads, then a client that types; a third one detaches early.
  SpdyClient watcher, typist, quitter;
  auto w = OpenExec(watcher, attach_url(false), {"error", "stdout", "stderr"});
  auto q = OpenExec(quitter, attach_url(false), {"error", "stdout", "stderr"});
  EXPECT_EQ(q.size(), 3u);
  quitter.Close();
  auto t = OpenExec(typist, attach_url(true), {"error", "stdin", "stdout", "stderr"});
  ASSERT_EQ(w.size(), 3u);
  ASSERT_EQ(t.size(), 4u);
  ASSERT_TRUE(typist.Send(t["stdin"], "echo hello-attach; echo to-stderr >&2\n", false).ok());
  ASSERT_TRUE(typist.ReadUntil([&] { return absl::StrContains(typist.data[t["stderr"]], "to-stderr"); },
                               absl::Seconds(20)).ok()) << daemon_->Log();
  EXPECT_EQ(typist.data[t["stdout"]], "hello-attach\n");
  ASSERT_TRUE(watcher.ReadUntil([&] { return absl::StrContains(watcher.data[w["stderr"]], "to-stderr"); },
                                absl::Seconds(20)).ok());
  EXPECT_EQ(watcher.data[w["stdout"]], "hello-attach\n");
  cri::ContainerStatusResponse status;
  ASSERT_TRUE(client_->ContainerStatus(ctr, false, &status).ok());
  EXPECT_EQ(status.status().state(), cri::CONTAINER_RUNNING) << "a detach must leave the container running";
  // stdin_once: the typist's stdin ends, so does the shell's; both sessions end with Success.
  ASSERT_TRUE(typist.Send(t["stdin"], "", true).ok());
  ASSERT_TRUE(typist.ReadUntil([&] { return typist.fin.count(t["error"]) > 0; }, absl::Seconds(20)).ok());
  EXPECT_EQ(nlohmann::json::parse(typist.data[t["error"]]).value("status", ""), "Success");
  ASSERT_TRUE(watcher.ReadUntil([&] { return watcher.fin.count(w["error"]) > 0; }, absl::Seconds(20)).ok());
  auto log = ReadFile(daemon_->dir().Sub("podlogs") + "/shell.log");
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_TRUE(absl::StrContains(*log, " stdout F hello-attach")) << *log;
  EXPECT_TRUE(absl::StrContains(*log, " stderr F to-stderr")) << *log;
}

// kubectl run -it: a tty container with stdin. Attach with tty joins the client to its pty: typed
// lines come back echoed by the terminal, a resize reaches it (stty asks the kernel), tty names
// the container's own /dev/pts/0, output is
// the stdout stream only, and `exit` ends the container and the session with Success. A tty
// attach to a container without a tty is refused.
TEST_F(StreamingE2E, TtyContainerAttachEchoesInputAndResizes) {
  cri::ContainerConfig config = testing::MakeContainerConfig("tty", testing::kBusyboxImage, {"/bin/sh"});
  config.set_tty(true);
  config.set_stdin(true);
  config.set_stdin_once(true);
  config.set_log_path("tty.log");
  std::string ctr;
  grpc::Status st = client_->CreateContainer(pod_, config, pod_config_, &ctr);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_TRUE(client_->StartContainer(ctr).ok());
  auto attach = [&](const std::string& id, bool tty, cri::AttachResponse* resp) {
    cri::AttachRequest req;
    req.set_container_id(id);
    req.set_stdin(true);
    req.set_stdout(true);
    req.set_tty(tty);
    return client_->Call(&cri::RuntimeService::Stub::Attach, req, resp);
  };
  cri::AttachResponse resp;
  std::string plain = Container("plain", "exec sleep 1000");
  EXPECT_EQ(attach(plain, true, &resp).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_TRUE(attach(ctr, true, &resp).ok());
  SpdyClient c;
  auto ids = OpenExec(c, resp.url(), {"error", "stdin", "stdout", "resize"});
  ASSERT_EQ(ids.size(), 4u);
  ASSERT_TRUE(c.Send(ids["resize"], "{\"Width\":111,\"Height\":22}\n", false).ok());
  ASSERT_TRUE(c.Send(ids["stdin"], "echo hello\n", false).ok());
  ASSERT_TRUE(c.ReadUntil([&] { return absl::StrContains(c.data[ids["stdout"]], "\nhello\r\n"); },
                          absl::Seconds(20)).ok()) << c.data[ids["stdout"]] << "\n" << daemon_->Log();
  EXPECT_TRUE(absl::StrContains(c.data[ids["stdout"]], "echo hello\r\n")) << "the terminal echoes input";
  ASSERT_TRUE(c.Send(ids["stdin"], "stty size\n", false).ok());
  ASSERT_TRUE(c.ReadUntil([&] { return absl::StrContains(c.data[ids["stdout"]], "22 111\r\n"); },
                          absl::Seconds(20)).ok()) << c.data[ids["stdout"]];
  // The terminal is on the container's own devpts: tty names it there (as with runc).
  ASSERT_TRUE(c.Send(ids["stdin"], "t=$(tty) && [ -c \"$t\" ] && echo \"pty=$t.\"\n", false).ok());
  ASSERT_TRUE(c.ReadUntil([&] { return absl::StrContains(c.data[ids["stdout"]], "pty=/dev/pts/0.\r\n"); },
                          absl::Seconds(20)).ok()) << c.data[ids["stdout"]];
  ASSERT_TRUE(c.Send(ids["stdin"], "exit\n", false).ok());
  ASSERT_TRUE(c.ReadUntil([&] { return c.fin.count(ids["error"]) > 0; }, absl::Seconds(20)).ok()) << daemon_->Log();
  EXPECT_EQ(nlohmann::json::parse(c.data[ids["error"]]).value("status", ""), "Success");
  cri::ContainerStatusResponse status;
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  do {
    ASSERT_TRUE(client_->ContainerStatus(ctr, false, &status).ok());
  } while (status.status().state() != cri::CONTAINER_EXITED && absl::Now() < deadline);
  EXPECT_EQ(status.status().state(), cri::CONTAINER_EXITED);
  EXPECT_EQ(status.status().exit_code(), 0);
  auto log = ReadFile(daemon_->dir().Sub("podlogs") + "/tty.log");
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_TRUE(absl::StrContains(*log, " stdout F hello\r\n")) << *log;
  EXPECT_FALSE(absl::StrContains(*log, " stderr ")) << *log;
}

TEST_F(StreamingE2E, BadRequestsGetClearStatuses) {
  cri::ExecRequest req;
  cri::ExecResponse resp;
  req.set_container_id("0000000000000000000000000000000000000000000000000000000000000000");
  req.add_cmd("true");
  req.set_stdout(true);
  EXPECT_EQ(client_->Call(&cri::RuntimeService::Stub::Exec, req, &resp).error_code(), grpc::StatusCode::NOT_FOUND);
  req.clear_cmd();
  EXPECT_EQ(client_->Call(&cri::RuntimeService::Stub::Exec, req, &resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  cri::PortForwardRequest pf;
  cri::PortForwardResponse pf_resp;
  pf.set_pod_sandbox_id(pod_);
  pf.add_port(70000);
  EXPECT_EQ(client_->Call(&cri::RuntimeService::Stub::PortForward, pf, &pf_resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// The same sessions over WebSocket, as `crictl --transport websocket` (client-go's websocket
// executor) speaks them: channel 0 stdin, 1 stdout, 2 stderr, 3 error (metav1.Status), 4 resize,
// and v5's [255, 0] for "stdin is closed".
constexpr uint8_t kWsStdin = 0, kWsStdout = 1, kWsStderr = 2, kWsError = 3, kWsResize = 4, kWsClose = 255;

TEST_F(StreamingE2E, WebSocketExecReportsOutputAndExitCode) {
  std::string ctr = Container("sleeper", "exec sleep 1000");
  WsClient c;
  ASSERT_TRUE(c.Connect(ExecUrl(ctr, {"sh", "-c", "echo out; echo err >&2; exit 3"}, false, false, true),
                        {"v5.channel.k8s.io", "v4.channel.k8s.io"}).ok()) << c.http_code;
  EXPECT_EQ(c.protocol, "v5.channel.k8s.io");
  ASSERT_TRUE(c.ReadUntil([] { return false; }, absl::Seconds(30)).ok()) << daemon_->Log();
  EXPECT_EQ(c.data[kWsStdout], "out\n");
  EXPECT_EQ(c.data[kWsStderr], "err\n");
  ExpectExitCodeStatus(c.data[kWsError], "3");
}

TEST_F(StreamingE2E, WebSocketExecStdinCloseTtyResizeAndSingleUse) {
  std::string ctr = Container("sleeper", "exec sleep 1000");
  std::string url = ExecUrl(ctr, {"cat"}, false, true, false);
  WsClient c;
  ASSERT_TRUE(c.Connect(url, {"v5.channel.k8s.io"}).ok()) << c.http_code;
  ASSERT_TRUE(c.Send(kWsStdin, "hello through stdin\n").ok());
  ASSERT_TRUE(c.Send(kWsClose, std::string(1, static_cast<char>(kWsStdin))).ok());
  ASSERT_TRUE(c.ReadUntil([] { return false; }, absl::Seconds(30)).ok()) << daemon_->Log();
  EXPECT_EQ(c.data[kWsStdout], "hello through stdin\n");
  EXPECT_EQ(nlohmann::json::parse(c.data[kWsError]).value("status", ""), "Success");
  EXPECT_EQ(WsClient::RawUpgradeStatus(url), "HTTP/1.1 404 Not Found") << "a used URL must be refused";

  WsClient tty;
  ASSERT_TRUE(tty.Connect(ExecUrl(ctr, {"sh"}, true, true, false), {"v4.channel.k8s.io"}).ok());
  ASSERT_TRUE(tty.Send(kWsResize, R"({"Width":123,"Height":45})").ok());
  ASSERT_TRUE(tty.Send(kWsStdin, "stty size; exit 0\n").ok());
  ASSERT_TRUE(tty.ReadUntil([] { return false; }, absl::Seconds(30)).ok()) << daemon_->Log();
  EXPECT_TRUE(absl::StrContains(tty.data[kWsStdout], "45 123")) << tty.data[kWsStdout];
  EXPECT_EQ(nlohmann::json::parse(tty.data[kWsError]).value("status", ""), "Success");
}

TEST_F(StreamingE2E, WebSocketClientGoneKillsTheCommand) {
  std::string ctr = Container("sleeper", "exec sleep 1000");
  WsClient c;
  ASSERT_TRUE(c.Connect(ExecUrl(ctr, {"sh", "-c", "echo started; exec sleep 4343"}, false, false, false),
                        {"v5.channel.k8s.io"}).ok());
  ASSERT_TRUE(c.ReadUntil([&] { return !c.data[kWsStdout].empty(); }, absl::Seconds(30)).ok());
  ASSERT_TRUE(ProcessWithArg("4343")) << "the command should run while the client is connected";
  c.Close();
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (ProcessWithArg("4343") && absl::Now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(ProcessWithArg("4343")) << "the command outlived its client";
}

TEST_F(StreamingE2E, WebSocketAttachTypesIntoTheContainer) {
  cri::ContainerConfig config = testing::MakeContainerConfig("shell", testing::kBusyboxImage, {"/bin/sh"});
  config.set_stdin(true);
  config.set_stdin_once(true);
  std::string ctr;
  ASSERT_TRUE(client_->CreateContainer(pod_, config, pod_config_, &ctr).ok());
  ASSERT_TRUE(client_->StartContainer(ctr).ok());
  cri::AttachRequest req;
  req.set_container_id(ctr);
  req.set_stdin(true);
  req.set_stdout(true);
  req.set_stderr(true);
  cri::AttachResponse resp;
  ASSERT_TRUE(client_->Call(&cri::RuntimeService::Stub::Attach, req, &resp).ok());
  WsClient c;
  ASSERT_TRUE(c.Connect(resp.url(), {"v5.channel.k8s.io"}).ok()) << c.http_code;
  ASSERT_TRUE(c.Send(kWsStdin, "echo hello-ws; echo to-stderr >&2\n").ok());
  ASSERT_TRUE(c.ReadUntil([&] { return absl::StrContains(c.data[kWsStderr], "to-stderr"); }, absl::Seconds(20)).ok())
      << daemon_->Log();
  EXPECT_EQ(c.data[kWsStdout], "hello-ws\n");
  // stdin_once: closing the client's stdin ends the shell, and the session ends with Success.
  ASSERT_TRUE(c.Send(kWsClose, std::string(1, static_cast<char>(kWsStdin))).ok());
  ASSERT_TRUE(c.ReadUntil([] { return false; }, absl::Seconds(20)).ok()) << daemon_->Log();
  EXPECT_EQ(nlohmann::json::parse(c.data[kWsError]).value("status", ""), "Success");
}

TEST_F(StreamingE2E, WebSocketPortForwardReachesHttpdInThePod) {
  Container("web", "mkdir -p /www && echo hello-from-the-pod > /www/index.html && exec httpd -f -p 8080 -h /www");
  std::string body;
  absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < deadline && !absl::StrContains(body, "hello-from-the-pod")) {
    cri::PortForwardRequest req;
    req.set_pod_sandbox_id(pod_);
    req.add_port(8080);
    cri::PortForwardResponse resp;
    ASSERT_TRUE(client_->Call(&cri::RuntimeService::Stub::PortForward, req, &resp).ok());
    WsClient c;
    ASSERT_TRUE(c.Connect(resp.url(), {"v4.channel.k8s.io"}, "?port=8080").ok()) << c.http_code;
    // Port 8080 (0x1f90) as 2 bytes little-endian opens data channel 0 and error channel 1.
    ASSERT_TRUE(c.ReadUntil([&] { return c.messages.size() >= 2; }, absl::Seconds(10)).ok());
    EXPECT_EQ(c.messages[0].second, std::string("\x90\x1f", 2));
    EXPECT_EQ(c.messages[1].second, std::string("\x90\x1f", 2));
    ASSERT_TRUE(c.Send(0, "GET /index.html HTTP/1.0\r\n\r\n").ok());
    ASSERT_TRUE(c.ReadUntil([] { return false; }, absl::Seconds(10)).ok()) << daemon_->Log();
    body = c.data[0].substr(2);
    if (body.empty()) {
      EXPECT_TRUE(absl::StrContains(c.data[1], "8080")) << c.data[1];  // not listening yet
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
  EXPECT_TRUE(absl::StrContains(body, "200 OK")) << body;
  EXPECT_TRUE(absl::StrContains(body, "hello-from-the-pod")) << body;
}

}  // namespace
}  // namespace podagent
