// STUB: replaced by the sandboxes work, one RPC per file.
#include "agent/grpc_status.h"
#include "agent/services.h"

namespace podagent {
namespace {
const char kWhy[] = "pod sandboxes are not implemented yet";
}

grpc::Status RuntimeServiceImpl::RunPodSandbox(grpc::ServerContext*, const cri::RunPodSandboxRequest*, cri::RunPodSandboxResponse*) { return Unimplemented("RunPodSandbox", kWhy); }
grpc::Status RuntimeServiceImpl::StopPodSandbox(grpc::ServerContext*, const cri::StopPodSandboxRequest*, cri::StopPodSandboxResponse*) { return Unimplemented("StopPodSandbox", kWhy); }
grpc::Status RuntimeServiceImpl::RemovePodSandbox(grpc::ServerContext*, const cri::RemovePodSandboxRequest*, cri::RemovePodSandboxResponse*) { return Unimplemented("RemovePodSandbox", kWhy); }
grpc::Status RuntimeServiceImpl::PodSandboxStatus(grpc::ServerContext*, const cri::PodSandboxStatusRequest*, cri::PodSandboxStatusResponse*) { return Unimplemented("PodSandboxStatus", kWhy); }
grpc::Status RuntimeServiceImpl::ListPodSandbox(grpc::ServerContext*, const cri::ListPodSandboxRequest*, cri::ListPodSandboxResponse*) { return Unimplemented("ListPodSandbox", kWhy); }
grpc::Status RuntimeServiceImpl::PortForward(grpc::ServerContext*, const cri::PortForwardRequest*, cri::PortForwardResponse*) { return Unimplemented("PortForward", "the streaming server is not implemented yet"); }

}  // namespace podagent
