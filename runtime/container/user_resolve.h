#pragma once
// Resolves the container user against the image's /etc/passwd and /etc/group contents
// (Kubernetes run_as_user / run_as_username / run_as_group / supplemental_groups, else the
// image's USER "name", "uid", "name:group" or "uid:gid").

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace podagent {

struct UserRequest {
  std::optional<int64_t> run_as_user;
  std::string run_as_username;
  std::optional<int64_t> run_as_group;
  std::vector<int64_t> supplemental_groups;
  // SupplementalGroupsPolicy Strict: only the primary group and `supplemental_groups`, not the
  // groups the image's /etc/group gives the user (Merge, the default, adds those).
  bool strict_groups = false;
  std::string image_user;  // USER from the image config
};

struct ResolvedUser {
  uid_t uid = 0;
  gid_t gid = 0;
  // What setgroups(2) gets, as containerd does it: the primary gid first, then the groups listing
  // the user in /etc/group (unless strict), then the supplemental groups; no duplicates.
  std::vector<gid_t> additional_gids;
  std::string home = "/";
};

// `passwd` and `group` are file contents ("" when the image has none). A name that is not found is
// InvalidArgument; a numeric uid that is not found is fine (gid 0, home /).
absl::StatusOr<ResolvedUser> ResolveUser(const UserRequest& req, const std::string& passwd, const std::string& group);

}  // namespace podagent
