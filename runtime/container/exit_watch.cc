#include "runtime/container/exit_watch.h"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <system_error>
#include <thread>

#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"

namespace podagent {

absl::StatusOr<ExitRecordWatch> ExitRecordWatch::Open(const std::string& state_dir) {
  UniqueFd fd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!fd) return ErrnoError("inotify_init1");
  if (::inotify_add_watch(fd.Get(), state_dir.c_str(), IN_MOVED_TO | IN_CLOSE_WRITE | IN_ONLYDIR) < 0) {
    return ErrnoError(absl::StrCat("watch ", state_dir));
  }
  return ExitRecordWatch(std::move(fd));
}

ExitRecordWatch::~ExitRecordWatch() {
  if (!fd_) return;
  int fd = fd_.Release();
  try {
    std::thread([fd] { ::close(fd); }).detach();
  } catch (const std::system_error&) {
    ::close(fd);  // no thread to spare: pay the grace period here
  }
}

bool ExitRecordWatch::WaitForChange(absl::Duration timeout) {
  int64_t ms = std::clamp<int64_t>(absl::ToInt64Milliseconds(absl::Ceil(timeout, absl::Milliseconds(1))), 0, 1 << 30);
  struct pollfd pfd = {fd_.Get(), POLLIN, 0};
  int n = ::poll(&pfd, 1, static_cast<int>(ms));
  if (n <= 0) return false;  // timeout, or EINTR: the caller looks again either way
  alignas(struct inotify_event) char buf[4096];
  while (::read(fd_.Get(), buf, sizeof buf) > 0) {
  }
  return true;
}

}  // namespace podagent
