#include "agent/image/image_manager.h"

#include <sys/stat.h>

#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"
#include "runtime/image/puller.h"
#include "runtime/image/reference.h"
#include "spdlog/spdlog.h"

namespace podagent {
namespace {

int64_t MtimeNs(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return 0;
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

}  // namespace

UnpackOptions UnpackOptionsFrom(const ImagesConfig& c) {
  UnpackOptions o;
  o.max_bytes = c.max_layer_bytes;
  o.max_entries = c.max_layer_entries;
  o.keep_setid_bits = c.keep_setid_bits;
  return o;
}


ImageManager::ImageManager(AgentContext& ctx, std::function<absl::Time()> clock)
    : ctx_(ctx), clock_(std::move(clock)), store_(ctx.config.root_dir, UnpackOptionsFrom(ctx.config.images)) {}

absl::Status ImageManager::Recover() {
  records_mtime_ns_.store(MtimeNs(store_.images_dir() + "/records/images"));
  ASSIGN_OR_RETURN(auto problems, store_.Init());
  for (const auto& p : problems) spdlog::warn("images: skipped {}", p);
  spdlog::info("images: {} images in {}", store_.List().size(), store_.images_dir());
  return absl::OkStatus();
}

void ImageManager::RefreshIfChanged() const {
  int64_t now = MtimeNs(store_.images_dir() + "/records/images");
  if (records_mtime_ns_.exchange(now) == now) return;
  if (auto st = store_.Reload(); !st.ok()) spdlog::warn("images: reload records: {}", std::string(st.message()));
}

ImageInfo ImageManager::ToInfo(const ImageRecord& r) const {
  ImageInfo info;
  info.id = r.id;
  info.repo_tags = r.repo_tags;
  info.repo_digests = r.repo_digests;
  for (const auto& l : r.layers) info.layer_dirs.push_back(store_.LayerDir(l.diff_id));
  info.entrypoint = r.config.entrypoint;
  info.cmd = r.config.cmd;
  info.env = r.config.env;
  info.working_dir = r.config.working_dir;
  info.user = r.config.user;
  info.stop_signal = r.config.stop_signal;
  info.labels = r.config.labels;
  info.size = static_cast<uint64_t>(r.size);
  return info;
}

absl::StatusOr<ImageRecord> ImageManager::Find(const std::string& ref) const {
  auto r = store_.Find(ref);
  if (r.ok() || !absl::IsNotFound(r.status())) return r;
  RefreshIfChanged();
  return store_.Find(ref);
}

absl::StatusOr<ImageInfo> ImageManager::GetImage(const std::string& ref) const {
  ASSIGN_OR_RETURN(ImageRecord r, Find(ref));
  ImageInfo info = ToInfo(r);
  for (size_t i = 0; i < info.layer_dirs.size(); ++i) {
    if (info.layer_dirs[i].empty()) {
      return absl::FailedPreconditionError(absl::StrCat("image ", ref, ": layer ", r.layers[i].diff_id,
                                                        " is not unpacked on this node; pull the image again"));
    }
  }
  return info;
}

std::vector<ImageRecord> ImageManager::List() const {
  RefreshIfChanged();
  return store_.List();
}

absl::StatusOr<ImageRecord> ImageManager::Pull(const std::string& ref, const RegistryAuth& auth,
                                               std::function<bool()> cancelled) {
  ASSIGN_OR_RETURN(ImageReference parsed, ParseImageReference(ref));
  PullOptions options;
  options.registry.mirrors = ctx_.config.registry.mirrors;
  options.registry.insecure = ctx_.config.registry.insecure;
  options.registry.timeout_seconds = ctx_.config.registry.timeout_seconds;
  options.registry.retries = ctx_.config.registry.retries;
  options.auth = auth;
  options.deadline = absl::Seconds(ctx_.config.registry.pull_deadline_seconds);
  options.cancelled = std::move(cancelled);
  auto pulled = PullImage(store_, parsed, options);
  ForgetUsage();
  return pulled;
}

void ImageManager::ForgetUsage() const {
  std::lock_guard<std::mutex> l(usage_mu_);
  usage_.reset();
}

std::set<std::string> ImageManager::InUse() const {
  return ctx_.containers ? ctx_.containers->ImagesInUse() : std::set<std::string>{};
}

absl::Status ImageManager::Remove(const std::string& ref) {
  auto r = Find(ref);
  if (absl::IsNotFound(r.status())) {
    spdlog::info("image {}: not present; nothing to remove", ref);
    return absl::OkStatus();
  }
  if (!r.ok()) return r.status();
  absl::Status removed = store_.Remove(r->id, InUse());
  ForgetUsage();
  return removed;
}

ImageFsUsage ImageManager::FsUsage() const {
  std::lock_guard<std::mutex> l(usage_mu_);
  absl::Time now = clock_();
  absl::Duration max_age = absl::Seconds(ctx_.config.metrics_housekeeping_seconds);
  if (usage_ && now >= usage_->measured_at && now - usage_->measured_at < max_age) return *usage_;
  ImageFsUsage u;
  u.measured_at = now;
  u.images = store_.ImagesUsage();
  u.images_mountpoint = store_.images_dir();
  u.containers_mountpoint = ctx_.config.root_dir + "/containers";
  u.containers = MeasureTree(u.containers_mountpoint);
  usage_ = u;
  return u;
}

}  // namespace podagent
