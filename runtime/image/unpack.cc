#include "runtime/image/unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"
#include "runtime/common/files.h"
#include "runtime/image/digest.h"
#include "runtime/image/gzip_reader.h"
#include "runtime/image/path_safety.h"
#include "runtime/image/whiteout.h"
#include "spdlog/spdlog.h"

namespace podagent {
namespace {

struct ArchiveFree {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveFree>;

// The decompressed stream feeding the tar reader (inner), hashed on the way: gzip layers from
// GzipReader, the others from libarchive (outer, format "raw").
struct Stream {
  archive* outer = nullptr;
  GzipReader* gzip = nullptr;
  Sha256 hash;
  int64_t total = 0;  // uncompressed bytes so far
  int64_t max_bytes = 0;
  bool over_limit = false;
  char buf[64 * 1024];
};

absl::Status TooLarge(int64_t max_bytes) {
  return absl::InvalidArgumentError(absl::StrCat("layer: uncompressed size exceeds the limit of ", max_bytes,
                                                 " bytes (images.max_layer_bytes); refused"));
}

// Counts and hashes what the decompressor yields; stops the tar reader at the byte limit.
bool Account(Stream& s, la_ssize_t n) {
  s.total += n;
  if (s.total > s.max_bytes) {
    s.over_limit = true;
    return false;
  }
  s.hash.Update(s.buf, static_cast<size_t>(n));
  return true;
}

// The next decompressed bytes into s.buf: their count, 0 at the end, -1 with `error` set.
la_ssize_t ReadRaw(Stream& s, std::string& error) {
  if (s.gzip != nullptr) {
    absl::StatusOr<size_t> n = s.gzip->Read(s.buf, sizeof s.buf);
    if (n.ok()) return static_cast<la_ssize_t>(*n);
    error = std::string(n.status().message());
    return -1;
  }
  la_ssize_t n = archive_read_data(s.outer, s.buf, sizeof s.buf);
  if (n < 0) error = archive_error_string(s.outer);
  return n;
}

la_ssize_t ReadDecompressed(archive* inner, void* user, const void** out) {
  auto* s = static_cast<Stream*>(user);
  std::string error;
  la_ssize_t n = ReadRaw(*s, error);
  if (n < 0) {
    archive_set_error(inner, EIO, "%s", error.c_str());
    return -1;
  }
  if (!Account(*s, n)) {
    archive_set_error(inner, EFBIG, "uncompressed size limit reached");
    return -1;
  }
  *out = s->buf;
  return n;
}

struct DirTimes {
  std::string rel;
  struct timespec times[2];
};

class Unpacker {
 public:
  Unpacker(int root_fd, const UnpackOptions& options) : root_fd_(root_fd), options_(options) {}

  absl::Status Entry(archive* a, archive_entry* e);
  absl::Status FinishDirTimes();
  UnpackResult& result() { return result_; }

 private:
  absl::Status Whiteout(const std::string& parent, const struct Whiteout& w, const std::string& name);
  absl::StatusOr<int> ParentDir(const std::string& parent, const std::string& rel);
  absl::Status ClearExisting(int pfd, const std::string& rel, const std::string& base, bool keep_dir);
  absl::Status WriteFile(archive* a, archive_entry* e, int pfd, const std::string& base, const std::string& rel);
  absl::Status HardLink(archive_entry* e, int pfd, const std::string& base, const std::string& rel);
  absl::Status ApplyMeta(archive_entry* e, int fd, const std::string& rel);
  absl::Status ApplyMetaAt(archive_entry* e, int pfd, const std::string& base, const std::string& rel);
  void ApplyXattrs(archive_entry* e, int fd, const std::string& rel);
  mode_t PermOf(archive_entry* e);

  int root_fd_;
  const UnpackOptions& options_;
  bool root_ = ::geteuid() == 0;
  std::vector<DirTimes> dir_times_;
  UnpackResult result_;
  // The parent directory of the last entry, reused while entries stay in it (most of a layer's
  // entries follow their siblings). Safe: an entry only changes names directly in its parent (or
  // below them), so no entry with this parent can replace the directory itself or an ancestor;
  // an entry elsewhere replaces the cache, and the next one here opens the path afresh.
  std::string parent_rel_;
  UniqueFd parent_fd_;
};

struct timespec MtimeOf(archive_entry* e) {
  return {archive_entry_mtime(e), archive_entry_mtime_nsec(e)};
}

absl::Status EntryError(const std::string& rel, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("layer entry \"", rel, "\": ", what));
}

absl::Status Unpacker::Whiteout(const std::string& parent, const struct Whiteout& w, const std::string& name) {
  ASSIGN_OR_RETURN(int pfd, ParentDir(parent, name));  // as any entry: the cache moves to `parent`
  if (w.kind == WhiteoutKind::kOpaque) {
    if (::fsetxattr(pfd, kOverlayOpaqueXattr, "y", 1, 0) != 0) {
      return ErrnoError(absl::StrCat("layer entry \"", name, "\": setxattr ", kOverlayOpaqueXattr));
    }
    return absl::OkStatus();
  }
  std::string rel = parent.empty() ? w.target : absl::StrCat(parent, "/", w.target);
  RETURN_IF_ERROR(ClearExisting(pfd, rel, w.target, false));
  if (::mknodat(pfd, w.target.c_str(), S_IFCHR | 0000, makedev(0, 0)) != 0) {
    return ErrnoError(absl::StrCat("layer entry \"", name, "\": mknod whiteout ", rel));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> Unpacker::ParentDir(const std::string& parent, const std::string& rel) {
  if (parent_fd_ && parent == parent_rel_) return parent_fd_.Get();
  parent_fd_.Reset();
  ASSIGN_OR_RETURN(parent_fd_, MakeDirsBeneath(root_fd_, parent, absl::StrCat("layer entry \"", rel, "\"")));
  parent_rel_ = parent;
  return parent_fd_.Get();
}

absl::Status Unpacker::ClearExisting(int pfd, const std::string& rel, const std::string& base, bool keep_dir) {
  struct stat st;
  if (::fstatat(pfd, base.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return absl::OkStatus();
  if (S_ISDIR(st.st_mode)) {
    if (keep_dir) return absl::OkStatus();
    // By the parent's fd, which was opened without following symlinks: stays inside the layer.
    return RemoveTreeAt(pfd, base, absl::StrCat("layer entry \"", rel, "\""));
  }
  if (::unlinkat(pfd, base.c_str(), 0) != 0) return ErrnoError(absl::StrCat("unlink ", rel));
  return absl::OkStatus();
}

void Unpacker::ApplyXattrs(archive_entry* e, int fd, const std::string& rel) {
  archive_entry_xattr_reset(e);
  const char* name = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
    if (absl::StartsWith(name, "trusted.overlay.")) {
      spdlog::warn("layer entry {}: ignoring xattr {} (reserved for overlayfs)", rel, name);
      continue;
    }
    if (::fsetxattr(fd, name, value, size, 0) != 0) {
      spdlog::warn("layer entry {}: setxattr {}: {}", rel, name, std::strerror(errno));
    }
  }
}

// The entry's permission bits; set-user/group-ID dropped from non-directories unless asked.
mode_t Unpacker::PermOf(archive_entry* e) {
  mode_t perm = archive_entry_perm(e) & 07777;
  if (options_.keep_setid_bits || archive_entry_filetype(e) == AE_IFDIR || (perm & (S_ISUID | S_ISGID)) == 0) {
    return perm;
  }
  ++result_.setid_stripped;
  return perm & ~static_cast<mode_t>(S_ISUID | S_ISGID);
}

absl::Status Unpacker::ApplyMeta(archive_entry* e, int fd, const std::string& rel) {
  if (::fchown(fd, static_cast<uid_t>(archive_entry_uid(e)), static_cast<gid_t>(archive_entry_gid(e))) != 0 &&
      (root_ || errno != EPERM)) {
    return ErrnoError(absl::StrCat("layer entry \"", rel, "\": chown"));
  }
  ApplyXattrs(e, fd, rel);
  // After chown, which clears set-id bits.
  if (::fchmod(fd, PermOf(e)) != 0) {
    return ErrnoError(absl::StrCat("layer entry \"", rel, "\": chmod"));
  }
  struct timespec times[2] = {MtimeOf(e), MtimeOf(e)};
  if (::futimens(fd, times) != 0) return ErrnoError(absl::StrCat("layer entry \"", rel, "\": utimens"));
  return absl::OkStatus();
}

// For entries that cannot be opened (symlinks, devices, fifos).
absl::Status Unpacker::ApplyMetaAt(archive_entry* e, int pfd, const std::string& base, const std::string& rel) {
  if (::fchownat(pfd, base.c_str(), static_cast<uid_t>(archive_entry_uid(e)), static_cast<gid_t>(archive_entry_gid(e)),
                 AT_SYMLINK_NOFOLLOW) != 0 &&
      (root_ || errno != EPERM)) {
    return ErrnoError(absl::StrCat("layer entry \"", rel, "\": chown"));
  }
  if (archive_entry_filetype(e) != AE_IFLNK &&
      ::fchmodat(pfd, base.c_str(), PermOf(e), 0) != 0) {
    return ErrnoError(absl::StrCat("layer entry \"", rel, "\": chmod"));
  }
  struct timespec times[2] = {MtimeOf(e), MtimeOf(e)};
  if (::utimensat(pfd, base.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) {
    return ErrnoError(absl::StrCat("layer entry \"", rel, "\": utimens"));
  }
  return absl::OkStatus();
}

absl::Status Unpacker::WriteFile(archive* a, archive_entry* e, int pfd, const std::string& base,
                                 const std::string& rel) {
  auto create = [&] {
    return UniqueFd(::openat(pfd, base.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  };
  UniqueFd fd = create();
  if (!fd && errno == EEXIST) {  // an earlier entry of the same name: replaced (one stat less per new file)
    RETURN_IF_ERROR(ClearExisting(pfd, rel, base, false));
    fd = create();
  }
  if (!fd) return ErrnoError(absl::StrCat("layer entry \"", rel, "\": create"));
  const void* block = nullptr;
  size_t size = 0;
  la_int64_t offset = 0;
  for (;;) {
    int r = archive_read_data_block(a, &block, &size, &offset);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK) {
      return absl::InvalidArgumentError(absl::StrCat("layer entry \"", rel, "\": ", archive_error_string(a)));
    }
    const char* p = static_cast<const char*>(block);
    while (size > 0) {
      ssize_t n = ::pwrite(fd.Get(), p, size, offset);
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoError(absl::StrCat("layer entry \"", rel, "\": write"));
      }
      p += n;
      size -= static_cast<size_t>(n);
      offset += n;
      result_.bytes += n;
    }
  }
  if (::ftruncate(fd.Get(), archive_entry_size(e)) != 0) {  // sparse tails
    return ErrnoError(absl::StrCat("layer entry \"", rel, "\": truncate"));
  }
  return ApplyMeta(e, fd.Get(), rel);
}

absl::Status Unpacker::HardLink(archive_entry* e, int pfd, const std::string& base, const std::string& rel) {
  const char* target_name = archive_entry_hardlink(e);
  auto target = CleanEntryPath(target_name);
  if (!target.ok()) return EntryError(rel, absl::StrCat("hardlink target: ", target.status().message()));
  if (target->empty()) return EntryError(rel, "hardlink to the layer root");
  auto [tparent, tbase] = SplitParent(*target);
  UniqueFd opened;
  int tpfd = pfd;  // usually the entry's own directory (busybox's links in bin/ to bin/busybox)
  if (tparent != parent_rel_) {
    ASSIGN_OR_RETURN(opened, OpenBeneath(root_fd_, tparent, O_RDONLY | O_DIRECTORY,
                                         absl::StrCat("layer entry \"", rel, "\" hardlink target")));
    tpfd = opened.Get();
  }
  int r = ::linkat(tpfd, tbase.c_str(), pfd, base.c_str(), 0);
  if (r != 0 && errno == EEXIST) {  // an earlier entry of the same name: replaced
    RETURN_IF_ERROR(ClearExisting(pfd, rel, base, false));
    r = ::linkat(tpfd, tbase.c_str(), pfd, base.c_str(), 0);
  }
  if (r != 0) return ErrnoError(absl::StrCat("layer entry \"", rel, "\": link to ", *target));
  return absl::OkStatus();
}

absl::Status Unpacker::Entry(archive* a, archive_entry* e) {
  const char* raw = archive_entry_pathname(e);
  if (raw == nullptr) return absl::InvalidArgumentError("layer entry without a name");
  ASSIGN_OR_RETURN(std::string rel, CleanEntryPath(raw));
  if (++result_.entries > options_.max_entries) {
    return absl::InvalidArgumentError(absl::StrCat("layer: more than ", options_.max_entries,
                                                   " entries (images.max_layer_entries); refused"));
  }
  mode_t type = archive_entry_filetype(e);
  if (rel.empty()) {  // "./": the root directory itself
    if (type != AE_IFDIR) return EntryError(".", "the root entry is not a directory");
    RETURN_IF_ERROR(ApplyMeta(e, root_fd_, "."));
    dir_times_.push_back({"", {MtimeOf(e), MtimeOf(e)}});
    return absl::OkStatus();
  }
  auto [parent, base] = SplitParent(rel);
  bool invalid = false;
  struct Whiteout w = ClassifyWhiteout(base, &invalid);
  if (invalid) return EntryError(rel, "invalid whiteout name");
  if (w.kind != WhiteoutKind::kNone) return Whiteout(parent, w, rel);
  ASSIGN_OR_RETURN(int pfd, ParentDir(parent, rel));
  // New files and hard links clear an existing name only when their create fails with EEXIST.
  if (archive_entry_hardlink(e) != nullptr) return HardLink(e, pfd, base, rel);
  if (type == AE_IFREG) return WriteFile(a, e, pfd, base, rel);
  RETURN_IF_ERROR(ClearExisting(pfd, rel, base, type == AE_IFDIR));
  switch (type) {
    case AE_IFDIR: {
      if (::mkdirat(pfd, base.c_str(), 0700) != 0 && errno != EEXIST) {
        return ErrnoError(absl::StrCat("layer entry \"", rel, "\": mkdir"));
      }
      ASSIGN_OR_RETURN(UniqueFd dfd, OpenBeneath(root_fd_, rel, O_RDONLY | O_DIRECTORY,
                                                 absl::StrCat("layer entry \"", rel, "\"")));
      dir_times_.push_back({rel, {MtimeOf(e), MtimeOf(e)}});
      return ApplyMeta(e, dfd.Get(), rel);
    }
    case AE_IFLNK: {
      const char* target = archive_entry_symlink(e);
      if (target == nullptr) return EntryError(rel, "symlink without a target");
      if (::symlinkat(target, pfd, base.c_str()) != 0) {
        return ErrnoError(absl::StrCat("layer entry \"", rel, "\": symlink"));
      }
      return ApplyMetaAt(e, pfd, base, rel);
    }
    case AE_IFCHR:
    case AE_IFBLK:
      return EntryError(rel, absl::StrCat(type == AE_IFCHR ? "character" : "block", " device node ",
                                          archive_entry_rdevmajor(e), ":", archive_entry_rdevminor(e),
                                          ": device nodes in images are refused"));
    case AE_IFIFO: {
      if (::mknodat(pfd, base.c_str(), S_IFIFO | 0600, 0) != 0) {  // its mode: ApplyMetaAt
        return ErrnoError(absl::StrCat("layer entry \"", rel, "\": mknod"));
      }
      return ApplyMetaAt(e, pfd, base, rel);
    }
    default:
      spdlog::warn("layer entry {}: skipping unsupported file type {:o}", rel, type);
      return absl::OkStatus();
  }
}

// Directory times last: creating entries inside a directory changes its mtime.
absl::Status Unpacker::FinishDirTimes() {
  for (auto it = dir_times_.rbegin(); it != dir_times_.rend(); ++it) {
    auto fd = OpenBeneath(root_fd_, it->rel, O_RDONLY | O_DIRECTORY, "layer directory");
    if (!fd.ok()) continue;  // replaced by a later entry
    ::futimens(fd->Get(), it->times);
  }
  return absl::OkStatus();
}

absl::StatusOr<ArchivePtr> OpenOuter(Compression compression) {
  ArchivePtr outer(archive_read_new());
  if (!outer) return absl::InternalError("archive_read_new failed");
  switch (compression) {
    case Compression::kGzip:  // GzipReader, not libarchive: see UnpackLayer
      return absl::InternalError("gzip layers are read by GzipReader");
    case Compression::kZstd:
      archive_read_support_filter_zstd(outer.get());
      break;
    case Compression::kNone:
      archive_read_support_filter_none(outer.get());
      break;
  }
  archive_read_support_format_raw(outer.get());
  return outer;
}

// Opens the libarchive reader's single "raw" entry: the decompressed stream.
absl::Status StartRaw(archive* outer) {
  archive_entry* raw_entry = nullptr;
  if (archive_read_next_header(outer, &raw_entry) != ARCHIVE_OK) {
    return absl::InvalidArgumentError(absl::StrCat("layer: ", archive_error_string(outer)));
  }
  return absl::OkStatus();
}

// Reads the decompressed stream from `outer` (after StartRaw) or `gzip`, whichever is given.
absl::StatusOr<UnpackResult> Unpack(archive* outer, GzipReader* gzip, const std::string& dest_dir,
                                    const UnpackOptions& options) {
  UniqueFd root(::open(dest_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root) return ErrnoError(absl::StrCat("open ", dest_dir));
  auto stream = std::make_unique<Stream>();
  stream->outer = outer;
  stream->gzip = gzip;
  stream->max_bytes = options.max_bytes;
  ArchivePtr inner(archive_read_new());
  archive_read_support_format_tar(inner.get());
  archive_read_support_filter_none(inner.get());
  if (archive_read_open(inner.get(), stream.get(), nullptr, ReadDecompressed, nullptr) != ARCHIVE_OK) {
    return absl::InvalidArgumentError(absl::StrCat("layer: not a tar archive: ", archive_error_string(inner.get())));
  }
  Unpacker unpacker(root.Get(), options);
  for (;;) {
    archive_entry* e = nullptr;
    int r = archive_read_next_header(inner.get(), &e);
    if (stream->over_limit) return TooLarge(options.max_bytes);
    if (r == ARCHIVE_EOF) break;
    if (r == ARCHIVE_WARN) {
      spdlog::warn("layer: {}", archive_error_string(inner.get()));
    } else if (r != ARCHIVE_OK) {
      return absl::InvalidArgumentError(absl::StrCat("layer: ", archive_error_string(inner.get())));
    }
    absl::Status st = unpacker.Entry(inner.get(), e);
    if (stream->over_limit) return TooLarge(options.max_bytes);
    RETURN_IF_ERROR(st);
  }
  RETURN_IF_ERROR(unpacker.FinishDirTimes());
  // The tar reader stops at the end marker; hash the rest (padding) too.
  for (;;) {
    std::string error;
    la_ssize_t n = ReadRaw(*stream, error);
    if (n < 0) return absl::InvalidArgumentError(absl::StrCat("layer: ", error));
    if (n == 0) break;
    if (!Account(*stream, n)) return TooLarge(options.max_bytes);
  }
  UnpackResult result = unpacker.result();
  result.diff_id = stream->hash.Digest();
  if (result.setid_stripped > 0) {
    spdlog::warn("layer {}: dropped set-user/group-ID bits of {} files (images.keep_setid_bits is off)",
                 result.diff_id, result.setid_stripped);
  }
  return result;
}

}  // namespace

absl::StatusOr<UnpackResult> UnpackLayer(const std::string& blob_path, Compression compression,
                                         const std::string& dest_dir, const UnpackOptions& options) {
  absl::StatusOr<UnpackResult> result;
  if (compression == Compression::kGzip) {
    UniqueFd fd(::open(blob_path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) return ErrnoError(absl::StrCat("open ", blob_path));
    GzipReader gzip(FdSource(fd.Get()));
    result = Unpack(nullptr, &gzip, dest_dir, options);
  } else {
    ASSIGN_OR_RETURN(ArchivePtr outer, OpenOuter(compression));
    if (archive_read_open_filename(outer.get(), blob_path.c_str(), 64 * 1024) != ARCHIVE_OK) {
      return absl::InvalidArgumentError(absl::StrCat("layer ", blob_path, ": ", archive_error_string(outer.get())));
    }
    absl::Status started = StartRaw(outer.get());
    result = started.ok() ? Unpack(outer.get(), nullptr, dest_dir, options) : absl::StatusOr<UnpackResult>(started);
  }
  if (!result.ok()) return Annotate(result.status(), absl::StrCat("unpack ", blob_path));
  return result;
}

absl::StatusOr<UnpackResult> UnpackLayerFromMemory(const std::string& data, Compression compression,
                                                   const std::string& dest_dir, const UnpackOptions& options) {
  if (compression == Compression::kGzip) {
    GzipReader gzip(MemorySource(data));
    return Unpack(nullptr, &gzip, dest_dir, options);
  }
  ASSIGN_OR_RETURN(ArchivePtr outer, OpenOuter(compression));
  if (archive_read_open_memory(outer.get(), data.data(), data.size()) != ARCHIVE_OK) {
    return absl::InvalidArgumentError(absl::StrCat("layer: ", archive_error_string(outer.get())));
  }
  RETURN_IF_ERROR(StartRaw(outer.get()));
  return Unpack(outer.get(), nullptr, dest_dir, options);
}

}  // namespace podagent
