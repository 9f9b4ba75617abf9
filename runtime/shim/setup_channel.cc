#include "runtime/shim/setup_channel.h"

#include <sys/socket.h>

#include <algorithm>

#include <cerrno>
#include <cstring>

namespace podagent::shim {
namespace {

struct Header {
  int32_t kind;
  int32_t err;
  uint32_t len;
};

constexpr size_t kMaxText = 4000;

// One message; with `pass_fd` >= 0 the fd goes along as SCM_RIGHTS.
bool Send(int fd, MsgKind kind, int32_t err, const std::string& text, int pass_fd = -1) {
  char buf[sizeof(Header) + kMaxText];
  Header h{static_cast<int32_t>(kind), err, static_cast<uint32_t>(std::min(text.size(), kMaxText))};
  std::memcpy(buf, &h, sizeof h);
  std::memcpy(buf + sizeof h, text.data(), h.len);
  struct iovec iov {buf, sizeof h + h.len};
  struct msghdr msg {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  if (pass_fd >= 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &pass_fd, sizeof pass_fd);
  }
  ssize_t n;
  do {
    n = ::sendmsg(fd, &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return n >= 0;
}

}  // namespace

void SendPid(int fd, pid_t pid) { Send(fd, MsgKind::kPid, pid, ""); }
void SendError(int fd, int err, const std::string& text) { Send(fd, MsgKind::kError, err, text); }
bool SendPty(int fd, int master) { return Send(fd, MsgKind::kPty, 0, "", master); }

bool ReadMsg(int fd, SetupMsg& out) {
  char buf[sizeof(Header) + kMaxText];
  struct iovec iov {buf, sizeof buf};
  struct msghdr msg {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = ::recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  out.fd.Reset();
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); n >= 0 && c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int))) {
      int received = -1;
      std::memcpy(&received, CMSG_DATA(c), sizeof received);
      out.fd.Reset(received);
    }
  }
  if (n < static_cast<ssize_t>(sizeof(Header))) return false;
  Header h;
  std::memcpy(&h, buf, sizeof h);
  size_t len = std::min<size_t>(h.len, static_cast<size_t>(n) - sizeof h);
  out.kind = static_cast<MsgKind>(h.kind);
  out.err = h.err;
  out.text.assign(buf + sizeof h, len);
  return true;
}

}  // namespace podagent::shim
