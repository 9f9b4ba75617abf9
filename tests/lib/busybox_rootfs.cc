#include "tests/lib/busybox_rootfs.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

#include "runtime/common/files.h"

namespace podagent::testing {

void MakeBusyboxRootfs(const std::string& dir) {
  ASSERT_TRUE(PathExists("/bin/busybox")) << "needs Debian's busybox-static at /bin/busybox";
  for (const char* d : {"bin", "etc", "tmp", "home/app", "proc", "sys", "dev"}) {
    ASSERT_TRUE(MakeDirs(dir + "/" + d).ok());
  }
  ASSERT_EQ(system(("cp /bin/busybox " + dir + "/bin/busybox").c_str()), 0);
  for (const char* applet : {"sh", "ps", "cat", "echo", "sleep", "id", "ls", "mkdir", "touch", "unshare", "grep",
                             "head", "tr", "wc", "hostname", "true", "false", "printf", "mount", "seq", "dd", "yes"}) {
    ASSERT_EQ(symlink("busybox", (dir + "/bin/" + applet).c_str()), 0) << applet;
  }
  std::ofstream(dir + "/etc/passwd") << "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n";
  std::ofstream(dir + "/etc/group") << "root:x:0:\napp:x:1000:\nwheel:x:10:app\n";
  chmod((dir + "/tmp").c_str(), 01777);
}

}  // namespace podagent::testing
