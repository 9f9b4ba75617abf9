#include "runtime/common/errors.h"

#include <cstring>

#include "absl/strings/str_cat.h"

namespace podagent {

absl::Status ErrnoError(int err, std::string_view what) {
  std::string message = std::string(what) + ": " + std::strerror(err);
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(message);
    case EEXIST:
      return absl::AlreadyExistsError(message);
    case EINVAL:
      return absl::InvalidArgumentError(message);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(message);
    case ETIMEDOUT:
      return absl::DeadlineExceededError(message);
    case ENOSPC:  // a full disk or quota: the caller can free space and retry
    case EDQUOT:
      return absl::ResourceExhaustedError(message);
    default:
      return absl::InternalError(message);
  }
}

absl::Status KernelFileError(int err, std::string_view what) {
  if (err == ENODEV) return absl::NotFoundError(std::string(what) + ": " + std::strerror(err) + " (removed)");
  return ErrnoError(err, what);
}

absl::Status Annotate(const absl::Status& status, std::string_view context) {
  if (status.ok()) return status;
  return absl::Status(status.code(), std::string(context) + ": " + std::string(status.message()));
}

}  // namespace podagent
