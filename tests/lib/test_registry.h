#pragma once
// TestRegistry: Debian's docker-registry on 127.0.0.1 via hack/registry.sh, storage in a temp
// dir, stopped (by its pid, in the script) when the object dies. Tests must FAIL, not skip, when
// it cannot start. MakeBusyboxLayout builds the busybox test image (hack/make-test-images.sh).

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace podagent::testing {

class TestRegistry {
 public:
  // `auth` "user:password" enables basic auth; `port` 0 picks a free one.
  static absl::StatusOr<std::unique_ptr<TestRegistry>> Start(const std::string& dir, const std::string& auth = "",
                                                             int port = 0);
  // Builds the busybox image under `dir`/images, starts a registry under `dir`/registry and
  // pushes the image as busybox:latest (BusyboxRef()).
  static absl::StatusOr<std::unique_ptr<TestRegistry>> StartWithBusybox(const std::string& dir);
  ~TestRegistry();
  TestRegistry(const TestRegistry&) = delete;
  TestRegistry& operator=(const TestRegistry&) = delete;

  // Pushes an OCI layout as NAME:TAG (skopeo).
  absl::Status Push(const std::string& layout, const std::string& name_tag);
  void Stop();
  // Starts again on the same port and storage.
  absl::Status Restart();
  const std::string& addr() const { return addr_; }
  const std::string& dir() const { return dir_; }
  std::string BusyboxRef() const { return addr_ + "/busybox:latest"; }
  // GETs of blobs answered so far, from the access log; -1 when the log cannot be read.
  int BlobGets() const;
  // Path of a blob's data file in the registry's storage.
  std::string BlobDataPath(const std::string& digest) const;

 private:
  TestRegistry(std::string dir, std::string auth) : dir_(std::move(dir)), auth_(std::move(auth)) {}
  std::string dir_, auth_, addr_;
};

// Builds the busybox OCI layout into `out`; returns the layout dir (`out`/busybox).
absl::StatusOr<std::string> MakeBusyboxLayout(const std::string& out);
// The busybox layout built once per test binary (in a temp dir removed at exit); every later
// call returns the first call's result. With PODAGENT_TEST_BUSYBOX_LAYOUT=DIR set (the guest
// scripts of hack/vm build one per run), DIR instead, once it holds index.json and oci-layout
// (FailedPrecondition otherwise); tests must not write into it.
absl::StatusOr<std::string> SharedBusyboxLayout();
// The same, throwing (so failing the test that asked) when the layout could not be built.
std::string BusyboxLayout();

}  // namespace podagent::testing
