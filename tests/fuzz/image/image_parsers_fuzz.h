#pragma once
// One fuzz entry for the image parsers. The first input byte picks the parser:
//   'r' image reference   'm' manifest/index/config + platform selection
//   'a' WWW-Authenticate   't' layer tar (plain, 'g' gzip, 'z' zstd): unpacked into a temp dir,
//                          asserting nothing appears outside it
// Any other first byte feeds every text parser. Aborts on a violated invariant.

#include <cstddef>
#include <cstdint>

namespace podagent {

int FuzzImageParsers(const uint8_t* data, size_t size);

}  // namespace podagent
