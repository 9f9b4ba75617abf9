#include "agent/container/container_cgroup.h"

#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"

namespace podagent {
namespace {

absl::Status Remake(CgroupDriver& cgroups, const ContainerRecord& rec) {
  if (!rec.resources.devices) {  // a record from before device rules were kept
    return absl::FailedPreconditionError("the record has no device rules to confine it with");
  }
  if (absl::Status st = cgroups.Create(rec.cgroup_path); !st.ok()) return st;
  absl::Status st = cgroups.Apply(rec.cgroup_path, rec.resources);
  if (!st.ok()) cgroups.ReleaseHold(rec.cgroup_path);  // nothing will join it now
  return st;
}

}  // namespace

absl::Status EnsureContainerCgroup(CgroupDriver* cgroups, const ContainerRecord& rec) {
  if (cgroups == nullptr || rec.cgroup_path.empty() || cgroups->Exists(rec.cgroup_path)) return absl::OkStatus();
  spdlog::warn("container {}: cgroup {} is gone (podagent restarted since CreateContainer?); making it again", rec.id,
               rec.cgroup_path);
  absl::Status st = Remake(*cgroups, rec);
  if (st.ok()) return st;
  return absl::Status(st.code(), absl::StrCat("start container ", rec.id, ": its cgroup ", rec.cgroup_path,
                                              " is gone and could not be made again (", st.message(),
                                              "); retry, or remove the container and create it again"));
}

}  // namespace podagent
