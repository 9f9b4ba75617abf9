#include "runtime/image/image_store.h"

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "runtime/common/errors.h"
#include "runtime/common/files.h"
#include "runtime/common/scope_guard.h"
#include "runtime/image/reference.h"
#include "runtime/image/temp_owner.h"
#include "runtime/image/unpack.h"
#include "spdlog/spdlog.h"

namespace podagent {
namespace {

constexpr char kKind[] = "images";
constexpr size_t kOldLayerIdLength = 12;  // the older layout's l/<12 hex of diff_id>
constexpr char kTempPrefix[] = ".tmp-";
// A claimed or unpublished l/<n> younger than this may be another process's work in flight.
constexpr int64_t kOrphanAgeSeconds = 3600;

bool IsHex(absl::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

void AddUnique(std::vector<std::string>& v, const std::string& s) {
  if (!s.empty() && std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

void Erase(std::vector<std::string>& v, const std::string& s) { v.erase(std::remove(v.begin(), v.end(), s), v.end()); }

thread_local StoreUsage* tls_usage = nullptr;

int CountEntry(const char*, const struct stat* st, int, struct FTW*) {
  tls_usage->bytes += static_cast<uint64_t>(st->st_blocks) * 512;
  tls_usage->inodes += 1;
  return 0;
}

// Seconds since the inode last changed (a rename changes it); 0 when it cannot be read.
int64_t AgeSeconds(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return 0;
  return static_cast<int64_t>(::time(nullptr)) - static_cast<int64_t>(st.st_ctim.tv_sec);
}

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

StoreUsage MeasureTree(const std::string& path) {
  StoreUsage usage;
  if (!PathExists(path)) return usage;
  tls_usage = &usage;
  ::nftw(path.c_str(), CountEntry, 32, FTW_PHYS | FTW_MOUNT);
  tls_usage = nullptr;
  return usage;
}

ImageStore::ImageStore(std::string root_dir, UnpackOptions unpack_options)
    : root_dir_(std::move(root_dir)),
      images_dir_(root_dir_ + "/images"),
      layers_dir_(root_dir_ + "/l"),
      unpack_options_(unpack_options),
      content_(images_dir_ + "/blobs"),
      records_store_(images_dir_ + "/records"),
      index_(images_dir_ + "/layers", layers_dir_),
      reaper_(root_dir_ + "/trash") {}

absl::StatusOr<std::vector<std::string>> ImageStore::Init() {
  // MakeDirs also tightens directories that exist with a looser mode (older stores had l/ 0711).
  RETURN_IF_ERROR(MakeDirs(root_dir_, 0700));
  RETURN_IF_ERROR(MakeDirs(images_dir_, 0700));
  RETURN_IF_ERROR(MakeDirs(layers_dir_, 0700));
  // Each layer is unpacked in a subdirectory: in a block group of its own, not among the inodes
  // of a layer just removed (files.h; docs/benchmarks.md, "Session 16").
  if (absl::Status st = MarkTopDir(layers_dir_); !st.ok()) spdlog::warn("layers dir: {}", std::string(st.message()));
  RETURN_IF_ERROR(content_.Init());
  RETURN_IF_ERROR(index_.Init());
  RETURN_IF_ERROR(reaper_.Start());
  ASSIGN_OR_RETURN(auto names, ListDir(layers_dir_));
  for (const auto& n : names) {
    if (TempOwnerGone(n, kTempPrefix)) RETURN_IF_ERROR(RemoveTree(layers_dir_ + "/" + n));
  }
  ASSIGN_OR_RETURN(auto image_names, ListDir(images_dir_));
  for (const auto& n : image_names) {
    if (TempOwnerGone(n, kImportTempPrefix)) RETURN_IF_ERROR(RemoveTree(images_dir_ + "/" + n));
  }
  std::vector<std::string> problems = LoadRecords();
  MigrateOldLayers();
  return problems;
}

void ImageStore::MigrateOldLayers() {
  auto names = ListDir(layers_dir_);
  if (!names.ok()) return;
  std::set<std::string> diff_ids;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [id, r] : images_) {
      for (const auto& l : r.layers) diff_ids.insert(l.diff_id);
    }
  }
  for (const auto& n : *names) {
    if (n.size() != kOldLayerIdLength || !IsHex(n)) continue;
    std::vector<std::string> owners;
    for (const auto& d : diff_ids) {
      if (absl::StartsWith(absl::string_view(d).substr(7), n)) owners.push_back(d);
    }
    std::string old_dir = absl::StrCat(layers_dir_, "/", n);
    if (owners.size() != 1 || index_.Lookup(owners[0]).ok()) {
      spdlog::warn("layer dir {} (older layout): {} recorded layers have its prefix; not adopted, left in place "
                   "(remove it once no container uses it)", old_dir, owners.size());
      continue;
    }
    auto id = index_.Claim();
    if (!id.ok()) {
      spdlog::warn("layer dir {}: migrate: {}", old_dir, std::string(id.status().message()));
      return;
    }
    std::string new_dir = absl::StrCat(layers_dir_, "/", *id);
    if (::rename(old_dir.c_str(), new_dir.c_str()) != 0) {
      spdlog::warn("layer dir {}: migrate: rename to {}: {}", old_dir, new_dir, std::strerror(errno));
      ::rmdir(new_dir.c_str());
      continue;
    }
    auto published = index_.Publish(owners[0], *id);
    if (!published.ok() || *published != *id) {
      spdlog::warn("layer {}: migrate: index: {}", owners[0], published.ok() ? std::string("taken meanwhile") : std::string(published.status().message()));
      continue;
    }
    spdlog::info("layer {}: migrated from the older layout {} to {}", owners[0], old_dir, new_dir);
  }
}

std::vector<std::string> ImageStore::LoadRecords() {
  LoadedRecords loaded = records_store_.LoadAll(kKind);
  std::vector<std::string> problems = loaded.problems;
  absl::MutexLock lock(&mu_);
  images_.clear();
  for (auto& [id, j] : loaded.records) {
    auto r = ImageRecord::FromJson(j);
    if (!r.ok()) {
      problems.push_back(absl::StrCat("image record ", id, ": ", r.status().message()));
      continue;
    }
    images_[r->id] = std::move(*r);
  }
  return problems;
}

absl::Status ImageStore::Reload() {
  LoadRecords();
  return absl::OkStatus();
}

std::string ImageStore::LayerDir(const std::string& diff_id) const {
  auto id = index_.Lookup(diff_id);
  return id.ok() ? absl::StrCat(layers_dir_, "/", *id) : "";
}

bool ImageStore::HasLayer(const std::string& diff_id) const {
  std::string dir = LayerDir(diff_id);
  return !dir.empty() && PathExists(dir);
}

absl::Status ImageStore::EnsureLayer(const LayerRef& layer) {
  if (!IsSha256Digest(layer.diff_id)) return absl::InvalidArgumentError(absl::StrCat("invalid diff_id ", layer.diff_id));
  if (HasLayer(layer.diff_id)) return absl::OkStatus();
  return layer_flights_.Do(layer.diff_id, [&]() -> absl::Status {
    if (HasLayer(layer.diff_id)) return absl::OkStatus();
    if (!LayerDir(layer.diff_id).empty()) {  // indexed, but its directory is gone
      spdlog::warn("layer {}: indexed as {} which is missing; unpacking again", layer.diff_id, LayerDir(layer.diff_id));
      RETURN_IF_ERROR(index_.Forget(layer.diff_id));
    }
    return UnpackLayer(layer);
  });
}

// Unpacks into a temp dir, checks the diff_id, moves it to a fresh l/<n> and publishes n.
absl::Status ImageStore::UnpackLayer(const LayerRef& layer) {
  ASSIGN_OR_RETURN(Compression compression, LayerCompression(layer.media_type));
  std::string tmp = absl::StrCat(layers_dir_, "/", OwnedTempName(kTempPrefix));
  if (::mkdir(tmp.c_str(), 0755) != 0) return ErrnoError(absl::StrCat("mkdir ", tmp));
  ::chmod(tmp.c_str(), 0755);  // the layer's root entry usually sets it; 0755 otherwise, as runc's rootfs
  ScopeGuard cleanup([&] { (void)RemoveTree(tmp); });
  auto start = std::chrono::steady_clock::now();
  auto result = podagent::UnpackLayer(content_.BlobPath(layer.digest), compression, tmp, unpack_options_);
  if (result.ok() && result->diff_id != layer.diff_id) {
    result = absl::DataLossError(absl::StrCat("layer ", layer.digest, ": uncompressed content hashes to ",
                                              result->diff_id, ", the image config says ", layer.diff_id));
  }
  if (absl::IsDataLoss(result.status()) || absl::IsInvalidArgument(result.status())) {
    // The blob may be torn by a crash (blobs are not fsynced): drop it so a pull fetches it anew.
    (void)content_.Remove(layer.digest);
  }
  if (!result.ok()) return result.status();
  ASSIGN_OR_RETURN(std::string id, index_.Claim());
  std::string final_dir = absl::StrCat(layers_dir_, "/", id);
  if (::rename(tmp.c_str(), final_dir.c_str()) != 0) {  // onto the empty directory Claim made
    absl::Status st = ErrnoError(absl::StrCat("rename ", tmp, " to ", final_dir));
    ::rmdir(final_dir.c_str());
    return st;
  }
  cleanup.Cancel();
  auto published = index_.Publish(layer.diff_id, id);
  if (!published.ok() || *published != id) {
    (void)RemoveTree(final_dir);  // never used: nobody found it through the index
    if (!published.ok()) return Annotate(published.status(), absl::StrCat("layer ", layer.diff_id, ": index"));
    spdlog::info("layer {}: unpacked by another process into {}/{}; using that", layer.diff_id, layers_dir_, *published);
    return absl::OkStatus();
  }
  spdlog::info("layer {}: unpacked {} entries, {} bytes into {} in {} ms", layer.diff_id, result->entries, result->bytes,
               final_dir,
               std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count());
  return absl::OkStatus();
}

absl::Status ImageStore::Persist(const ImageRecord& r) { return records_store_.Put(kKind, r.id.substr(7), r.ToJson()); }

absl::StatusOr<ImageRecord> ImageStore::Commit(ImageRecord record) {
  absl::MutexLock lock(&mu_);
  // A tag names one image: take it away from any other.
  for (auto& [id, other] : images_) {
    if (id == record.id) continue;
    bool changed = false;
    for (const auto& t : record.repo_tags) {
      if (std::find(other.repo_tags.begin(), other.repo_tags.end(), t) != other.repo_tags.end()) {
        Erase(other.repo_tags, t);
        changed = true;
      }
    }
    if (changed) RETURN_IF_ERROR(Persist(other));
  }
  auto it = images_.find(record.id);
  if (it != images_.end()) {
    ImageRecord merged = it->second;
    for (const auto& t : record.repo_tags) AddUnique(merged.repo_tags, t);
    for (const auto& d : record.repo_digests) AddUnique(merged.repo_digests, d);
    merged.removed = false;
    merged.pinned = merged.pinned || record.pinned;
    record = std::move(merged);
  } else if (record.created_at_ns == 0) {
    record.created_at_ns = NowNs();
  }
  RETURN_IF_ERROR(Persist(record));
  images_[record.id] = record;
  return record;
}

absl::StatusOr<ImageRecord> ImageStore::Find(const std::string& ref) const {
  absl::MutexLock lock(&mu_);
  auto visible = [](const ImageRecord& r) { return !r.removed; };
  std::string id = ref;
  if (IsHex(ref) && ref.size() == 64) id = "sha256:" + ref;
  if (auto it = images_.find(id); it != images_.end() && visible(it->second)) return it->second;
  if (auto parsed = ParseImageReference(ref); parsed.ok()) {
    std::string want = parsed->digest.empty() ? parsed->TagRef() : parsed->DigestRef(parsed->digest);
    for (const auto& [rid, r] : images_) {
      if (!visible(r)) continue;
      const auto& names = parsed->digest.empty() ? r.repo_tags : r.repo_digests;
      if (std::find(names.begin(), names.end(), want) != names.end()) return r;
    }
  }
  absl::string_view prefix = ref;
  absl::ConsumePrefix(&prefix, "sha256:");
  if (IsHex(prefix) && prefix.size() < 64) {
    const ImageRecord* found = nullptr;
    for (const auto& [rid, r] : images_) {
      if (!visible(r) || !absl::StartsWith(absl::string_view(rid).substr(7), prefix)) continue;
      if (found) return absl::NotFoundError(absl::StrCat("image id prefix ", ref, " is ambiguous"));
      found = &r;
    }
    if (found) return *found;
  }
  return absl::NotFoundError(absl::StrCat("image ", ref, " not found"));
}

std::vector<ImageRecord> ImageStore::List() const {
  absl::MutexLock lock(&mu_);
  std::vector<ImageRecord> out;
  for (const auto& [id, r] : images_) {
    if (!r.removed) out.push_back(r);
  }
  return out;
}

absl::Status ImageStore::Remove(const std::string& id, const std::set<std::string>& in_use) {
  {
    absl::MutexLock lock(&mu_);
    auto it = images_.find(id);
    if (it == images_.end()) return absl::OkStatus();
    if (in_use.count(id)) {
      it->second.removed = true;
      it->second.repo_tags.clear();
      it->second.repo_digests.clear();
      RETURN_IF_ERROR(Persist(it->second));
      spdlog::info("image {}: removed; kept on disk while containers use it", id);
    } else {
      RETURN_IF_ERROR(records_store_.Remove(kKind, id.substr(7)));
      images_.erase(it);
      spdlog::info("image {}: removed", id);
    }
  }
  return CollectGarbage(in_use);
}

std::set<std::string> ImageStore::ReferencedLocked() const {
  std::set<std::string> refs(leased_.begin(), leased_.end());
  for (const auto& [id, r] : images_) {
    refs.insert(id);
    refs.insert(r.manifest_digest);
    for (const auto& l : r.layers) {
      refs.insert(l.digest);
      refs.insert(l.diff_id);
    }
  }
  return refs;
}

absl::Status ImageStore::CollectGarbage(const std::set<std::string>& in_use) {
  std::set<std::string> refs;
  std::vector<std::string> doomed_blobs;
  absl::MutexLock lock(&mu_);
  for (auto it = images_.begin(); it != images_.end();) {
    if (it->second.removed && !in_use.count(it->first)) {
      RETURN_IF_ERROR(records_store_.Remove(kKind, it->first.substr(7)));
      spdlog::info("image {}: no longer used by any container; deleted", it->first);
      it = images_.erase(it);
    } else {
      ++it;
    }
  }
  refs = ReferencedLocked();
  for (const auto& d : content_.List()) {
    if (!refs.count(d)) doomed_blobs.push_back(d);
  }
  // Under the lock: a pull takes its lease under it too, so nothing it needs goes away. A blob is
  // renamed into the trash (gone from the store at once) and unlinked by the reaper: freeing a
  // layer's blocks is off the request path.
  for (const auto& d : doomed_blobs) RETURN_IF_ERROR(reaper_.Discard(content_.BlobPath(d)));
  return CollectLayers(refs);
}

// Unreferenced indexed layers go (index entry first, so nobody finds a half-deleted directory);
// so do numbered directories nobody indexed (a crash between unpack and publish) once they are
// old enough not to be another process's unpack in flight. Other names are never touched.
absl::Status ImageStore::CollectLayers(const std::set<std::string>& refs) {
  std::set<std::string> indexed;
  for (const auto& [diff_id, id] : index_.All()) {
    if (refs.count(diff_id)) {
      indexed.insert(id);
      continue;
    }
    RETURN_IF_ERROR(index_.Forget(diff_id));
    RETURN_IF_ERROR(reaper_.Discard(absl::StrCat(layers_dir_, "/", id)));
    spdlog::info("layer {}: unused; {}/{} moved to {} to be deleted", diff_id, layers_dir_, id, reaper_.dir());
  }
  ASSIGN_OR_RETURN(auto names, ListDir(layers_dir_));
  for (const auto& n : names) {
    std::string dir = absl::StrCat(layers_dir_, "/", n);
    if (!LayerIndex::IsShortId(n) || indexed.count(n) || AgeSeconds(dir) < kOrphanAgeSeconds) continue;
    RETURN_IF_ERROR(reaper_.Discard(dir));
    spdlog::info("layer dir {}: not in the layer index; moved to {} to be deleted", dir, reaper_.dir());
  }
  return absl::OkStatus();
}

ImageStore::Lease::Lease(ImageStore& store, std::vector<std::string> digests)
    : store_(store), digests_(std::move(digests)) {
  absl::MutexLock lock(&store_.mu_);
  for (const auto& d : digests_) store_.leased_.insert(d);
}

ImageStore::Lease::~Lease() {
  absl::MutexLock lock(&store_.mu_);
  for (const auto& d : digests_) {
    auto it = store_.leased_.find(d);
    if (it != store_.leased_.end()) store_.leased_.erase(it);
  }
}

StoreUsage ImageStore::ImagesUsage() const {
  StoreUsage a = MeasureTree(images_dir_);
  StoreUsage b = MeasureTree(layers_dir_);
  StoreUsage t = MeasureTree(reaper_.dir());
  return {a.bytes + b.bytes + t.bytes, a.inodes + b.inodes + t.inodes};
}

}  // namespace podagent
