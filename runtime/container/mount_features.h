#pragma once
// What the running kernel offers for container mounts, probed once per call (cheap syscalls).

namespace podagent {

// Recursive read-only binds need mount_setattr(2) with AT_RECURSIVE and MOUNT_ATTR_RDONLY
// (Linux 5.12+). The probe calls it with a bad fd: EBADF or EINVAL means the kernel has it.
bool RecursiveReadOnlyMountsSupported();

}  // namespace podagent
