#include "runtime/common/files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <random>

#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"
#include "runtime/common/unique_fd.h"

namespace podagent {
namespace {

absl::Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(absl::StrCat("write ", path));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

std::string DirName(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string TempSuffix() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return absl::StrCat(".tmp-", ::getpid(), "-", rng() % 1000000007);
}

}  // namespace

absl::Status WriteFileAtomic(const std::string& path, std::string_view content, mode_t mode) {
  std::string tmp = path + TempSuffix();
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (!fd) return ErrnoError(absl::StrCat("create ", tmp));
  absl::Status st = WriteAll(fd.Get(), content, tmp);
  if (st.ok() && ::fsync(fd.Get()) != 0) st = ErrnoError(absl::StrCat("fsync ", tmp));
  fd.Reset();
  if (st.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    st = ErrnoError(absl::StrCat("rename ", tmp, " to ", path));
  }
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  std::string dir = DirName(path);
  UniqueFd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dfd) return ErrnoError(absl::StrCat("open ", dir));
  if (::fsync(dfd.Get()) != 0) return ErrnoError(absl::StrCat("fsync ", dir));
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return ErrnoError(absl::StrCat("open ", path));
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd.Get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(absl::StrCat("read ", path));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

absl::Status WriteFile(const std::string& path, std::string_view content) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
  if (!fd) return ErrnoError(absl::StrCat("open ", path));
  return WriteAll(fd.Get(), content, path);
}

absl::Status MakeDirs(const std::string& path, mode_t mode) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return ErrnoError(ec.value(), absl::StrCat("mkdir ", path));
  if (mode != 0755) ::chmod(path.c_str(), mode);
  return absl::OkStatus();
}

absl::Status RemoveTree(const std::string& path) {
  struct stat root;
  if (::lstat(path.c_str(), &root) != 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return ErrnoError(absl::StrCat("stat ", path));
  }
  if (!S_ISDIR(root.st_mode)) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoError(absl::StrCat("unlink ", path));
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(path));
  for (const std::string& name : names) {
    std::string child = absl::StrCat(path, "/", name);
    struct stat st;
    if (::lstat(child.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      if (st.st_dev != root.st_dev) {
        return absl::FailedPreconditionError(absl::StrCat("remove ", child, ": a mount point, not crossing it"));
      }
      RETURN_IF_ERROR(RemoveTree(child));
    } else if (::unlink(child.c_str()) != 0 && errno != ENOENT) {
      return ErrnoError(absl::StrCat("unlink ", child));
    }
  }
  if (::rmdir(path.c_str()) != 0 && errno != ENOENT) return ErrnoError(absl::StrCat("rmdir ", path));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> ListDir(const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return ErrnoError(absl::StrCat("opendir ", path));
  std::vector<std::string> names;
  while (struct dirent* ent = ::readdir(dir)) {
    std::string_view name = ent->d_name;
    if (name == "." || name == "..") continue;
    names.emplace_back(name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

bool PathExists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace podagent
