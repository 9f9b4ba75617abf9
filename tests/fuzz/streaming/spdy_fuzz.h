#pragma once
// Fuzz entry for the SPDY/3.1 parsers: the input is a byte stream as a client would send it
// after the upgrade; frames are parsed one after another and header blocks inflated on one zlib
// stream, as agent/streaming/spdy_conn does. Invariants: no crash, every consumed count lies
// within the input, a parse error ends the stream.
#include <cstddef>
#include <cstdint>

namespace podagent {

int FuzzSpdy(const uint8_t* data, size_t size);

}  // namespace podagent
