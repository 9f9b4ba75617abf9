#include "runtime/container/mount_features.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace podagent {

bool RecursiveReadOnlyMountsSupported() {
#ifdef SYS_mount_setattr
  long r = ::syscall(SYS_mount_setattr, -1, "", AT_EMPTY_PATH | AT_RECURSIVE, nullptr, 0);
  return !(r != 0 && errno == ENOSYS);
#else
  return false;
#endif
}

}  // namespace podagent
