// libFuzzer entry point for one of agent_fuzz.h's targets, chosen at compile time with
// -DPODAGENT_FUZZ_ENTRY=FuzzCriRequest|FuzzConfig|FuzzCniResult (see CMakeLists.txt and
// hack/fuzz-images.sh).
#include "tests/fuzz/agent/agent_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return podagent::PODAGENT_FUZZ_ENTRY(data, size);
}
