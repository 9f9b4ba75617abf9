#include "runtime/sandbox/pause_process.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <unistd.h>

#include <csignal>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "runtime/common/errors.h"
#include "runtime/common/unique_fd.h"
#include "runtime/process/spawn.h"

namespace podagent {
namespace {

constexpr size_t kMaxReport = 1024;

// Reads up to a newline (or EOF) from `fd` before `deadline`.
absl::StatusOr<std::string> ReadReport(int fd, absl::Time deadline, const std::string& pod_id) {
  std::string line;
  while (line.find('\n') == std::string::npos && line.size() < kMaxReport) {
    absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError(absl::StrCat("pod ", pod_id, ": pause did not report readiness in time"));
    }
    struct pollfd p = {fd, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (r < 0 && errno != EINTR) return ErrnoError("poll pause ready pipe");
    if (r <= 0) continue;
    char buf[256];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: pause exited (or closed the pipe) without a full line
    line.append(buf, static_cast<size_t>(n));
  }
  return line;
}

}  // namespace

std::vector<std::string> PauseArgv(const PauseSpec& spec) {
  std::vector<std::string> argv = {spec.binary, "--ready-fd", "3"};
  for (const std::string& f : spec.cgroup_procs_files) {
    argv.insert(argv.end(), {"--cgroup-procs", f});
  }
  if (spec.new_uts && !spec.hostname.empty()) argv.insert(argv.end(), {"--hostname", spec.hostname});
  if (spec.new_net) argv.push_back("--lo-up");
  for (const PodSysctl& s : spec.sysctls) argv.insert(argv.end(), {"--sysctl", absl::StrCat(s.path, "=", s.value)});
  return argv;
}

int PauseCloneFlags(const PauseSpec& spec) {
  int flags = CLONE_NEWNS;
  if (spec.new_net) flags |= CLONE_NEWNET;
  if (spec.new_ipc) flags |= CLONE_NEWIPC;
  if (spec.new_pid) flags |= CLONE_NEWPID;
  if (spec.new_uts) flags |= CLONE_NEWUTS;
  return flags;
}

absl::Status ParsePauseReport(const std::string& pod_id, const std::string& raw) {
  std::string line(absl::StripTrailingAsciiWhitespace(raw));
  if (line == "ok") return absl::OkStatus();
  std::vector<std::string> parts = absl::StrSplit(line, absl::MaxSplits(' ', 2));
  int err = 0;
  if (parts.size() == 3 && parts[0] == "error" && absl::SimpleAtoi(parts[1], &err) && err > 0) {
    // ErrnoError appends strerror; the pause line already carries it, so keep the line's text.
    absl::Status coded = ErrnoError(err, "");
    return absl::Status(coded.code(), absl::StrCat("pod ", pod_id, ": pause setup failed: ", parts[2]));
  }
  if (line.empty()) return absl::InternalError(absl::StrCat("pod ", pod_id, ": pause exited without a report"));
  return absl::InternalError(absl::StrCat("pod ", pod_id, ": pause sent an unexpected report \"", line, "\""));
}

absl::StatusOr<ChildProcess> StartPause(const PauseSpec& spec) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return ErrnoError("pipe2 for pause");
  UniqueFd read_end(p[0]), write_end(p[1]);
  SpawnOptions options;
  options.argv = PauseArgv(spec);
  options.fds = {{3, write_end.Get()}};
  options.namespace_flags = PauseCloneFlags(spec);
  auto child = Spawn(options);
  write_end.Reset();
  if (!child.ok()) return Annotate(child.status(), absl::StrCat("pod ", spec.pod_id, ": start pause"));
  auto line = ReadReport(read_end.Get(), absl::Now() + spec.ready_timeout, spec.pod_id);
  absl::Status st = line.ok() ? ParsePauseReport(spec.pod_id, *line) : line.status();
  if (!st.ok()) {
    (void)child->Terminate(SIGKILL, absl::Seconds(5));
    return st;
  }
  return child;
}

}  // namespace podagent
