#pragma once
// The table of `podagent top`: every process of a pod (the pause's and each container's, as
// their cgroups list them), with its pid inside its PID namespace and on the host, its user and
// command line, as `ps` inside would show them. Pure: the daemon's facts come in, text or JSON
// goes out.

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace podagent {

struct TopRow {
  std::string container;       // "pause" or the container's name
  std::string container_id;    // empty for the pause
  pid_t pid = 0;               // inside: the last NSpid entry
  pid_t host_pid = 0;          // the first NSpid entry (this process's PID namespace)
  std::vector<pid_t> ns_pids;  // NSpid, outermost first
  uid_t uid = 0;
  std::string user;  // from the container's /etc/passwd, else the uid
  char state = '?';
  std::string command;
};

struct TopTable {
  std::string pod_id, pod_namespace, pod_name;
  std::vector<TopRow> rows;
  std::vector<std::string> notes;  // containers whose processes could not be listed, and why
};

// The row of one process of a verbose info's `processes` (agent/container/process_list.h:
// nsPids, uid, user, state, command); nullopt when it is malformed (no nsPids).
std::optional<TopRow> TopRowFromJson(const nlohmann::json& process, const std::string& container,
                                     const std::string& container_id);

std::string TopTableText(const TopTable& t);
nlohmann::json TopTableJson(const TopTable& t);

}  // namespace podagent
