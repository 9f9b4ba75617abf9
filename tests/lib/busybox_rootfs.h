#pragma once
// MakeBusyboxRootfs: a container root file system in a temp dir, from Debian's busybox-static
// with applet symlinks, for root tests that start containers without an image store.

#include <string>

namespace podagent::testing {

// Creates <dir>/bin/busybox with applet links, /etc/passwd and /etc/group (root, app=1000).
// Fails the test (with a clear message) when /bin/busybox is not a static busybox.
void MakeBusyboxRootfs(const std::string& dir);

}  // namespace podagent::testing
