#include "runtime/image/image_record.h"

#include "absl/strings/str_cat.h"
#include "runtime/image/reference.h"

namespace podagent {

using nlohmann::json;

json ImageRecord::ToJson() const {
  json layers_j = json::array();
  for (const auto& l : layers) {
    layers_j.push_back({{"digest", l.digest}, {"media_type", l.media_type}, {"size", l.size}, {"diff_id", l.diff_id}});
  }
  return {{"id", id},
          {"repo_tags", repo_tags},
          {"repo_digests", repo_digests},
          {"manifest_digest", manifest_digest},
          {"config_media_type", config_media_type},
          {"config_size", config_size},
          {"layers", layers_j},
          {"config",
           {{"os", config.os},
            {"architecture", config.architecture},
            {"entrypoint", config.entrypoint},
            {"cmd", config.cmd},
            {"env", config.env},
            {"working_dir", config.working_dir},
            {"user", config.user},
            {"stop_signal", config.stop_signal},
            {"labels", config.labels},
            {"diff_ids", config.diff_ids},
            {"created", config.created}}},
          {"size", size},
          {"pinned", pinned},
          {"removed", removed},
          {"created_at_ns", created_at_ns}};
}

absl::StatusOr<ImageRecord> ImageRecord::FromJson(const json& j) {
  try {
    ImageRecord r;
    r.id = j.at("id").get<std::string>();
    if (!IsSha256Digest(r.id)) return absl::DataLossError(absl::StrCat("image record: invalid id \"", r.id, "\""));
    r.repo_tags = j.value("repo_tags", std::vector<std::string>{});
    r.repo_digests = j.value("repo_digests", std::vector<std::string>{});
    r.manifest_digest = j.value("manifest_digest", "");
    r.config_media_type = j.value("config_media_type", "");
    r.config_size = j.value("config_size", int64_t{0});
    for (const auto& l : j.at("layers")) {
      LayerRef ref{l.at("digest").get<std::string>(), l.value("media_type", ""), l.value("size", int64_t{0}),
                   l.at("diff_id").get<std::string>()};
      if (!IsSha256Digest(ref.digest) || !IsSha256Digest(ref.diff_id)) {
        return absl::DataLossError(absl::StrCat("image record ", r.id, ": invalid layer digest"));
      }
      r.layers.push_back(std::move(ref));
    }
    const json& c = j.at("config");
    r.config.os = c.value("os", "");
    r.config.architecture = c.value("architecture", "");
    r.config.entrypoint = c.value("entrypoint", std::vector<std::string>{});
    r.config.cmd = c.value("cmd", std::vector<std::string>{});
    r.config.env = c.value("env", std::vector<std::string>{});
    r.config.working_dir = c.value("working_dir", "");
    r.config.user = c.value("user", "");
    r.config.stop_signal = c.value("stop_signal", "");
    r.config.labels = c.value("labels", std::map<std::string, std::string>{});
    r.config.diff_ids = c.value("diff_ids", std::vector<std::string>{});
    r.config.created = c.value("created", "");
    r.size = j.value("size", int64_t{0});
    r.pinned = j.value("pinned", false);
    r.removed = j.value("removed", false);
    r.created_at_ns = j.value("created_at_ns", int64_t{0});
    return r;
  } catch (const json::exception& e) {
    return absl::DataLossError(absl::StrCat("image record: ", e.what()));
  }
}

}  // namespace podagent
