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
#include "runtime/image/temp_owner.h"
#include "runtime/image/unpack.h"
#include "spdlog/spdlog.h"

namespace podagent {
namespace {

using nlohmann::json;

// Archives and layouts are untrusted: every file in them is opened beneath the layout's root
// directory fd with no symlink followed at any component (openat2 RESOLVE_BENEATH|NO_SYMLINKS),
// so a "blobs" symlinked to a host directory is refused, not read.
class Layout {
 public:
  static absl::StatusOr<Layout> Open(const std::string& dir) {
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return ErrnoError(absl::StrCat("open ", dir));
    return Layout(dir, std::move(fd));
  }
  const std::string& dir() const { return dir_; }

  absl::StatusOr<UniqueFd> OpenFile(const std::string& rel) const {
    ASSIGN_OR_RETURN(std::string clean, CleanEntryPath(rel));
    ASSIGN_OR_RETURN(UniqueFd fd, OpenBeneath(fd_.Get(), clean, O_RDONLY | O_NONBLOCK,
                                              absl::StrCat("import ", dir_)));
    struct stat st;
    if (::fstat(fd.Get(), &st) != 0) return ErrnoError(absl::StrCat("stat ", dir_, "/", clean));
    if (!S_ISREG(st.st_mode)) {
      return absl::InvalidArgumentError(absl::StrCat("import ", dir_, ": \"", clean, "\" is not a regular file"));
    }
    return fd;
  }

  // Streams the file to `w`, or hashes it when `w` is null.
  absl::Status Stream(const std::string& rel, BlobWriter* w, Sha256* hash, int64_t* size) const {
    ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(rel));
    char buf[64 * 1024];
    if (size) *size = 0;
    for (;;) {
      ssize_t n = ::read(fd.Get(), buf, sizeof buf);
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoError(absl::StrCat("read ", dir_, "/", rel));
      }
      if (n == 0) return absl::OkStatus();
      absl::string_view chunk(buf, static_cast<size_t>(n));
      if (w) RETURN_IF_ERROR(w->Write(chunk));
      if (hash) hash->Update(chunk);
      if (size) *size += n;
    }
  }

  absl::StatusOr<std::string> Read(const std::string& rel, int64_t max_size = 64 << 20) const {
    ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(rel));
    std::string out;
    char buf[64 * 1024];
    for (;;) {
      ssize_t n = ::read(fd.Get(), buf, sizeof buf);
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoError(absl::StrCat("read ", dir_, "/", rel));
      }
      if (n == 0) return out;
      out.append(buf, static_cast<size_t>(n));
      if (static_cast<int64_t>(out.size()) > max_size) {
        return absl::InvalidArgumentError(absl::StrCat("import ", dir_, "/", rel, ": larger than ", max_size, " bytes"));
      }
    }
  }

  bool Has(const std::string& rel) const { return OpenFile(rel).ok(); }

 private:
  Layout(std::string dir, UniqueFd fd) : dir_(std::move(dir)), fd_(std::move(fd)) {}
  std::string dir_;
  UniqueFd fd_;
};

absl::StatusOr<std::string> HashFile(const Layout& layout, const std::string& rel, int64_t* size) {
  Sha256 h;
  RETURN_IF_ERROR(layout.Stream(rel, nullptr, &h, size));
  return h.Digest();
}

bool IsGzipFd(int fd) {
  unsigned char magic[2] = {0, 0};
  return fd >= 0 && ::pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

bool IsGzipFile(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  return IsGzipFd(fd.Get());
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

std::string BlobRel(const std::string& digest) { return absl::StrCat("blobs/sha256/", digest.substr(7)); }

absl::StatusOr<std::string> ReadLayoutBlob(const Layout& layout, const std::string& digest) {
  if (!IsSha256Digest(digest)) return absl::InvalidArgumentError(absl::StrCat("invalid digest ", digest));
  ASSIGN_OR_RETURN(std::string body, layout.Read(BlobRel(digest)));
  if (Sha256Digest(body) != digest) {
    return absl::DataLossError(absl::StrCat("blob ", digest, " in ", layout.dir(), ": digest mismatch"));
  }
  return body;
}

absl::StatusOr<std::vector<ImageRecord>> ImportLayout(ImageStore& store, const Layout& layout,
                                                      const std::string& file, const std::string& override_name) {
  ASSIGN_OR_RETURN(std::string index_body, layout.Read("index.json"));
  auto index = ParseIndex(index_body);
  if (!index.ok()) return Annotate(index.status(), absl::StrCat(layout.dir(), "/index.json"));
  BlobSource source = [&](const Descriptor& blob, BlobWriter& w) {
    if (!IsSha256Digest(blob.digest)) return absl::InvalidArgumentError(absl::StrCat("invalid digest ", blob.digest));
    return layout.Stream(BlobRel(blob.digest), &w, nullptr, nullptr);
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

absl::StatusOr<std::vector<ImageRecord>> ImportDockerArchive(ImageStore& store, const Layout& dir,
                                                             const std::string& file, const std::string& override_name) {
  ASSIGN_OR_RETURN(std::string text, dir.Read("manifest.json"));
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
      return CleanEntryPath(p.get<std::string>());
    };
    std::map<std::string, std::string> paths;  // digest -> file
    ASSIGN_OR_RETURN(std::string config_path, local(item["Config"]));
    Manifest m;
    m.media_type = media::kDockerManifest;
    ASSIGN_OR_RETURN(m.config.digest, HashFile(dir, config_path, &m.config.size));
    m.config.media_type = media::kDockerConfig;
    paths[m.config.digest] = config_path;
    json manifest_json = {{"schemaVersion", 2}, {"mediaType", media::kDockerManifest}};
    manifest_json["config"] = {{"mediaType", m.config.media_type}, {"digest", m.config.digest}, {"size", m.config.size}};
    manifest_json["layers"] = json::array();
    for (const auto& l : item["Layers"]) {
      ASSIGN_OR_RETURN(std::string layer_path, local(l));
      Descriptor d;
      ASSIGN_OR_RETURN(d.digest, HashFile(dir, layer_path, &d.size));
      ASSIGN_OR_RETURN(UniqueFd layer_fd, dir.OpenFile(layer_path));
      d.media_type = IsGzipFd(layer_fd.Get()) ? media::kDockerLayerGzip : "application/vnd.docker.image.rootfs.diff.tar";
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
    req.source = [&paths, &dir](const Descriptor& blob, BlobWriter& w) {
      return dir.Stream(paths.at(blob.digest), &w, nullptr, nullptr);
    };
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
    ASSIGN_OR_RETURN(Layout layout, Layout::Open(path));
    if (!layout.Has("index.json")) {
      return absl::InvalidArgumentError(absl::StrCat("import ", path, ": not an OCI image layout (no index.json)"));
    }
    return ImportLayout(store, layout, path, name);
  }
  // Named for this process, so a daemon's or another import's Init leaves it alone while we run.
  std::string dir = absl::StrCat(store.images_dir(), "/", OwnedTempName(ImageStore::kImportTempPrefix));
  if (::mkdir(dir.c_str(), 0700) != 0) return ErrnoError(absl::StrCat("mkdir ", dir));
  ScopeGuard cleanup([&] { (void)RemoveTree(dir); });
  auto unpacked = UnpackLayer(path, IsGzipFile(path) ? Compression::kGzip : Compression::kNone, dir);
  if (!unpacked.ok()) return Annotate(unpacked.status(), absl::StrCat("import ", path));
  ASSIGN_OR_RETURN(Layout layout, Layout::Open(dir));
  if (layout.Has("index.json")) return ImportLayout(store, layout, path, name);
  if (layout.Has("manifest.json")) return ImportDockerArchive(store, layout, path, name);
  return absl::InvalidArgumentError(
      absl::StrCat("import ", path, ": neither an OCI image layout nor a docker archive (no index.json or manifest.json)"));
}

}  // namespace podagent
