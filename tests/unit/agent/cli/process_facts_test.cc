// The daemon's side of `podagent ns` / `podagent top` (agent/container/process_namespaces,
// process_list) and the CLI's reading of it (NamespacesFromJson, TopRowFromJson): the JSON both
// ends agree on, the bound on processes, and the start-time check against this process.
#include <sys/stat.h>
#include <unistd.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "agent/cli/top_table.h"
#include "agent/container/process_list.h"
#include "agent/container/process_namespaces.h"
#include "gtest/gtest.h"
#include "runtime/process/proc_stat.h"

namespace podagent {
namespace {

TEST(ProcessNamespaces, JsonBothWays) {
  NamespaceInodes in = {1, 2, std::nullopt, 4, 5, 6, 7, std::nullopt};
  nlohmann::json j = NamespacesJson(in);
  EXPECT_EQ(j, nlohmann::json({{"ipc", 1}, {"net", 2}, {"mnt", 4}, {"pid", 5}, {"cgroup", 6}, {"user", 7}}));
  EXPECT_EQ(NamespacesFromJson(j), in);
  NamespaceInodes none(8, std::nullopt);
  EXPECT_EQ(NamespacesFromJson(nlohmann::json({{"ipc", "x"}, {"net", -1}})), none) << "not inodes";
  EXPECT_EQ(NamespacesFromJson(nullptr), none);
}

// This process's inodes, against stat(2) of /proc/self/ns/* read here; a wrong start time is
// refused (the pid names another process), as is a pid that does not exist.
TEST(ProcessNamespaces, ReadsTheKernelsAndChecksTheStartTime) {
  auto self = ReadProcStat(getpid());
  ASSERT_TRUE(self.ok()) << self.status();
  auto got = ProcessNamespaces(getpid(), self->start_time);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->size(), NamespaceTypes().size());
  for (size_t i = 0; i < NamespaceTypes().size(); ++i) {
    struct stat st {};
    std::string path = "/proc/self/ns/" + NamespaceTypes()[i];
    if (::stat(path.c_str(), &st) != 0) {
      EXPECT_FALSE((*got)[i].has_value()) << path;
      continue;
    }
    EXPECT_EQ((*got)[i], static_cast<uint64_t>(st.st_ino)) << path;
  }
  auto other = ProcessNamespaces(getpid(), self->start_time + 1);
  EXPECT_EQ(other.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(other.status().message(), "another process")) << other.status();
  EXPECT_EQ(ProcessNamespaces(0, 0).status().code(), absl::StatusCode::kNotFound);
}

ProcInfo Info(pid_t host, pid_t inside, uid_t uid) { return {"sh", 'S', uid, {host, inside}, "sh -c x"}; }

TEST(ProcessList, RowsBoundedAndUnreadableLeftOut) {
  std::vector<pid_t> firsts;
  auto read = [](pid_t pid) -> absl::StatusOr<ProcInfo> {
    if (pid == 11) return absl::NotFoundError("gone");
    return Info(pid, pid - 9, pid == 12 ? 65534 : 0);
  };
  auto user = [&](pid_t first, uid_t uid) {
    firsts.push_back(first);
    return uid == 0 ? std::string("root") : absl::StrCat(uid);
  };
  bool truncated = true;
  nlohmann::json rows = ProcessesJson({10, 11, 12}, 5, read, user, truncated);
  EXPECT_FALSE(truncated);
  ASSERT_EQ(rows.size(), 2u) << rows.dump() << ": pid 11 exited between the list and the read";
  EXPECT_EQ(rows[0], nlohmann::json(
                         {{"nsPids", {10, 1}}, {"uid", 0}, {"user", "root"}, {"state", "S"}, {"command", "sh -c x"}}));
  EXPECT_EQ(rows[1]["user"], "65534");
  EXPECT_EQ(firsts, (std::vector<pid_t>{10, 10})) << "users are those of the first process's root";

  std::vector<pid_t> many(kMaxListedProcesses + 5, 10);
  rows = ProcessesJson(many, kMaxListedProcesses, read, user, truncated);
  EXPECT_TRUE(truncated);
  EXPECT_EQ(rows.size(), kMaxListedProcesses);
}

TEST(TopRowFromJson, TheDaemonsRowAndMalformedOnes) {
  auto r = TopRowFromJson(ProcessJson(Info(4242, 7, 1000), "app"), "c", "cid");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->host_pid, 4242);
  EXPECT_EQ(r->pid, 7);
  EXPECT_EQ(r->ns_pids, (std::vector<pid_t>{4242, 7}));
  EXPECT_EQ(r->uid, 1000u);
  EXPECT_EQ(r->user, "app");
  EXPECT_EQ(r->state, 'S');
  EXPECT_EQ(r->command, "sh -c x");
  EXPECT_EQ(r->container, "c");
  EXPECT_FALSE(TopRowFromJson({{"nsPids", nlohmann::json::array()}}, "c", "").has_value());
  EXPECT_FALSE(TopRowFromJson({{"nsPids", {"x"}}}, "c", "").has_value());
  EXPECT_FALSE(TopRowFromJson("nope", "c", "").has_value());
}

}  // namespace
}  // namespace podagent
