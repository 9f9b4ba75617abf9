#pragma once
// Path safety for layer unpacking: archive names are untrusted. Names are cleaned lexically
// (".", duplicate slashes dropped) and refused when absolute or containing "..". Directories are
// then opened with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) from the layer root, so a symlink
// planted by an earlier entry can never redirect a write outside the layer directory.

#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runtime/common/unique_fd.h"

namespace podagent {

// "./usr//bin/" -> "usr/bin"; "./" -> "" (the root itself). InvalidArgument for absolute names
// and names with a ".." component.
absl::StatusOr<std::string> CleanEntryPath(absl::string_view name);

// Splits a cleaned path into (parent, base); parent is "" for top-level names.
std::pair<std::string, std::string> SplitParent(const std::string& path);

// Opens `rel` (cleaned, "" = root) beneath `root_fd` without following any symlink.
// InvalidArgument when a component is a symlink or the path would leave the root.
absl::StatusOr<UniqueFd> OpenBeneath(int root_fd, const std::string& rel, int flags, absl::string_view what);

// Like OpenBeneath for a directory, creating missing directories (mode 0755) on the way.
absl::StatusOr<UniqueFd> MakeDirsBeneath(int root_fd, const std::string& rel, absl::string_view what);

}  // namespace podagent
