#pragma once
// TestDaemon: the real podagent binary on a private socket, root dir and run dir, for e2e tests.
//   TestDaemon d;                       // temp dirs, no CNI config, metrics off
//   d.Start("cni:\n  conf_dir: ...\n");  // extra YAML appended to the generated config
//   CriClient c(d.socket());
//   d.Kill9(); d.Start();               // crash and restart over the same state
// The destructor stops the daemon with SIGTERM (SIGKILL after 10 s) and removes the dirs. It does
// not remove pods: tests clean up what they created, through the CRI.

#include <sys/types.h>

#include <string>

#include "absl/status/status.h"
#include "tests/lib/paths.h"
#include "tests/lib/temp_dir.h"

namespace podagent::testing {

class TestDaemon {
 public:
  TestDaemon();
  ~TestDaemon();

  // Writes the config (dirs under a temp dir, plus `extra_yaml`), starts podagent, waits until
  // Version answers on the socket (at most 20 s). Keeps `extra_yaml` for later restarts when empty.
  absl::Status Start(const std::string& extra_yaml = "");
  // SIGTERM, wait; returns the exit status as waitpid reports it, or -1.
  int Stop();
  // SIGKILL, reap: a crash.
  void Kill9();
  // `podagent image import LAYOUT REF` against this daemon's config (the daemon may be running).
  absl::Status ImportImage(const std::string& layout, const std::string& ref) const;
  bool Running() const { return pid_ > 0; }

  pid_t pid() const { return pid_; }
  const std::string& socket() const { return socket_; }
  const std::string& root_dir() const { return root_dir_; }
  const std::string& run_dir() const { return run_dir_; }
  const std::string& config_path() const { return config_path_; }
  const std::string& log_path() const { return log_path_; }
  const TempDir& dir() const { return dir_; }
  // The daemon's stderr so far.
  std::string Log() const;

 private:
  TempDir dir_;
  std::string socket_, root_dir_, run_dir_, config_path_, log_path_, extra_yaml_;
  pid_t pid_ = -1;
};

}  // namespace podagent::testing
