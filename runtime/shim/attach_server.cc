#include "runtime/shim/attach_server.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"

namespace podagent::shim {

absl::Status AttachServer::Listen(const std::string& state_dir) {
  dir_.Reset(::open(state_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir_) return ErrnoError("open " + state_dir);
  path_ = absl::StrCat("/proc/self/fd/", dir_.Get(), "/attach.sock");
  ::unlink(path_.c_str());
  listen_.Reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!listen_) return ErrnoError("socket");
  struct sockaddr_un a {};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path_.c_str(), sizeof a.sun_path - 1);
  if (::bind(listen_.Get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return ErrnoError("bind " + path_);
  if (::fchmodat(dir_.Get(), "attach.sock", 0600, 0) != 0) return ErrnoError("chmod attach.sock");
  if (::listen(listen_.Get(), 8) != 0) return ErrnoError("listen " + path_);
  return absl::OkStatus();
}

void AttachServer::AppendPollFds(std::vector<struct pollfd>& fds) const {
  fds.push_back({listen_ ? listen_.Get() : -1, POLLIN, 0});
  bool pending_in = false;
  for (const Client& c : clients_) {
    short ev = static_cast<short>((c.in.empty() ? POLLIN : 0) | (c.out.empty() ? 0 : POLLOUT));
    fds.push_back({c.fd ? c.fd.Get() : -1, ev, 0});
    pending_in = pending_in || !c.in.empty();
  }
  fds.push_back({pending_in && stdin_ && *stdin_ ? stdin_->Get() : -1, POLLOUT, 0});
}

void AttachServer::Handle(const std::vector<struct pollfd>& fds, size_t first) {
  size_t n = clients_.size();  // Accept() may add clients the vector does not cover yet
  for (size_t i = 0; i < n; ++i) {
    short r = fds[first + 1 + i].revents;
    if (r & (POLLIN | POLLHUP | POLLERR)) ReadClient(clients_[i]);
    if ((r & POLLOUT) && clients_[i].fd) FlushClient(clients_[i]);
  }
  WriteStdin();
  if (fds[first].revents & POLLIN) Accept();
  for (auto it = clients_.begin(); it != clients_.end();) it = it->fd ? std::next(it) : clients_.erase(it);
}

void AttachServer::Accept() {
  UniqueFd c(::accept4(listen_.Get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
  if (!c) return;
  if (clients_.size() >= kMaxClients) return;  // closed at once: the client sees EOF
  Client client;
  client.fd = std::move(c);
  clients_.push_back(std::move(client));
}

namespace {

constexpr size_t kFrameHeader = 5;  // kind, 32-bit length
constexpr size_t kMaxFrame = 64 * 1024;

}  // namespace

void AttachServer::CloseStdin() {
  if (!stdin_ || !*stdin_) return;
  stdin_->Reset();
  // A terminal's input has no end of its own (an EOF character is a 0 byte to a reader that
  // switches to raw mode after it arrived): the terminal hangs up instead, as containerd's
  // shim closes the console when stdin closes. The owner closes the master and stops here.
  if (pty_ >= 0) {
    hung_up_ = true;
    pty_ = -1;
  }
}

void AttachServer::Resize(const std::string& payload) {
  if (pty_ < 0 || payload.size() != 4) return;
  const auto* b = reinterpret_cast<const unsigned char*>(payload.data());
  struct winsize ws {};
  ws.ws_col = static_cast<unsigned short>((b[0] << 8) | b[1]);
  ws.ws_row = static_cast<unsigned short>((b[2] << 8) | b[3]);
  if (ws.ws_col > 0 && ws.ws_row > 0) ::ioctl(pty_, TIOCSWINSZ, &ws);
}

// Moves a framed client's whole frames to its stdin buffer or the pty; false for a bad frame.
bool AttachServer::TakeFrames(Client& c) {
  size_t pos = 0;
  while (c.frames.size() - pos >= kFrameHeader) {
    const auto* b = reinterpret_cast<const unsigned char*>(c.frames.data() + pos);
    size_t len = (size_t{b[1]} << 24) | (size_t{b[2]} << 16) | (size_t{b[3]} << 8) | size_t{b[4]};
    if (len > kMaxFrame) return false;
    if (c.frames.size() - pos - kFrameHeader < len) break;
    std::string payload = c.frames.substr(pos + kFrameHeader, len);
    if (b[0] == 'd' && c.writes_stdin && stdin_ && *stdin_) c.in += payload;
    if (b[0] == 'r') Resize(payload);
    pos += kFrameHeader + len;
  }
  c.frames.erase(0, pos);
  return true;
}

void AttachServer::Drop(Client& c) {
  if (c.writes_stdin && stdin_once_) CloseStdin();  // the container sees EOF
  c.fd.Reset();
  c.in.clear();
  c.out.clear();
}

void AttachServer::ReadClient(Client& c) {
  char buf[32 * 1024];
  ssize_t n = ::recv(c.fd.Get(), buf, sizeof buf, 0);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) {
    Drop(c);
    return;
  }
  size_t off = 0;
  if (!c.mode_known) {
    c.mode_known = true;
    c.writes_stdin = buf[0] == 'i' || buf[0] == 'I';
    c.framed = buf[0] == 'I' || buf[0] == 'O';
    off = 1;
  }
  if (c.framed) {
    c.frames.append(buf + off, static_cast<size_t>(n) - off);
    if (!TakeFrames(c)) Drop(c);
    return;
  }
  if (c.writes_stdin && stdin_ && *stdin_) c.in.append(buf + off, static_cast<size_t>(n) - off);
}

void AttachServer::WriteStdin() {
  for (Client& c : clients_) {
    while (!c.in.empty() && stdin_ && *stdin_) {
      ssize_t n = ::write(stdin_->Get(), c.in.data(), c.in.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return;
      if (n <= 0) {  // the container closed its stdin
        stdin_->Reset();
        break;
      }
      c.in.erase(0, static_cast<size_t>(n));
    }
    if (!stdin_ || !*stdin_) c.in.clear();
  }
}

void AttachServer::FlushClient(Client& c) {
  while (!c.out.empty()) {
    ssize_t n = ::send(c.fd.Get(), c.out.data(), c.out.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) {
      Drop(c);
      return;
    }
    c.out.erase(0, static_cast<size_t>(n));
  }
}

void AttachServer::Broadcast(Stream s, const char* data, size_t n) {
  std::string frame(5, '\0');
  frame[0] = s == Stream::kStdout ? 1 : 2;
  for (int i = 0; i < 4; ++i) frame[1 + i] = static_cast<char>((n >> (24 - 8 * i)) & 0xff);
  frame.append(data, n);
  for (Client& c : clients_) {
    if (!c.fd) continue;
    if (c.out.size() + frame.size() > kMaxClientBuffer) {
      Drop(c);  // too slow: it misses output rather than the shim buffering without bound
      continue;
    }
    c.out += frame;
    FlushClient(c);
  }
}

void AttachServer::CloseAll() {
  clients_.clear();
  listen_.Reset();
  if (dir_) ::unlinkat(dir_.Get(), "attach.sock", 0);
}

}  // namespace podagent::shim
