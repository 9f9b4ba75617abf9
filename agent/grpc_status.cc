#include "agent/grpc_status.h"

namespace podagent {

grpc::Status ToGrpc(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  // absl and gRPC share the canonical code numbering.
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

grpc::Status Unimplemented(const std::string& method, const std::string& why) {
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, method + " is not implemented by podagent: " + why);
}

}  // namespace podagent
