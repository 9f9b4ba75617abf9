// ConnectInNetns: `podagent-shim connect` makes the socket inside the namespace.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"
#include "runtime/container/shim_exec.h"
#include "runtime/process/spawn.h"

namespace podagent {
namespace {

// Receives the helper's errno and, on success, the socket.
absl::StatusOr<UniqueFd> ReceiveSocket(int fd, absl::Duration timeout, const std::string& what) {
  struct pollfd p {fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout))) <= 0) {
    return absl::DeadlineExceededError(absl::StrCat("connect to ", what, ": no answer in time"));
  }
  int32_t code = 0;
  struct iovec iov {&code, sizeof code};
  struct msghdr msg {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n = ::recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
  UniqueFd got;
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int))) {
      int received = -1;
      std::memcpy(&received, CMSG_DATA(c), sizeof received);
      got.Reset(received);
    }
  }
  if (n != sizeof code) return absl::InternalError(absl::StrCat("connect to ", what, ": the helper gave no answer"));
  if (code != 0) {
    absl::Status st = ErrnoError(code, absl::StrCat("connect to ", what));
    return code == ECONNREFUSED ? absl::UnavailableError(st.message()) : st;
  }
  if (!got) return absl::InternalError(absl::StrCat("connect to ", what, ": no socket received"));
  int flags = ::fcntl(got.Get(), F_GETFL);
  if (flags < 0 || ::fcntl(got.Get(), F_SETFL, flags | O_NONBLOCK) != 0) return ErrnoError("fcntl O_NONBLOCK");
  return got;
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
