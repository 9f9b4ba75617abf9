#include "metrics/proc_tasks.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "metrics/proc_fds.h"
#include "metrics/stat_files.h"
#include "runtime/common/unique_fd.h"

namespace podagent {
namespace {

// The state letter of task `tid` under the open /proc/<pid>/task directory.
std::optional<char> ReadTaskState(int task_dir, const char* tid) {
  UniqueFd fd(::openat(task_dir, absl::StrCat(tid, "/stat").c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.Get() < 0) return std::nullopt;
  char buf[1024];  // the state sits after pid and comm (at most 16 bytes): well inside the first KiB
  ssize_t n = ::read(fd.Get(), buf, sizeof(buf));
  if (n <= 0) return std::nullopt;
  return ParseStatState(absl::string_view(buf, static_cast<size_t>(n)));
}

void CountProcess(int pid, const std::string& proc_root, TaskStates& out) {
  std::string path = absl::StrCat(proc_root, "/", pid, "/task");
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return;
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    ::close(fd);
    return;
  }
  int seen = 0;
  while (struct dirent* e = ::readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    if (++seen > kMaxTasksPerProcess) break;
    if (std::optional<char> state = ReadTaskState(fd, e->d_name)) CountState(*state, out);
  }
  ::closedir(dir);  // closes fd
}

}  // namespace

std::optional<char> ParseStatState(absl::string_view stat) {
  size_t close = stat.rfind(')');
  if (close == absl::string_view::npos || close + 2 >= stat.size() || stat[close + 1] != ' ') return std::nullopt;
  return stat[close + 2];
}

void CountState(char state, TaskStates& out) {
  switch (state) {
    case 'R':
      ++out.running;
      break;
    case 'S':
      ++out.sleeping;
      break;
    case 'D':
      ++out.uninterruptible;
      break;
    case 'T':
    case 't':
      ++out.stopped;
      break;
    default:
      break;
  }
}

TaskStates CountTaskStates(absl::string_view procs, const std::string& proc_root) {
  TaskStates out;
  int looked = 0;
  for (absl::string_view line : absl::StrSplit(procs, '\n', absl::SkipWhitespace())) {
    int pid = 0;
    if (!absl::SimpleAtoi(line, &pid) || pid <= 0) continue;
    if (++looked > kMaxFdProcesses) break;
    CountProcess(pid, proc_root, out);
  }
  return out;
}

std::optional<TaskStates> ReadCgroupTaskStates(const std::string& dir, const std::string& proc_root) {
  if (dir.empty()) return std::nullopt;
  std::optional<std::string> procs = ReadOptionalFile(dir + "/cgroup.procs");
  if (!procs) return std::nullopt;
  return CountTaskStates(*procs, proc_root);
}

}  // namespace podagent
