#include "tests/fuzz/image/image_parsers_fuzz.h"

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "runtime/common/files.h"
#include "runtime/image/manifest.h"
#include "runtime/image/path_safety.h"
#include "runtime/image/reference.h"
#include "runtime/image/registry_client.h"
#include "runtime/image/unpack.h"
#include "tests/fuzz/fuzz_check.h"

namespace podagent {
namespace {

void FuzzReference(const std::string& s) {
  auto r = ParseImageReference(s);
  if (!r.ok()) return;
  // A normalised reference parses back to itself.
  auto again = ParseImageReference(r->String());
  FuzzCheck(again.ok() && again->String() == r->String(), "reference round trip");
}

void FuzzDocuments(const std::string& s) {
  (void)ClassifyDocument("", s);
  (void)ParseManifest(s);
  (void)ParseImageConfig(s);
  auto idx = ParseIndex(s);
  if (idx.ok()) {
    auto d = SelectPlatform(*idx, "linux", "amd64");
    FuzzCheck(!d.ok() || IsSha256Digest(d->digest), "selected descriptor has a valid digest");
  }
  auto m = ParseManifest(s);
  if (m.ok()) {
    for (const auto& l : m->layers) FuzzCheck(LayerCompression(l.media_type).ok(), "manifest layers are layers");
  }
}

void FuzzUnpack(const std::string& s, Compression c) {
  const char* tmpdir = std::getenv("TMPDIR");
  std::string base = tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
  std::string tmpl = base + "/podagent-fuzz-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) return;
  std::string top = tmpl;
  (void)MakeDirs(top + "/root");
  (void)MakeDirs(top + "/outside");
  (void)UnpackLayerFromMemory(s, c, top + "/root");
  auto top_names = ListDir(top);
  auto outside = ListDir(top + "/outside");
  FuzzCheck(top_names.ok() && top_names->size() == 2, "nothing written beside the layer root");
  FuzzCheck(outside.ok() && outside->empty(), "nothing written outside the layer root");
  if (std::getenv("PODAGENT_FUZZ_PRIVATE_TMP") != nullptr) {
    // hack/fuzz-images.sh gives this target a fresh tmpfs as TMPDIR: our dir is its only entry.
    auto tmp = ListDir(base);
    FuzzCheck(tmp.ok() && tmp->size() == 1 && base + "/" + tmp->front() == top, "nothing written elsewhere in TMPDIR");
  }
  (void)RemoveTree(top);
}

}  // namespace

int FuzzImageParsers(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  char mode = static_cast<char>(data[0]);
  std::string s(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (mode) {
    case 'r':
      FuzzReference(s);
      break;
    case 'm':
      FuzzDocuments(s);
      break;
    case 'a':
      (void)ParseAuthChallenge(s);
      break;
    case 't':
      FuzzUnpack(s, Compression::kNone);
      break;
    case 'g':
      FuzzUnpack(s, Compression::kGzip);
      break;
    case 'z':
      FuzzUnpack(s, Compression::kZstd);
      break;
    default:
      FuzzReference(s);
      FuzzDocuments(s);
      (void)ParseAuthChallenge(s);
      (void)CleanEntryPath(s);
  }
  return 0;
}

}  // namespace podagent
