#include "runtime/container/seccomp_profile.h"

#include <seccomp.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"
#include "runtime/common/files.h"

namespace podagent {
namespace {

const std::map<std::string, scmp_compare>& Operators() {
  static const auto* ops = new std::map<std::string, scmp_compare>{
      {"SCMP_CMP_NE", SCMP_CMP_NE}, {"SCMP_CMP_LT", SCMP_CMP_LT}, {"SCMP_CMP_LE", SCMP_CMP_LE},
      {"SCMP_CMP_EQ", SCMP_CMP_EQ}, {"SCMP_CMP_GE", SCMP_CMP_GE}, {"SCMP_CMP_GT", SCMP_CMP_GT},
      {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ}};
  return *ops;
}

const std::map<std::string, uint32_t>& Architectures() {
  static const auto* arches = new std::map<std::string, uint32_t>{
      {"SCMP_ARCH_X86", SCMP_ARCH_X86},         {"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
      {"SCMP_ARCH_X32", SCMP_ARCH_X32},         {"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
      {"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64}, {"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
      {"SCMP_ARCH_S390X", SCMP_ARCH_S390X},     {"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64}};
  return *arches;
}

bool KnownAction(const std::string& a) {
  static const char* kActions[] = {"SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
                                   "SCMP_ACT_TRAP",  "SCMP_ACT_ERRNO",        "SCMP_ACT_TRACE",
                                   "SCMP_ACT_ALLOW", "SCMP_ACT_LOG"};
  return std::any_of(std::begin(kActions), std::end(kActions), [&](const char* k) { return a == k; });
}

uint32_t ActionValue(const std::string& action, std::optional<int> errno_ret) {
  if (action == "SCMP_ACT_KILL" || action == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL_THREAD;
  if (action == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
  if (action == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
  if (action == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(static_cast<uint16_t>(errno_ret.value_or(EPERM)));
  if (action == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(static_cast<uint16_t>(errno_ret.value_or(EPERM)));
  if (action == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
  return SCMP_ACT_ALLOW;
}

absl::StatusOr<SeccompRule> ParseRule(const nlohmann::json& s) {
  SeccompRule rule;
  if (s.contains("names")) rule.names = s.at("names").get<std::vector<std::string>>();
  if (s.contains("name")) rule.names.push_back(s.at("name").get<std::string>());
  rule.action = s.at("action").get<std::string>();
  if (!KnownAction(rule.action)) return absl::InvalidArgumentError(absl::StrCat("unknown seccomp action ", rule.action));
  if (s.contains("errnoRet")) rule.errno_ret = s.at("errnoRet").get<int>();
  for (const auto& a : s.value("args", nlohmann::json::array())) {
    SeccompArg arg;
    arg.index = a.at("index").get<unsigned>();
    arg.value = a.value("value", uint64_t{0});
    arg.value_two = a.value("valueTwo", uint64_t{0});
    arg.op = a.at("op").get<std::string>();
    if (!Operators().count(arg.op)) return absl::InvalidArgumentError(absl::StrCat("unknown seccomp operator ", arg.op));
    if (arg.index > 5) return absl::InvalidArgumentError(absl::StrCat("seccomp argument index ", arg.index, " out of range"));
    rule.args.push_back(arg);
  }
  return rule;
}

absl::StatusOr<SeccompProfile> ParseProfileUnchecked(const nlohmann::json& j) {
  SeccompProfile p;
  if (!j.is_object()) return absl::InvalidArgumentError("seccomp profile is not a json object");
  p.default_action = j.at("defaultAction").get<std::string>();
  if (!KnownAction(p.default_action)) {
    return absl::InvalidArgumentError(absl::StrCat("unknown seccomp default action ", p.default_action));
  }
  if (j.contains("defaultErrnoRet")) p.default_errno_ret = j.at("defaultErrnoRet").get<int>();
  for (const auto& a : j.value("architectures", nlohmann::json::array())) {
    std::string arch = a.get<std::string>();
    if (!Architectures().count(arch)) return absl::InvalidArgumentError(absl::StrCat("unknown seccomp architecture ", arch));
    p.architectures.push_back(arch);
  }
  for (const auto& s : j.value("syscalls", nlohmann::json::array())) {
    ASSIGN_OR_RETURN(SeccompRule rule, ParseRule(s));
    p.syscalls.push_back(std::move(rule));
  }
  return p;
}

bool Has(const std::vector<std::string>& caps, const char* cap) {
  return std::find(caps.begin(), caps.end(), cap) != caps.end();
}

// Syscalls every container may make: the kernel checks what they do against the process's
// own credentials and namespaces. Left out (denied by default): the io_uring calls (their
// operations bypass this filter), keyrings, kexec, kernel modules, userfaultfd, open_by_handle_at,
// obsolete calls, and what the capability-gated lists below add back.
const std::vector<std::string>& AlwaysAllowedSyscalls() {
  static const auto* names = new std::vector<std::string>{
      "accept", "accept4", "access", "adjtimex", "alarm", "arch_prctl", "bind", "brk", "cachestat", "capget",
      "capset", "chdir", "chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64", "clock_getres",
      "clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64",
      "close", "close_range", "connect", "copy_file_range", "creat", "dup", "dup2", "dup3", "epoll_create",
      "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait",
      "epoll_wait_old", "eventfd", "eventfd2", "execve", "execveat", "exit", "exit_group", "faccessat",
      "faccessat2", "fadvise64", "fadvise64_64", "fallocate", "fanotify_mark", "fchdir", "fchmod", "fchmodat",
      "fchmodat2", "fchown", "fchown32", "fchownat", "fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr",
      "flock", "fork", "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64",
      "fsync", "ftruncate", "ftruncate64", "futex", "futex_requeue", "futex_time64", "futex_wait", "futex_waitv",
      "futex_wake", "futimesat", "get_robust_list", "get_thread_area", "getcpu", "getcwd", "getdents",
      "getdents64", "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups",
      "getgroups32", "getitimer", "getpeername", "getpgid", "getpgrp", "getpid", "getppid", "getpriority",
      "getrandom", "getresgid", "getresgid32", "getresuid", "getresuid32", "getrlimit", "getrusage", "getsid",
      "getsockname", "getsockopt", "gettid", "gettimeofday", "getuid", "getuid32", "getxattr",
      "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch", "io_cancel", "io_destroy",
      "io_getevents", "io_pgetevents", "io_pgetevents_time64", "io_setup", "io_submit", "ioctl", "ioprio_get",
      "ioprio_set", "ipc", "kill", "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self",
      "lchown", "lchown32", "lgetxattr", "link", "linkat", "listen", "listxattr", "llistxattr", "_llseek",
      "lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64", "madvise", "map_shadow_stack", "membarrier",
      "memfd_create", "memfd_secret", "mincore", "mkdir", "mkdirat", "mknod", "mknodat", "mlock", "mlock2",
      "mlockall", "mmap", "mmap2", "modify_ldt", "mprotect", "mq_getsetattr", "mq_notify", "mq_open",
      "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64", "mq_unlink",
      "mremap", "mseal", "msgctl", "msgget", "msgrcv", "msgsnd", "msync", "munlock", "munlockall", "munmap",
      "nanosleep", "newfstatat", "_newselect", "open", "openat", "openat2", "pause", "pidfd_open",
      "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc", "pkey_free", "pkey_mprotect", "poll", "ppoll",
      "ppoll_time64", "prctl", "pread64", "preadv", "preadv2", "prlimit64", "process_mrelease", "pselect6",
      "pselect6_time64", "pwrite64", "pwritev", "pwritev2", "read", "readahead", "readlink", "readlinkat",
      "readv", "recv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg", "remap_file_pages", "removexattr",
      "rename", "renameat", "renameat2", "restart_syscall", "rmdir", "rseq", "rt_sigaction", "rt_sigpending",
      "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
      "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sched_get_priority_max", "sched_get_priority_min",
      "sched_getaffinity", "sched_getattr", "sched_getparam", "sched_getscheduler", "sched_rr_get_interval",
      "sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr", "sched_setparam",
      "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl", "semget", "semop", "semtimedop",
      "semtimedop_time64", "send", "sendfile", "sendfile64", "sendmmsg", "sendmsg", "sendto", "set_robust_list",
      "set_thread_area", "set_tid_address", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid",
      "setgid32", "setgroups", "setgroups32", "setitimer", "setpgid", "setpriority", "setregid", "setregid32",
      "setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32", "setrlimit", "setsid",
      "setsockopt", "setuid", "setuid32", "setxattr", "shmat", "shmctl", "shmdt", "shmget", "shutdown",
      "sigaltstack", "signalfd", "signalfd4", "sigprocmask", "sigreturn", "socketcall", "socketpair", "splice",
      "stat", "stat64", "statfs", "statfs64", "statx", "symlink", "symlinkat", "sync", "sync_file_range",
      "syncfs", "sysinfo", "tee", "tgkill", "time", "timer_create", "timer_delete", "timer_getoverrun",
      "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64", "timerfd_create",
      "timerfd_gettime", "timerfd_gettime64", "timerfd_settime", "timerfd_settime64", "times", "tkill",
      "truncate", "truncate64", "ugetrlimit", "umask", "uname", "unlink", "unlinkat", "utime", "utimensat",
      "utimensat_time64", "utimes", "vfork", "vmsplice", "wait4", "waitid", "waitpid", "write", "writev"};
  return *names;
}

}  // namespace

absl::StatusOr<SeccompProfile> ParseSeccompProfile(const nlohmann::json& j) {
  try {
    return ParseProfileUnchecked(j);
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("malformed seccomp profile: ", e.what()));
  }
}

absl::StatusOr<SeccompProfile> LoadSeccompProfileFile(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return Annotate(text.status(), "seccomp profile");
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return absl::InvalidArgumentError(absl::StrCat("seccomp profile ", path, ": not valid json"));
  auto profile = ParseSeccompProfile(j);
  if (!profile.ok()) return Annotate(profile.status(), absl::StrCat("seccomp profile ", path));
  return profile;
}

nlohmann::json ToJson(const SeccompProfile& p) {
  nlohmann::json j = {{"defaultAction", p.default_action}, {"architectures", p.architectures}};
  if (p.default_errno_ret) j["defaultErrnoRet"] = *p.default_errno_ret;
  j["syscalls"] = nlohmann::json::array();
  for (const auto& r : p.syscalls) {
    nlohmann::json s = {{"names", r.names}, {"action", r.action}, {"args", nlohmann::json::array()}};
    if (r.errno_ret) s["errnoRet"] = *r.errno_ret;
    for (const auto& a : r.args) {
      s["args"].push_back({{"index", a.index}, {"value", a.value}, {"valueTwo", a.value_two}, {"op", a.op}});
    }
    j["syscalls"].push_back(std::move(s));
  }
  return j;
}

SeccompProfile RuntimeDefaultSeccompProfile(const std::vector<std::string>& caps) {
  SeccompProfile p;
  p.default_action = "SCMP_ACT_ERRNO";
  p.default_errno_ret = EPERM;
#if defined(__x86_64__)
  p.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
#endif
  auto allow = [&p](const std::vector<std::string>& names) {
    p.syscalls.push_back(SeccompRule{names, "SCMP_ACT_ALLOW", std::nullopt, {}});
  };
  auto allow_if = [&](const char* cap, const std::vector<std::string>& names) {
    if (Has(caps, cap)) allow(names);
  };
  allow(AlwaysAllowedSyscalls());
  // personality: only the queries and the harmless execution domains, never ADDR_NO_RANDOMIZE.
  for (uint64_t persona : {0x0ULL, 0x8ULL, 0x20000ULL, 0x20008ULL, 0xffffffffULL}) {
    p.syscalls.push_back(SeccompRule{{"personality"}, "SCMP_ACT_ALLOW", std::nullopt, {{0, persona, 0, "SCMP_CMP_EQ"}}});
  }
  // socket: every family but AF_VSOCK (40), which reaches the hypervisor host.
  p.syscalls.push_back(SeccompRule{{"socket"}, "SCMP_ACT_ALLOW", std::nullopt, {{0, 40, 0, "SCMP_CMP_NE"}}});
  if (Has(caps, "CAP_SYS_ADMIN")) {
    allow({"bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick", "lookup_dcookie",
           "mount", "mount_setattr", "move_mount", "name_to_handle_at", "open_tree", "perf_event_open", "quotactl",
           "quotactl_fd", "setdomainname", "sethostname", "setns", "syslog", "umount", "umount2", "unshare"});
  } else {
    // clone without any CLONE_NEW* flag (NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET,
    // NEWTIME): (flags & mask) == 0.
    p.syscalls.push_back(SeccompRule{{"clone"}, "SCMP_ACT_ALLOW", std::nullopt, {{0, 0x7E020080ULL, 0, "SCMP_CMP_MASKED_EQ"}}});
    // clone3 passes flags in memory, which seccomp cannot inspect: ENOSYS makes libc use clone.
    p.syscalls.push_back(SeccompRule{{"clone3"}, "SCMP_ACT_ERRNO", ENOSYS, {}});
  }
  allow_if("CAP_SYS_BOOT", {"reboot"});
  allow_if("CAP_SYS_CHROOT", {"chroot"});
  allow_if("CAP_SYS_MODULE", {"delete_module", "init_module", "finit_module"});
  allow_if("CAP_SYS_PACCT", {"acct"});
  allow_if("CAP_SYS_PTRACE", {"kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev", "ptrace"});
  allow_if("CAP_SYS_RAWIO", {"iopl", "ioperm"});
  allow_if("CAP_SYS_TIME", {"settimeofday", "stime", "clock_settime", "clock_settime64"});
  allow_if("CAP_SYS_TTY_CONFIG", {"vhangup"});
  allow_if("CAP_SYS_NICE", {"get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"});
  allow_if("CAP_SYSLOG", {"syslog"});
  allow_if("CAP_BPF", {"bpf"});
  allow_if("CAP_PERFMON", {"perf_event_open"});
  return p;
}

absl::Status ApplySeccompProfile(const SeccompProfile& p) {
  uint32_t def = ActionValue(p.default_action, p.default_errno_ret);
  std::unique_ptr<void, void (*)(void*)> ctx(seccomp_init(def), [](void* c) { seccomp_release(c); });
  if (!ctx) return absl::InternalError("seccomp_init failed");
  // no_new_privs is the caller's decision, not libseccomp's.
  if (int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0); rc < 0) return ErrnoError(-rc, "seccomp_attr_set nnp");
  for (const auto& arch : p.architectures) {
    int rc = seccomp_arch_add(ctx.get(), Architectures().at(arch));
    if (rc < 0 && rc != -EEXIST) return ErrnoError(-rc, absl::StrCat("seccomp_arch_add ", arch));
  }
  for (const auto& rule : p.syscalls) {
    uint32_t action = ActionValue(rule.action, rule.errno_ret);
    if (action == def) continue;  // libseccomp refuses rules equal to the default
    std::vector<scmp_arg_cmp> cmps;
    for (const auto& a : rule.args) cmps.push_back(scmp_arg_cmp{a.index, Operators().at(a.op), a.value, a.value_two});
    for (const auto& name : rule.names) {
      int nr = seccomp_syscall_resolve_name(name.c_str());
      if (nr == __NR_SCMP_ERROR) continue;  // not a syscall on this architecture
      int rc = seccomp_rule_add_array(ctx.get(), action, nr, static_cast<unsigned>(cmps.size()), cmps.data());
      if (rc < 0 && rc != -EEXIST) return ErrnoError(-rc, absl::StrCat("seccomp_rule_add ", name));  // EEXIST: listed twice
    }
  }
  if (int rc = seccomp_load(ctx.get()); rc < 0) return ErrnoError(-rc, "seccomp_load");
  return absl::OkStatus();
}

}  // namespace podagent
