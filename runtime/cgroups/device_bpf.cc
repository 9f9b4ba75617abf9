#include "runtime/cgroups/device_bpf.h"

#include <fcntl.h>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "runtime/cgroups/device_program.h"
#include "runtime/common/errors.h"
#include "runtime/common/unique_fd.h"

namespace podagent {
namespace {

constexpr size_t kMaxAttached = 64;  // programs on one cgroup we look at when replacing
constexpr size_t kLogSize = 64 * 1024;

long Bpf(int cmd, union bpf_attr& attr) { return ::syscall(SYS_bpf, cmd, &attr, sizeof attr); }

absl::StatusOr<UniqueFd> LoadProgram(const std::vector<DeviceRule>& allow) {
  std::vector<struct bpf_insn> insns = DeviceProgram(allow);
  static const char kLicense[] = "Apache-2.0";
  union bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = reinterpret_cast<uint64_t>(insns.data());
  attr.insn_cnt = static_cast<uint32_t>(insns.size());
  attr.license = reinterpret_cast<uint64_t>(kLicense);
  UniqueFd fd(static_cast<int>(Bpf(BPF_PROG_LOAD, attr)));
  if (fd) return fd;
  int err = errno;
  if (err != EINVAL && err != EACCES) return ErrnoError(err, "bpf prog load (device program)");
  std::string log(kLogSize, '\0');  // load again with the verifier's log, to say why
  attr.log_buf = reinterpret_cast<uint64_t>(log.data());
  attr.log_size = static_cast<uint32_t>(log.size());
  attr.log_level = 1;
  UniqueFd again(static_cast<int>(Bpf(BPF_PROG_LOAD, attr)));
  if (again) return again;
  log.resize(std::strlen(log.c_str()));
  return ErrnoError(err, absl::StrCat("bpf prog load (device program, ", insns.size(), " insns): ", log));
}

absl::Status Detach(int cgroup_fd, uint32_t id) {
  union bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.prog_id = id;
  UniqueFd prog(static_cast<int>(Bpf(BPF_PROG_GET_FD_BY_ID, attr)));
  if (!prog) return errno == ENOENT ? absl::OkStatus() : ErrnoError(absl::StrCat("bpf prog get fd of id ", id));
  std::memset(&attr, 0, sizeof attr);
  attr.target_fd = static_cast<uint32_t>(cgroup_fd);
  attr.attach_bpf_fd = static_cast<uint32_t>(prog.Get());
  attr.attach_type = BPF_CGROUP_DEVICE;
  if (Bpf(BPF_PROG_DETACH, attr) != 0 && errno != ENOENT) return ErrnoError(absl::StrCat("bpf detach program ", id));
  return absl::OkStatus();
}

absl::StatusOr<UniqueFd> OpenCgroup(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) return ErrnoError("open cgroup " + dir);
  return fd;
}

absl::StatusOr<std::vector<uint32_t>> Query(int cgroup_fd, const std::string& dir) {
  std::vector<uint32_t> ids(kMaxAttached);
  union bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.query.target_fd = static_cast<uint32_t>(cgroup_fd);
  attr.query.attach_type = BPF_CGROUP_DEVICE;
  attr.query.prog_ids = reinterpret_cast<uint64_t>(ids.data());
  attr.query.prog_cnt = static_cast<uint32_t>(ids.size());
  if (Bpf(BPF_PROG_QUERY, attr) != 0) return ErrnoError("bpf query device programs of " + dir);
  ids.resize(std::min<size_t>(attr.query.prog_cnt, ids.size()));
  return ids;
}

}  // namespace

absl::StatusOr<std::vector<uint32_t>> AttachedDevicePrograms(const std::string& cgroup_dir) {
  ASSIGN_OR_RETURN(UniqueFd cg, OpenCgroup(cgroup_dir));
  return Query(cg.Get(), cgroup_dir);
}

absl::Status AttachDeviceProgram(const std::string& cgroup_dir, const std::vector<DeviceRule>& allow) {
  for (const DeviceRule& r : allow) RETURN_IF_ERROR(ValidateDeviceAccess(r.access));
  ASSIGN_OR_RETURN(UniqueFd cg, OpenCgroup(cgroup_dir));
  ASSIGN_OR_RETURN(std::vector<uint32_t> old, Query(cg.Get(), cgroup_dir));
  ASSIGN_OR_RETURN(UniqueFd prog, LoadProgram(allow));
  union bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.target_fd = static_cast<uint32_t>(cg.Get());
  attr.attach_bpf_fd = static_cast<uint32_t>(prog.Get());
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (Bpf(BPF_PROG_ATTACH, attr) != 0) return ErrnoError("bpf attach device program to " + cgroup_dir);
  for (uint32_t id : old) RETURN_IF_ERROR(Detach(cg.Get(), id));
  return absl::OkStatus();
}

}  // namespace podagent
