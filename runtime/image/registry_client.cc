#include "runtime/image/registry_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "runtime/common/errors.h"
#include "runtime/image/http_client.h"
#include "spdlog/spdlog.h"

namespace podagent {
namespace {

constexpr int64_t kMaxManifestSize = 4 << 20;

std::string HostOnly(absl::string_view host_port) {
  if (absl::StartsWith(host_port, "[")) {
    auto close = host_port.find(']');
    return std::string(host_port.substr(1, close == absl::string_view::npos ? absl::string_view::npos : close - 1));
  }
  auto colon = host_port.rfind(':');
  if (colon != absl::string_view::npos && host_port.find(':') == colon) return std::string(host_port.substr(0, colon));
  return std::string(host_port);
}

bool Retryable(const absl::Status& st) {
  return st.code() == absl::StatusCode::kUnavailable || st.code() == absl::StatusCode::kDeadlineExceeded;
}

std::string EndpointBase(absl::string_view url) {
  std::string base(absl::StripSuffix(absl::StripSuffix(url, "/"), "/v2"));
  return std::string(absl::StripSuffix(base, "/"));
}

absl::Status HttpStatusError(long status, const std::string& what, const std::string& body) {
  std::string detail(absl::StripAsciiWhitespace(body.substr(0, 300)));
  std::string msg = absl::StrCat(what, ": HTTP ", status, detail.empty() ? "" : ": ", detail);
  if (status == 404) return absl::NotFoundError(msg);
  if (status == 401) return absl::UnauthenticatedError(msg);
  if (status == 403) return absl::PermissionDeniedError(msg);
  if (status == 429 || status >= 500) return absl::UnavailableError(msg);
  return absl::FailedPreconditionError(msg);
}

}  // namespace

bool IsLoopbackHost(absl::string_view host_port) {
  std::string host = absl::AsciiStrToLower(HostOnly(host_port));
  if (host == "localhost") return true;
  struct in_addr v4;
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  struct in6_addr v6;
  return ::inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

bool MaySendCredentials(absl::string_view url) {
  std::string lower = absl::AsciiStrToLower(url);
  absl::string_view rest = lower;
  if (absl::ConsumePrefix(&rest, "https://")) return true;
  if (!absl::ConsumePrefix(&rest, "http://")) return false;
  absl::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != absl::string_view::npos) return false;  // userinfo: refuse to guess
  return IsLoopbackHost(authority);
}

absl::StatusOr<AuthChallenge> ParseAuthChallenge(absl::string_view header) {
  header = absl::StripAsciiWhitespace(header);
  auto space = header.find(' ');
  AuthChallenge c;
  c.scheme = absl::AsciiStrToLower(header.substr(0, space));
  if (c.scheme.empty()) return absl::InvalidArgumentError("empty WWW-Authenticate challenge");
  absl::string_view rest = space == absl::string_view::npos ? absl::string_view() : header.substr(space + 1);
  while (!rest.empty()) {
    rest = absl::StripLeadingAsciiWhitespace(rest);
    auto eq = rest.find('=');
    if (eq == absl::string_view::npos) break;
    std::string key = absl::AsciiStrToLower(absl::StripAsciiWhitespace(rest.substr(0, eq)));
    rest.remove_prefix(eq + 1);
    std::string value;
    if (absl::ConsumePrefix(&rest, "\"")) {
      size_t i = 0;
      for (; i < rest.size() && rest[i] != '"'; ++i) {
        if (rest[i] == '\\' && i + 1 < rest.size()) ++i;
        value.push_back(rest[i]);
      }
      rest.remove_prefix(std::min(rest.size(), i + 1));
    } else {
      auto comma = rest.find(',');
      value = std::string(absl::StripAsciiWhitespace(rest.substr(0, comma)));
      rest.remove_prefix(comma == absl::string_view::npos ? rest.size() : comma);
    }
    c.params[key] = value;
    rest = absl::StripLeadingAsciiWhitespace(rest);
    absl::ConsumePrefix(&rest, ",");
  }
  return c;
}

RegistryClient::RegistryClient(RegistryOptions options, ImageReference ref, RegistryAuth auth)
    : options_(std::move(options)), ref_(std::move(ref)), auth_(std::move(auth)) {
  basic_user_ = auth_.username;
  basic_password_ = auth_.password;
  if (basic_user_.empty() && !auth_.auth.empty()) {
    std::string decoded;
    if (absl::Base64Unescape(auth_.auth, &decoded)) {
      auto colon = decoded.find(':');
      if (colon != std::string::npos) {
        basic_user_ = decoded.substr(0, colon);
        basic_password_ = decoded.substr(colon + 1);
      }
    }
  }
  if (auto it = options_.mirrors.find(ref_.domain); it != options_.mirrors.end()) {
    for (const auto& url : it->second) eps_.push_back({EndpointBase(url), true, "", false});
  }
  std::string host = ref_.domain == kDockerHubDomain ? "registry-1.docker.io" : ref_.domain;
  bool plain = IsLoopbackHost(host);
  for (const auto& h : options_.insecure) plain = plain || h == ref_.domain || h == host;
  eps_.push_back({absl::StrCat(plain ? "http://" : "https://", host), false, "", false});
  for (const auto& ep : eps_) endpoints_.push_back(ep.base);
}

absl::Status RegistryClient::Interrupted() const {
  RETURN_IF_ERROR(CheckInterrupt(options_.interrupt));
  if (absl::Now() >= options_.deadline) {
    return absl::DeadlineExceededError(absl::StrCat("image ", ref_.String(), ": the pull's deadline passed"));
  }
  return absl::OkStatus();
}

absl::Status RegistryClient::Backoff(int attempt) const {
  absl::Time until = absl::Now() + absl::Milliseconds(options_.retry_backoff_ms << std::min(attempt, 5));
  while (absl::Now() < until) {
    RETURN_IF_ERROR(Interrupted());
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min<int64_t>(50, options_.retry_backoff_ms + 1)));
  }
  return Interrupted();
}

void RegistryClient::Prepare(HttpRequest& request) const {
  request.timeout_seconds = options_.timeout_seconds;
  request.deadline = options_.deadline;
  request.interrupt = options_.interrupt;
}

void RegistryClient::AddAuth(const Endpoint& ep, HttpRequest& request) const {
  if (!ep.bearer.empty()) {
    request.headers.push_back("Authorization: Bearer " + ep.bearer);
  } else if (ep.use_basic) {
    request.basic_user = basic_user_;
    request.basic_password = basic_password_;
  }
}

absl::Status RegistryClient::Authorize(Endpoint& ep, const std::string& header) {
  ASSIGN_OR_RETURN(AuthChallenge c, ParseAuthChallenge(header));
  // Credentials belong to the registry; mirrors are only ever asked anonymously, and nothing
  // secret goes over plain HTTP to a host that is not loopback.
  const bool secure_endpoint = MaySendCredentials(ep.base);
  bool may_send_credentials = !ep.is_mirror && secure_endpoint;
  if (!ep.is_mirror && !secure_endpoint && !auth_.Empty()) {
    spdlog::warn("image {}: registry {} is plain HTTP and not loopback; credentials withheld", ref_.String(), ep.base);
  }
  if (c.scheme == "basic") {
    if (!may_send_credentials || basic_user_.empty()) {
      return absl::UnauthenticatedError(absl::StrCat(
          "registry ", ep.base, " requires basic auth and no credentials ",
          basic_user_.empty() ? "were given" : "may be sent to it (only over HTTPS or to a loopback address)"));
    }
    ep.use_basic = true;
    return absl::OkStatus();
  }
  if (c.scheme != "bearer") {
    return absl::UnauthenticatedError(absl::StrCat("registry ", ep.base, ": unsupported auth scheme \"", c.scheme, "\""));
  }
  if (may_send_credentials && !auth_.registry_token.empty()) {
    ep.bearer = auth_.registry_token;
    return absl::OkStatus();
  }
  std::string realm = c.params["realm"];
  if (!absl::StartsWith(realm, "https://") && !absl::StartsWith(realm, "http://")) {
    return absl::UnauthenticatedError(absl::StrCat("registry ", ep.base, ": bearer challenge without a usable realm"));
  }
  std::string scope = c.params.count("scope") ? c.params["scope"] : absl::StrCat("repository:", ref_.path, ":pull");
  if (may_send_credentials && !MaySendCredentials(realm)) {
    spdlog::warn("image {}: token realm {} is plain HTTP and not loopback; asking it anonymously", ref_.String(),
                 realm.substr(0, realm.find('?')));
    may_send_credentials = false;
  }
  HttpRequest req;
  Prepare(req);
  if (may_send_credentials && !auth_.identity_token.empty()) {
    req.method = "POST";
    req.url = realm;
    req.headers.push_back("Content-Type: application/x-www-form-urlencoded");
    req.post_body = absl::StrCat("grant_type=refresh_token&client_id=podagent&service=", UrlEncode(c.params["service"]),
                                 "&scope=", UrlEncode(scope), "&refresh_token=", UrlEncode(auth_.identity_token));
  } else {
    req.url = absl::StrCat(realm, absl::StrContains(realm, '?') ? "&" : "?", "service=", UrlEncode(c.params["service"]),
                           "&scope=", UrlEncode(scope));
    if (may_send_credentials && !basic_user_.empty()) {
      req.basic_user = basic_user_;
      req.basic_password = basic_password_;
    }
  }
  ASSIGN_OR_RETURN(HttpResponse resp, HttpDo(req));
  if (resp.status != 200) {
    return Annotate(HttpStatusError(resp.status, "token request", resp.body),
                    absl::StrCat("registry ", ep.base, ": get token for repository ", ref_.path));
  }
  auto j = nlohmann::json::parse(resp.body, nullptr, false);
  std::string token;
  if (j.is_object()) {
    if (j.contains("token") && j["token"].is_string()) token = j["token"].get<std::string>();
    if (token.empty() && j.contains("access_token") && j["access_token"].is_string()) {
      token = j["access_token"].get<std::string>();
    }
  }
  if (token.empty()) return absl::UnauthenticatedError(absl::StrCat("registry ", ep.base, ": token response without a token"));
  ep.bearer = token;
  return absl::OkStatus();
}

absl::StatusOr<HttpResponse> RegistryClient::Request(Endpoint& ep, HttpRequest request) {
  RETURN_IF_ERROR(Interrupted());
  Prepare(request);
  HttpRequest first = request;
  AddAuth(ep, first);
  ASSIGN_OR_RETURN(HttpResponse resp, HttpDo(first));
  if (resp.status != 401) return resp;
  auto challenge = resp.headers.find("www-authenticate");
  if (challenge == resp.headers.end()) return resp;
  bool had_auth = !ep.bearer.empty() || ep.use_basic;
  ep.bearer.clear();
  RETURN_IF_ERROR(Authorize(ep, challenge->second));
  if (had_auth && ep.use_basic) return resp;  // basic credentials were refused
  AddAuth(ep, request);
  return HttpDo(request);
}

absl::StatusOr<FetchedManifest> RegistryClient::GetManifestFrom(Endpoint& ep, const std::string& selector) {
  std::string url = absl::StrCat(ep.base, "/v2/", ref_.path, "/manifests/", selector);
  std::string what = absl::StrCat("registry ", ep.base, ": manifest ", ref_.path, ":", selector);
  HttpRequest req;
  req.url = url;
  req.headers.push_back("Accept: " + ManifestAcceptHeader());
  absl::StatusOr<HttpResponse> resp;
  for (int attempt = 0;; ++attempt) {
    resp = Request(ep, req);
    if (resp.ok() && resp->status >= 500) resp = HttpStatusError(resp->status, "get", resp->body);
    if (resp.ok() || !Retryable(resp.status()) || attempt >= options_.retries) break;
    ++retries_done_;
    spdlog::warn("image {}: {} (retrying, attempt {} of {})", ref_.String(), std::string(resp.status().message()), attempt + 2,
                 options_.retries + 1);
    if (absl::Status st = Backoff(attempt); !st.ok()) return st;
  }
  if (!resp.ok()) return Annotate(resp.status(), what);
  if (resp->status != 200) return HttpStatusError(resp->status, what, resp->body);
  if (static_cast<int64_t>(resp->body.size()) > kMaxManifestSize) {
    return absl::FailedPreconditionError(absl::StrCat(what, ": larger than ", kMaxManifestSize, " bytes"));
  }
  FetchedManifest m;
  m.body = std::move(resp->body);
  m.media_type = resp->headers["content-type"];
  m.digest = Sha256Digest(m.body);
  m.endpoint = ep.base;
  if (IsSha256Digest(selector) && m.digest != selector) {
    return absl::DataLossError(absl::StrCat(what, ": content hashes to ", m.digest));
  }
  // By tag: the registry's own word on the digest, when it gives one we can check.
  auto header = resp->headers.find("docker-content-digest");
  if (header != resp->headers.end() && absl::StartsWith(header->second, "sha256:") && header->second != m.digest) {
    return absl::DataLossError(
        absl::StrCat(what, ": content hashes to ", m.digest, ", the registry's Docker-Content-Digest says ", header->second));
  }
  return m;
}

absl::StatusOr<FetchedManifest> RegistryClient::GetManifest(const std::string& selector) {
  absl::Status last;
  for (size_t i = 0; i < eps_.size(); ++i) {
    auto m = GetManifestFrom(eps_[i], selector);
    if (m.ok()) {
      preferred_ = i;
      return m;
    }
    RETURN_IF_ERROR(Interrupted());
    if (eps_[i].is_mirror) spdlog::warn("image {}: mirror failed: {}", ref_.String(), std::string(m.status().message()));
    // A registry that answers "not found" or "unauthorized" is final; a mirror is not.
    last = m.status();
    if (!eps_[i].is_mirror && !Retryable(last)) break;
  }
  return last;
}

absl::Status RegistryClient::GetBlobFrom(Endpoint& ep, const Descriptor& blob, BlobWriter& writer,
                                         const ProgressFn& progress) {
  std::string what = absl::StrCat("registry ", ep.base, ": blob ", blob.digest, " of ", ref_.path);
  HttpRequest req;
  req.url = absl::StrCat(ep.base, "/v2/", ref_.path, "/blobs/", blob.digest);
  req.sink = [&](absl::string_view chunk) -> absl::Status {
    RETURN_IF_ERROR(writer.Write(chunk));
    if (progress) progress(blob.digest, writer.written(), blob.size);
    return absl::OkStatus();
  };
  absl::Status st;
  for (int attempt = 0;; ++attempt) {
    RETURN_IF_ERROR(writer.Reset());
    auto resp = Request(ep, req);
    st = resp.ok() ? (resp->status == 200 ? absl::OkStatus() : HttpStatusError(resp->status, "get", resp->body))
                   : resp.status();
    if (st.ok() || !Retryable(st) || attempt >= options_.retries) break;
    ++retries_done_;
    spdlog::warn("image {}: {}: {} (retrying, attempt {} of {})", ref_.String(), what, std::string(st.message()), attempt + 2,
                 options_.retries + 1);
    if (absl::Status interrupted = Backoff(attempt); !interrupted.ok()) return interrupted;
  }
  if (!st.ok()) {
    return Annotate(st, absl::StrCat(what, Retryable(st) ? absl::StrCat(" (after ", options_.retries + 1, " attempts)") : ""));
  }
  return absl::OkStatus();
}

absl::Status RegistryClient::GetBlob(const Descriptor& blob, BlobWriter& writer, const ProgressFn& progress) {
  absl::Status last;
  for (size_t k = 0; k < eps_.size(); ++k) {
    size_t i = (preferred_ + k) % eps_.size();
    last = GetBlobFrom(eps_[i], blob, writer, progress);
    if (last.ok()) return last;
    if (last.code() == absl::StatusCode::kDataLoss) return last;
    RETURN_IF_ERROR(Interrupted());
  }
  return last;
}

}  // namespace podagent
