#pragma once
// SpdyClient: the client half of Kubernetes' SPDY streaming protocols, for e2e tests: the HTTP
// upgrade to SPDY/3.1 with X-Stream-Protocol-Version negotiation, streams opened by the client
// (SYN_STREAM with streamType and friends, waiting for SYN_REPLY), data both ways, and what the
// server sent collected per stream. Built on agent/streaming's framing; blocking, with deadlines.

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/streaming/spdy_headers.h"
#include "runtime/common/unique_fd.h"

namespace podagent::testing {

struct UpgradeResult {
  int http_code = 0;
  std::string protocol;  // X-Stream-Protocol-Version the server chose
  std::string body;      // for a refusal
};

class SpdyClient {
 public:
  // Connects to `url` (http://HOST:PORT/PATH) and asks to upgrade offering `protocols`. The client
  // is usable when the result's http_code is 101.
  absl::StatusOr<UpgradeResult> Connect(const std::string& url, const std::vector<std::string>& protocols);

  // Opens a stream with these headers and waits for the server's SYN_REPLY.
  absl::StatusOr<uint32_t> Open(const spdy::HeaderList& headers);
  absl::Status Send(uint32_t stream, const std::string& data, bool fin);
  // Reads frames until `done()` holds, the server closes the connection, or `timeout` passes
  // (DeadlineExceeded).
  absl::Status ReadUntil(const std::function<bool()>& done, absl::Duration timeout);
  // Stops reading from the socket (the kernel buffers fill and the server sees back-pressure).
  void Close() { fd_.Reset(); }

  std::map<uint32_t, std::string> data;  // bytes received per stream
  std::set<uint32_t> fin;                // streams the server finished
  std::set<uint32_t> reset;              // streams the server reset
  bool closed = false;                   // the server closed the connection

 private:
  absl::Status WriteAll(const std::string& bytes);
  absl::Status ReadSome(absl::Time deadline);

  UniqueFd fd_;
  std::string in_;
  uint32_t next_id_ = 1;
  std::set<uint32_t> replied_;
  spdy::HeaderCompressor compress_;
  spdy::HeaderDecompressor decompress_;
};

}  // namespace podagent::testing
