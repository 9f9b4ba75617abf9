#include "tests/lib/test_daemon.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "runtime/common/errors.h"
#include "runtime/common/files.h"
#include "runtime/ns/pinned_namespace.h"
#include "tests/lib/cri_client.h"
#include "tests/lib/shell.h"

namespace podagent::testing {
namespace {

// Returns the exit status, or -1 if the process did not end within `timeout`.
int WaitFor(pid_t pid, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

}  // namespace

TestDaemon::TestDaemon() : dir_("podagent-e2e") {
  socket_ = dir_.Sub("podagent.sock");
  root_dir_ = dir_.Sub("root");
  run_dir_ = dir_.Sub("run");
  config_path_ = dir_.Sub("podagent.yaml");
  log_path_ = dir_.Sub("podagent.log");
}

TestDaemon::~TestDaemon() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    if (WaitFor(pid_, std::chrono::seconds(10)) < 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  // The daemon keeps RUN_DIR/netns mounted (pods outlive it); the test's pods are gone by now, so
  // the mount goes before the temp dir does.
  absl::Status st = UnmountSharedMountDir(run_dir_ + "/netns");
  if (!st.ok()) std::fprintf(stderr, "TestDaemon: %s\n", std::string(st.message()).c_str());
}

absl::Status TestDaemon::Start(const std::string& extra_yaml) {
  if (pid_ > 0) return absl::FailedPreconditionError("test daemon already running");
  if (!extra_yaml.empty()) extra_yaml_ = extra_yaml;
  std::string config = "socket: " + socket_ + "\nroot_dir: " + root_dir_ + "\nrun_dir: " + run_dir_ +
                       "\nlog_level: debug\n";
  if (extra_yaml_.find("metrics:") == std::string::npos) config += "metrics:\n  listen: \"\"\n";
  if (extra_yaml_.find("cni:") == std::string::npos) {
    std::string cni_dir = dir_.Sub("cni-empty");
    RETURN_IF_ERROR(MakeDirs(cni_dir));
    config += "cni:\n  conf_dir: " + cni_dir + "\n";
  }
  config += extra_yaml_;
  RETURN_IF_ERROR(WriteFileAtomic(config_path_, config));

  std::string bin = BinDir() + "/podagent";
  pid_t pid = ::fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    int log = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log >= 0) {
      ::dup2(log, 1);
      ::dup2(log, 2);
    }
    ::execl(bin.c_str(), bin.c_str(), "--config", config_path_.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  pid_ = pid;

  CriClient client(socket_, std::chrono::seconds(2));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::InternalError("podagent exited during start; log:\n" + Log());
    }
    cri::VersionResponse v;
    if (PathExists(socket_) && client.Version(&v).ok()) return absl::OkStatus();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return absl::DeadlineExceededError("podagent did not answer Version within 20s; log:\n" + Log());
}

int TestDaemon::Stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = WaitFor(pid_, std::chrono::seconds(15));
  if (status < 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  pid_ = -1;
  return status;
}

void TestDaemon::Kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string TestDaemon::Log() const {
  auto text = ReadFile(log_path_);
  return text.ok() ? *text : std::string();
}

absl::Status TestDaemon::ImportImage(const std::string& layout, const std::string& ref) const {
  return RunShell(BinDir() + "/podagent --config " + config_path_ + " image import " + layout + " " + ref).status();
}

}  // namespace podagent::testing
