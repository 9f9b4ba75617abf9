#include "runtime/shim/exec_mode.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "runtime/common/files.h"
#include "runtime/common/unique_fd.h"
#include "runtime/container/container_spec.h"
#include "runtime/container/shim_records.h"
#include "runtime/shim/process_setup.h"

namespace podagent::shim {
namespace {

int Fail(const std::string& message, int code = 126) {
  std::string line = "podagent-shim exec: " + message + "\n";
  ssize_t ignored = ::write(2, line.data(), line.size());
  (void)ignored;
  return code;
}

}  // namespace

int RunExec(int argc, char** argv) {
  // Streaming exec options come first: --tty (fd 0 is a pty slave: it becomes the controlling
  // terminal of a new session) and --stdin (keep the caller's fd 0 instead of /dev/null).
  bool tty = false, keep_stdin = false;
  while (argc > 2 && (std::string(argv[2]) == "--tty" || std::string(argv[2]) == "--stdin")) {
    (std::string(argv[2]) == "--tty" ? tty : keep_stdin) = true;
    argv[2] = argv[1];
    ++argv;
    --argc;
  }
  if (argc < 5) return Fail("usage: podagent-shim exec <state_dir> <pid> <command> [args...]");
  std::string state_dir = argv[2];
  pid_t pid = 0;
  if (!absl::SimpleAtoi(argv[3], &pid) || pid <= 0) return Fail(absl::StrCat("bad pid ", argv[3]));
  auto text = ReadFile(SpecPath(state_dir));
  if (!text.ok()) return Fail(std::string(text.status().message()));
  auto spec = ContainerSpecFromJson(nlohmann::json::parse(*text, nullptr, false));
  if (!spec.ok()) return Fail(std::string(spec.status().message()));

  // Open every namespace before entering any: after the mnt switch /proc is the container's.
  static const std::pair<const char*, int> kNs[] = {
      {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS}, {"net", CLONE_NEWNET}, {"pid", CLONE_NEWPID}, {"mnt", CLONE_NEWNS}};
  std::vector<std::pair<UniqueFd, int>> ns;
  for (const auto& [name, type] : kNs) {
    std::string path = absl::StrCat("/proc/", pid, "/ns/", name);
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return Fail(absl::StrCat("open ", path, ": ", strerror(errno)));
    ns.emplace_back(std::move(fd), type);
  }
  std::string self = std::to_string(::getpid());
  for (const std::string& procs : spec->cgroup_procs_files) {
    if (auto st = WriteFile(procs, self); !st.ok()) return Fail(std::string(st.message()));
  }
  for (const auto& [fd, type] : ns) {
    if (::setns(fd.Get(), type) != 0) return Fail(absl::StrCat("setns ", type, ": ", strerror(errno)));
  }
  ns.clear();
  if (::chdir("/") != 0) return Fail("chdir /");

  ProcessSpec p = spec->process;
  p.args.assign(argv + 4, argv + argc);
  pid_t child = ::fork();
  if (child < 0) return Fail("fork");
  if (child == 0) {
    if (tty) {
      if (::setsid() < 0 || ::ioctl(0, TIOCSCTTY, 0) != 0) _exit(Fail(absl::StrCat("set controlling tty: ", strerror(errno))));
    } else if (!keep_stdin) {
      UniqueFd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
      if (null) ::dup2(null.Get(), 0);
    }
    absl::Status st = SecureAndExec(p, -1, /*die_with_parent=*/true);
    _exit(Fail(std::string(st.message()), absl::IsNotFound(st) ? 127 : 126));
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) return Fail("waitpid");
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

}  // namespace podagent::shim
