#pragma once
// Test helpers: a busybox rootfs in a temp dir (Debian's busybox-static with applet symlinks) and
// a container spec with sensible defaults around it.

#include <string>

#include "runtime/container/container_spec.h"
#include "tests/lib/temp_dir.h"

namespace podagent::testing {

// Creates <dir>/bin/busybox with applet links, /etc/passwd and /etc/group (root, app=1000).
// Fails the test (with a clear message) when /bin/busybox is not a static busybox.
void MakeBusyboxRootfs(const std::string& dir);

// The podagent-shim binary in BinDir().
std::string ShimBinary();

std::string ReadAll(const std::string& path);

}  // namespace podagent::testing
