#pragma once
// The one place where absl::Status becomes grpc::Status.

#include <grpcpp/support/status.h>

#include <string>

#include "absl/status/status.h"

namespace podagent {

grpc::Status ToGrpc(const absl::Status& status);
grpc::Status Unimplemented(const std::string& method, const std::string& why);

}  // namespace podagent
