#pragma once
// The channel between the shim and the processes that build the container (a SOCK_SEQPACKET
// socketpair, close-on-exec). Each message has a fixed form: kind, errno, length, text.
//   kPid    the container process' pid (host view), sent by the namespace stage
//   kError  a setup step failed: errno and a message naming the step and path
//   kPty    a tty container's pty master (SCM_RIGHTS), made by the init stage on the
//           container's own devpts (see container_pty.h)
// When every child end is closed without an error (the container process exec'd), setup is done.

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "runtime/common/unique_fd.h"

namespace podagent::shim {

enum class MsgKind : int32_t { kPid = 1, kError = 2, kPty = 3 };

struct SetupMsg {
  MsgKind kind = MsgKind::kError;
  int32_t err = 0;    // errno for kError; the pid for kPid
  std::string text;
  UniqueFd fd;  // kPty's master
};

// Async-signal-safe enough for a forked child: one send(), no allocation beyond a stack buffer.
void SendPid(int fd, pid_t pid);
void SendError(int fd, int err, const std::string& text);
// False when the send failed (the shim is gone).
bool SendPty(int fd, int master);

// Reads one message; false on EOF (every writer gone) or a read error.
bool ReadMsg(int fd, SetupMsg& out);

}  // namespace podagent::shim
