#pragma once
// SocketLock: makes sure one podagent owns a socket path. Holds an flock on "<socket>.lock" for
// the life of the daemon; a stale socket file (no live owner) is removed.

#include <string>

#include "absl/status/statusor.h"
#include "runtime/common/unique_fd.h"

namespace podagent {

class SocketLock {
 public:
  // FailedPrecondition naming the holder's pid when another live podagent holds the socket.
  static absl::StatusOr<SocketLock> Acquire(const std::string& socket_path);

 private:
  explicit SocketLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace podagent
