#pragma once
// PidfdOpen: a pidfd for `pid` (pidfd_open(2), Linux 5.3+), an fd that names that one process
// even after its pid is reused, and that poll() reports readable when the process exits. Invalid,
// with errno set, when the process is gone or the kernel has no pidfd_open (ENOSYS).

#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>

#include "runtime/common/unique_fd.h"

namespace podagent {

inline UniqueFd PidfdOpen(pid_t pid) {
#ifdef SYS_pidfd_open
  return UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
#else
  (void)pid;
  errno = ENOSYS;
  return UniqueFd();
#endif
}

}  // namespace podagent
