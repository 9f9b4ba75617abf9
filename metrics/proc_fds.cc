#include "metrics/proc_fds.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "metrics/stat_files.h"

namespace podagent {
namespace {

bool IsSocket(int dirfd, const char* name) {
  char link[64];
  ssize_t n = ::readlinkat(dirfd, name, link, sizeof(link));
  return n > 0 && absl::StartsWith(absl::string_view(link, static_cast<size_t>(n)), "socket:");
}

// Adds the entries of <proc_root>/<pid>/fd to `out`; nothing when the process is gone.
void CountOne(int pid, const std::string& proc_root, FdCounts& out) {
  std::string path = absl::StrCat(proc_root, "/", pid, "/fd");
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
    if (++seen > kMaxFdsPerProcess) break;
    ++out.fds;
    if (IsSocket(fd, e->d_name)) ++out.sockets;
  }
  ::closedir(dir);  // closes fd
}

}  // namespace

FdCounts CountProcessFds(absl::string_view procs, const std::string& proc_root) {
  FdCounts out;
  int looked = 0;
  for (absl::string_view line : absl::StrSplit(procs, '\n', absl::SkipWhitespace())) {
    int pid = 0;
    if (!absl::SimpleAtoi(line, &pid) || pid <= 0) continue;
    if (++looked > kMaxFdProcesses) break;
    CountOne(pid, proc_root, out);
  }
  return out;
}

std::optional<FdCounts> ReadCgroupFdCounts(const std::string& dir, const std::string& proc_root) {
  if (dir.empty()) return std::nullopt;
  std::optional<std::string> procs = ReadOptionalFile(dir + "/cgroup.procs");
  if (!procs) return std::nullopt;
  return CountProcessFds(*procs, proc_root);
}

}  // namespace podagent
