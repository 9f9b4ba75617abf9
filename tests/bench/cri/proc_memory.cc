#include "tests/bench/cri/proc_memory.h"

#include <dirent.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "runtime/common/files.h"

namespace podagent::bench {
namespace {

// Field 4 of a /proc/PID/stat text: after the last ')' (comm may hold spaces and parens).
absl::StatusOr<pid_t> ParentFromStat(const std::string& stat, pid_t pid) {
  size_t close = stat.rfind(')');
  std::vector<absl::string_view> f =
      absl::StrSplit(absl::string_view(stat).substr(close == std::string::npos ? 0 : close + 2), ' ');
  int ppid = 0;
  if (close == std::string::npos || f.size() < 2 || !absl::SimpleAtoi(f[1], &ppid)) {
    return absl::InternalError(absl::StrCat("parse /proc/", pid, "/stat"));
  }
  return static_cast<pid_t>(ppid);
}

}  // namespace

absl::StatusOr<pid_t> SocketPeerPid(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return absl::InvalidArgumentError("socket path too long: " + path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  ucred cred{};
  socklen_t len = sizeof cred;
  int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  int err = errno;
  if (rc == 0) {
    rc = ::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len);
    err = errno;
  }
  ::close(fd);
  if (rc != 0) return absl::UnavailableError(absl::StrCat("peer of ", path, ": ", std::strerror(err)));
  return cred.pid;
}

ProcessTree ProcessTree::Scan() {
  ProcessTree tree;
  DIR* d = ::opendir("/proc");
  if (d == nullptr) return tree;
  while (dirent* e = ::readdir(d)) {
    int pid = 0;
    if (!absl::SimpleAtoi(e->d_name, &pid)) continue;
    auto stat = ReadFile(absl::StrCat("/proc/", pid, "/stat"));
    if (!stat.ok()) continue;  // it ended while we scanned
    auto ppid = ParentFromStat(*stat, pid);
    if (!ppid.ok()) continue;
    tree.parent_[pid] = *ppid;
    tree.children_.emplace(*ppid, pid);
  }
  ::closedir(d);
  return tree;
}

pid_t ProcessTree::Parent(pid_t pid) const {
  auto it = parent_.find(pid);
  return it == parent_.end() ? 0 : it->second;
}

std::set<pid_t> ProcessTree::Descendants(pid_t root) const {
  std::set<pid_t> out;
  std::vector<pid_t> todo = {root};
  while (!todo.empty()) {
    pid_t p = todo.back();
    todo.pop_back();
    auto [lo, hi] = children_.equal_range(p);
    for (auto it = lo; it != hi; ++it) {
      if (out.insert(it->second).second) todo.push_back(it->second);
    }
  }
  return out;
}

absl::StatusOr<Memory> ReadMemory(pid_t pid) {
  auto text = ReadFile(absl::StrCat("/proc/", pid, "/smaps_rollup"));
  if (!text.ok()) return text.status();
  Memory m;
  bool rss = false, pss = false;
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    double* field = absl::StartsWith(line, "Rss:") ? &m.rss_kib : absl::StartsWith(line, "Pss:") ? &m.pss_kib : nullptr;
    if (field == nullptr) continue;
    std::vector<absl::string_view> words = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (words.size() < 2 || !absl::SimpleAtod(words[1], field)) {
      return absl::InternalError(absl::StrCat("parse /proc/", pid, "/smaps_rollup: ", line));
    }
    (field == &m.rss_kib ? rss : pss) = true;
  }
  if (!rss || !pss) return absl::InternalError(absl::StrCat("/proc/", pid, "/smaps_rollup has no Rss/Pss (a zombie?)"));
  return m;
}

absl::StatusOr<Memory> SumMemory(const std::set<pid_t>& pids) {
  Memory sum;
  for (pid_t p : pids) {
    auto m = ReadMemory(p);
    if (!m.ok()) return m.status();
    sum += *m;
  }
  return sum;
}

}  // namespace podagent::bench
