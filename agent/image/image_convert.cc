#include "agent/image/image_convert.h"

#include <nlohmann/json.hpp>

#include "absl/strings/numbers.h"
#include "runtime/common/json_text.h"

namespace podagent {

void ToCriImage(const ImageRecord& r, cri::Image* out) {
  out->set_id(r.id);
  for (const auto& t : r.repo_tags) out->add_repo_tags(t);
  for (const auto& d : r.repo_digests) out->add_repo_digests(d);
  out->set_size(static_cast<uint64_t>(r.size));
  out->set_pinned(r.pinned);
  out->mutable_spec()->set_image(r.id);
  // User "1000", "1000:1000" -> uid; "nobody", "nobody:grp" -> username.
  std::string user = r.config.user.substr(0, r.config.user.find(':'));
  int64_t uid = 0;
  if (user.empty()) return;  // no User: neither uid nor username, as containerd reports it
  if (absl::SimpleAtoi(user, &uid)) {
    out->mutable_uid()->set_value(uid);
  } else {
    out->set_username(user);
  }
}

RegistryAuth FromCriAuth(const cri::AuthConfig& a) {
  RegistryAuth r;
  r.username = a.username();
  r.password = a.password();
  r.auth = a.auth();
  r.server_address = a.server_address();
  r.identity_token = a.identity_token();
  r.registry_token = a.registry_token();
  return r;
}

std::string VerboseImageInfo(const ImageRecord& r, const std::vector<std::string>& layer_dirs) {
  nlohmann::json j = r.ToJson();
  j["layer_dirs"] = layer_dirs;
  nlohmann::json info = {{"imageId", r.id}, {"manifestDigest", r.manifest_digest}, {"record", j}};
  return JsonText(info);
}

}  // namespace podagent
