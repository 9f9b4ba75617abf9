#include "agent/daemon.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <thread>

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include "absl/strings/str_cat.h"
#include "agent/container/container_manager.h"
#include "agent/image/image_manager.h"
#include "agent/logging.h"
#include "agent/request_log.h"
#include "agent/sandbox/sandbox_manager.h"
#include "agent/stats/stats_manager.h"
#include "agent/streaming/agent_backend.h"
#include "agent/streaming/server.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/cgroups/systemd_driver.h"
#include "runtime/common/errors.h"
#include "runtime/common/files.h"

namespace podagent {
namespace {

constexpr int kMaxMessageBytes = 16 * 1024 * 1024;
constexpr absl::Duration kSystemdConnectTimeout = absl::Seconds(5);

std::string DirOf(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

Daemon::Daemon(Config config) { ctx_.config = std::move(config); }

Daemon::~Daemon() { Shutdown(); }

absl::Status Daemon::PrepareDirs() {
  const Config& c = ctx_.config;
  RETURN_IF_ERROR(MakeDirs(c.root_dir, 0711));
  RETURN_IF_ERROR(MakeDirs(c.run_dir, 0711));
  RETURN_IF_ERROR(MakeDirs(DirOf(c.socket), 0711));
  return absl::OkStatus();
}

// cgroup_driver systemd: pods are slices and the pause and containers scopes, made over D-Bus
// (SystemdCgroupDriver). When systemd does not answer, or the node is not on cgroup v2, no cgroup
// driver is set and pods are refused with the reason.
void Daemon::CheckSystemd() {
  auto driver = SystemdCgroupDriver::Connect("/sys/fs/cgroup", {.call_timeout = kSystemdConnectTimeout});
  if (driver.ok()) {
    cgroups_ = std::move(*driver);
    ctx_.cgroups = cgroups_.get();
    spdlog::info("cgroups: systemd driver, v2 (unified) at {}", cgroups_->MountRoot());
    return;
  }
  const char* reason = absl::IsFailedPrecondition(driver.status()) ? "SystemdDriverUnsupported" : "SystemdUnreachable";
  ctx_.cgroups_unusable = {reason, absl::StrCat("cgroup_driver systemd: ", driver.status().message())};
  // Reported by Status as RuntimeReady=false; the daemon still serves so operators can see why.
  spdlog::error("cgroups: {}", ctx_.cgroups_unusable.message);
}

void Daemon::DetectCgroups() {
  if (ctx_.config.cgroup_driver == "systemd") return CheckSystemd();
  auto cgroups = CgroupDriver::Detect();
  if (cgroups.ok()) {
    cgroups_ = std::move(*cgroups);
    ctx_.cgroups = cgroups_.get();
    spdlog::info("cgroups: {} at {}", cgroups_->IsV2() ? "v2 (unified)" : "v1", cgroups_->MountRoot());
  } else {
    // Reported by Status as RuntimeReady=false; the daemon still serves so operators can see why.
    ctx_.cgroups_unusable.message = absl::StrCat(ctx_.cgroups_unusable.message, ": ", cgroups.status().message());
    spdlog::error("cgroups: {}", cgroups.status().message());
  }
}

absl::Status Daemon::BuildManagers() {
  DetectCgroups();
  images_ = std::make_unique<ImageManager>(ctx_);
  sandboxes_ = std::make_unique<SandboxManager>(ctx_);
  containers_ = std::make_unique<ContainerManager>(ctx_);
  stats_ = std::make_unique<StatsManager>(ctx_);
  ctx_.images = images_.get();
  ctx_.pods = sandboxes_.get();
  ctx_.containers = containers_.get();

  RETURN_IF_ERROR(Annotate(images_->Recover(), "recover images"));
  RETURN_IF_ERROR(Annotate(sandboxes_->Recover(), "recover pod sandboxes"));
  RETURN_IF_ERROR(Annotate(containers_->Recover(), "recover containers"));
  RETURN_IF_ERROR(Annotate(stats_->Start(), "start metrics"));
  return absl::OkStatus();
}

absl::Status Daemon::ServeStreaming() {
  const Config& c = ctx_.config;
  streaming::ServerOptions o;
  o.listen = c.streaming.listen;
  o.max_sessions = static_cast<size_t>(c.streaming.max_sessions);
  o.token_ttl = absl::Seconds(c.streaming.token_ttl_seconds);
  o.limits.max_buffer = static_cast<size_t>(c.streaming.buffer_bytes);
  o.limits.idle_timeout = absl::Seconds(c.streaming.idle_timeout_seconds);
  stream_backend_ = std::make_unique<streaming::AgentBackend>(ctx_, *containers_);
  auto server = streaming::StreamingServer::Start(o, *stream_backend_);
  if (!server.ok()) return Annotate(server.status(), "start the streaming server");
  streaming_ = std::move(*server);
  streaming::SetActiveStreamingServer(streaming_.get());
  spdlog::info("streaming server (exec, attach, port-forward) on http://{}", streaming_->address());
  return absl::OkStatus();
}

absl::Status Daemon::Serve() {
  RETURN_IF_ERROR(ServeStreaming());
  Managers m{&ctx_, sandboxes_.get(), containers_.get(), images_.get(), stats_.get()};
  runtime_service_ = std::make_unique<RuntimeServiceImpl>(m);
  image_service_ = std::make_unique<ImageServiceImpl>(m);

  const std::string& socket = ctx_.config.socket;
  grpc::ServerBuilder builder;
  int bound_port = 0;
  builder.AddListeningPort("unix:" + socket, grpc::InsecureServerCredentials(), &bound_port);
  builder.RegisterService(runtime_service_.get());
  builder.RegisterService(image_service_.get());
  builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
  builder.SetMaxSendMessageSize(kMaxMessageBytes);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<RequestLogFactory>(stats_.get(), in_flight_));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  server_ = builder.BuildAndStart();
  if (!server_ || bound_port == 0) return absl::UnavailableError(absl::StrCat("listen on unix:", socket, " failed"));
  if (::chmod(socket.c_str(), 0660) != 0) return ErrnoError(absl::StrCat("chmod ", socket));
  if (::chown(socket.c_str(), 0, 0) != 0) return ErrnoError(absl::StrCat("chown ", socket));
  spdlog::info("serving the CRI on unix://{}", socket);
  return absl::OkStatus();
}

absl::Status Daemon::Start() {
  RETURN_IF_ERROR(PrepareDirs());
  ASSIGN_OR_RETURN(SocketLock lock, SocketLock::Acquire(ctx_.config.socket));
  lock_.emplace(std::move(lock));
  RETURN_IF_ERROR(BuildManagers());
  return Serve();
}

bool Daemon::Shutdown() {
  if (abandoned_) return false;
  if (streaming_) {
    streaming::SetActiveStreamingServer(nullptr);
    streaming_->Stop();  // sessions end, their exec'd commands are killed
  }
  if (!server_) return true;
  // No new connections: the socket path goes first. Then in-flight RPCs get the grace period.
  // (grpc's own Shutdown(deadline) would also wait out the whole deadline for idle client
  // connections, which kubelet always holds.)
  ::unlink(ctx_.config.socket.c_str());
  auto grace = std::chrono::seconds(ctx_.config.shutdown_grace_seconds);
  spdlog::info("shutting down: {} RPCs in flight, waiting up to {}s for them", in_flight_->Count(), grace.count());
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (in_flight_->Count() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (in_flight_->Count() > 0) return Abandon(absl::StrCat("the grace of ", grace.count(), "s is over"));
  // Nothing runs, but a call may arrive on an open connection right now and get stuck in turn.
  if (!StopServer(std::max(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(500)))) {
    return Abandon("the gRPC server did not stop");
  }
  spdlog::info("stopped; pods and containers keep running");
  return true;
}

bool Daemon::StopServer(std::chrono::steady_clock::time_point deadline) {
  auto stopped = std::make_shared<std::promise<void>>();
  std::future<void> done = stopped->get_future();
  std::thread([server = server_.get(), stopped] {
    server->Shutdown(std::chrono::system_clock::now());  // cancels what is still pending
    server->Wait();
    stopped->set_value();
  }).detach();
  if (done.wait_until(deadline) != std::future_status::ready) return false;
  server_.reset();
  return true;
}

bool Daemon::Abandon(const std::string& why) {
  spdlog::error("shutdown: {} with RPCs still running: {}; exiting without waiting for them", why,
                in_flight_->Describe());
  abandoned_ = true;
  // Stuck handlers still use the server and the managers: none of them may be destroyed.
  (void)server_.release();
  return false;
}

}  // namespace podagent
