#pragma once
// AttachServer: how Attach reaches a running container's stdio through its shim. The shim
// listens on <state_dir>/attach.sock (a unix stream socket, 0600, reached as
// /proc/self/fd/<dir fd>/attach.sock so long state paths fit). Several clients at once:
//   client -> shim: one mode byte ('i': the client writes stdin, 'o': output only), then raw
//                   stdin bytes; EOF from an 'i' client closes the container's stdin when the
//                   container asked for stdin_once. A tty client sends 'I' (writes stdin) or 'O'
//                   instead and then frames of [kind][length: 4 bytes big-endian][bytes]: kind 'd'
//                   stdin bytes, kind 'r' a window size (columns, rows: 2 bytes big-endian each)
//                   the shim sets on the pty master (TIOCSWINSZ; ignored without a pty).
//   shim -> client: frames of [stream: 1 stdout, 2 stderr][length: 4 bytes big-endian][bytes],
//                   a copy of what also goes to the CRI log (a tty container's output is all
//                   stdout). EOF when the container has exited.
// Detaching (closing the socket) leaves the container running. Memory is bounded: a client more
// than kMaxClientBuffer behind is disconnected (the log keeps everything); stdin bytes are read
// from a client only while the previous ones have been written to the pipe.

#include <poll.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "runtime/common/unique_fd.h"
#include "runtime/shim/cri_log.h"

namespace podagent::shim {

class AttachServer {
 public:
  static constexpr size_t kMaxClients = 16;
  static constexpr size_t kMaxClientBuffer = 1 << 20;

  absl::Status Listen(const std::string& state_dir);
  // The container's stdin pipe (write end; may be invalid). Owned by the caller.
  void SetStdin(UniqueFd* stdin_w, bool stdin_once) {
    stdin_ = stdin_w;
    stdin_once_ = stdin_once;
  }
  // A tty container's pty master (owned by the caller): resize frames apply to it. When a
  // stdin_once client's input ends, HungUp() turns true: the caller then closes every copy of the
  // master, which hangs up the terminal (the container's session gets SIGHUP, reads see EOF).
  void SetPty(int master) { pty_ = master; }
  bool HungUp() const { return hung_up_; }

  // Adds the listener, the clients and (when stdin bytes wait) the stdin pipe to `fds`; Handle()
  // takes the same vector after poll and the index of the first entry added.
  void AppendPollFds(std::vector<struct pollfd>& fds) const;
  void Handle(const std::vector<struct pollfd>& fds, size_t first);
  void Broadcast(Stream s, const char* data, size_t n);
  // The container has exited: every client gets EOF; the socket file goes.
  void CloseAll();

 private:
  struct Client {
    UniqueFd fd;
    bool mode_known = false, writes_stdin = false, framed = false;
    std::string out, in, frames;  // frames: a framed client's bytes not yet parsed
  };
  void Accept();
  void ReadClient(Client& c);
  void FlushClient(Client& c);
  void WriteStdin();
  void Drop(Client& c);
  bool TakeFrames(Client& c);
  void Resize(const std::string& payload);
  void CloseStdin();

  std::string path_;
  UniqueFd dir_, listen_;
  std::vector<Client> clients_;
  UniqueFd* stdin_ = nullptr;
  bool stdin_once_ = false;
  int pty_ = -1;
  bool hung_up_ = false;
};

}  // namespace podagent::shim
