// libFuzzer entry point (clang builds): fuzz_image_parsers -max_total_time=60 tests/fuzz/image/corpus
#include "tests/fuzz/image/image_parsers_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return podagent::FuzzImageParsers(data, size);
}
