#pragma once
// File-level helpers shared by the v1 and v2 cgroup drivers: path checks, reading and writing
// cgroup files, and the kill-then-rmdir teardown of one cgroup subtree.

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace podagent::cgroupfs {

// A cgroup path is absolute, with no "." or ".." component and no empty component:
// "/podagent/pod1". InvalidArgument otherwise.
absl::Status ValidatePath(const std::string& path);

// `root` joined with a validated cgroup path ("/" maps to root itself).
std::string Join(const std::string& root, const std::string& path);

// Writes `value` to `dir`/`file`. With `create` (fixture trees) a missing file is created.
// NotFound when the cgroup is gone, also when it went between the open and the write.
absl::Status Write(const std::string& dir, const std::string& file, const std::string& value, bool create);

// Content of `dir`/`file` without the trailing newline; NotFound as for Write.
absl::StatusOr<std::string> Read(const std::string& dir, const std::string& file);

// Pids listed in `dir`/cgroup.procs.
absl::StatusOr<std::vector<pid_t>> ReadProcs(const std::string& dir);

// Pids in `dir` and every descendant directory.
absl::StatusOr<std::vector<pid_t>> ReadProcsRecursive(const std::string& dir);

// SIGKILL to every pid listed in the subtree at `dir` (one pass).
void KillPids(const std::string& dir);

// Polls (bounded by `timeout_ms`) until `dir`/`file` reads `want`: freezer states.
absl::Status WaitForValue(const std::string& dir, const std::string& file, const std::string& want, int timeout_ms);

// Waits (bounded by `timeout_ms`) until no process is left in the subtree at `dir`; with
// `kill_rounds` each listing also SIGKILLs what is left (no freezer to stop a fork race).
// An exit of a listed process wakes it (pidfds); the subtree is listed again at least every
// `relist_ms` for processes that joined since. DeadlineExceeded names the pids still there.
absl::Status WaitEmpty(const std::string& dir, int timeout_ms, bool kill_rounds, int relist_ms = 100);

// Removes `dir` when the kernel lets it go at once (no task, no child). Otherwise kills every
// process in the subtree at `dir` (SIGKILL; `kill_file` such as v2's cgroup.kill is
// written first when it exists), then removes the directories deepest first, retrying EBUSY
// with backoff for a bounded time. Absent `dir` is fine. `rmdir_files` removes regular files
// first (fixture trees only: the kernel's files vanish with the directory).
absl::Status KillAndRemove(const std::string& dir, const std::string& kill_file, bool rmdir_files);

}  // namespace podagent::cgroupfs
