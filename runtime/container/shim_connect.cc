// ConnectInNetns: `podagent-shim connect` makes the socket inside the namespace.
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>

#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"
#include "runtime/common/fd_passing.h"
#include "runtime/container/shim_exec.h"
#include "runtime/process/spawn.h"

namespace podagent {
namespace {

// Receives the helper's errno and, on success, the socket (made non-blocking).
absl::StatusOr<UniqueFd> ReceiveSocket(int fd, absl::Duration timeout, const std::string& what) {
  ASSIGN_OR_RETURN(FdReply reply, ReceiveFdReply(fd, timeout, absl::StrCat("connect to ", what)));
  if (reply.code != 0) {
    absl::Status st = ErrnoError(reply.code, absl::StrCat("connect to ", what));
    return reply.code == ECONNREFUSED ? absl::UnavailableError(st.message()) : st;
  }
  int flags = ::fcntl(reply.fd.Get(), F_GETFL);
  if (flags < 0 || ::fcntl(reply.fd.Get(), F_SETFL, flags | O_NONBLOCK) != 0) return ErrnoError("fcntl O_NONBLOCK");
  return std::move(reply.fd);
}

}  // namespace

absl::StatusOr<UniqueFd> ConnectInNetns(const ShimLauncher& launcher, const std::string& netns_path, int port,
                                        absl::Duration timeout) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) return ErrnoError("socketpair");
  UniqueFd mine(sv[0]), theirs(sv[1]);
  SpawnOptions o;
  o.argv = {launcher.ExecPath(), "connect", netns_path, std::to_string(port)};
  o.env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
  o.fds = {{3, theirs.Get()}};
  ASSIGN_OR_RETURN(ChildProcess child, Spawn(o));
  theirs.Reset();
  std::string what = absl::StrCat("127.0.0.1:", port, " in ", netns_path);
  auto fd = ReceiveSocket(mine.Get(), timeout, what);
  if (!fd.ok()) child.Signal(SIGKILL).IgnoreError();
  child.Wait(absl::Seconds(5)).IgnoreError();
  return fd;
}

}  // namespace podagent
