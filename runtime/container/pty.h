#pragma once
// A pseudo-terminal pair from the host's devpts, for a container or an exec with `tty`: the
// master (close-on-exec) stays with the process that copies its output and writes its input; the
// slave (also close-on-exec, opened without becoming anyone's controlling terminal) is what the
// process gets as stdin/stdout/stderr and makes its controlling terminal (setsid + TIOCSCTTY).

#include "absl/status/statusor.h"
#include "runtime/common/unique_fd.h"

namespace podagent {

struct PtyPair {
  UniqueFd master, slave;
};

absl::StatusOr<PtyPair> OpenPty();

}  // namespace podagent
