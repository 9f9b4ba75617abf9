#pragma once
// Fuzz entry for what the WebSocket transport of agent/streaming reads from a client: the upgrade
// request (parsed by http_upgrade), the subprotocol list and the port-forward `?port=` query
// (ws_negotiate), then the messages of a session (exec, attach, port-forward or SPDY tunnelled in
// WebSocket): channel bytes, stdin, resize JSON, v5's close signal, port-forward data, and frames
// of any opcode, fragmented, unmasked or not frames at all. The session runs for real against
// tests/unit/agent/streaming/fake_backend.h on a socketpair, through ServeWs as the server does.
//
// Input: byte 0 picks the session: bits 0-1 exec, exec with a tty, attach, port-forward; bit 2 an
// attach to a tty container; bit 3 a backend error (attach to a stopped container). Then records
// of [tag][length, 2 bytes little-endian][payload]: the first is the Sec-WebSocket-Protocol value
// (empty: no header), the second the URL's query, each further one a frame: tag 0xff sends the
// payload as raw bytes, else opcode = tag & 0x0f, bit 4 clears FIN, bit 5 leaves it unmasked.
//
// Invariants: no crash or sanitizer report; the session ends on its own within a bound once the
// client has sent everything, heard nothing more for a moment and half-closed (no hang).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace podagent {

struct WsFuzzResult {
  bool upgraded = false;   // the server answered 101
  std::string received;    // every byte the client got, the HTTP response included
};

// `quiet`: how long the client waits for more from the server, once it has sent everything,
// before it half-closes (FuzzWs: 20 ms; a test that wants a command's whole answer waits longer).
WsFuzzResult FuzzWsSession(const uint8_t* data, size_t size, std::chrono::milliseconds quiet);
int FuzzWs(const uint8_t* data, size_t size);

}  // namespace podagent
