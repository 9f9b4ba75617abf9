#include "agent/streaming/agent_backend.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "agent/container/container_manager.h"
#include "runtime/common/errors.h"

namespace podagent::streaming {
namespace {

constexpr absl::Duration kConnectTimeout = absl::Seconds(10);

absl::StatusOr<UniqueFd> ConnectHostLoopback(int32_t port) {
  UniqueFd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s) return ErrnoError("socket");
  struct sockaddr_in a {};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(s.Get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    absl::Status st = ErrnoError(absl::StrCat("connect to 127.0.0.1:", port));
    return errno == ECONNREFUSED ? absl::UnavailableError(st.message()) : st;
  }
  int flags = ::fcntl(s.Get(), F_GETFL);
  if (flags < 0 || ::fcntl(s.Get(), F_SETFL, flags | O_NONBLOCK) != 0) return ErrnoError("fcntl O_NONBLOCK");
  return s;
}

}  // namespace

AgentBackend::~AgentBackend() = default;

absl::StatusOr<const ShimLauncher*> AgentBackend::Launcher() {
  std::lock_guard<std::mutex> l(mu_);
  if (!launcher_) {
    if (ctx_.config.shim_binary.empty()) return absl::FailedPreconditionError("no shim_binary configured");
    ASSIGN_OR_RETURN(launcher_, ShimLauncher::Create(ctx_.config.shim_binary));
  }
  return launcher_.get();
}

absl::StatusOr<ContainerRecord> AgentBackend::Running(const std::string& id) {
  ASSIGN_OR_RETURN(ContainerRecord rec, containers_.Get(id));
  bool alive = rec.pid > 0 && ChildProcess::Adopt(ProcessIdentity{rec.pid, rec.pid_start_time}).ok();
  if (rec.state != CtrState::kRunning || !alive) {
    return absl::FailedPreconditionError(absl::StrCat("container ", rec.id, " is not running"));
  }
  return rec;
}

absl::StatusOr<ExecProcess> AgentBackend::StartExec(const StreamRequest& request) {
  if (request.cmd.empty()) return absl::InvalidArgumentError("exec: cmd is empty");
  ASSIGN_OR_RETURN(ContainerRecord rec, Running(request.container_id));
  ASSIGN_OR_RETURN(const ShimLauncher* launcher, Launcher());
  return StartStreamingExec(*launcher, rec.state_dir, rec.pid, request.cmd, ExecIo{request.tty, request.stdin});
}

// The shim's attach socket (runtime/shim/attach_server.h), reached through a directory fd:
// state paths can be longer than sun_path.
absl::StatusOr<UniqueFd> AgentBackend::Attach(const StreamRequest& request) {
  ASSIGN_OR_RETURN(ContainerRecord rec, Running(request.container_id));
  UniqueFd dir(::open(rec.state_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return ErrnoError("open " + rec.state_dir);
  std::string path = absl::StrCat("/proc/self/fd/", dir.Get(), "/attach.sock");
  UniqueFd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s) return ErrnoError("socket");
  struct sockaddr_un a {};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
  if (::connect(s.Get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("attach to container ", rec.id, ": its shim does not answer: ", strerror(errno)));
  }
  // A tty attach frames its stdin so window sizes can travel beside it.
  char mode = request.tty ? (request.stdin ? 'I' : 'O') : (request.stdin ? 'i' : 'o');
  if (::send(s.Get(), &mode, 1, MSG_NOSIGNAL) != 1) return ErrnoError("attach: send mode");
  int flags = ::fcntl(s.Get(), F_GETFL);
  if (flags < 0 || ::fcntl(s.Get(), F_SETFL, flags | O_NONBLOCK) != 0) return ErrnoError("fcntl O_NONBLOCK");
  return s;
}

absl::StatusOr<UniqueFd> AgentBackend::ConnectPort(const std::string& pod_id, int32_t port) {
  ASSIGN_OR_RETURN(PodInfo pod, ctx_.pods->GetPod(pod_id));
  if (!pod.ready) return absl::FailedPreconditionError(absl::StrCat("pod ", pod.id, " is not ready"));
  if (pod.netns_path.empty()) return ConnectHostLoopback(port);  // host network
  ASSIGN_OR_RETURN(const ShimLauncher* launcher, Launcher());
  return ConnectInNetns(*launcher, pod.netns_path, port, kConnectTimeout);
}

}  // namespace podagent::streaming
