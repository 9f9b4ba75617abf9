// The daemon reads a container's /etc/passwd for `podagent top` (verbose ContainerStatus). The
// container owns that path: a FIFO or device planted there must never be opened by the daemon.
// A FIFO shows it: opening it for reading releases a writer blocked in open(2), so the writer
// tells whether the daemon's code opened the file.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "agent/container/container_users.h"
#include "gtest/gtest.h"
#include "tests/lib/temp_dir.h"

namespace podagent {
namespace {

// A child whose root is `dir` (as a container's main process sees its rootfs); killed on scope exit.
class ChrootedChild {
 public:
  explicit ChrootedChild(const std::string& dir) {
    int ready[2];
    if (::pipe(ready) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(ready[0]);
      if (::chroot(dir.c_str()) != 0 || ::chdir("/") != 0) ::_exit(1);
      (void)!::write(ready[1], "x", 1);
      for (;;) ::pause();
    }
    ::close(ready[1]);
    char c;
    if (pid_ > 0 && ::read(ready[0], &c, 1) != 1) Stop();
    ::close(ready[0]);
  }
  ~ChrootedChild() { Stop(); }
  pid_t pid() const { return pid_; }

 private:
  void Stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  pid_t pid_ = -1;
};

class ContainerUsersRoot : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "chroot needs root";
    ASSERT_EQ(::mkdir(dir_.Sub("etc").c_str(), 0755), 0);
  }
  testing::TempDir dir_{"podagent-users-root"};
};

TEST_F(ContainerUsersRoot, ReadsThePasswdInsideTheContainersRoot) {
  std::ofstream(dir_.Sub("etc/passwd")) << "root:x:0:0::/root:/bin/sh\napp:x:1234:1234::/:/bin/sh\n";
  ChrootedChild child(dir_.path());
  ASSERT_GT(child.pid(), 0);
  auto users = ContainerUsers(child.pid());
  EXPECT_EQ(UserName(users, 1234), "app") << "read the host's /etc/passwd instead of the container's?";
  EXPECT_EQ(UserName(users, 4321), "4321");
}

TEST_F(ContainerUsersRoot, NeverOpensAFifoPlantedAsPasswd) {
  std::string fifo = dir_.Sub("etc/passwd");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  pid_t writer = ::fork();
  ASSERT_GE(writer, 0);
  if (writer == 0) {
    int fd = ::open(fifo.c_str(), O_WRONLY);  // blocks until somebody opens the FIFO to read
    ::_exit(fd >= 0 ? 0 : 1);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the writer is in open(2)
  ChrootedChild child(dir_.path());
  ASSERT_GT(child.pid(), 0);
  EXPECT_TRUE(ContainerUsers(child.pid()).empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  int status = 0;
  pid_t done = ::waitpid(writer, &status, WNOHANG);
  EXPECT_EQ(done, 0) << "the writer's open returned: the daemon's code opened the FIFO";
  if (done == 0) {
    ::kill(writer, SIGKILL);
    ::waitpid(writer, nullptr, 0);
  }
}

}  // namespace
}  // namespace podagent
