/* podagent-pause: holds a pod's shared namespaces. Plain C, linked statically: no C++ runtime,
 * tiny RSS. The daemon starts it with clone flags for the new namespaces; this program only
 * finishes the setup that must happen inside them, reports the outcome, then sleeps.
 *
 *   podagent-pause [--ready-fd N] [--cgroup-procs FILE]... [--hostname NAME] [--lo-up]
 *                  [--sysctl PATH=VALUE]...   (PATH under /proc/sys: net/ipv4/ip_forward)
 *
 * Order: join the cgroups (writes "0" to each cgroup.procs: "this process"), set the hostname,
 * bring lo up (ioctl), write the sysctls under /proc/sys, then leave the host's root: pivot_root
 * into an empty read-only tmpfs in pause's own mount namespace, so /proc/<pause>/root (which a
 * container of a shared-PID pod reaches as /proc/1/root) shows nothing of the host. Then one line
 * on the ready fd:
 *   "ok\n"                                   everything done
 *   "error <errno> <step>: <detail>\n"       a step failed; the program exits 1
 * SIGTERM/SIGINT: exit 0. As PID 1 of its PID namespace it reaps every child. */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int ready_fd = -1;

static void write_all(int fd, const char* s, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, s, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return;
    }
    s += w;
    n -= (size_t)w;
  }
}

static void report(const char* line) {
  if (ready_fd >= 0) {
    write_all(ready_fd, line, strlen(line));
    close(ready_fd);
    ready_fd = -1;
  }
}

__attribute__((noreturn)) static void fail(int err, const char* step, const char* detail) {
  char line[512];
  snprintf(line, sizeof line, "error %d %s: %s: %s\n", err, step, detail, strerror(err));
  report(line);
  write_all(2, line, strlen(line));
  _exit(1);
}

static void write_file(const char* step, const char* path, const char* value) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) fail(errno, step, path);
  size_t n = strlen(value);
  ssize_t w = write(fd, value, n);
  if (w < 0 || (size_t)w != n) fail(w < 0 ? errno : EIO, step, path);
  close(fd);
}

static void lo_up(void) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) fail(errno, "lo up", "socket");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) fail(errno, "lo up", "SIOCGIFFLAGS lo");
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) fail(errno, "lo up", "SIOCSIFFLAGS lo");
  close(s);
}

/* "net/ipv4/ip_forward=1" -> writes "1" to /proc/sys/net/ipv4/ip_forward. The key is the path
 * under /proc/sys (the daemon turned dotted names into paths); ".." components are refused. */
static void set_sysctl(const char* kv) {
  const char* eq = strchr(kv, '=');
  if (eq == NULL || eq == kv || kv[0] == '/') fail(EINVAL, "sysctl", kv);
  char path[512] = "/proc/sys/";
  size_t base = strlen(path);
  size_t klen = (size_t)(eq - kv);
  if (base + klen >= sizeof path) fail(ENAMETOOLONG, "sysctl", kv);
  memcpy(path + base, kv, klen);
  path[base + klen] = '\0';
  if (strstr(path, "/../") != NULL || strstr(path, "/./") != NULL || klen < 3 ||
      (klen >= 2 && strcmp(path + base + klen - 2, "/.") == 0) ||
      (klen >= 3 && strcmp(path + base + klen - 3, "/..") == 0)) {
    fail(EINVAL, "sysctl", kv);
  }
  write_file("sysctl", path, eq + 1);
}

/* The empty root: a tiny tmpfs, read-only and without devices, setuid or exec, mounted over an
 * existing directory of the copied host tree, made the root with pivot_root(".", ".") (the old
 * root ends up stacked under the new one and is detached at once). Propagation is made private
 * first so nothing of this reaches the host's mount namespace. */
static void empty_root(void) {
  static const char* const dirs[] = {"/tmp", "/mnt", "/dev"};
  const unsigned long flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) fail(errno, "empty root", "make / private");
  const char* dir = NULL;
  for (size_t i = 0; i < sizeof dirs / sizeof dirs[0] && dir == NULL; ++i) {
    if (mount("podagent-pause", dirs[i], "tmpfs", flags, "size=4k,nr_inodes=2,mode=0555") == 0) dir = dirs[i];
  }
  if (dir == NULL) fail(errno, "empty root", "mount tmpfs");
  if (chdir(dir) != 0) fail(errno, "empty root", dir);
  if (syscall(SYS_pivot_root, ".", ".") != 0) fail(errno, "empty root", "pivot_root");
  if (umount2(".", MNT_DETACH) != 0) fail(errno, "empty root", "detach the host root");
  if (chdir("/") != 0) fail(errno, "empty root", "chdir /");
}

static void on_term(int sig) {
  (void)sig;
  _exit(0);
}

static void on_child(int sig) { (void)sig; }

static void reap(void) {
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
}

int main(int argc, char** argv) {
  const char* hostname = NULL;
  int want_lo = 0;
  /* Pass 1: the ready fd, so every later failure can be reported. */
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "--ready-fd") == 0 && i + 1 < argc) ready_fd = atoi(argv[++i]);
  }
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--ready-fd") == 0 && v) {
      ++i;
    } else if (strcmp(a, "--cgroup-procs") == 0 && v) {
      write_file("join cgroup", v, "0");
      ++i;
    } else if (strcmp(a, "--hostname") == 0 && v) {
      hostname = v;
      ++i;
    } else if (strcmp(a, "--lo-up") == 0) {
      want_lo = 1;
    } else if (strcmp(a, "--sysctl") == 0 && v) {
      ++i; /* applied below, after lo and hostname */
    } else {
      fail(EINVAL, "arguments", a);
    }
  }
  if (hostname != NULL && sethostname(hostname, strlen(hostname)) != 0) fail(errno, "sethostname", hostname);
  if (want_lo) lo_up();
  for (int i = 1; i + 1 < argc; ++i) {
    if (strcmp(argv[i], "--sysctl") == 0) set_sysctl(argv[++i]);
  }
  empty_root();

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_term;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sa.sa_handler = on_child;
  sa.sa_flags = SA_NOCLDSTOP;
  sigaction(SIGCHLD, &sa, NULL);
  report("ok\n");

  for (;;) {
    pause();
    if (getpid() == 1) reap();
  }
}
