#pragma once
// `podagent-shim exec <state_dir> <pid> <arg0> [args...]`: runs a command inside a running
// container (ExecSync): joins the container cgroup and the namespaces of its process <pid> (ipc,
// uts, net, pid, mnt last), forks (the child enters the pid namespace), and the child takes the
// container's user, groups, capabilities, no_new_privs and seccomp from <state_dir>/spec.json and
// execs with the container's environment. stdout/stderr are the caller's. Exits with the command's
// exit code (128+signal when killed). The command runs in its own process group; SIGTERM, SIGINT or
// SIGHUP to this helper (the daemon's ExecSync timeout) SIGKILLs that group and reaps the command
// before the helper exits (137), so nothing of a timed-out exec keeps running or lingers as a
// zombie. Should the helper itself be killed, the command dies with it (PDEATHSIG). Setup failures
// exit 126 (127 when the executable is not found) with the reason on stderr.
// Streaming exec puts `--tty` and/or `--stdin` before <state_dir>: with --tty, fds 0-2 are a pty
// slave that becomes the command's controlling terminal; with --stdin, fd 0 is passed through.

namespace podagent::shim {

int RunExec(int argc, char** argv);

}  // namespace podagent::shim
