#include "runtime/common/tree_reaper.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"
#include "runtime/common/files.h"
#include "runtime/common/ids.h"
#include "runtime/common/unique_fd.h"

namespace podagent {

TreeReaper::TreeReaper(std::string dir) : dir_(std::move(dir)) {}

TreeReaper::~TreeReaper() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

absl::Status TreeReaper::Start() {
  RETURN_IF_ERROR(MakeDirs(dir_, 0700));
  absl::MutexLock lock(&mu_);
  if (started_) return absl::OkStatus();
  started_ = true;
  ++wakes_;  // the first pass deletes what an earlier run left
  thread_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

absl::Status TreeReaper::Discard(const std::string& path) {
  {
    absl::MutexLock lock(&mu_);
    if (started_ && !stopping_) {
      std::string base = path.substr(path.find_last_of('/') + 1);
      std::string to = absl::StrCat(dir_, "/", base, ".", NewId().substr(0, 16));
      if (::rename(path.c_str(), to.c_str()) == 0) {
        ++wakes_;
        return absl::OkStatus();
      }
      if (errno == ENOENT) return absl::OkStatus();
      if (errno != EXDEV) return ErrnoError(absl::StrCat("move ", path, " to ", dir_));
    }
  }
  return RemoveTree(path);
}

bool TreeReaper::WaitEmpty(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto done = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return reaped_ == wakes_ && last_pass_clean_; };
  return mu_.AwaitWithTimeout(absl::Condition(&done), timeout);
}

void TreeReaper::Run() {
  for (;;) {
    uint64_t pass;
    {
      absl::MutexLock lock(&mu_);
      auto work = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_ || reaped_ != wakes_; };
      mu_.Await(absl::Condition(&work));
      if (stopping_) return;
      pass = wakes_;
    }
    bool clean = ReapOnce();
    absl::MutexLock lock(&mu_);
    reaped_ = pass;
    last_pass_clean_ = clean;
    // A failed entry is retried at the next Discard, not in a busy loop.
  }
}

bool TreeReaper::ReapOnce() {
  UniqueFd dir_fd(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir_fd) {
    spdlog::warn("reaper {}: cannot open: {}", dir_, std::strerror(errno));
    return false;
  }
  auto names = ListDir(dir_);
  if (!names.ok()) {
    spdlog::warn("reaper {}: {}", dir_, names.status().message());
    return false;
  }
  bool clean = true;
  for (const std::string& n : *names) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return false;
    }
    absl::Status st = RemoveTreeAt(dir_fd.Get(), n, absl::StrCat(dir_, "/", n));
    if (!st.ok()) {
      spdlog::warn("reaper {}: {}", dir_, st.message());
      clean = false;
    }
  }
  return clean;
}

}  // namespace podagent
