#pragma once
// The check both diagnostics e2e suites make of `podagent ns --json`: every cell against the
// kernel's /proc/PID/ns read by the test (as root). Containers share the pause's ipc and net
// (marked shared), each process has its own pid, mnt and uts (not shared), none of these is the
// host's, and each row's host inode is PID 1's.
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "gtest/gtest.h"
#include "tests/lib/ns_inode.h"

namespace podagent::testing {

// `pids`: column name -> pid ("pause" and one per container); `pause`: the pause's pid.
inline void ExpectNsJsonIsTheKernels(const nlohmann::json& j, std::map<std::string, int> pids, int pause) {
  ASSERT_TRUE(j.is_object()) << j.dump();
  ASSERT_EQ(j["columns"].size(), pids.size()) << j.dump();
  EXPECT_EQ(j["columns"][0]["name"], "pause");
  for (const auto& col : j["columns"]) {
    ASSERT_TRUE(pids.count(col["name"].get<std::string>())) << col;
    EXPECT_EQ(col["pid"], pids[col["name"].get<std::string>()]) << col;
  }
  std::map<std::string, const nlohmann::json*> rows;
  for (const auto& row : j["rows"]) rows[row["ns"].get<std::string>()] = &row;
  for (const char* ns : {"ipc", "net", "uts", "mnt", "pid", "cgroup", "user", "time"}) {
    ASSERT_TRUE(rows.count(ns)) << ns;
    EXPECT_EQ((*rows[ns])["hostInode"], HostNsInode(ns)) << ns;
    ASSERT_EQ((*rows[ns])["cells"].size(), pids.size()) << ns;
    for (const auto& cell : (*rows[ns])["cells"]) {
      uint64_t kernel = ReadNsInode(pids[cell["column"].get<std::string>()], ns);
      EXPECT_EQ(cell["inode"], kernel) << ns << " " << cell;
      EXPECT_EQ(cell["host"], kernel == HostNsInode(ns)) << ns << " " << cell;
    }
  }
  for (const char* ns : {"ipc", "net"}) {
    for (const auto& cell : (*rows[ns])["cells"]) {
      EXPECT_EQ(cell["inode"], ReadNsInode(pause, ns)) << ns << ": joined from the pause";
      EXPECT_EQ(cell["shared"], true) << ns << " " << cell;
      EXPECT_EQ(cell["host"], false) << ns << " " << cell;
    }
  }
  for (const char* ns : {"pid", "mnt", "uts"}) {
    std::set<uint64_t> distinct;
    for (const auto& cell : (*rows[ns])["cells"]) {
      distinct.insert(ReadNsInode(pids[cell["column"].get<std::string>()], ns));
      EXPECT_EQ(cell["shared"], false) << ns << ": each process's own " << cell;
      EXPECT_EQ(cell["host"], false) << ns << " " << cell;
    }
    EXPECT_EQ(distinct.size(), pids.size()) << ns;
  }
}

}  // namespace podagent::testing
