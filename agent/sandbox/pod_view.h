#pragma once
// PodRecord -> CRI messages (status, list entries, verbose info) and the ListPodSandbox filter.
// Pure functions.

#include <nlohmann/json.hpp>

#include "agent/sandbox/pod_record.h"
#include "agent/services.h"

namespace podagent {

// `ready`: the record is ready and its pause still runs.
void FillPodSandboxStatus(const PodRecord& r, bool ready, cri::PodSandboxStatus* out);
void FillPodSandbox(const PodRecord& r, bool ready, cri::PodSandbox* out);
// The verbose "info" object: pid (pause), cgroupPath, netnsPath and the rest of the record.
nlohmann::json VerboseInfo(const PodRecord& r, bool ready);
// id (prefix), state and label selector (every pair must match).
bool MatchesFilter(const PodRecord& r, bool ready, const cri::PodSandboxFilter& filter);

}  // namespace podagent
