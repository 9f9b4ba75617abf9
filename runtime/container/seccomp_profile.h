#pragma once
// Seccomp profiles in the OCI runtime-spec format ("defaultAction", "syscalls": [{"names",
// "action", "errnoRet", "args"}]), the built-in RuntimeDefault profile, and loading one into the
// calling thread with libseccomp.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace podagent {

struct SeccompArg {
  unsigned index = 0;
  uint64_t value = 0, value_two = 0;
  std::string op;  // SCMP_CMP_EQ, SCMP_CMP_MASKED_EQ, ...
};

struct SeccompRule {
  std::vector<std::string> names;
  std::string action;  // SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, ...
  std::optional<int> errno_ret;
  std::vector<SeccompArg> args;
};

struct SeccompProfile {
  std::string default_action = "SCMP_ACT_ALLOW";
  std::optional<int> default_errno_ret;
  std::vector<std::string> architectures;  // SCMP_ARCH_X86_64 ...; empty: native only
  std::vector<SeccompRule> syscalls;
};

// Parses OCI seccomp JSON. Unknown actions, operators or architectures are InvalidArgument.
absl::StatusOr<SeccompProfile> ParseSeccompProfile(const nlohmann::json& j);
// Reads and parses a profile file (Localhost profiles).
absl::StatusOr<SeccompProfile> LoadSeccompProfileFile(const std::string& path);
nlohmann::json ToJson(const SeccompProfile& profile);

// The RuntimeDefault profile: allow by default, deny (EPERM) the syscalls that reach outside the
// container (kernel modules, mount, namespaces, kexec, keyrings, bpf, perf, ptrace, clock, swap,
// reboot, ...). Syscalls that a granted capability is meant to allow stay allowed (for example
// mount with CAP_SYS_ADMIN), as with the well-known default profiles.
SeccompProfile RuntimeDefaultSeccompProfile(const std::vector<std::string>& capabilities);

// Compiles the profile with libseccomp and loads it into the calling thread. Does not set
// no_new_privs (the caller decides); without it the caller needs CAP_SYS_ADMIN.
absl::Status ApplySeccompProfile(const SeccompProfile& profile);

}  // namespace podagent
