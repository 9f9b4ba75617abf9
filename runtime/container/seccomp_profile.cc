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
  p.default_action = "SCMP_ACT_ALLOW";
  auto deny = [&p](std::vector<std::string> names) {
    p.syscalls.push_back(SeccompRule{std::move(names), "SCMP_ACT_ERRNO", EPERM, {}});
  };
  // Always denied: obsolete, or reaching the host whatever the capabilities.
  deny({"add_key", "keyctl", "request_key", "lookup_dcookie", "nfsservctl", "uselib", "ustat", "sysfs",
        "_sysctl", "vm86", "vm86old", "create_module", "get_kernel_syms", "query_module", "userfaultfd",
        "kexec_load", "kexec_file_load", "open_by_handle_at"});
  if (!Has(caps, "CAP_SYS_ADMIN")) {
    deny({"mount", "umount", "umount2", "pivot_root", "setns", "unshare", "fsopen", "fsconfig", "fsmount",
          "fspick", "move_mount", "open_tree", "mount_setattr", "swapon", "swapoff", "quotactl",
          "quotactl_fd", "bpf", "perf_event_open", "name_to_handle_at", "fanotify_init",
          "setdomainname", "sethostname", "get_mempolicy", "set_mempolicy", "mbind", "move_pages"});
    // clone with any CLONE_NEW* flag: one rule per flag, (flags & flag) == flag.
    for (uint64_t flag : {0x00020000ULL, 0x02000000ULL, 0x04000000ULL, 0x08000000ULL, 0x10000000ULL,
                          0x20000000ULL, 0x40000000ULL, 0x00000080ULL}) {
      p.syscalls.push_back(SeccompRule{{"clone"}, "SCMP_ACT_ERRNO", EPERM, {{0, flag, flag, "SCMP_CMP_MASKED_EQ"}}});
    }
    // clone3 passes flags in memory, which seccomp cannot inspect: make libc fall back to clone.
    p.syscalls.push_back(SeccompRule{{"clone3"}, "SCMP_ACT_ERRNO", ENOSYS, {}});
  }
  if (!Has(caps, "CAP_SYS_MODULE")) deny({"init_module", "finit_module", "delete_module"});
  if (!Has(caps, "CAP_SYS_PTRACE")) deny({"ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd"});
  if (!Has(caps, "CAP_SYS_TIME")) deny({"settimeofday", "stime", "clock_settime", "clock_settime64", "adjtimex", "clock_adjtime", "clock_adjtime64"});
  if (!Has(caps, "CAP_SYS_BOOT")) deny({"reboot"});
  if (!Has(caps, "CAP_SYS_PACCT")) deny({"acct"});
  if (!Has(caps, "CAP_SYS_RAWIO")) deny({"ioperm", "iopl"});
  if (!Has(caps, "CAP_SYSLOG")) deny({"syslog"});
  if (!Has(caps, "CAP_SYS_NICE")) deny({"set_mempolicy_home_node"});
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
      if (rc < 0) return ErrnoError(-rc, absl::StrCat("seccomp_rule_add ", name));
    }
  }
  if (int rc = seccomp_load(ctx.get()); rc < 0) return ErrnoError(-rc, "seccomp_load");
  return absl::OkStatus();
}

}  // namespace podagent
