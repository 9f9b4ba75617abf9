#pragma once
// DiagClient: the CRI client of the read-only diagnostics subcommands (`podagent ns`, `podagent
// why`). It asks the running daemon over its socket, with the CRI's own calls (List*, verbose
// *Status), and resolves what a person types (full id, unique id prefix, namespace/name) to one
// object, or fails with a one-line error.

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "api.grpc.pb.h"

namespace podagent {

namespace cri = ::runtime::v1;

class DiagClient {
 public:
  explicit DiagClient(std::string socket, std::chrono::seconds timeout = std::chrono::seconds(10));

  // Version over the socket: Unavailable naming the socket when the daemon does not answer.
  absl::Status Connect();

  // A full id, a unique id prefix, or "namespace/name" (the ready sandbox when there are several
  // attempts). NotFound / InvalidArgument (ambiguous) otherwise.
  absl::StatusOr<cri::PodSandbox> ResolvePod(const std::string& query);
  // A full id or a unique id prefix.
  absl::StatusOr<cri::Container> ResolveContainer(const std::string& query);
  absl::StatusOr<std::vector<cri::Container>> PodContainers(const std::string& pod_id);

  struct PodStatus {
    cri::PodSandboxStatus status;
    nlohmann::json info;  // the verbose "info" JSON; an empty object when absent
  };
  struct ContainerStatus {
    cri::ContainerStatus status;
    nlohmann::json info;
  };
  absl::StatusOr<PodStatus> GetPodStatus(const std::string& id);
  absl::StatusOr<ContainerStatus> GetContainerStatus(const std::string& id);

 private:
  absl::Status Error(const grpc::Status& st, const std::string& what) const;
  std::unique_ptr<grpc::ClientContext> Context() const;

  std::string socket_;
  std::chrono::seconds timeout_;
  std::unique_ptr<cri::RuntimeService::Stub> stub_;
};

// A non-negative integer of a verbose info object ("pid", "pidStartTime"); 0 when absent or
// not one.
uint64_t InfoU64(const nlohmann::json& info, const char* key);
// A string of a verbose info object ("cgroupPath"); "" when absent or not one.
std::string InfoString(const nlohmann::json& info, const char* key);

// One line: newlines of a message (gRPC's connection errors carry some) become spaces.
std::string OneLine(std::string s);

}  // namespace podagent
