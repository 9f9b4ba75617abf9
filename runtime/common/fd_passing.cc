#include "runtime/common/fd_passing.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"

namespace podagent {

ssize_t SendWithFd(int sock, const void* data, size_t len, int fd) {
  struct iovec iov {const_cast<void*>(data), len};
  struct msghdr msg {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  if (fd >= 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
  }
  ssize_t n;
  do {
    n = ::sendmsg(sock, &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return n;
}

ssize_t ReceiveWithFd(int sock, void* buf, size_t cap, UniqueFd* fd) {
  struct iovec iov {buf, cap};
  struct msghdr msg {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  fd->Reset();
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); n >= 0 && c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int))) {
      int received = -1;
      std::memcpy(&received, CMSG_DATA(c), sizeof received);
      fd->Reset(received);
    }
  }
  return n;
}

absl::Status SendFdReply(int sock, int32_t code, int fd) {
  if (SendWithFd(sock, &code, sizeof code, fd) < 0) return ErrnoError("sendmsg fd reply");
  return absl::OkStatus();
}

absl::StatusOr<FdReply> ReceiveFdReply(int sock, absl::Duration timeout, const std::string& what) {
  struct pollfd p {sock, POLLIN, 0};
  int ready;
  do {
    ready = ::poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
  } while (ready < 0 && errno == EINTR);
  if (ready < 0) return ErrnoError(absl::StrCat(what, ": poll"));
  if (ready == 0) return absl::DeadlineExceededError(absl::StrCat(what, ": the helper gave no answer in time"));
  FdReply reply;
  ssize_t n = ReceiveWithFd(sock, &reply.code, sizeof reply.code, &reply.fd);
  if (n != sizeof reply.code) return absl::InternalError(absl::StrCat(what, ": the helper gave no answer"));
  if (reply.code == 0 && !reply.fd) return absl::InternalError(absl::StrCat(what, ": no fd received"));
  if (reply.code != 0) reply.fd.Reset();
  return reply;
}

}  // namespace podagent
