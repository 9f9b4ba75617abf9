#pragma once
// FakeBackend: the streaming server's StreamBackend for tests without containers, shared by the
// WebSocket unit tests and the WebSocket fuzz target. Exec runs `/bin/sh -c request.cmd[0]` with
// pipes (a real process, so exit codes and kills are the kernel's); Attach and ConnectPort hand
// out one end of a socketpair and keep the other (the shim's, the pod's) for the test to play.
// Attach to container "gone" and ConnectPort to port 9 fail as a stopped container and a closed
// port do.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <vector>

#include "agent/streaming/backend.h"
#include "runtime/process/spawn.h"

namespace podagent::streaming::fake {

inline UniqueFd PidfdOpen(pid_t pid) { return UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0))); }

inline void SetNonBlocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

class FakeBackend : public StreamBackend {
 public:
  absl::StatusOr<ExecProcess> StartExec(const StreamRequest& r) override {
    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
      return absl::InternalError("pipe2");
    }
    UniqueFd in_r(in[0]), out_w(out[1]), err_w(err[1]);
    ExecProcess p;
    p.stdin_fd = UniqueFd(in[1]);
    p.stdout_fd = UniqueFd(out[0]);
    p.stderr_fd = UniqueFd(err[0]);
    for (int fd : {p.stdin_fd.Get(), p.stdout_fd.Get(), p.stderr_fd.Get()}) SetNonBlocking(fd);
    SpawnOptions o;
    o.argv = {"/bin/sh", "-c", r.cmd.at(0)};
    o.env = {"PATH=/usr/bin:/bin"};
    o.fds = {{0, in_r.Get()}, {1, out_w.Get()}, {2, err_w.Get()}};
    auto child = Spawn(o);
    if (!child.ok()) return child.status();
    p.child = std::move(*child);
    p.pidfd = PidfdOpen(p.child.pid());
    std::lock_guard<std::mutex> l(mu);
    exec_pids.push_back(p.child.pid());
    return p;
  }
  absl::StatusOr<UniqueFd> Attach(const StreamRequest& r) override {
    if (r.container_id == "gone") return absl::FailedPreconditionError("container gone is not running");
    return Pair(shim_peer);
  }
  absl::StatusOr<UniqueFd> ConnectPort(const std::string&, int32_t port) override {
    if (port == 9) return absl::UnavailableError("connect to 127.0.0.1:9: Connection refused");
    UniqueFd* peer;
    {
      std::lock_guard<std::mutex> l(mu);
      ports.push_back(port);
      peer = &pod_peers[port];
    }
    return Pair(*peer);
  }

  absl::StatusOr<UniqueFd> Pair(UniqueFd& peer) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return absl::InternalError("socketpair");
    SetNonBlocking(sv[0]);
    std::lock_guard<std::mutex> l(mu);
    peer = UniqueFd(sv[1]);
    peer_ready.notify_all();
    return UniqueFd(sv[0]);
  }
  // Waits until `peer` is set (the session asked the backend).
  int WaitPeer(UniqueFd& peer) {
    std::unique_lock<std::mutex> l(mu);
    peer_ready.wait_for(l, std::chrono::seconds(10), [&] { return peer.Valid(); });
    return peer.Get();
  }

  std::mutex mu;
  std::condition_variable peer_ready;
  std::vector<pid_t> exec_pids;
  std::vector<int32_t> ports;
  UniqueFd shim_peer;
  std::map<int32_t, UniqueFd> pod_peers;
};

}  // namespace podagent::streaming::fake
