#pragma once
// Spawn: fork+exec that is safe in a multi-threaded daemon. The child is made with
// clone(CLONE_VM | CLONE_VFORK) (as posix_spawn does) and does only async-signal-safe work before
// execve: dup2 of the requested fds, closing every other fd, resetting signal handlers and mask,
// setsid, chdir. Namespaces are created by the clone flags at process creation, never by
// setns/unshare on a daemon thread.

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "runtime/process/child_process.h"

namespace podagent {

struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0] is the program: an absolute path
  std::vector<std::string> env;   // "K=V"; exactly this environment
  // Child fd -> parent fd. 0, 1 and 2 not listed are /dev/null. Every other fd is closed.
  std::map<int, int> fds;
  int namespace_flags = 0;        // CLONE_NEWNS | CLONE_NEWPID | ... (no other clone flags)
  bool new_session = true;        // setsid: no controlling terminal, own process group
  std::string cwd = "/";
};

// Starts the program. On a failed execve (or fd setup) the child is reaped and the error names
// the program and the syscall.
absl::StatusOr<ChildProcess> Spawn(const SpawnOptions& options);

}  // namespace podagent
