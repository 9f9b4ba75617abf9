#pragma once
// The benchmark's SIGINT and SIGTERM: the first one ends the run early but cleanly (no new round,
// no new pod, the pods already made are torn down and the targets remove what they still own, as
// at a normal end); a second one, sent more than 2 s after the first, exits at once (a Ctrl-C
// reaches both the driver and hack/bench.sh, which forwards it: that pair counts as one).

namespace podagent::bench {

// Blocks SIGINT and SIGTERM and starts the thread that waits for them. Call it before any other
// thread starts (gRPC's among them), so every thread inherits the mask.
void WatchStopSignals();

// True once a first SIGINT or SIGTERM arrived.
bool StopRequested();

}  // namespace podagent::bench
