#include "runtime/shim/port_connect.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "absl/strings/numbers.h"
#include "runtime/common/fd_passing.h"
#include "runtime/common/unique_fd.h"

namespace podagent::shim {
namespace {

constexpr int kReplyFd = 3;

int Reply(int err, int fd) {
  absl::Status sent = SendFdReply(kReplyFd, err, fd);
  return sent.ok() && err == 0 ? 0 : 1;
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
