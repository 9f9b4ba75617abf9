#include "agent/grpc_status.h"

#include <gtest/gtest.h>

#include "runtime/common/errors.h"

namespace podagent {
namespace {

TEST(GrpcStatusTest, KeepsCodeAndMessage) {
  grpc::Status s = ToGrpc(absl::NotFoundError("pod sandbox abc not found"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(), "pod sandbox abc not found");
  EXPECT_TRUE(ToGrpc(absl::OkStatus()).ok());
  EXPECT_EQ(ToGrpc(absl::InvalidArgumentError("x")).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ToGrpc(absl::DeadlineExceededError("x")).error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_EQ(ToGrpc(absl::FailedPreconditionError("x")).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ToGrpc(absl::AlreadyExistsError("x")).error_code(), grpc::StatusCode::ALREADY_EXISTS);
}

TEST(GrpcStatusTest, ErrnoErrorsMapToCodes) {
  EXPECT_EQ(ErrnoError(ENOENT, "open /x").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ErrnoError(EEXIST, "mkdir /x").code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(std::string(ErrnoError(ENOENT, "open /x").message()), "open /x: No such file or directory");
  EXPECT_EQ(std::string(Annotate(absl::NotFoundError("b"), "a").message()), "a: b");
  EXPECT_EQ(Annotate(absl::NotFoundError("b"), "a").code(), absl::StatusCode::kNotFound);
}

// A kernel file whose object went (a removed cgroup's: kernfs answers ENODEV) is NotFound like an
// absent one; other errnos keep ErrnoError's code, and ErrnoError keeps ENODEV Internal.
TEST(GrpcStatusTest, KernelFileErrorsTreatEnodevAsGone) {
  EXPECT_EQ(KernelFileError(ENODEV, "read /c/cgroup.procs").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(KernelFileError(ENOENT, "open /c/cgroup.kill").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(KernelFileError(EACCES, "open /c/x").code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(KernelFileError(EIO, "read /c/x").code(), absl::StatusCode::kInternal);
  EXPECT_EQ(ErrnoError(ENODEV, "mount overlay").code(), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace podagent
