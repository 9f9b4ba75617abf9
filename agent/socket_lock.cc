#include "agent/socket_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "runtime/common/errors.h"
#include "runtime/common/files.h"

namespace podagent {

absl::StatusOr<SocketLock> SocketLock::Acquire(const std::string& socket_path) {
  std::string lock_path = socket_path + ".lock";
  UniqueFd fd(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!fd) return ErrnoError(absl::StrCat("open ", lock_path));
  if (::flock(fd.Get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) return ErrnoError(absl::StrCat("flock ", lock_path));
    std::string holder = "unknown";
    if (auto text = ReadFile(lock_path); text.ok()) holder = std::string(absl::StripAsciiWhitespace(*text));
    return absl::FailedPreconditionError(
        absl::StrCat("another podagent (pid ", holder, ") is serving ", socket_path, "; stop it first"));
  }
  std::string pid = absl::StrCat(::getpid(), "\n");
  if (::ftruncate(fd.Get(), 0) != 0 || ::pwrite(fd.Get(), pid.data(), pid.size(), 0) < 0) {
    return ErrnoError(absl::StrCat("write ", lock_path));
  }
  // We hold the lock, so any socket file left is stale.
  if (::unlink(socket_path.c_str()) != 0 && errno != ENOENT) {
    return ErrnoError(absl::StrCat("remove stale socket ", socket_path));
  }
  return SocketLock(std::move(fd));
}

}  // namespace podagent
