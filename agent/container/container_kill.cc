#include "agent/container/container_kill.h"

#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"

namespace podagent {

absl::Status KillContainerCgroup(CgroupDriver* cgroups, const ContainerRecord& rec) {
  if (cgroups == nullptr || rec.cgroup_path.empty()) return absl::OkStatus();
  return Annotate(cgroups->Kill(rec.cgroup_path), absl::StrCat("container ", rec.id));
}

}  // namespace podagent
