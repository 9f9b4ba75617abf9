#include "runtime/container/state_dir_watch.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"

namespace podagent {
namespace {

constexpr uint32_t kEvents = IN_MOVED_TO | IN_CLOSE_WRITE | IN_ONLYDIR;

}  // namespace

absl::StatusOr<StateDirWatch> StateDirWatch::Open() {
  UniqueFd fd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!fd) return ErrnoError("inotify_init1");
  return StateDirWatch(std::move(fd));
}

absl::Status StateDirWatch::Watch(const std::string& key, const std::string& dir) {
  Unwatch(key);  // first: a second watch of the same dir gets the same wd back
  int wd = ::inotify_add_watch(fd_.Get(), dir.c_str(), kEvents);
  if (wd < 0) return ErrnoError(absl::StrCat("watch ", dir));
  wd_by_key_[key] = wd;
  key_by_wd_[wd] = key;
  return absl::OkStatus();
}

void StateDirWatch::Unwatch(const std::string& key) {
  auto it = wd_by_key_.find(key);
  if (it == wd_by_key_.end()) return;
  auto w = key_by_wd_.find(it->second);
  if (w != key_by_wd_.end() && w->second == key) {
    key_by_wd_.erase(w);
    ::inotify_rm_watch(fd_.Get(), it->second);  // EINVAL when the dir is already gone: fine
  }
  wd_by_key_.erase(it);
}

StateDirWatch::Changes StateDirWatch::Drain() {
  Changes out;
  alignas(struct inotify_event) char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd_.Get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EAGAIN: nothing more queued
    for (char* p = buf; p < buf + n;) {
      const auto* ev = reinterpret_cast<const struct inotify_event*>(p);
      p += sizeof(struct inotify_event) + ev->len;
      if (ev->mask & IN_Q_OVERFLOW) {
        out.overflow = true;
        continue;
      }
      auto w = key_by_wd_.find(ev->wd);
      if (w == key_by_wd_.end()) continue;
      out.keys.insert(w->second);
      if (ev->mask & IN_IGNORED) {  // the dir went away: the kernel dropped the watch
        wd_by_key_.erase(w->second);
        key_by_wd_.erase(w);
      }
    }
  }
  return out;
}

}  // namespace podagent
