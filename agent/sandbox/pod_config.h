#pragma once
// CRI PodSandboxConfig -> PodRecord, with every check RunPodSandbox makes before it changes
// anything (metadata present, sizes, hostname, DNS, ports, sysctls, runtime handler, cgroup
// parent). Pure: unit-tested without root.

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "agent/config.h"
#include "agent/sandbox/pod_record.h"
#include "agent/services.h"

namespace podagent {

// The record for a new pod (no id, state kCreating); InvalidArgument naming the bad field.
absl::StatusOr<PodRecord> PodRecordFromConfig(const cri::PodSandboxConfig& config, const std::string& runtime_handler,
                                              const Config& agent_config);

// The oom_score_adj kubelet asked for pause (linux.resources), if any.
std::optional<int64_t> RequestedOomScoreAdj(const cri::PodSandboxConfig& config);

}  // namespace podagent
