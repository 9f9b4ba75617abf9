// libFuzzer entry point (clang builds): fuzz_ws -max_total_time=60 tests/fuzz/streaming/ws_corpus
#include "tests/fuzz/streaming/ws_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { return podagent::FuzzWs(data, size); }
