#pragma once
// A pty on a container's own devpts instance (the `newinstance` mount at its /dev/pts), for a
// `tty` container's process and an exec with a TTY: inside, ttyname() then names it (/dev/pts/N) as it does for runc's consoles,
// where a pty from the host's devpts reads as "not a tty". Called after entering the container's
// mount namespace. The container owns that path, so: ptmx is opened beneath the root with no
// symlink followed and non-blocking, must be a character device on a devpts filesystem, and the
// slave comes from the master (TIOCGPTPEER), never by path.

#include <sys/types.h>

#include "absl/status/statusor.h"
#include "runtime/common/unique_fd.h"

namespace podagent::shim {

// Both close-on-exec; the slave is nobody's controlling terminal until its process takes it
// (setsid + TIOCSCTTY).
struct PtyPair {
  UniqueFd master, slave;
};

// `root_fd`: the container's root directory. The slave is made `uid`'s (the command's user).
absl::StatusOr<PtyPair> OpenContainerPty(int root_fd, uid_t uid);

}  // namespace podagent::shim
