#include "runtime/shim/setup_channel.h"

#include <sys/socket.h>

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

void Send(int fd, MsgKind kind, int32_t err, const std::string& text) {
  char buf[sizeof(Header) + kMaxText];
  Header h{static_cast<int32_t>(kind), err, static_cast<uint32_t>(std::min(text.size(), kMaxText))};
  std::memcpy(buf, &h, sizeof h);
  std::memcpy(buf + sizeof h, text.data(), h.len);
  while (::send(fd, buf, sizeof h + h.len, MSG_NOSIGNAL) < 0 && errno == EINTR) {
  }
}

}  // namespace

void SendPid(int fd, pid_t pid) { Send(fd, MsgKind::kPid, pid, ""); }
void SendError(int fd, int err, const std::string& text) { Send(fd, MsgKind::kError, err, text); }

bool ReadMsg(int fd, SetupMsg& out) {
  char buf[sizeof(Header) + kMaxText];
  ssize_t n;
  do {
    n = ::recv(fd, buf, sizeof buf, 0);
  } while (n < 0 && errno == EINTR);
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
