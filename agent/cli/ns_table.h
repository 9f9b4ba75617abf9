#pragma once
// The namespace table of `podagent ns`: one row per namespace type, one column per process of a
// pod (pause first, then each running container's main process). Pure: the inodes come in from
// the caller (the daemon reads them from the kernel), the table goes out as text or JSON.

#include <sys/types.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "agent/container/process_namespaces.h"

namespace podagent {

// The rows, in this order: the types the daemon reads (agent/container/process_namespaces.h).
inline const std::vector<std::string>& NsTypes() { return NamespaceTypes(); }

struct NsColumn {
  std::string name;          // "pause" or the container's name
  std::string container_id;  // empty for the pause
  pid_t pid = 0;
  std::vector<std::optional<uint64_t>> inodes;  // one per NsTypes(); nullopt: the kernel gave none
};

struct NsTable {
  std::string pod_id, pod_namespace, pod_name;
  std::vector<std::optional<uint64_t>> host;  // one per NsTypes(): PID 1's, as the daemon read them
  std::vector<NsColumn> columns;
  std::vector<std::string> notes;  // processes that could not be shown, and why
};

// A cell is "shared" when another column of its row has the same inode, "host" when it is the
// host's namespace.
bool SharedCell(const NsTable& t, size_t row, size_t col);
bool HostCell(const NsTable& t, size_t row, size_t col);

std::string NsTableText(const NsTable& t);
nlohmann::json NsTableJson(const NsTable& t);

}  // namespace podagent
