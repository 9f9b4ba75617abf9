#pragma once
// Image references: [domain/]path[:tag][@digest], normalised the way Docker does it:
//   busybox            -> docker.io/library/busybox:latest
//   user/app:1         -> docker.io/user/app:1
//   127.0.0.1:5000/x   -> 127.0.0.1:5000/x:latest
// A reference with a digest keeps its tag (if any) but is resolved by the digest.

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

namespace podagent {

inline constexpr char kDockerHubDomain[] = "docker.io";

struct ImageReference {
  std::string domain;  // "docker.io", "127.0.0.1:5000", "registry.k8s.io"
  std::string path;    // "library/busybox"
  std::string tag;     // "" when the reference has a digest only
  std::string digest;  // "sha256:<64 hex>" or ""

  // domain/path
  std::string Repository() const;
  // domain/path:tag, "" without a tag
  std::string TagRef() const;
  // domain/path@digest for the given digest
  std::string DigestRef(absl::string_view d) const;
  // Full normalised form: domain/path[:tag][@digest]
  std::string String() const;
  // What to ask the registry for: the digest if set, else the tag.
  std::string Selector() const { return digest.empty() ? tag : digest; }
};

// Parses and normalises; a missing tag and digest means ":latest". InvalidArgument names the
// reference and what is wrong with it.
absl::StatusOr<ImageReference> ParseImageReference(absl::string_view ref);

// "sha256:<64 lowercase hex>" (the only algorithm accepted).
bool IsSha256Digest(absl::string_view digest);

}  // namespace podagent
