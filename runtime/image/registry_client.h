#pragma once
// RegistryClient: OCI distribution spec v2 pulls (manifests and blobs) for one repository.
//
// Endpoints: the mirrors configured for the registry host (tried in order, same repository
// paths), then the registry itself. Plain HTTP for loopback hosts and hosts listed as insecure,
// HTTPS with the system CA store otherwise. Auth: anonymous, bearer tokens from the
// WWW-Authenticate challenge, basic auth and identity/registry tokens from RegistryAuth.
// Transport errors and 5xx are retried a bounded number of times; errors name the registry,
// the repository and the blob. Credentials and tokens are never logged or put in messages.
//
// Where credentials go: only to the registry itself (never to a mirror) and to the token realm
// its challenge names, and to either only over HTTPS or to a loopback address
// (MaySendCredentials); a plain-HTTP registry or realm elsewhere is asked anonymously. Redirects
// never downgrade https to http (http_client.h). A manifest fetched by digest must hash to it; one
// fetched by tag must hash to the Docker-Content-Digest header when the registry sends one.
// Every request and every wait honours `interrupt` and `deadline` (a pull's cancellation).

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "runtime/image/content_store.h"
#include "runtime/image/http_client.h"
#include "runtime/image/manifest.h"
#include "runtime/image/reference.h"

namespace podagent {

// The CRI AuthConfig as a plain struct.
struct RegistryAuth {
  std::string username, password;
  std::string auth;            // base64("user:password"), used when username is empty
  std::string server_address;
  std::string identity_token;  // OAuth2 refresh token, exchanged at the token realm
  std::string registry_token;  // bearer token sent as is
  bool Empty() const {
    return username.empty() && password.empty() && auth.empty() && identity_token.empty() && registry_token.empty();
  }
};

struct RegistryOptions {
  std::map<std::string, std::vector<std::string>> mirrors;  // registry host -> endpoint URLs
  std::vector<std::string> insecure;                          // hosts reached over plain HTTP
  int64_t timeout_seconds = 60;
  int64_t retries = 3;
  int64_t retry_backoff_ms = 200;  // doubles per attempt
  absl::Time deadline = absl::InfiniteFuture();  // of the whole pull
  InterruptFn interrupt;                         // optional: the pull's cancellation
};

struct FetchedManifest {
  std::string body;
  std::string media_type;
  std::string digest;    // sha256 of body
  std::string endpoint;  // where it came from
};

// True when the host (with or without a port, IPv6 in brackets) parses as an address in
// 127.0.0.0/8 or as ::1, or is "localhost" (which libcurl resolves to loopback itself, never
// through DNS). A name that merely starts with "127." is not loopback.
bool IsLoopbackHost(absl::string_view host_port);

// True for https:// URLs and for http:// URLs whose host is loopback: the only places
// credentials may be sent.
bool MaySendCredentials(absl::string_view url);

class RegistryClient {
 public:
  // Progress of a blob: bytes received so far (for logs and tests).
  using ProgressFn = std::function<void(const std::string& digest, int64_t received, int64_t total)>;

  RegistryClient(RegistryOptions options, ImageReference ref, RegistryAuth auth);

  // Endpoint base URLs in the order they are tried (mirrors first).
  const std::vector<std::string>& endpoints() const { return endpoints_; }

  // The manifest or index for a tag or digest. When `selector` is a digest the body must hash
  // to it (DataLoss otherwise). NotFound when no endpoint has it.
  absl::StatusOr<FetchedManifest> GetManifest(const std::string& selector);

  // Streams a blob into `writer` (which verifies size and digest on commit).
  absl::Status GetBlob(const Descriptor& blob, BlobWriter& writer, const ProgressFn& progress = nullptr);

  // Requests that failed and were retried (tests).
  int64_t retries_done() const { return retries_done_; }

 private:
  struct Endpoint {
    std::string base;     // "http://127.0.0.1:5000"
    bool is_mirror = false;
    std::string bearer;   // cached token
    bool use_basic = false;
  };
  // One request with the auth dance (at most one challenge answered).
  absl::StatusOr<HttpResponse> Request(Endpoint& ep, HttpRequest request);
  // Answers a 401 challenge: fills ep.bearer or ep.use_basic.
  absl::Status Authorize(Endpoint& ep, const std::string& challenge);
  void AddAuth(const Endpoint& ep, HttpRequest& request) const;
  absl::StatusOr<FetchedManifest> GetManifestFrom(Endpoint& ep, const std::string& selector);
  absl::Status GetBlobFrom(Endpoint& ep, const Descriptor& blob, BlobWriter& writer, const ProgressFn& progress);
  std::string RegistryName() const { return ref_.domain; }
  // Sleeps before retry `attempt`, waking early with the error when interrupted.
  absl::Status Backoff(int attempt) const;
  absl::Status Interrupted() const;
  void Prepare(HttpRequest& request) const;

  RegistryOptions options_;
  ImageReference ref_;
  RegistryAuth auth_;
  std::string basic_user_, basic_password_;
  std::vector<Endpoint> eps_;
  std::vector<std::string> endpoints_;
  size_t preferred_ = 0;  // the endpoint that last served us
  int64_t retries_done_ = 0;
};

// Parses `Bearer realm="...",service="...",scope="..."` or `Basic realm=...` into a scheme
// (lowercase) and parameters.
struct AuthChallenge {
  std::string scheme;
  std::map<std::string, std::string> params;
};
absl::StatusOr<AuthChallenge> ParseAuthChallenge(absl::string_view header);

}  // namespace podagent
