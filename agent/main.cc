// podagent: the CRI daemon (and its small CLIs: `image`, and the read-only diagnostics `ns`, `why`,
// `cgroup`, `top`).

#include <malloc.h>
#include <signal.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "agent/cli/cli.h"
#include "agent/config.h"
#include "agent/daemon.h"
#include "agent/flags.h"
#include "agent/image/image_manager.h"
#include "agent/logging.h"
#include "agent/service_notify.h"
#include "agent/version.h"
#include "absl/synchronization/mutex.h"
#include "runtime/common/errors.h"
#include "runtime/common/release_image.h"

namespace podagent {
namespace {

// The path the running binary was started from; empty when /proc/self/exe cannot be read.
std::string SelfPath() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

std::string SelfDir() {
  std::string path = SelfPath();
  return path.empty() ? "." : path.substr(0, path.rfind('/'));
}

void ApplyFlags(const Flags& f, Config& c) {
  if (f.socket) c.socket = *f.socket;
  if (f.root_dir) c.root_dir = *f.root_dir;
  if (f.run_dir) c.run_dir = *f.run_dir;
  if (f.log_level) c.log_level = *f.log_level;
  if (f.log_format) c.log_format = *f.log_format;
  if (f.metrics_listen) c.metrics_listen = *f.metrics_listen;
}

// Blocks the stop signals in every thread (gRPC's included) and waits for one here.
int WaitForStopSignal(const sigset_t& set) {
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

// Start-up ends with ReleaseImagePages, which unmaps the pages of the libraries' symbol tables
// along with their start-up code. With lazy binding, the first call of each library function
// after that goes through ld.so, which reads those tables again: serving the first CRI calls
// mapped ~2 MiB of them back (docs/benchmarks.md, "Idle daemon RSS"). So the daemon binds every
// symbol while it starts: it runs itself again once with LD_BIND_NOW=1 (+4 ms of start-up), then
// takes the variable out of its environment so that no child inherits it. If the exec fails (the
// binary was replaced or deleted since it started) it goes on with lazy binding.
constexpr char kRebound[] = "PODAGENT_BOUND_AT_START";

void BindSymbolsAtStart(char** argv) {
  if (std::getenv(kRebound) != nullptr) {
    ::unsetenv(kRebound);
    ::unsetenv("LD_BIND_NOW");
    return;
  }
  const char* bind_now = std::getenv("LD_BIND_NOW");
  if (bind_now != nullptr && *bind_now != '\0') return;  // the caller asked for it already
  // The binary's own path, not /proc/self/exe: the kernel names the process (comm, what ps,
  // top and pidof show) after the last component of the path it executes.
  std::string self = SelfPath();
  if (self.empty()) return;
  ::setenv("LD_BIND_NOW", "1", 1);
  ::setenv(kRebound, "1", 1);
  ::execv(self.c_str(), argv);
  ::unsetenv(kRebound);
  ::unsetenv("LD_BIND_NOW");
}

int Run(int argc, char** argv) {
  BindSymbolsAtStart(argv);
  // glibc gives each thread that allocates its own arena, up to 8 per core, each keeping its
  // freed memory: two are enough for a daemon that is idle most of the time (docs/benchmarks.md).
  ::mallopt(M_ARENA_MAX, 2);
  // Debian builds Abseil without NDEBUG, so every absl::Mutex lock (gRPC's too) also updates a
  // lock-order graph behind one process-wide lock, and a cycle in it aborts the process. The
  // daemon must not die on a report: it turns the graph off. The unit tests, which never run
  // this line, keep the checks.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto flags = ParseFlags(std::vector<std::string>(argv + 1, argv + argc));
  if (!flags.ok()) {
    std::fprintf(stderr, "podagent: %s\n", std::string(flags.status().message()).c_str());
    return 2;
  }
  if (flags->help) {
    std::fputs(UsageText().c_str(), stdout);
    return 0;
  }
  if (flags->version) {
    std::printf("podagent %s (%s), CRI runtime.v1\n", kVersion, kGitCommit);
    return 0;
  }
  auto config = LoadConfig(flags->config_path, flags->config_given);
  if (!config.ok()) {
    std::fprintf(stderr, "podagent: %s\n", std::string(config.status().message()).c_str());
    return 1;
  }
  ApplyFlags(*flags, *config);
  if (auto st = FinishConfig(*config, SelfDir()); !st.ok()) {
    std::fprintf(stderr, "podagent: %s\n", std::string(st.message()).c_str());
    return 1;
  }
  SetupLogging(config->log_level, config->log_format);

  if (!flags->subcommand.empty()) {
    const std::string& cmd = flags->subcommand[0];
    std::vector<std::string> rest(flags->subcommand.begin() + 1, flags->subcommand.end());
    using CliMain = int (*)(const Config&, const std::vector<std::string>&);
    const std::map<std::string, CliMain> diagnostics = {
        {"ns", NsCliMain}, {"why", WhyCliMain}, {"cgroup", CgroupCliMain}, {"top", TopCliMain}};
    if (auto it = diagnostics.find(cmd); it != diagnostics.end()) {
      pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);  // a CLI stops on ^C
      return it->second(*config, rest);
    }
    if (flags->subcommand[0] == "image") {
      return ImageCliMain(*config, std::vector<std::string>(flags->subcommand.begin() + 1, flags->subcommand.end()));
    }
    std::fprintf(stderr, "podagent: unknown command \"%s\" (see podagent --help)\n", flags->subcommand[0].c_str());
    return 2;
  }

  spdlog::info("podagent {} ({}) starting, config {}", kVersion, kGitCommit,
               config->config_file.empty() ? "built-in defaults" : config->config_file);
  Daemon daemon(*config);
  if (auto st = daemon.Start(); !st.ok()) {
    spdlog::critical("cannot start: {}", st.message());
    return 1;
  }
  NotifyReady(config->socket);
  // Start-up (config, recovery, descriptor tables) is over: its pages leave the daemon's RSS.
  ReleaseImagePages(ImageScope::kProgramAndLibraries);
  int sig = WaitForStopSignal(stop_signals);
  spdlog::info("received signal {}", sig);
  NotifyStopping();
  if (!daemon.Shutdown()) {
    // A handler is stuck: joining its thread or destroying what it uses could hang or crash.
    spdlog::default_logger()->flush();
    ::_exit(1);
  }
  return 0;
}

}  // namespace
}  // namespace podagent

int main(int argc, char** argv) { return podagent::Run(argc, argv); }
