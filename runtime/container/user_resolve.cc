#include "runtime/container/user_resolve.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runtime/common/errors.h"

namespace podagent {
namespace {

struct PasswdEntry {
  std::string name;
  uint32_t uid = 0, gid = 0;
  std::string home;
};

struct GroupEntry {
  std::string name;
  uint32_t gid = 0;
  std::vector<std::string> members;
};

std::vector<PasswdEntry> ParsePasswd(const std::string& text) {
  std::vector<PasswdEntry> out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    std::vector<std::string> f = absl::StrSplit(line, ':');
    PasswdEntry e;
    if (f.size() < 6 || !absl::SimpleAtoi(f[2], &e.uid) || !absl::SimpleAtoi(f[3], &e.gid)) continue;
    e.name = f[0];
    e.home = f[5];
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<GroupEntry> ParseGroup(const std::string& text) {
  std::vector<GroupEntry> out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    std::vector<std::string> f = absl::StrSplit(line, ':');
    GroupEntry e;
    if (f.size() < 4 || !absl::SimpleAtoi(f[2], &e.gid)) continue;
    e.name = f[0];
    e.members = absl::StrSplit(f[3], ',', absl::SkipEmpty());
    out.push_back(std::move(e));
  }
  return out;
}

absl::StatusOr<uint32_t> ParseId(int64_t v, const char* what) {
  if (v < 0 || v > 0xFFFFFFFEll) return absl::InvalidArgumentError(absl::StrCat(what, " ", v, " out of range"));
  return static_cast<uint32_t>(v);
}

// "name" or "uid" against passwd.
absl::StatusOr<ResolvedUser> ResolveUserPart(const std::string& spec, const std::vector<PasswdEntry>& pw) {
  ResolvedUser u;
  uint32_t uid = 0;
  bool numeric = absl::SimpleAtoi(spec, &uid);
  auto it = std::find_if(pw.begin(), pw.end(), [&](const PasswdEntry& e) {
    return numeric ? e.uid == uid : e.name == spec;
  });
  if (it == pw.end()) {
    if (!numeric) return absl::InvalidArgumentError(absl::StrCat("user ", spec, " not found in the image's /etc/passwd"));
    u.uid = uid;
    return u;
  }
  u.uid = it->uid;
  u.gid = it->gid;
  u.home = it->home.empty() ? "/" : it->home;
  return u;
}

absl::StatusOr<gid_t> ResolveGroupPart(const std::string& spec, const std::vector<GroupEntry>& gr) {
  uint32_t gid = 0;
  if (absl::SimpleAtoi(spec, &gid)) return gid;
  auto it = std::find_if(gr.begin(), gr.end(), [&](const GroupEntry& e) { return e.name == spec; });
  if (it == gr.end()) return absl::InvalidArgumentError(absl::StrCat("group ", spec, " not found in the image's /etc/group"));
  return it->gid;
}

std::string NameOf(uid_t uid, const std::vector<PasswdEntry>& pw) {
  auto it = std::find_if(pw.begin(), pw.end(), [&](const PasswdEntry& e) { return e.uid == uid; });
  return it == pw.end() ? "" : it->name;
}

}  // namespace

absl::StatusOr<ResolvedUser> ResolveUser(const UserRequest& req, const std::string& passwd, const std::string& group) {
  auto pw = ParsePasswd(passwd);
  auto gr = ParseGroup(group);
  std::string user_part = req.image_user, group_part;
  if (auto colon = user_part.find(':'); colon != std::string::npos) {
    group_part = user_part.substr(colon + 1);
    user_part.resize(colon);
  }
  if (req.run_as_user) {
    ASSIGN_OR_RETURN(uint32_t uid, ParseId(*req.run_as_user, "run_as_user"));
    user_part = std::to_string(uid);
  } else if (!req.run_as_username.empty()) {
    user_part = req.run_as_username;
  }
  if (user_part.empty()) user_part.assign(1, '0');
  ASSIGN_OR_RETURN(ResolvedUser u, ResolveUserPart(user_part, pw));
  if (req.run_as_group) {
    ASSIGN_OR_RETURN(u.gid, ParseId(*req.run_as_group, "run_as_group"));
  } else if (!group_part.empty()) {
    ASSIGN_OR_RETURN(u.gid, ResolveGroupPart(group_part, gr));
  }
  auto add = [&u](gid_t gid) {
    if (std::find(u.additional_gids.begin(), u.additional_gids.end(), gid) == u.additional_gids.end()) {
      u.additional_gids.push_back(gid);
    }
  };
  add(u.gid);
  std::string name = NameOf(u.uid, pw);
  for (const auto& g : gr) {
    bool member = !name.empty() && std::find(g.members.begin(), g.members.end(), name) != g.members.end();
    if (member && !req.strict_groups) add(g.gid);
  }
  for (int64_t g : req.supplemental_groups) {
    ASSIGN_OR_RETURN(uint32_t gid, ParseId(g, "supplemental group"));
    add(gid);
  }
  return u;
}

}  // namespace podagent
