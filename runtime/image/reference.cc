#include "runtime/image/reference.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace podagent {
namespace {

constexpr size_t kMaxReferenceLength = 4096;
constexpr size_t kMaxTagLength = 128;

absl::Status Bad(absl::string_view ref, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("invalid image reference \"", ref, "\": ", why));
}

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// One path component: [a-z0-9]+ ((\.|_|__|-+)[a-z0-9]+)*
bool ValidComponent(absl::string_view c) {
  if (c.empty() || !IsLowerAlnum(c.front()) || !IsLowerAlnum(c.back())) return false;
  for (size_t i = 0; i < c.size();) {
    if (IsLowerAlnum(c[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < c.size() && !IsLowerAlnum(c[j])) ++j;
    absl::string_view sep = c.substr(i, j - i);
    bool ok = sep == "." || sep == "_" || sep == "__" || sep.find_first_not_of('-') == absl::string_view::npos;
    if (!ok) return false;
    i = j;
  }
  return true;
}

bool ValidTag(absl::string_view t) {
  if (t.empty() || t.size() > kMaxTagLength) return false;
  auto word = [](char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  if (!word(t.front())) return false;
  for (char c : t) {
    if (!word(c) && c != '.' && c != '-') return false;
  }
  return true;
}

// host[:port], an IPv6 literal in brackets, or "localhost".
bool ValidDomain(absl::string_view d) {
  if (d.empty()) return false;
  absl::string_view host = d;
  if (d.front() == '[') {
    size_t close = d.find(']');
    if (close == absl::string_view::npos) return false;
    for (char c : d.substr(1, close - 1)) {
      if (!absl::ascii_isxdigit(static_cast<unsigned char>(c)) && c != ':') return false;
    }
    host = {};
    d.remove_prefix(close + 1);
    if (d.empty()) return true;
    if (d.front() != ':') return false;
  } else if (size_t colon = d.rfind(':'); colon != absl::string_view::npos) {
    host = d.substr(0, colon);
    d.remove_prefix(colon);
  } else {
    d = {};
  }
  if (!d.empty()) {  // ":port"
    absl::string_view port = d.substr(1);
    if (port.empty() || port.size() > 5) return false;
    for (char c : port) {
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
    }
  }
  for (absl::string_view label : absl::StrSplit(host, '.')) {
    if (label.empty() && !host.empty()) return false;
    for (char c : label) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    }
  }
  return true;
}

// The first component is a domain when it has a '.' or ':' or is "localhost" (Docker's rule).
bool LooksLikeDomain(absl::string_view first) {
  return absl::StrContains(first, '.') || absl::StrContains(first, ':') || first == "localhost" ||
         (!first.empty() && first.front() == '[');
}

}  // namespace

bool IsSha256Digest(absl::string_view digest) {
  if (!absl::ConsumePrefix(&digest, "sha256:") || digest.size() != 64) return false;
  for (char c : digest) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string ImageReference::Repository() const { return absl::StrCat(domain, "/", path); }

std::string ImageReference::TagRef() const {
  return tag.empty() ? std::string() : absl::StrCat(Repository(), ":", tag);
}

std::string ImageReference::DigestRef(absl::string_view d) const { return absl::StrCat(Repository(), "@", d); }

std::string ImageReference::String() const {
  std::string s = Repository();
  if (!tag.empty()) absl::StrAppend(&s, ":", tag);
  if (!digest.empty()) absl::StrAppend(&s, "@", digest);
  return s;
}

absl::StatusOr<ImageReference> ParseImageReference(absl::string_view ref) {
  if (ref.empty()) return Bad(ref, "empty");
  if (ref.size() > kMaxReferenceLength) return Bad(ref.substr(0, 64), "longer than 4096 characters");
  ImageReference out;
  absl::string_view rest = ref;
  if (size_t at = rest.find('@'); at != absl::string_view::npos) {
    out.digest = std::string(rest.substr(at + 1));
    rest = rest.substr(0, at);
    if (!IsSha256Digest(out.digest)) return Bad(ref, "digest must be sha256: followed by 64 lowercase hex digits");
  }
  // A tag is after the last ':' that follows the last '/'.
  size_t slash = rest.rfind('/');
  size_t colon = rest.rfind(':');
  if (colon != absl::string_view::npos && (slash == absl::string_view::npos || colon > slash)) {
    out.tag = std::string(rest.substr(colon + 1));
    rest = rest.substr(0, colon);
    if (!ValidTag(out.tag)) return Bad(ref, absl::StrCat("invalid tag \"", out.tag, "\""));
  }
  if (rest.empty()) return Bad(ref, "missing repository name");
  absl::string_view path = rest;
  if (size_t first = rest.find('/'); first != absl::string_view::npos && LooksLikeDomain(rest.substr(0, first))) {
    out.domain = std::string(rest.substr(0, first));
    path = rest.substr(first + 1);
    if (!ValidDomain(out.domain)) return Bad(ref, absl::StrCat("invalid registry host \"", out.domain, "\""));
  } else {
    out.domain = kDockerHubDomain;
  }
  if (out.domain == "index.docker.io" || out.domain == "registry-1.docker.io") out.domain = kDockerHubDomain;
  for (absl::string_view c : absl::StrSplit(path, '/')) {
    if (!ValidComponent(c)) {
      if (c.empty()) return Bad(ref, "empty path component");
      return Bad(ref, absl::StrCat("path component \"", c,
                                   "\" must be lowercase letters, digits and separators (., _, __, -)"));
    }
  }
  out.path = std::string(path);
  if (out.domain == kDockerHubDomain && !absl::StrContains(out.path, '/')) {
    out.path = absl::StrCat("library/", out.path);
  }
  if (out.tag.empty() && out.digest.empty()) out.tag = "latest";
  return out;
}

}  // namespace podagent
