#pragma once
// Fuzz entries for what the agent reads from outside:
//   FuzzCriRequest   CRI requests as protobuf bytes. The first byte picks the request type
//                    (kRequestTypes below, modulo their count); the rest is parsed as that message
//                    and run through the agent's validation and spec building (RunPodSandbox,
//                    CreateContainer, UpdateContainerResources, the image requests' references
//                    and auth, ExecSync's command). Aborts when a spec the agent accepted breaks
//                    an invariant a hostile request must never get past (a mount destination or
//                    log path that is relative or climbs out with "..").
//   FuzzConfig       the YAML config file (agent/config): loaded from a memfd, never disk.
//   FuzzCniResult    what a CNI plugin prints: a result (IPs) or an error object.

#include <cstddef>
#include <cstdint>

#include "agent/container/spec_builder.h"

namespace podagent {

// The node the CRI target builds specs for: a ready pod with a log directory, a shell image, and
// the inputs CreateContainer would gather (no TARGET pid namespace to join).
PodInfo FuzzPod();
ImageInfo FuzzImage();
SpecInputs FuzzInputs();

int FuzzCriRequest(const uint8_t* data, size_t size);
int FuzzConfig(const uint8_t* data, size_t size);
int FuzzCniResult(const uint8_t* data, size_t size);

}  // namespace podagent
