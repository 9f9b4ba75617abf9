#pragma once
// sha256 over a stream (OpenSSL EVP), producing OCI digests "sha256:<hex>".

#include <openssl/evp.h>

#include <memory>
#include <string>

#include "absl/strings/string_view.h"

namespace podagent {

class Sha256 {
 public:
  Sha256();
  void Update(const void* data, size_t size);
  void Update(absl::string_view data) { Update(data.data(), data.size()); }
  // "sha256:<64 hex>"; the hasher is reset afterwards.
  std::string Digest();
  void Reset();

 private:
  struct Free {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };
  std::unique_ptr<EVP_MD_CTX, Free> ctx_;
};

std::string Sha256Digest(absl::string_view data);

// "sha256:<hex>" -> "<hex>" (assumes IsSha256Digest).
inline std::string DigestHex(absl::string_view digest) { return std::string(digest.substr(7)); }

}  // namespace podagent
