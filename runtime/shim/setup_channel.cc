#include "runtime/shim/setup_channel.h"

#include <algorithm>
#include <cstring>

#include "runtime/common/fd_passing.h"

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
  return SendWithFd(fd, buf, sizeof h + h.len, pass_fd) >= 0;
}

}  // namespace

void SendPid(int fd, pid_t pid) { Send(fd, MsgKind::kPid, pid, ""); }
void SendError(int fd, int err, const std::string& text) { Send(fd, MsgKind::kError, err, text); }
bool SendPty(int fd, int master) { return Send(fd, MsgKind::kPty, 0, "", master); }

bool ReadMsg(int fd, SetupMsg& out) {
  char buf[sizeof(Header) + kMaxText];
  ssize_t n = ReceiveWithFd(fd, buf, sizeof buf, &out.fd);
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
