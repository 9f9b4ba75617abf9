#pragma once
// One error type below the gRPC layer: absl::Status. Messages are lowercase, no final period,
// and name the path, id or syscall. The errno is kept in the message ("open /x: No such file").

#include <cerrno>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "runtime/common/fmt_absl.h"

namespace podagent {

// Status for a failed syscall: the code follows the errno (ENOENT -> NotFound, EEXIST ->
// AlreadyExists, EINVAL -> InvalidArgument, EACCES/EPERM -> PermissionDenied, else Internal).
absl::Status ErrnoError(int err, std::string_view what);
// Same, with errno as it is now.
inline absl::Status ErrnoError(std::string_view what) { return ErrnoError(errno, what); }

// Status for a failed open, read or write of a kernel file (cgroup, proc, sysctl): as ErrnoError,
// but ENODEV is NotFound too. kernfs answers ENODEV for a file whose object is being removed (a
// cgroup's, sometimes while its directory still shows), which is as gone as ENOENT.
absl::Status KernelFileError(int err, std::string_view what);
inline absl::Status KernelFileError(std::string_view what) { return KernelFileError(errno, what); }

// Prefixes context to a status' message, keeping its code: "create cgroup /x: <message>".
absl::Status Annotate(const absl::Status& status, std::string_view context);

}  // namespace podagent

#define PODAGENT_CONCAT_INNER(a, b) a##b
#define PODAGENT_CONCAT(a, b) PODAGENT_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)                    \
  do {                                           \
    if (absl::Status _st = (expr); !_st.ok()) {  \
      return _st;                                \
    }                                            \
  } while (0)

#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(*tmp)

#define ASSIGN_OR_RETURN(lhs, expr) ASSIGN_OR_RETURN_IMPL(PODAGENT_CONCAT(_so_, __LINE__), lhs, expr)

// Debian's Abseil is built with its own absl::string_view (not std::string_view): fmt/spdlog
// cannot format it and absl::StrCat does not take std::string_view. Use Msg(status) in log lines.
namespace podagent {
inline std::string Msg(const absl::Status& status) { return std::string(status.message()); }
}  // namespace podagent
