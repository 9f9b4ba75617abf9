#include "runtime/shim/container_pty.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "runtime/common/errors.h"

namespace podagent::shim {
namespace {

absl::StatusOr<UniqueFd> OpenPtmxBeneath(int root_fd) {
  struct open_how how {};
  how.flags = O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  UniqueFd fd(static_cast<int>(::syscall(SYS_openat2, root_fd, "dev/pts/ptmx", &how, sizeof how)));
  if (!fd) return ErrnoError("open the container's /dev/pts/ptmx");
  struct statfs fs {};
  struct stat st {};
  if (::fstatfs(fd.Get(), &fs) != 0 || ::fstat(fd.Get(), &st) != 0) return ErrnoError("stat /dev/pts/ptmx");
  if (fs.f_type != DEVPTS_SUPER_MAGIC || !S_ISCHR(st.st_mode)) {
    return absl::FailedPreconditionError("the container's /dev/pts/ptmx is not a devpts pty multiplexer");
  }
  return fd;
}

}  // namespace

absl::StatusOr<PtyPair> OpenContainerPty(int root_fd, uid_t uid) {
  ASSIGN_OR_RETURN(UniqueFd master, OpenPtmxBeneath(root_fd));
  int unlock = 0;
  if (::ioctl(master.Get(), TIOCSPTLCK, &unlock) != 0) return ErrnoError("unlock pty");
  UniqueFd slave(::ioctl(master.Get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!slave) return ErrnoError("open pty slave");
  // The group stays the mount's (gid=5, tty); -1 leaves it.
  if (::fchown(slave.Get(), uid, static_cast<gid_t>(-1)) != 0) return ErrnoError("chown pty slave");
  return PtyPair{std::move(master), std::move(slave)};
}

}  // namespace podagent::shim
