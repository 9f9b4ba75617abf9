#include "runtime/image/importer.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "runtime/common/errors.h"
#include "runtime/common/files.h"
#include "runtime/common/scope_guard.h"
#include "runtime/common/unique_fd.h"
#include "runtime/image/path_safety.h"
#include "runtime/image/reference.h"
#include "runtime/image/store_image.h"
#include "runtime/image/unpack.h"
#include "spdlog/spdlog.h"

namespace podagent {
namespace {

using nlohmann::json;

absl::Status StreamFile(const std::string& path, BlobWriter& w) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) return ErrnoError(absl::StrCat("open ", path));
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = ::read(fd.Get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(absl::StrCat("read ", path));
    }
    if (n == 0) return absl::OkStatus();
    RETURN_IF_ERROR(w.Write(absl::string_view(buf, static_cast<size_t>(n))));
  }
}

absl::StatusOr<std::string> HashFile(const std::string& path, int64_t* size) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) return ErrnoError(absl::StrCat("open ", path));
  Sha256 h;
  char buf[64 * 1024];
  *size = 0;
  for (;;) {
    ssize_t n = ::read(fd.Get(), buf, sizeof buf);
    if (n < 0) return ErrnoError(absl::StrCat("read ", path));
    if (n == 0) break;
    h.Update(buf, static_cast<size_t>(n));
    *size += n;
  }
  return h.Digest();
}

bool IsGzipFile(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  unsigned char magic[2] = {0, 0};
  return fd && ::read(fd.Get(), magic, 2) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

std::string BaseName(std::string path) {
  while (absl::EndsWith(path, "/")) path.pop_back();
  std::string base = path.substr(path.rfind('/') + 1);
  for (const char* ext : {".tar.gz", ".tgz", ".tar"}) {
    if (absl::EndsWith(base, ext)) return base.substr(0, base.size() - std::string(ext).size());
  }
  return base;
}

// Full reference for a layout entry.
absl::StatusOr<ImageReference> NameFor(const std::string& override_name, const Descriptor& entry,
                                       const std::string& file) {
  std::string name = override_name;
  if (name.empty()) {
    auto a = entry.annotations.find("io.containerd.image.name");
    if (a != entry.annotations.end()) name = a->second;
  }
  if (name.empty()) {
    auto a = entry.annotations.find("org.opencontainers.image.ref.name");
    std::string tag = a == entry.annotations.end() ? "latest" : a->second;
    name = absl::StrContains(tag, '/') || absl::StrContains(tag, ':') ? tag : absl::StrCat(BaseName(file), ":", tag);
  }
  return ParseImageReference(name);
}

absl::StatusOr<std::string> ReadLayoutBlob(const std::string& layout, const std::string& digest) {
  if (!IsSha256Digest(digest)) return absl::InvalidArgumentError(absl::StrCat("invalid digest ", digest));
  ASSIGN_OR_RETURN(std::string body, ReadFile(absl::StrCat(layout, "/blobs/sha256/", digest.substr(7))));
  if (Sha256Digest(body) != digest) return absl::DataLossError(absl::StrCat("blob ", digest, " in ", layout, ": digest mismatch"));
  return body;
}

absl::StatusOr<std::vector<ImageRecord>> ImportLayout(ImageStore& store, const std::string& layout,
                                                      const std::string& file, const std::string& override_name) {
  ASSIGN_OR_RETURN(std::string index_body, ReadFile(layout + "/index.json"));
  auto index = ParseIndex(index_body);
  if (!index.ok()) return Annotate(index.status(), absl::StrCat(layout, "/index.json"));
  BlobSource source = [&](const Descriptor& blob, BlobWriter& w) {
    return StreamFile(absl::StrCat(layout, "/blobs/sha256/", blob.digest.substr(7)), w);
  };
  std::vector<ImageRecord> out;
  for (const Descriptor& entry : index->manifests) {
    ASSIGN_OR_RETURN(ImageReference ref, NameFor(override_name, entry, file));
    ASSIGN_OR_RETURN(std::string body, ReadLayoutBlob(layout, entry.digest));
    ASSIGN_OR_RETURN(DocumentKind kind, ClassifyDocument(entry.media_type, body));
    std::string manifest_digest = entry.digest;
    if (kind == DocumentKind::kIndex) {
      ASSIGN_OR_RETURN(ImageIndex nested, ParseIndex(body));
      ASSIGN_OR_RETURN(Descriptor d, SelectPlatform(nested, "linux", "amd64"));
      ASSIGN_OR_RETURN(body, ReadLayoutBlob(layout, d.digest));
      manifest_digest = d.digest;
    } else if (!entry.platform.os.empty() && (entry.platform.os != "linux" || entry.platform.architecture != "amd64")) {
      continue;
    }
    auto manifest = ParseManifest(body);
    if (!manifest.ok()) return Annotate(manifest.status(), absl::StrCat("import ", file));
    StoreImageRequest req;
    req.name = ref.String();
    req.manifest = std::move(*manifest);
    req.manifest_body = body;
    req.manifest_digest = manifest_digest;
    req.repo_tags.push_back(ref.TagRef());
    req.source = source;
    ASSIGN_OR_RETURN(ImageRecord rec, StoreImage(store, req));
    out.push_back(std::move(rec));
  }
  if (out.empty()) return absl::NotFoundError(absl::StrCat("import ", file, ": no linux/amd64 image in the layout"));
  return out;
}

absl::StatusOr<std::vector<ImageRecord>> ImportDockerArchive(ImageStore& store, const std::string& dir,
                                                             const std::string& file, const std::string& override_name) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(dir + "/manifest.json"));
  json list = json::parse(text, nullptr, false);
  if (!list.is_array()) return absl::InvalidArgumentError(absl::StrCat("import ", file, ": manifest.json is not a list"));
  std::vector<ImageRecord> out;
  for (const auto& item : list) {
    if (!item.is_object() || !item.contains("Config") || !item["Config"].is_string() || !item.contains("Layers") ||
        !item["Layers"].is_array()) {
      return absl::InvalidArgumentError(absl::StrCat("import ", file, ": manifest.json entry lacks Config or Layers"));
    }
    auto local = [&](const json& p) -> absl::StatusOr<std::string> {
      if (!p.is_string()) return absl::InvalidArgumentError(absl::StrCat("import ", file, ": path is not a string"));
      ASSIGN_OR_RETURN(std::string clean, CleanEntryPath(p.get<std::string>()));
      return absl::StrCat(dir, "/", clean);
    };
    std::map<std::string, std::string> paths;  // digest -> file
    ASSIGN_OR_RETURN(std::string config_path, local(item["Config"]));
    Manifest m;
    m.media_type = media::kDockerManifest;
    ASSIGN_OR_RETURN(m.config.digest, HashFile(config_path, &m.config.size));
    m.config.media_type = media::kDockerConfig;
    paths[m.config.digest] = config_path;
    json manifest_json = {{"schemaVersion", 2}, {"mediaType", media::kDockerManifest}};
    manifest_json["config"] = {{"mediaType", m.config.media_type}, {"digest", m.config.digest}, {"size", m.config.size}};
    manifest_json["layers"] = json::array();
    for (const auto& l : item["Layers"]) {
      ASSIGN_OR_RETURN(std::string layer_path, local(l));
      Descriptor d;
      ASSIGN_OR_RETURN(d.digest, HashFile(layer_path, &d.size));
      d.media_type = IsGzipFile(layer_path) ? media::kDockerLayerGzip : "application/vnd.docker.image.rootfs.diff.tar";
      paths[d.digest] = layer_path;
      manifest_json["layers"].push_back({{"mediaType", d.media_type}, {"digest", d.digest}, {"size", d.size}});
      m.layers.push_back(std::move(d));
    }
    StoreImageRequest req;
    req.manifest = std::move(m);
    req.manifest_body = manifest_json.dump();
    req.manifest_digest = Sha256Digest(req.manifest_body);
    std::vector<std::string> names;
    if (!override_name.empty()) {
      names.push_back(override_name);
    } else if (item.contains("RepoTags") && item["RepoTags"].is_array()) {
      for (const auto& t : item["RepoTags"]) {
        if (t.is_string()) names.push_back(t.get<std::string>());
      }
    }
    for (const auto& n : names) {
      ASSIGN_OR_RETURN(ImageReference ref, ParseImageReference(n));
      req.repo_tags.push_back(ref.TagRef());
    }
    req.name = names.empty() ? req.manifest.config.digest : names.front();
    req.source = [&paths](const Descriptor& blob, BlobWriter& w) { return StreamFile(paths.at(blob.digest), w); };
    ASSIGN_OR_RETURN(ImageRecord rec, StoreImage(store, req));
    out.push_back(std::move(rec));
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<ImageRecord>> ImportImages(ImageStore& store, const std::string& path,
                                                      const std::string& name) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return ErrnoError(absl::StrCat("import: stat ", path));
  if (S_ISDIR(st.st_mode)) {
    if (!PathExists(path + "/index.json")) {
      return absl::InvalidArgumentError(absl::StrCat("import ", path, ": not an OCI image layout (no index.json)"));
    }
    return ImportLayout(store, path, path, name);
  }
  std::string tmpl = store.images_dir() + "/import-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) return ErrnoError(absl::StrCat("mkdtemp ", tmpl));
  std::string dir = tmpl;
  ScopeGuard cleanup([&] { (void)RemoveTree(dir); });
  auto unpacked = UnpackLayer(path, IsGzipFile(path) ? Compression::kGzip : Compression::kNone, dir);
  if (!unpacked.ok()) return Annotate(unpacked.status(), absl::StrCat("import ", path));
  if (PathExists(dir + "/index.json")) return ImportLayout(store, dir, path, name);
  if (PathExists(dir + "/manifest.json")) return ImportDockerArchive(store, dir, path, name);
  return absl::InvalidArgumentError(
      absl::StrCat("import ", path, ": neither an OCI image layout nor a docker archive (no index.json or manifest.json)"));
}

}  // namespace podagent
