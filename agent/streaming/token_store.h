#pragma once
// TokenStore: random single-use tokens for streaming URLs. Insert() keeps a request for `ttl`;
// Take() hands it out once and forgets it. At most `max_tokens` wait at a time (expired ones are
// purged first), so RPCs that are never followed by a connection cannot grow memory.

#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/streaming/stream_request.h"

namespace podagent::streaming {

class TokenStore {
 public:
  using Clock = std::function<absl::Time()>;
  TokenStore(absl::Duration ttl, size_t max_tokens, Clock clock = [] { return absl::Now(); });

  // A new token (32 hex digits from getrandom). ResourceExhausted when `max_tokens` are waiting.
  absl::StatusOr<std::string> Insert(StreamRequest request);
  // The request of a token that exists and has not expired; removes it. nullopt otherwise.
  std::optional<StreamRequest> Take(const std::string& token);
  size_t Size();

 private:
  struct Entry {
    StreamRequest request;
    absl::Time expires;
  };
  void PurgeExpired() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Duration ttl_;
  size_t max_tokens_;
  Clock clock_;
  std::mutex mu_;
  std::map<std::string, Entry> tokens_ ABSL_GUARDED_BY(mu_);
};

}  // namespace podagent::streaming
