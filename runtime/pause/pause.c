/* podagent-pause: holds a pod's shared namespaces. Plain C without a C library (sys.h: its own
 * start-up and system calls), linked statically: the whole program is a few pages, so each
 * pause's RSS is a few dozen KiB. The daemon starts it with clone flags for the new namespaces;
 * this program only finishes the setup that must happen inside them, reports the outcome, then
 * sleeps.
 *
 *   podagent-pause [--ready-fd N] [--cgroup-procs FILE]... [--hostname NAME] [--lo-up]
 *                  [--sysctl PATH=VALUE]...   (PATH under /proc/sys: net/ipv4/ip_forward)
 *
 * Order: join the cgroups (writes "0", "this process", to each cgroup.procs, or on v1 to the
 * sibling tasks file: see join_cgroup), set the hostname,
 * bring lo up (ioctl), write the sysctls under /proc/sys, then leave the host's root: pivot_root
 * into an empty read-only tmpfs in pause's own mount namespace, so /proc/<pause>/root (which a
 * container of a shared-PID pod reaches as /proc/1/root) shows nothing of the host. Then one line
 * on the ready fd:
 *   "ok\n"                                   everything done
 *   "error <errno> <step>: <detail>\n"       a step failed; the program exits 1
 * SIGTERM/SIGINT: exit 0. As PID 1 of its PID namespace it reaps every child. The signals are
 * blocked and taken with rt_sigtimedwait (no handlers): a blocked signal is queued even for the
 * PID 1 of a namespace, so a SIGTERM from inside the pod ends pause as a handler did. */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "sys.h"

static int ready_fd = -1;

static void write_all(int fd, const char* s, size_t n) {
  while (n > 0) {
    long w = SYS3(SYS_write, fd, s, n);
    if (w == -EINTR) continue;
    if (w < 0) return;
    s += w;
    n -= (size_t)w;
  }
}

static void report(const char* line) {
  if (ready_fd >= 0) {
    write_all(ready_fd, line, str_len(line));
    SYS1(SYS_close, ready_fd);
    ready_fd = -1;
  }
}

/* Appends s to the line at *at, never past end (the last byte stays for the terminator). */
static void append(char** at, char* end, const char* s) {
  while (*s != '\0' && *at < end - 1) *(*at)++ = *s++;
  **at = '\0';
}

static void append_number(char** at, char* end, long v) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v > 0 && n < (int)sizeof digits);
  char one[2] = {0, 0};
  while (n > 0) {
    one[0] = digits[--n];
    append(at, end, one);
  }
}

/* err is a positive errno. */
__attribute__((noreturn)) static void fail(int err, const char* step, const char* detail) {
  char line[512];
  char* at = line;
  char* end = line + sizeof line - 1; /* room for the newline */
  append(&at, end, "error ");
  append_number(&at, end, err);
  append(&at, end, " ");
  append(&at, end, step);
  append(&at, end, ": ");
  append(&at, end, detail);
  append(&at, end, ": ");
  append(&at, end, errno_text(err));
  *at++ = '\n';
  *at = '\0';
  report(line);
  write_all(2, line, str_len(line));
  sys_exit(1);
}

static void write_file(const char* step, const char* path, const char* value) {
  long fd = SYS4(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CLOEXEC, 0);
  if (fd < 0) fail((int)-fd, step, path);
  size_t n = str_len(value);
  long w = SYS3(SYS_write, fd, value, n);
  if (w < 0 || (size_t)w != n) fail(w < 0 ? (int)-w : EIO, step, path);
  SYS1(SYS_close, fd);
}

/* Joins the cgroup of `procs` (a cgroup.procs file). On cgroup v1 the pause writes "0" to the
 * sibling `tasks` file instead: it is one thread, and the kernel moves the calling thread without
 * taking cgroup_threadgroup_rwsem for writing, whose writer waits for an RCU grace period (10-16 ms
 * for the first of the nine hierarchies on the v1 host of docs/benchmarks.md, and node-wide, so
 * pods started at once queue behind each other). v2 has no `tasks`: cgroup.procs as before. */
static void join_cgroup(const char* procs) {
  static const char kProcs[] = "cgroup.procs";
  size_t n = str_len(procs);
  char tasks[4096];
  if (str_ends(procs, kProcs) && n - (sizeof kProcs - 1) + sizeof "tasks" <= sizeof tasks) {
    size_t dir = n - (sizeof kProcs - 1);
    memcpy(tasks, procs, dir);
    memcpy(tasks + dir, "tasks", sizeof "tasks");
    long fd = SYS4(SYS_openat, AT_FDCWD, tasks, O_WRONLY | O_CLOEXEC, 0);
    if (fd >= 0) {
      long w = SYS3(SYS_write, fd, "0", 1);
      SYS1(SYS_close, fd);
      if (w != 1) fail(w < 0 ? (int)-w : EIO, "join cgroup", tasks);
      return;
    }
    if (fd != -ENOENT) fail((int)-fd, "join cgroup", tasks);
  }
  write_file("join cgroup", procs, "0");
}

static void lo_up(void) {
  long s = SYS3(SYS_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) fail((int)-s, "lo up", "socket");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  memcpy(ifr.ifr_name, "lo", 3);
  long r = SYS3(SYS_ioctl, s, SIOCGIFFLAGS, &ifr);
  if (r < 0) fail((int)-r, "lo up", "SIOCGIFFLAGS lo");
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  r = SYS3(SYS_ioctl, s, SIOCSIFFLAGS, &ifr);
  if (r < 0) fail((int)-r, "lo up", "SIOCSIFFLAGS lo");
  SYS1(SYS_close, s);
}

/* "net/ipv4/ip_forward=1" -> writes "1" to /proc/sys/net/ipv4/ip_forward. The key is the path
 * under /proc/sys (the daemon turned dotted names into paths); ".." components are refused. */
static void set_sysctl(const char* kv) {
  const char* eq = str_chr(kv, '=');
  if (eq == NULL || eq == kv || kv[0] == '/') fail(EINVAL, "sysctl", kv);
  char path[512] = "/proc/sys/";
  size_t base = str_len(path);
  size_t klen = (size_t)(eq - kv);
  if (base + klen >= sizeof path) fail(ENAMETOOLONG, "sysctl", kv);
  memcpy(path + base, kv, klen);
  path[base + klen] = '\0';
  if (str_has(path, "/../") || str_has(path, "/./") || klen < 3 || str_ends(path, "/.") || str_ends(path, "/..")) {
    fail(EINVAL, "sysctl", kv);
  }
  write_file("sysctl", path, eq + 1);
}

static void must(long r, const char* step, const char* detail) {
  if (r < 0) fail((int)-r, step, detail);
}

/* The empty root: a tiny tmpfs, read-only and without devices, setuid or exec, mounted over an
 * existing directory of the copied host tree, made the root with pivot_root(".", ".") (the old
 * root ends up stacked under the new one and is detached at once). Propagation is made private
 * first so nothing of this reaches the host's mount namespace. */
static void empty_root(void) {
  static const char* const dirs[] = {"/tmp", "/mnt", "/dev"};
  const unsigned long flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
  must(SYS5(SYS_mount, NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), "empty root", "make / private");
  const char* dir = NULL;
  long r = -ENOENT;
  for (size_t i = 0; i < sizeof dirs / sizeof dirs[0] && dir == NULL; ++i) {
    r = SYS5(SYS_mount, "podagent-pause", dirs[i], "tmpfs", flags, "size=4k,nr_inodes=2,mode=0555");
    if (r == 0) dir = dirs[i];
  }
  if (dir == NULL) fail((int)-r, "empty root", "mount tmpfs");
  must(SYS1(SYS_chdir, dir), "empty root", dir);
  must(SYS2(SYS_pivot_root, ".", "."), "empty root", "pivot_root");
  must(SYS2(SYS_umount2, ".", MNT_DETACH), "empty root", "detach the host root");
  must(SYS1(SYS_chdir, "/"), "empty root", "chdir /");
}

/* The kernel's sigset for rt_sig* calls: one bit per signal, 8 bytes on these architectures. */
static unsigned long signal_bit(int sig) { return 1UL << (sig - 1); }

static void reap(void) {
  while (SYS4(SYS_wait4, -1, NULL, WNOHANG, NULL) > 0) {
  }
}

__attribute__((noreturn)) static void sleep_until_told(void) {
  unsigned long set = signal_bit(SIGTERM) | signal_bit(SIGINT) | signal_bit(SIGCHLD);
  int pid1 = SYS0(SYS_getpid) == 1;
  for (;;) {
    long sig = SYS4(SYS_rt_sigtimedwait, &set, NULL, NULL, sizeof set);
    if (sig == SIGTERM || sig == SIGINT) sys_exit(0);
    if (sig == SIGCHLD && pid1) reap();
  }
}

static void block_signals(void) {
  unsigned long set = signal_bit(SIGTERM) | signal_bit(SIGINT) | signal_bit(SIGCHLD);
  must(SYS4(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, sizeof set), "signals", "rt_sigprocmask");
}

void pause_main(long* sp);

void pause_main(long* sp) {
  int argc = (int)sp[0];
  char** argv = (char**)(sp + 1);
  const char* hostname = NULL;
  int want_lo = 0;
  /* Pass 1: the ready fd, so every later failure can be reported. */
  for (int i = 1; i < argc; ++i) {
    if (str_eq(argv[i], "--ready-fd") && i + 1 < argc) ready_fd = parse_fd(argv[++i]);
  }
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : NULL;
    if (str_eq(a, "--ready-fd") && v) {
      ++i;
    } else if (str_eq(a, "--cgroup-procs") && v) {
      join_cgroup(v);
      ++i;
    } else if (str_eq(a, "--hostname") && v) {
      hostname = v;
      ++i;
    } else if (str_eq(a, "--lo-up")) {
      want_lo = 1;
    } else if (str_eq(a, "--sysctl") && v) {
      ++i; /* applied below, after lo and hostname */
    } else {
      fail(EINVAL, "arguments", a);
    }
  }
  if (hostname != NULL) must(SYS2(SYS_sethostname, hostname, str_len(hostname)), "sethostname", hostname);
  if (want_lo) lo_up();
  for (int i = 1; i + 1 < argc; ++i) {
    if (str_eq(argv[i], "--sysctl")) set_sysctl(argv[++i]);
  }
  empty_root();
  /* Blocked before "ok": a SIGTERM sent as soon as the daemon reads the line is queued, not lost. */
  block_signals();
  report("ok\n");
  sleep_until_told();
}
