#include "runtime/shim/port_connect.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/numbers.h"
#include "runtime/common/unique_fd.h"

namespace podagent::shim {
namespace {

constexpr int kReplyFd = 3;

int Reply(int err, int fd) {
  int32_t code = err;
  struct iovec iov {&code, sizeof code};
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
  return ::sendmsg(kReplyFd, &msg, MSG_NOSIGNAL) < 0 ? 1 : (err == 0 ? 0 : 1);
}

}  // namespace

int RunConnect(int argc, char** argv) {
  int port = 0;
  if (argc != 4 || !absl::SimpleAtoi(argv[3], &port) || port <= 0 || port > 65535) return Reply(EINVAL, -1);
  UniqueFd ns(::open(argv[2], O_RDONLY | O_CLOEXEC));
  if (!ns) return Reply(errno, -1);
  if (::setns(ns.Get(), CLONE_NEWNET) != 0) return Reply(errno, -1);
  UniqueFd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s) return Reply(errno, -1);
  struct sockaddr_in a {};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(s.Get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return Reply(errno, -1);
  return Reply(0, s.Get());
}

}  // namespace podagent::shim
