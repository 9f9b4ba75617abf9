#pragma once
// One reply over a unix socket from a helper that made an fd in another namespace (a socket in
// the pod's netns, a pty master on the container's devpts): 4 bytes of errno (0 on success) and,
// on success, the fd as SCM_RIGHTS. The daemon's threads never setns; helpers do, then reply.

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "runtime/common/unique_fd.h"

namespace podagent {

// One message of `len` bytes with, when `fd` >= 0, the fd as SCM_RIGHTS; retries EINTR, never
// raises SIGPIPE. -1 with errno on failure.
ssize_t SendWithFd(int sock, const void* data, size_t len, int fd);
// One message into `buf` (at most `cap` bytes) and the fd that came with it, if any (close-on-exec,
// into `*fd`). Returns recvmsg's result; retries EINTR.
ssize_t ReceiveWithFd(int sock, void* buf, size_t cap, UniqueFd* fd);

// Sends `code` and, when `fd` >= 0, the fd.
absl::Status SendFdReply(int sock, int32_t code, int fd);

// What ReceiveFdReply got: the helper's errno and, when it was 0, the fd (close-on-exec).
struct FdReply {
  int32_t code = 0;
  UniqueFd fd;
};

// Waits up to `timeout` for one reply on `sock`. DeadlineExceeded when none comes in time,
// Internal when the helper closed without a well-formed one (or sent 0 without an fd).
absl::StatusOr<FdReply> ReceiveFdReply(int sock, absl::Duration timeout, const std::string& what);

}  // namespace podagent
