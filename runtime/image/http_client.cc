#include "runtime/image/http_client.h"

#include <curl/curl.h>

#include <memory>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace podagent {
namespace {

constexpr size_t kMaxKeptBody = 4 << 20;

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// One easy handle per thread, reset after each request: libcurl keeps a handle's open connections
// (and DNS and TLS session caches) across curl_easy_reset, so a pull's manifest, config and layer
// requests, made one after another on one thread, pay one TCP (and TLS) handshake instead of one
// each. libcurl reuses a connection only for the same scheme, host, port and TLS settings, and
// every request sets its own headers and credentials again. Not a process-wide share: libcurl
// does not support sharing a connection cache between concurrent threads, and pulls run in many.
// The thread's handle, reset, or (should a request ever be made from inside another's callback)
// a handle of its own; `HandleLease` gives the thread's handle back when the request ends.
class HandleLease {
 public:
  HandleLease() {
    thread_local std::unique_ptr<CURL, CurlDeleter> kept(curl_easy_init());
    thread_local bool busy = false;
    if (kept && !busy) {
      busy_ = &busy;
      busy = true;
      c_ = kept.get();
    } else {
      own_.reset(curl_easy_init());
      c_ = own_.get();
    }
  }
  ~HandleLease() {
    if (busy_ == nullptr) return;
    curl_easy_reset(c_);  // drops the options pointing at this request's buffers; keeps the connections
    *busy_ = false;
  }
  HandleLease(const HandleLease&) = delete;
  HandleLease& operator=(const HandleLease&) = delete;
  CURL* get() const { return c_; }

 private:
  CURL* c_ = nullptr;
  bool* busy_ = nullptr;
  std::unique_ptr<CURL, CurlDeleter> own_;
};

struct Transfer {
  CURL* curl = nullptr;
  const HttpRequest* request = nullptr;
  HttpResponse* response = nullptr;
  absl::Status sink_status;
};

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  absl::string_view line(data, size * n);
  if (absl::StartsWith(line, "HTTP/")) {  // a new response (after a redirect or 100-continue)
    t->response->headers.clear();
    return size * n;
  }
  auto colon = line.find(':');
  if (colon != absl::string_view::npos) {
    std::string name = absl::AsciiStrToLower(line.substr(0, colon));
    t->response->headers[name] = std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  }
  return size * n;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if (!t->request->interrupt) return 0;
  absl::Status st = t->request->interrupt();
  if (st.ok()) return 0;
  t->sink_status = st;
  return 1;  // aborts the transfer
}

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  long status = 0;
  curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
  absl::string_view chunk(data, size * n);
  if ((status == 200 || status == 206) && t->request->sink) {
    t->sink_status = t->request->sink(chunk);
    return t->sink_status.ok() ? chunk.size() : 0;
  }
  if (t->response->body.size() + chunk.size() > kMaxKeptBody) {
    t->sink_status = absl::ResourceExhaustedError(
        absl::StrCat("response from ", t->request->url, " is larger than ", kMaxKeptBody, " bytes"));
    return 0;
  }
  t->response->body.append(chunk.data(), chunk.size());
  return chunk.size();
}

}  // namespace

std::string UrlEncode(absl::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      absl::StrAppend(&out, "%", absl::Hex(c, absl::kZeroPad2));
    }
  }
  return out;
}

absl::StatusOr<HttpResponse> HttpDo(const HttpRequest& request) {
  GlobalInit();
  HandleLease lease;
  CURL* c = lease.get();
  if (c == nullptr) return absl::InternalError("curl_easy_init failed");
  HttpResponse response;
  Transfer t{c, &request, &response, absl::OkStatus()};
  curl_slist* raw = nullptr;
  for (const auto& h : request.headers) raw = curl_slist_append(raw, h.c_str());
  std::unique_ptr<curl_slist, SlistDeleter> headers(raw);
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  // Never from https down to http: a redirect could otherwise expose what the request carries.
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR,
                   absl::StartsWith(absl::AsciiStrToLower(request.url), "https://") ? "https" : "http,https");
  if (request.deadline != absl::InfiniteFuture()) {
    int64_t ms = absl::ToInt64Milliseconds(request.deadline - absl::Now());
    if (ms <= 0) return absl::DeadlineExceededError(absl::StrCat(request.method, " ", request.url, ": deadline passed"));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(ms));
  }
  if (request.interrupt) {
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, OnProgress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);
  }
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(request.timeout_seconds));
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, static_cast<long>(request.timeout_seconds));
  curl_easy_setopt(c, CURLOPT_USERAGENT, "podagent/0.1");
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  if (!request.basic_user.empty()) {
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(c, CURLOPT_USERNAME, request.basic_user.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, request.basic_password.c_str());
  }
  if (request.method == "POST") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.post_body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.post_body.size()));
  }
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  CURLcode rc = curl_easy_perform(c);
  if (!t.sink_status.ok()) return t.sink_status;
  if (rc != CURLE_OK) {
    std::string why = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    std::string msg = absl::StrCat(request.method, " ", request.url, ": ", why);
    if (rc == CURLE_OPERATION_TIMEDOUT) return absl::DeadlineExceededError(msg);
    return absl::UnavailableError(msg);
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  long connects = 0;
  if (curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK) response.new_connections = connects;
  char* eff = nullptr;
  if (curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &eff) == CURLE_OK && eff) response.effective_url = eff;
  return response;
}

}  // namespace podagent
