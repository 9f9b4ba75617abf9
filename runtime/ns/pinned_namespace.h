#pragma once
// PinnedNamespace: a namespace kept alive by a bind mount of /proc/PID/ns/<type> onto a file
// under the run dir, so it outlives the process that made it (CNI DEL after pause is gone).
// Removal (unmount + unlink) is idempotent. Move-only; Release() keeps the pin past the object
// (a pod record then owns it and Unpin() removes it by path later).

#include <sys/types.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace podagent {

class PinnedNamespace {
 public:
  PinnedNamespace() = default;
  PinnedNamespace(PinnedNamespace&& o) noexcept : path_(std::move(o.path_)) { o.path_.clear(); }
  PinnedNamespace& operator=(PinnedNamespace&& o) noexcept;
  PinnedNamespace(const PinnedNamespace&) = delete;
  PinnedNamespace& operator=(const PinnedNamespace&) = delete;
  ~PinnedNamespace();

  // Bind-mounts /proc/`pid`/ns/`type` onto `path` (created; its directory made a shared mount
  // point first, see MakeSharedMountDir). AlreadyExists when `path` is already a pin.
  static absl::StatusOr<PinnedNamespace> Pin(pid_t pid, const std::string& type, const std::string& path);

  const std::string& path() const { return path_; }
  std::string Release();
  absl::Status Remove();

 private:
  std::string path_;
};

// Unmounts and unlinks a pin; absent or already unmounted is fine.
absl::Status Unpin(const std::string& path);

// Makes `dir` a mount point (bind onto itself) with shared propagation, as iproute2 does for
// /run/netns: a mount namespace copied later (pause, containers) then sees our unmounts, so a
// removed pin does not live on inside another pod's mount namespace.
absl::Status MakeSharedMountDir(const std::string& dir);

// Undoes MakeSharedMountDir (lazy unmount); for tests and full teardown. Absent is fine.
absl::Status UnmountSharedMountDir(const std::string& dir);

// Whether `path` is a mount point of a nsfs file (a live pin).
bool IsNamespacePin(const std::string& path);

// Inode of a namespace file (/proc/PID/ns/net, or a pin): equal inodes, same namespace.
absl::StatusOr<ino_t> NamespaceInode(const std::string& path);

}  // namespace podagent
