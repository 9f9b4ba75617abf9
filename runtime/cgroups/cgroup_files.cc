#include "runtime/cgroups/cgroup_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <algorithm>
#include <chrono>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runtime/common/errors.h"
#include "runtime/common/files.h"
#include "runtime/common/pidfd.h"
#include "runtime/common/unique_fd.h"

namespace podagent::cgroupfs {
namespace {

constexpr int kRemoveAttempts = 60;  // with backoff capped at 100ms: about 5 seconds in all
// WaitEmpty watches at most this many pids at once through pidfds; the rest are seen on the next
// listing, after one of the watched ones exits.
constexpr size_t kMaxPidfds = 64;
// Without pidfds (kernels before 5.3) WaitEmpty looks again every 5 ms.
constexpr int kFallbackPollMs = 5;
// WaitForValue on a file that sends no change events (v1 freezer.state) reads again after 0.25 ms,
// doubling to 5 ms; a file that does (v2 cgroup.events) wakes the wait at once.
constexpr auto kFirstReread = std::chrono::microseconds(250);
constexpr auto kMaxReread = std::chrono::milliseconds(5);

using Clock = std::chrono::steady_clock;

int MsLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::max<int64_t>(0, left));
}

bool IsDir(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The child directories of `dir` (none when it cannot be listed). The type comes from the
// directory entry (cgroupfs and tmpfs fill it): a v1 cgroup holds 15-25 files, and an lstat of
// each by its full path was most of the syscalls of a container's removal (~170 over 9
// hierarchies). Only an entry of unknown type is looked at with lstat; a symlink is never a child.
std::vector<std::string> ChildDirs(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return out;
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (e->d_type == DT_DIR || (e->d_type == DT_UNKNOWN && IsDir(absl::StrCat(dir, "/", name)))) {
      out.push_back(std::move(name));
    }
  }
  ::closedir(d);
  return out;
}

// Directories of the subtree at `dir`, deepest first (post-order), `dir` last.
void CollectPostOrder(const std::string& dir, std::vector<std::string>& out) {
  for (const std::string& name : ChildDirs(dir)) CollectPostOrder(absl::StrCat(dir, "/", name), out);
  out.push_back(dir);
}

void KillAll(const std::vector<std::string>& dirs) {
  for (const std::string& d : dirs) {
    auto pids = ReadProcs(d);
    if (!pids.ok()) continue;
    for (pid_t pid : *pids) {
      if (pid > 0) ::kill(pid, SIGKILL);
    }
  }
}

absl::Status RemoveFilesIn(const std::string& dir) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(dir));
  for (const std::string& name : names) {
    std::string child = absl::StrCat(dir, "/", name);
    if (!IsDir(child) && ::unlink(child.c_str()) != 0 && errno != ENOENT) {
      return ErrnoError(absl::StrCat("unlink ", child));
    }
  }
  return absl::OkStatus();
}

struct RemoveResult {
  int err = 0;  // errno of the first failed rmdir (not ENOENT); 0 when all are gone
  std::string dir;
};

// One pass: rmdir deepest first, stopping at the first failure.
RemoveResult RemoveOnce(const std::vector<std::string>& dirs, bool rmdir_files) {
  for (const std::string& d : dirs) {
    if (rmdir_files && !RemoveFilesIn(d).ok()) return {EIO, d};
    if (::rmdir(d.c_str()) != 0 && errno != ENOENT) return {errno, d};
  }
  return {};
}

// A kernel file's content without its trailing newline and spaces.
std::string TrimEnd(std::string content) {
  while (!content.empty() && (content.back() == '\n' || content.back() == ' ')) content.pop_back();
  return content;
}

// The trimmed content of the open file `fd` (read from its start), `path` for errors.
absl::StatusOr<std::string> ReadAt(int fd, const std::string& path) {
  if (::lseek(fd, 0, SEEK_SET) != 0) return KernelFileError(absl::StrCat("seek ", path));
  std::string content;
  char buf[512];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return KernelFileError(absl::StrCat("read ", path));
    if (n == 0) break;
    content.append(buf, static_cast<size_t>(n));
  }
  return TrimEnd(std::move(content));
}

// Blocks until one of `pids` (the first kMaxPidfds) exits, or `ms` pass. Returns at once when
// one is gone already; without pidfd_open it waits kFallbackPollMs.
void AwaitAnyExit(const std::vector<pid_t>& pids, int ms) {
  std::vector<UniqueFd> fds;
  std::vector<struct pollfd> polled;
  for (pid_t pid : pids) {
    if (fds.size() == kMaxPidfds) break;
    UniqueFd fd = PidfdOpen(pid);
    if (!fd) {
      if (errno == ESRCH) return;  // exited since the listing
      ::poll(nullptr, 0, std::min(ms, kFallbackPollMs));
      return;
    }
    polled.push_back({fd.Get(), POLLIN, 0});
    fds.push_back(std::move(fd));
  }
  int n;
  do {
    n = ::poll(polled.data(), polled.size(), ms);
  } while (n < 0 && errno == EINTR);
}

}  // namespace

void KillPids(const std::string& dir) {
  if (!IsDir(dir)) return;
  std::vector<std::string> dirs;
  CollectPostOrder(dir, dirs);
  KillAll(dirs);
}

absl::Status WaitForValue(const std::string& dir, const std::string& file, const std::string& want, int timeout_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  std::string path = absl::StrCat(dir, "/", file);
  // Opened once: a kernfs file that the kernel notifies (cgroup.events) wakes poll() with POLLPRI
  // after any change since this open; reading it first and then waiting misses none.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return KernelFileError(absl::StrCat("open ", path));
  std::chrono::microseconds reread = kFirstReread;
  std::string last;
  for (;;) {
    ASSIGN_OR_RETURN(last, ReadAt(fd.Get(), path));
    if (last == want || last.find(want) != std::string::npos) return absl::OkStatus();
    auto now = Clock::now();
    if (now >= deadline) break;
    auto wait = std::min<Clock::duration>(reread, deadline - now);
    struct pollfd pfd = {fd.Get(), POLLPRI, 0};
    struct timespec ts = {0, static_cast<long>(std::chrono::duration_cast<std::chrono::nanoseconds>(wait).count())};
    ::ppoll(&pfd, 1, &ts, nullptr);
    reread = std::min<std::chrono::microseconds>(reread * 2, kMaxReread);
  }
  return absl::DeadlineExceededError(absl::StrCat(dir, "/", file, " reads \"", last, "\", not \"", want, "\" after ",
                                                  timeout_ms, "ms"));
}

// relist_ms: the longest single wait before listing the cgroup again. A process that joins it
// (a fork the freezer did not stop) has no pidfd here, and is found by the next listing.
absl::Status WaitEmpty(const std::string& dir, int timeout_ms, bool kill_rounds, int relist_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto pids = ReadProcsRecursive(dir);
    if (absl::IsNotFound(pids.status())) return absl::OkStatus();
    if (!pids.ok()) return pids.status();
    if (pids->empty()) return absl::OkStatus();
    if (Clock::now() >= deadline) {
      std::string list;
      for (pid_t p : *pids) absl::StrAppend(&list, list.empty() ? "" : " ", p);
      return absl::DeadlineExceededError(absl::StrCat("processes ", list, " still in ", dir, " after ", timeout_ms,
                                                      "ms of SIGKILL"));
    }
    if (kill_rounds) KillPids(dir);
    AwaitAnyExit(*pids, std::min(MsLeft(deadline), std::max(relist_ms, 1)));
  }
}

absl::Status ValidatePath(const std::string& path) {
  if (path.empty() || path[0] != '/') {
    return absl::InvalidArgumentError(absl::StrCat("cgroup path \"", path, "\" is not absolute"));
  }
  if (path == "/") return absl::OkStatus();
  for (absl::string_view part : absl::StrSplit(path.substr(1), '/')) {
    if (part.empty() || part == "." || part == "..") {
      return absl::InvalidArgumentError(absl::StrCat("cgroup path \"", path, "\" has an empty, . or .. component"));
    }
  }
  return absl::OkStatus();
}

std::string Join(const std::string& root, const std::string& path) {
  if (path == "/" || path.empty()) return root;
  return root + path;
}

absl::Status Write(const std::string& dir, const std::string& file, const std::string& value, bool create) {
  std::string path = absl::StrCat(dir, "/", file);
  int flags = O_WRONLY | O_CLOEXEC | (create ? O_CREAT | O_TRUNC : 0);
  UniqueFd fd(::open(path.c_str(), flags, 0644));
  if (!fd) return KernelFileError(absl::StrCat("open ", path));
  ssize_t n;
  do {
    n = ::write(fd.Get(), value.data(), value.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) return KernelFileError(absl::StrCat("write \"", value, "\" to ", path));
  if (static_cast<size_t>(n) != value.size()) {
    return absl::InternalError(absl::StrCat("write \"", value, "\" to ", path, ": short write"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Read(const std::string& dir, const std::string& file) {
  ASSIGN_OR_RETURN(std::string content, ReadFile(absl::StrCat(dir, "/", file)));
  return TrimEnd(std::move(content));
}

absl::StatusOr<std::vector<pid_t>> ReadProcs(const std::string& dir) {
  ASSIGN_OR_RETURN(std::string content, Read(dir, "cgroup.procs"));
  std::vector<pid_t> pids;
  for (absl::string_view line : absl::StrSplit(content, '\n', absl::SkipEmpty())) {
    int pid = 0;
    if (!absl::SimpleAtoi(line, &pid)) {
      return absl::InternalError(absl::StrCat("parse ", dir, "/cgroup.procs: bad pid \"", line, "\""));
    }
    pids.push_back(pid);
  }
  return pids;
}

absl::StatusOr<std::vector<pid_t>> ReadProcsRecursive(const std::string& dir) {
  if (!IsDir(dir)) return absl::NotFoundError(absl::StrCat("cgroup ", dir, " does not exist"));
  std::vector<std::string> dirs;
  CollectPostOrder(dir, dirs);
  std::vector<pid_t> all;
  for (const std::string& d : dirs) {
    auto pids = ReadProcs(d);
    if (!pids.ok()) {
      if (absl::IsNotFound(pids.status())) continue;  // removed meanwhile
      return pids.status();
    }
    all.insert(all.end(), pids->begin(), pids->end());
  }
  return all;
}

absl::Status KillAndRemove(const std::string& dir, const std::string& kill_file, bool rmdir_files) {
  // After a stop the cgroup is empty and has no child: one rmdir, instead of the walk below (8
  // syscalls per hierarchy, 9 hierarchies on v1). The kernel refuses it (EBUSY) while a task or a
  // child cgroup is left, and a fixture tree's files refuse it too (ENOTEMPTY): those take the walk.
  if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return absl::OkStatus();
  if (!IsDir(dir)) return absl::OkStatus();
  // A tree of empty cgroups (a pod's after its stop: the pod's and the pause's) goes deepest first
  // without reading a cgroup.procs; a busy one stops this at its first EBUSY. Files are never
  // removed here: in a fixture tree they are what says a cgroup is busy.
  std::vector<std::string> tree;
  CollectPostOrder(dir, tree);
  if (RemoveOnce(tree, false).err == 0) return absl::OkStatus();
  if (!kill_file.empty() && PathExists(absl::StrCat(dir, "/", kill_file))) {
    absl::Status st = Write(dir, kill_file, "1", false);
    if (!st.ok() && !absl::IsNotFound(st)) return Annotate(st, "kill cgroup");
  }
  auto delay = std::chrono::milliseconds(2);
  RemoveResult last;
  for (int attempt = 0; attempt < kRemoveAttempts; ++attempt) {
    std::vector<std::string> dirs;
    CollectPostOrder(dir, dirs);
    KillAll(dirs);
    last = RemoveOnce(dirs, rmdir_files);
    if (last.err == 0) return absl::OkStatus();
    if (last.err != EBUSY) return ErrnoError(last.err, absl::StrCat("rmdir ", last.dir));
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(100));
  }
  return absl::FailedPreconditionError(absl::StrCat("rmdir ", last.dir, ": still busy after ", kRemoveAttempts,
                                                    " attempts to kill its processes"));
}

}  // namespace podagent::cgroupfs
