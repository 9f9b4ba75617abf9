#include "agent/streaming/token_store.h"

#include <sys/random.h>

#include <iterator>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace podagent::streaming {
namespace {

absl::StatusOr<std::string> RandomToken() {
  char raw[16];
  size_t got = 0;
  while (got < sizeof raw) {
    ssize_t n = ::getrandom(raw + got, sizeof raw - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return absl::InternalError("getrandom for a streaming token failed");
    got += static_cast<size_t>(n);
  }
  return absl::BytesToHexString(absl::string_view(raw, sizeof raw));
}

}  // namespace

const char* KindPath(StreamKind kind) {
  switch (kind) {
    case StreamKind::kExec: return "exec";
    case StreamKind::kAttach: return "attach";
    case StreamKind::kPortForward: return "portforward";
  }
  return "";
}

TokenStore::TokenStore(absl::Duration ttl, size_t max_tokens, Clock clock)
    : ttl_(ttl), max_tokens_(max_tokens), clock_(std::move(clock)) {}

void TokenStore::PurgeExpired() {
  absl::Time now = clock_();
  for (auto it = tokens_.begin(); it != tokens_.end();) {
    it = it->second.expires <= now ? tokens_.erase(it) : std::next(it);
  }
}

absl::StatusOr<std::string> TokenStore::Insert(StreamRequest request) {
  auto token = RandomToken();
  if (!token.ok()) return token.status();
  std::lock_guard<std::mutex> l(mu_);
  PurgeExpired();
  if (tokens_.size() >= max_tokens_) {
    return absl::ResourceExhaustedError(
        absl::StrCat("streaming: ", tokens_.size(), " URLs are waiting for a client; retry when they are used or expire"));
  }
  tokens_[*token] = Entry{std::move(request), clock_() + ttl_};
  return token;
}

std::optional<StreamRequest> TokenStore::Take(const std::string& token) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = tokens_.find(token);
  if (it == tokens_.end()) return std::nullopt;
  Entry e = std::move(it->second);
  tokens_.erase(it);
  if (e.expires <= clock_()) return std::nullopt;
  return std::move(e.request);
}

size_t TokenStore::Size() {
  std::lock_guard<std::mutex> l(mu_);
  return tokens_.size();
}

}  // namespace podagent::streaming
