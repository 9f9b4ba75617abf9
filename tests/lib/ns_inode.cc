#include "tests/lib/ns_inode.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace podagent::testing {

namespace {

// nsfs: the filesystem behind /proc/PID/ns/* (NSFS_MAGIC's device). A namespace file on any
// other filesystem is not a namespace: fail rather than compare the inode of a plain file.
bool OnNsfs(const struct stat& st, const struct stat& self_net) { return st.st_dev == self_net.st_dev; }

}  // namespace

uint64_t ReadNsInodeAt(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw std::runtime_error("stat namespace " + path + ": " + std::strerror(errno));
  }
  struct stat self_net {};
  if (::stat("/proc/self/ns/net", &self_net) != 0) {
    throw std::runtime_error(std::string("stat /proc/self/ns/net: ") + std::strerror(errno));
  }
  if (!OnNsfs(st, self_net)) throw std::runtime_error("not a namespace file (not on nsfs): " + path);
  return st.st_ino;
}

uint64_t ReadNsInode(pid_t pid, const std::string& ns) {
  if (pid <= 0) throw std::runtime_error("namespace of pid " + std::to_string(pid) + ": not a process id");
  return ReadNsInodeAt("/proc/" + std::to_string(pid) + "/ns/" + ns);
}

uint64_t HostNsInode(const std::string& ns) {
  // PID 1 may hold capabilities this process lacks (these VMs' init keeps CAP_SYS_RESOURCE, which
  // root's bounding set here does not have): the kernel's ptrace check then refuses its ns files
  // with EACCES. The test process itself runs in the host's namespaces, so it stands in for PID 1.
  struct stat st {};
  std::string init = "/proc/1/ns/" + ns;
  if (::stat(init.c_str(), &st) != 0 && errno == EACCES) return ReadNsInodeAt("/proc/self/ns/" + ns);
  return ReadNsInode(1, ns);
}

}  // namespace podagent::testing
