// systemd's Type=notify, as the real daemon speaks it: the test plays the service manager, a
// datagram socket named by $NOTIFY_SOCKET, and checks when each state arrives.
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "runtime/common/unique_fd.h"
#include "tests/lib/cri_client.h"
#include "tests/lib/test_daemon.h"

namespace podagent::testing {
namespace {

UniqueFd BindDatagram(const std::string& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  struct sockaddr_un a {};
  a.sun_family = AF_UNIX;
  if (!fd || path.size() >= sizeof a.sun_path) return UniqueFd();
  path.copy(a.sun_path, path.size());
  if (::bind(fd.Get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return UniqueFd();
  return fd;
}

// What the listener saw: every message, and whether Version answered at the moment READY=1 came.
struct Notifications {
  std::vector<std::string> messages;
  bool answered_at_ready = false;
};

// Receives until STOPPING=1 or 30 s of silence. At READY=1 it calls Version at once, as kubelet
// would when `systemctl start` returns.
void Listen(int fd, const std::string& cri_socket, Notifications& out) {
  for (;;) {
    struct pollfd p {fd, POLLIN, 0};
    if (::poll(&p, 1, 30000) <= 0) return;
    char buf[4096];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return;
    out.messages.emplace_back(buf, static_cast<size_t>(n));
    const std::string& m = out.messages.back();
    if (absl::StrContains(m, "READY=1")) {
      CriClient c(cri_socket, std::chrono::seconds(2));
      cri::VersionResponse v;
      out.answered_at_ready = c.Version(&v).ok();
    }
    if (absl::StrContains(m, "STOPPING=1")) return;
  }
}

TEST(ServiceNotifyE2E, ReadyOnlyOnceTheCriAnswersAndStoppingOnSigterm) {
  TestDaemon d;
  UniqueFd sock = BindDatagram(d.dir().Sub("notify.sock"));
  ASSERT_TRUE(sock) << "bind the notify socket";
  ASSERT_EQ(::setenv("NOTIFY_SOCKET", d.dir().Sub("notify.sock").c_str(), 1), 0);  // the daemon inherits it
  Notifications got;
  std::thread listener(Listen, sock.Get(), d.socket(), std::ref(got));
  absl::Status started = d.Start();
  ::unsetenv("NOTIFY_SOCKET");
  int status = started.ok() ? d.Stop() : -1;
  listener.join();
  ASSERT_TRUE(started.ok()) << started << "\n" << d.Log();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  ASSERT_EQ(got.messages.size(), 2u) << "READY=1 once, then STOPPING=1\n" << d.Log();
  EXPECT_TRUE(absl::StrContains(got.messages[0], "READY=1\n")) << got.messages[0];
  EXPECT_TRUE(absl::StrContains(got.messages[0], "STATUS=serving the CRI on unix://" + d.socket())) << got.messages[0];
  EXPECT_TRUE(got.answered_at_ready) << "READY=1 came before the CRI socket answered Version";
  EXPECT_TRUE(absl::StrContains(got.messages[1], "STOPPING=1")) << got.messages[1];
}

}  // namespace
}  // namespace podagent::testing
