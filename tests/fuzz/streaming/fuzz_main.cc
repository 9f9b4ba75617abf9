// libFuzzer entry point (clang builds): fuzz_spdy -max_total_time=60 tests/fuzz/streaming/corpus
#include "tests/fuzz/streaming/spdy_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { return podagent::FuzzSpdy(data, size); }
