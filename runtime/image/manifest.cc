#include "runtime/image/manifest.h"

#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "runtime/common/errors.h"
#include "runtime/image/reference.h"

namespace podagent {
namespace {

using nlohmann::json;

constexpr int64_t kMaxDescriptorSize = int64_t{1} << 40;  // 1 TiB: beyond this a size is nonsense

absl::StatusOr<json> ParseObject(absl::string_view body, absl::string_view what) {
  json j = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return absl::InvalidArgumentError(absl::StrCat(what, ": not valid JSON"));
  if (!j.is_object()) return absl::InvalidArgumentError(absl::StrCat(what, ": not a JSON object"));
  return j;
}

std::string GetString(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> GetStrings(const json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& e : *it) {
    if (e.is_string()) out.push_back(e.get<std::string>());
  }
  return out;
}

std::map<std::string, std::string> GetStringMap(const json& j, const char* key) {
  std::map<std::string, std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_object()) return out;
  for (const auto& [k, v] : it->items()) {
    if (v.is_string()) out[k] = v.get<std::string>();
  }
  return out;
}

absl::StatusOr<Descriptor> ParseDescriptor(const json& j, absl::string_view what) {
  if (!j.is_object()) return absl::InvalidArgumentError(absl::StrCat(what, ": descriptor is not an object"));
  Descriptor d;
  d.media_type = GetString(j, "mediaType");
  d.digest = GetString(j, "digest");
  if (!IsSha256Digest(d.digest)) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": unsupported or invalid digest \"", d.digest, "\""));
  }
  auto size = j.find("size");
  if (size == j.end() || !size->is_number_integer() || size->get<int64_t>() < 0 ||
      size->get<int64_t>() > kMaxDescriptorSize) {
    return absl::InvalidArgumentError(absl::StrCat(what, " ", d.digest, ": missing or invalid size"));
  }
  d.size = size->get<int64_t>();
  d.urls = GetStrings(j, "urls");
  d.annotations = GetStringMap(j, "annotations");
  if (auto p = j.find("platform"); p != j.end() && p->is_object()) {
    d.platform = {GetString(*p, "os"), GetString(*p, "architecture"), GetString(*p, "variant")};
  }
  return d;
}

}  // namespace

std::string ManifestAcceptHeader() {
  return absl::StrJoin({media::kOciIndex, media::kOciManifest, media::kDockerList, media::kDockerManifest}, ", ");
}

absl::StatusOr<DocumentKind> ClassifyDocument(absl::string_view content_type, absl::string_view body) {
  auto semi = content_type.find(';');
  if (semi != absl::string_view::npos) content_type = content_type.substr(0, semi);
  auto by_type = [](absl::string_view t) -> std::optional<DocumentKind> {
    if (t == media::kOciIndex || t == media::kDockerList) return DocumentKind::kIndex;
    if (t == media::kOciManifest || t == media::kDockerManifest) return DocumentKind::kManifest;
    return std::nullopt;
  };
  if (auto k = by_type(content_type)) return *k;
  ASSIGN_OR_RETURN(json j, ParseObject(body, "manifest"));
  std::string mt = GetString(j, "mediaType");
  if (auto k = by_type(mt)) return *k;
  if (mt.empty() && j.contains("manifests")) return DocumentKind::kIndex;
  if (mt.empty() && j.contains("layers") && j.contains("config")) return DocumentKind::kManifest;
  return absl::InvalidArgumentError(absl::StrCat("unsupported manifest media type \"",
                                                 mt.empty() ? std::string(content_type) : mt, "\""));
}

absl::StatusOr<Manifest> ParseManifest(absl::string_view body) {
  ASSIGN_OR_RETURN(json j, ParseObject(body, "manifest"));
  Manifest m;
  m.media_type = GetString(j, "mediaType");
  auto version = j.find("schemaVersion");
  if (version == j.end() || !version->is_number_integer() || version->get<int64_t>() != 2) {
    return absl::InvalidArgumentError("manifest: schemaVersion must be 2 (schema 1 is not supported)");
  }
  auto config = j.find("config");
  if (config == j.end()) return absl::InvalidArgumentError("manifest: missing config");
  ASSIGN_OR_RETURN(m.config, ParseDescriptor(*config, "manifest config"));
  auto layers = j.find("layers");
  if (layers == j.end() || !layers->is_array()) return absl::InvalidArgumentError("manifest: missing layers");
  for (const auto& l : *layers) {
    ASSIGN_OR_RETURN(Descriptor d, ParseDescriptor(l, "manifest layer"));
    RETURN_IF_ERROR(Annotate(LayerCompression(d.media_type).status(), absl::StrCat("manifest layer ", d.digest)));
    m.layers.push_back(std::move(d));
  }
  return m;
}

absl::StatusOr<ImageIndex> ParseIndex(absl::string_view body) {
  ASSIGN_OR_RETURN(json j, ParseObject(body, "image index"));
  ImageIndex idx;
  idx.media_type = GetString(j, "mediaType");
  auto list = j.find("manifests");
  if (list == j.end() || !list->is_array()) return absl::InvalidArgumentError("image index: missing manifests");
  for (const auto& e : *list) {
    ASSIGN_OR_RETURN(Descriptor d, ParseDescriptor(e, "image index entry"));
    idx.manifests.push_back(std::move(d));
  }
  return idx;
}

absl::StatusOr<ImageConfig> ParseImageConfig(absl::string_view body) {
  ASSIGN_OR_RETURN(json j, ParseObject(body, "image config"));
  ImageConfig c;
  c.os = GetString(j, "os");
  c.architecture = GetString(j, "architecture");
  c.created = GetString(j, "created");
  if (auto cfg = j.find("config"); cfg != j.end() && cfg->is_object()) {
    c.entrypoint = GetStrings(*cfg, "Entrypoint");
    c.cmd = GetStrings(*cfg, "Cmd");
    c.env = GetStrings(*cfg, "Env");
    c.working_dir = GetString(*cfg, "WorkingDir");
    c.user = GetString(*cfg, "User");
    c.stop_signal = GetString(*cfg, "StopSignal");
    c.labels = GetStringMap(*cfg, "Labels");
  }
  auto rootfs = j.find("rootfs");
  if (rootfs == j.end() || !rootfs->is_object()) return absl::InvalidArgumentError("image config: missing rootfs");
  c.diff_ids = GetStrings(*rootfs, "diff_ids");
  for (const auto& d : c.diff_ids) {
    if (!IsSha256Digest(d)) return absl::InvalidArgumentError(absl::StrCat("image config: invalid diff_id \"", d, "\""));
  }
  return c;
}

absl::StatusOr<Descriptor> SelectPlatform(const ImageIndex& index, absl::string_view os,
                                          absl::string_view architecture) {
  std::vector<std::string> offered;
  for (const auto& d : index.manifests) {
    if (d.platform.os == os && d.platform.architecture == architecture) return d;
    offered.push_back(absl::StrCat(d.platform.os, "/", d.platform.architecture));
  }
  return absl::NotFoundError(absl::StrCat("no manifest for ", os, "/", architecture, " in the image index (offers: ",
                                          offered.empty() ? "none" : absl::StrJoin(offered, ", "), ")"));
}

absl::StatusOr<Compression> LayerCompression(absl::string_view media_type) {
  if (media_type == media::kOciLayer || media_type == "application/vnd.docker.image.rootfs.diff.tar") {
    return Compression::kNone;
  }
  if (media_type == media::kOciLayerGzip || media_type == media::kDockerLayerGzip ||
      media_type == media::kDockerForeignLayerGzip ||
      media_type == "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip") {
    return Compression::kGzip;
  }
  if (media_type == media::kOciLayerZstd) return Compression::kZstd;
  return absl::InvalidArgumentError(absl::StrCat("unsupported layer media type \"", media_type, "\""));
}

}  // namespace podagent
