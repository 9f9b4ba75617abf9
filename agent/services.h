#pragma once
// The CRI services. RuntimeServiceImpl's methods are defined per domain, one RPC per file:
//   agent/runtime/      Version, Status, RuntimeConfig, UpdateRuntimeConfig
//   agent/sandbox/      RunPodSandbox, StopPodSandbox, RemovePodSandbox, PodSandboxStatus,
//                       ListPodSandbox, PortForward
//   agent/container/    CreateContainer ... ExecSync, Exec, Attach, ReopenContainerLog,
//                       UpdateContainerResources, CheckpointContainer, GetContainerEvents
//   agent/stats/        ContainerStats, ListContainerStats, PodSandboxStats, ListPodSandboxStats,
//                       ListMetricDescriptors, ListPodSandboxMetrics
//   agent/image/        ImageServiceImpl
// Each domain keeps its state in its manager (SandboxManager, ContainerManager, ImageManager,
// StatsManager), built by the Daemon; handlers reach them through Managers.

#include "api.grpc.pb.h"
#include "agent/context.h"

namespace podagent {

class SandboxManager;
class ContainerManager;
class ImageManager;
class StatsManager;

struct Managers {
  AgentContext* ctx = nullptr;
  SandboxManager* sandboxes = nullptr;
  ContainerManager* containers = nullptr;
  ImageManager* images = nullptr;
  StatsManager* stats = nullptr;
};

namespace cri = ::runtime::v1;

// ListContainers and ListPodSandbox are served from bytes (agent/raw_reply.h); every other RPC is
// the generated synchronous one.
using RuntimeServiceBase = cri::RuntimeService::WithRawCallbackMethod_ListPodSandbox<
    cri::RuntimeService::WithRawCallbackMethod_ListContainers<cri::RuntimeService::Service>>;

class RuntimeServiceImpl final : public RuntimeServiceBase {
 public:
  explicit RuntimeServiceImpl(Managers m) : m_(m) {}

#define PODAGENT_RPC(Name, Req, Resp) \
  grpc::Status Name(grpc::ServerContext* context, const cri::Req* request, cri::Resp* response) override;
  PODAGENT_RPC(Version, VersionRequest, VersionResponse)
  PODAGENT_RPC(RunPodSandbox, RunPodSandboxRequest, RunPodSandboxResponse)
  PODAGENT_RPC(StopPodSandbox, StopPodSandboxRequest, StopPodSandboxResponse)
  PODAGENT_RPC(RemovePodSandbox, RemovePodSandboxRequest, RemovePodSandboxResponse)
  PODAGENT_RPC(PodSandboxStatus, PodSandboxStatusRequest, PodSandboxStatusResponse)
  PODAGENT_RPC(CreateContainer, CreateContainerRequest, CreateContainerResponse)
  PODAGENT_RPC(StartContainer, StartContainerRequest, StartContainerResponse)
  PODAGENT_RPC(StopContainer, StopContainerRequest, StopContainerResponse)
  PODAGENT_RPC(RemoveContainer, RemoveContainerRequest, RemoveContainerResponse)
  PODAGENT_RPC(ContainerStatus, ContainerStatusRequest, ContainerStatusResponse)
  PODAGENT_RPC(UpdateContainerResources, UpdateContainerResourcesRequest, UpdateContainerResourcesResponse)
  PODAGENT_RPC(ReopenContainerLog, ReopenContainerLogRequest, ReopenContainerLogResponse)
  PODAGENT_RPC(ExecSync, ExecSyncRequest, ExecSyncResponse)
  PODAGENT_RPC(Exec, ExecRequest, ExecResponse)
  PODAGENT_RPC(Attach, AttachRequest, AttachResponse)
  PODAGENT_RPC(PortForward, PortForwardRequest, PortForwardResponse)
  PODAGENT_RPC(ContainerStats, ContainerStatsRequest, ContainerStatsResponse)
  PODAGENT_RPC(ListContainerStats, ListContainerStatsRequest, ListContainerStatsResponse)
  PODAGENT_RPC(PodSandboxStats, PodSandboxStatsRequest, PodSandboxStatsResponse)
  PODAGENT_RPC(ListPodSandboxStats, ListPodSandboxStatsRequest, ListPodSandboxStatsResponse)
  PODAGENT_RPC(UpdateRuntimeConfig, UpdateRuntimeConfigRequest, UpdateRuntimeConfigResponse)
  PODAGENT_RPC(Status, StatusRequest, StatusResponse)
  PODAGENT_RPC(CheckpointContainer, CheckpointContainerRequest, CheckpointContainerResponse)
  PODAGENT_RPC(ListMetricDescriptors, ListMetricDescriptorsRequest, ListMetricDescriptorsResponse)
  PODAGENT_RPC(ListPodSandboxMetrics, ListPodSandboxMetricsRequest, ListPodSandboxMetricsResponse)
  PODAGENT_RPC(RuntimeConfig, RuntimeConfigRequest, RuntimeConfigResponse)
#undef PODAGENT_RPC
  // kubelet lists every container each second: the reply concatenates bytes kept per container
  // (made again when its state changes), instead of hundreds of messages built, serialized and
  // freed per call.
  grpc::ServerUnaryReactor* ListContainers(grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
                                           grpc::ByteBuffer* response) override;
  // The same for every pod (bytes kept per pod, made again when its record or readiness changes;
  // the pauses' liveness in one poll).
  grpc::ServerUnaryReactor* ListPodSandbox(grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
                                           grpc::ByteBuffer* response) override;
  grpc::Status GetContainerEvents(grpc::ServerContext* context, const cri::GetEventsRequest* request,
                                  grpc::ServerWriter<cri::ContainerEventResponse>* writer) override;

 private:
  Managers m_;
};

class ImageServiceImpl final : public cri::ImageService::Service {
 public:
  explicit ImageServiceImpl(Managers m) : m_(m) {}

#define PODAGENT_RPC(Name, Req, Resp) \
  grpc::Status Name(grpc::ServerContext* context, const cri::Req* request, cri::Resp* response) override;
  PODAGENT_RPC(ListImages, ListImagesRequest, ListImagesResponse)
  PODAGENT_RPC(ImageStatus, ImageStatusRequest, ImageStatusResponse)
  PODAGENT_RPC(PullImage, PullImageRequest, PullImageResponse)
  PODAGENT_RPC(RemoveImage, RemoveImageRequest, RemoveImageResponse)
  PODAGENT_RPC(ImageFsInfo, ImageFsInfoRequest, ImageFsInfoResponse)
#undef PODAGENT_RPC

 private:
  Managers m_;
};

}  // namespace podagent
