#include "tests/bench/cri/image_bench.h"

#include "tests/bench/cri/timing.h"

namespace podagent::bench {

void RunImageRound(Target& t, Results& results, const std::string& label, const std::string& ref) {
  auto& c = t.client();
  grpc::Status gone = c.RemoveImage(ref);  // the CRI says removing an absent image succeeds
  if (!gone.ok() && gone.error_code() != grpc::StatusCode::NOT_FOUND) {
    results.Error(t.name(), "RemoveImage " + ref + " before the round: " + gone.error_message());
    return;
  }
  std::string image_ref;
  if (!TimedStep(t, results, "PullImage, " + label, [&] { return c.PullImage(ref, &image_ref); })) return;
  TimedStep(t, results, "RemoveImage, " + label, [&] { return c.RemoveImage(ref); });
}

}  // namespace podagent::bench
