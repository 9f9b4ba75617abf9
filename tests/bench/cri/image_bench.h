#pragma once
// One round of PullImage then RemoveImage of `ref` (removed first, untimed, if present), timed
// into rows "PullImage, LABEL" and "RemoveImage, LABEL".

#include <string>

#include "tests/bench/cri/bench_target.h"
#include "tests/bench/cri/results.h"

namespace podagent::bench {

void RunImageRound(Target& t, Results& results, const std::string& label, const std::string& ref);

}  // namespace podagent::bench
