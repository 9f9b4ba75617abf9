#include "tests/lib/test_registry.h"

#include <cstdlib>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "runtime/common/files.h"
#include "tests/lib/paths.h"
#include "tests/lib/shell.h"
#include "tests/lib/temp_dir.h"

namespace podagent::testing {

namespace {

std::string Script() { return SourceDir() + "/hack/registry.sh"; }

// The layout PODAGENT_TEST_BUSYBOX_LAYOUT names, once it looks like an OCI layout.
absl::StatusOr<std::string> PrebuiltBusyboxLayout(const std::string& dir) {
  for (const char* file : {"index.json", "oci-layout"}) {
    if (!PathExists(dir + "/" + file)) {
      return absl::FailedPreconditionError(absl::StrCat("PODAGENT_TEST_BUSYBOX_LAYOUT=", dir, " is not an OCI layout (no ",
                                                        file, "): build one with hack/make-test-images.sh OUT and point "
                                                        "it at OUT/busybox, or unset it"));
    }
  }
  return dir;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TestRegistry>> TestRegistry::Start(const std::string& dir, const std::string& auth,
                                                                  int port) {
  std::unique_ptr<TestRegistry> r(new TestRegistry(dir, auth));
  auto out = RunShell(absl::StrCat(Script(), " start ", dir, auth.empty() ? "" : " --auth " + auth,
                                   port ? absl::StrCat(" --port ", port) : ""));
  if (!out.ok()) return out.status();
  r->addr_ = out->substr(out->rfind('\n') + 1);  // the address is the last line
  return r;
}

absl::StatusOr<std::unique_ptr<TestRegistry>> TestRegistry::StartWithBusybox(const std::string& dir) {
  auto layout = MakeBusyboxLayout(dir + "/images");
  if (!layout.ok()) return layout.status();
  auto r = Start(dir + "/registry");
  if (!r.ok()) return r.status();
  absl::Status pushed = (*r)->Push(*layout, "busybox:latest");
  if (!pushed.ok()) return pushed;
  return r;
}

TestRegistry::~TestRegistry() { Stop(); }

absl::Status TestRegistry::Push(const std::string& layout, const std::string& name_tag) {
  return RunShell(absl::StrCat(Script(), " push ", dir_, " ", layout, " ", name_tag,
                               auth_.empty() ? "" : " --creds " + auth_))
      .status();
}

void TestRegistry::Stop() { (void)RunShell(absl::StrCat(Script(), " stop ", dir_)); }

absl::Status TestRegistry::Restart() {
  auto colon = addr_.rfind(':');
  return RunShell(absl::StrCat(Script(), " start ", dir_, auth_.empty() ? "" : " --auth " + auth_, " --port ",
                               addr_.substr(colon + 1)))
      .status();
}

int TestRegistry::BlobGets() const {
  auto log = ReadFile(dir_ + "/registry.log");
  if (!log.ok()) return -1;
  int n = 0;
  for (size_t pos = 0; (pos = log->find("\"GET /v2/", pos)) != std::string::npos; ++pos) {
    size_t eol = log->find('\n', pos);
    if (log->substr(pos, eol - pos).find("/blobs/sha256:") != std::string::npos) ++n;
  }
  return n;
}

std::string TestRegistry::BlobDataPath(const std::string& digest) const {
  std::string hex = digest.substr(7);
  return absl::StrCat(dir_, "/data/docker/registry/v2/blobs/sha256/", hex.substr(0, 2), "/", hex, "/data");
}

absl::StatusOr<std::string> MakeBusyboxLayout(const std::string& out) {
  auto r = RunShell(absl::StrCat(SourceDir(), "/hack/make-test-images.sh ", out));
  if (!r.ok()) return r.status();
  return out + "/busybox";
}

absl::StatusOr<std::string> SharedBusyboxLayout() {
  const char* prebuilt = std::getenv("PODAGENT_TEST_BUSYBOX_LAYOUT");
  if (prebuilt != nullptr && *prebuilt != '\0') return PrebuiltBusyboxLayout(prebuilt);
  static TempDir* dir = new TempDir("podagent-busybox");  // removed by the atexit below
  static const absl::StatusOr<std::string> layout = [] {
    std::atexit([] { delete dir; });
    return MakeBusyboxLayout(dir->path());
  }();
  return layout;
}

std::string BusyboxLayout() {
  auto layout = SharedBusyboxLayout();
  if (!layout.ok()) throw std::runtime_error("busybox test image: " + layout.status().ToString());
  return *layout;
}

}  // namespace podagent::testing
