#include "agent/container/container_cgroup.h"

#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"

namespace podagent {
namespace {

absl::Status Make(CgroupDriver& cgroups, const ContainerRecord& rec) {
  if (!rec.resources.devices) {  // a record from before device rules were kept
    return absl::FailedPreconditionError("the record has no device rules to confine it with");
  }
  if (absl::Status st = cgroups.Create(rec.cgroup_path); !st.ok()) return st;
  absl::Status st = cgroups.Apply(rec.cgroup_path, rec.resources);
  if (st.ok()) return st;
  cgroups.ReleaseHold(rec.cgroup_path);  // nothing will join it now
  if (absl::Status gone = cgroups.Destroy(rec.cgroup_path); !gone.ok()) {
    spdlog::warn("container {}: remove cgroup {} after its resources failed: {}", rec.id, rec.cgroup_path,
                 std::string(gone.message()));
  }
  return st;
}

}  // namespace

absl::Status EnsureContainerCgroup(CgroupDriver* cgroups, const ContainerRecord& rec) {
  if (cgroups == nullptr || rec.cgroup_path.empty() || cgroups->Exists(rec.cgroup_path)) return absl::OkStatus();
  absl::Status st = Make(*cgroups, rec);
  if (st.ok()) return st;
  return absl::Status(st.code(), absl::StrCat("start container ", rec.id, ": its cgroup ", rec.cgroup_path,
                                              " could not be made (", st.message(),
                                              "); fix the cause and retry, or remove the container and create it again"));
}

}  // namespace podagent
