#include "runtime/shim/process_setup.h"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runtime/common/errors.h"
#include "runtime/common/files.h"
#include "runtime/container/capabilities.h"
#include "runtime/container/process_args.h"
#include "runtime/container/seccomp_profile.h"

namespace podagent::shim {
namespace {

const std::map<std::string, int>& RlimitNames() {
  static const auto* names = new std::map<std::string, int>{
      {"RLIMIT_AS", RLIMIT_AS},           {"RLIMIT_CORE", RLIMIT_CORE},       {"RLIMIT_CPU", RLIMIT_CPU},
      {"RLIMIT_DATA", RLIMIT_DATA},       {"RLIMIT_FSIZE", RLIMIT_FSIZE},     {"RLIMIT_LOCKS", RLIMIT_LOCKS},
      {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
      {"RLIMIT_NOFILE", RLIMIT_NOFILE},   {"RLIMIT_NPROC", RLIMIT_NPROC},     {"RLIMIT_RSS", RLIMIT_RSS},
      {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},   {"RLIMIT_RTTIME", RLIMIT_RTTIME},   {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
      {"RLIMIT_STACK", RLIMIT_STACK}};
  return *names;
}

std::vector<char*> CStrings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

absl::Status SwitchUser(const ProcessSpec& p) {
  if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return ErrnoError("prctl keepcaps");
  if (::setgroups(p.additional_gids.size(), p.additional_gids.data()) != 0) return ErrnoError("setgroups");
  if (::setresgid(p.gid, p.gid, p.gid) != 0) return ErrnoError(absl::StrCat("setgid ", p.gid));
  if (::setresuid(p.uid, p.uid, p.uid) != 0) return ErrnoError(absl::StrCat("setuid ", p.uid));
  if (::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) return ErrnoError("prctl keepcaps off");
  return absl::OkStatus();
}

absl::Status LoadSeccomp(const ProcessSpec& p) {
  if (!p.seccomp) return absl::OkStatus();
  return Annotate(ApplySeccompProfile(*p.seccomp), "seccomp");
}

}  // namespace

absl::Status ApplyOomScoreAdj(const ProcessSpec& p) {
  if (!p.oom_score_adj) return absl::OkStatus();
  return WriteFile("/proc/self/oom_score_adj", std::to_string(*p.oom_score_adj));
}

absl::Status ApplyRlimits(const ProcessSpec& p) {
  for (const auto& r : p.rlimits) {
    auto it = RlimitNames().find(r.name);
    if (it == RlimitNames().end()) return absl::InvalidArgumentError(absl::StrCat("unknown rlimit ", r.name));
    struct rlimit lim {r.soft, r.hard};
    if (::setrlimit(it->second, &lim) != 0) return ErrnoError(absl::StrCat("setrlimit ", r.name));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> FindExecutable(const std::string& arg0, const std::vector<std::string>& env) {
  if (arg0.find('/') != std::string::npos) return arg0;
  std::string path = kDefaultPath;
  for (const auto& kv : env) {
    if (absl::StartsWith(kv, "PATH=")) path = kv.substr(5);
  }
  for (absl::string_view dir : absl::StrSplit(path, ':', absl::SkipEmpty())) {
    std::string candidate = absl::StrCat(dir, "/", arg0);
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return absl::NotFoundError(absl::StrCat("executable file ", arg0, " not found in $PATH"));
}

absl::Status SecureAndExec(const ProcessSpec& p, int keep_fd, bool die_with_parent) {
  pid_t parent = ::getppid();
  if (p.args.empty()) return absl::InvalidArgumentError("no command to run");
  if (::chdir(p.cwd.c_str()) != 0) return ErrnoError("chdir " + p.cwd);
  ASSIGN_OR_RETURN(std::string exe, FindExecutable(p.args[0], p.env));
  if (!p.no_new_privs) RETURN_IF_ERROR(LoadSeccomp(p));
  // The bounding set needs CAP_SETPCAP, which setuid to a non-root user takes away.
  RETURN_IF_ERROR(DropBoundingCapabilities(p.capabilities));
  RETURN_IF_ERROR(SwitchUser(p));
  RETURN_IF_ERROR(ApplyCapabilities(p.capabilities, p.uid));
  if (die_with_parent) {
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) return ErrnoError("prctl pdeathsig");
    if (::getppid() != parent) return absl::AbortedError("parent exited before exec");
  }
  if (p.no_new_privs && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return ErrnoError("prctl no_new_privs");
  if (keep_fd >= 0 && ::fcntl(keep_fd, F_SETFD, FD_CLOEXEC) != 0) return ErrnoError("fcntl cloexec");
  if (::syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) return ErrnoError("close_range");
  if (p.no_new_privs) RETURN_IF_ERROR(LoadSeccomp(p));
  std::vector<char*> argv = CStrings(p.args);
  std::vector<char*> envp = CStrings(p.env);
  ::execve(exe.c_str(), argv.data(), envp.data());
  return ErrnoError("exec " + exe);
}

}  // namespace podagent::shim
