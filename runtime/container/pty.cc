#include "runtime/container/pty.h"

#include <fcntl.h>
#include <stdlib.h>

#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"

namespace podagent {

absl::StatusOr<PtyPair> OpenPty() {
  UniqueFd master(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!master) return ErrnoError("posix_openpt");
  if (::grantpt(master.Get()) != 0 || ::unlockpt(master.Get()) != 0) return ErrnoError("unlockpt");
  char name[128];
  if (::ptsname_r(master.Get(), name, sizeof name) != 0) return ErrnoError("ptsname");
  UniqueFd slave(::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!slave) return ErrnoError(absl::StrCat("open ", name));
  return PtyPair{std::move(master), std::move(slave)};
}

}  // namespace podagent
