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

// The RuntimeDefault profile, an allow list as containerd's and Docker's default profiles are:
// every syscall not listed fails with EPERM (io_uring, keyrings, kexec, modules, userfaultfd,
// open_by_handle_at, obsolete calls, ...). Calls that reach outside the container are listed only
// with the capability meant to allow them (mount and unshare with CAP_SYS_ADMIN, ptrace with
// CAP_SYS_PTRACE, ...); clone is allowed without CLONE_NEW* flags; clone3 gets ENOSYS so libc
// falls back to clone; personality only for the harmless domains; socket for every family but
// AF_VSOCK. On x86_64 the 32-bit and x32 ABIs get the same list.
SeccompProfile RuntimeDefaultSeccompProfile(const std::vector<std::string>& capabilities);

// Compiles the profile with libseccomp and loads it into the calling thread. Does not set
// no_new_privs (the caller decides); without it the caller needs CAP_SYS_ADMIN.
absl::Status ApplySeccompProfile(const SeccompProfile& profile);

}  // namespace podagent
