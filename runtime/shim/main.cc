// podagent-shim: builds one container and stays its parent (`start`), or runs a command inside a
// running container (`exec`). Always exec'd by the daemon, from a sealed memfd copy of this binary
// (see runtime/container/shim_launcher.h), never forked from it.

#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "runtime/shim/exec_mode.h"
#include "runtime/shim/port_connect.h"
#include "runtime/shim/supervisor.h"

int main(int argc, char** argv) {
  if (argc >= 3 && std::strcmp(argv[1], "start") == 0) return podagent::shim::RunStart(argv[2], 3);
  if (argc >= 2 && std::strcmp(argv[1], "exec") == 0) return podagent::shim::RunExec(argc, argv);
  if (argc >= 2 && std::strcmp(argv[1], "connect") == 0) return podagent::shim::RunConnect(argc, argv);
  std::fprintf(stderr,
               "usage: podagent-shim start <state_dir>   (status on fd 3)\n"
               "       podagent-shim exec [--tty] [--stdin] <state_dir> <pid> <command> [args...]\n"
               "       podagent-shim connect <netns_path> <port>   (socket on fd 3)\n");
  return 2;
}
