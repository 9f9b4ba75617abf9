// E2E: docs/tutorial.md, run as written, so the document cannot drift from the program. Its
// marked blocks are extracted and run in order against the real daemon (ContainerE2E: a CNI
// bridge network, the busybox test image, here imported as localhost/busybox:tutorial):
//   ```json file:NAME   a file: a crictl config in the CRI's JSON
//   ```sh crictl        each line is done through the CRI client with those files:
//                       VAR=$(crictl runp POD.json), VAR=$(crictl create $POD C.json POD.json),
//                       crictl start $A..., crictl rmp -f $A...; any other line fails the test
//   ```sh tutorial      run by bash (set -eu -o pipefail) with `podagent` on PATH (the daemon's
//                       config), the variables of earlier blocks, and each `# expect: TEXT`
//                       checked against its output
// The one change made to a file: a pod's log_directory moves into the test's temp dir.
#include <google/protobuf/util/json_util.h>
#include <sys/stat.h>

#include <iostream>
#include <map>
#include <regex>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "runtime/common/files.h"
#include "tests/e2e/container/container_e2e_fixture.h"
#include "tests/lib/paths.h"
#include "tests/lib/shell.h"

namespace podagent {
namespace {

namespace cri = ::runtime::v1;

struct Block {
  std::string kind;  // "file", "crictl" or "tutorial"
  std::string name;  // the file name of a "file" block
  std::string text;
  int line = 0;  // of the opening fence, for messages
};

// The marked fenced blocks of a markdown text, in order.
std::vector<Block> MarkedBlocks(const std::string& md) {
  std::vector<Block> out;
  std::vector<std::string> lines = absl::StrSplit(md, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!absl::StartsWith(lines[i], "```") || lines[i] == "```") continue;
    std::string info = lines[i].substr(3);
    Block b;
    b.line = static_cast<int>(i + 1);
    if (absl::StartsWith(info, "json file:")) {
      b.kind = "file";
      b.name = info.substr(10);
    } else if (info == "sh crictl" || info == "sh tutorial") {
      b.kind = info.substr(3);
    }
    for (++i; i < lines.size() && lines[i] != "```"; ++i) absl::StrAppend(&b.text, lines[i], "\n");
    if (!b.kind.empty()) out.push_back(std::move(b));
  }
  return out;
}

std::vector<std::string> Expects(const std::string& script) {
  std::vector<std::string> out;
  for (absl::string_view l : absl::StrSplit(script, '\n')) {
    if (absl::ConsumePrefix(&l, "# expect: ")) out.emplace_back(l);
  }
  return out;
}

class TutorialE2E : public testing::ContainerE2E {
 protected:
  TutorialE2E() : ContainerE2E("podagent-tut", 150) { extra_yaml_ = "cgroup_v1_namespace: true\n"; }

  void SetUp() override {
    ContainerE2E::SetUp();
    ASSERT_FALSE(HasFatalFailure());
    auto layout = testing::SharedBusyboxLayout();
    ASSERT_TRUE(layout.ok());
    ASSERT_TRUE(daemon_->ImportImage(*layout, "localhost/busybox:tutorial").ok());
    std::string bin = daemon_->dir().Sub("bin");
    ASSERT_TRUE(MakeDirs(bin).ok());
    ASSERT_TRUE(WriteFileAtomic(bin + "/podagent", absl::StrCat("#!/bin/sh\nexec ", testing::BinDir(), "/podagent --config ",
                                                          daemon_->config_path(), " \"$@\"\n"))
                    .ok());
    ASSERT_EQ(::chmod((bin + "/podagent").c_str(), 0755), 0);
    state_ = daemon_->dir().Sub("tutorial.env");
    ASSERT_TRUE(WriteFileAtomic(state_, absl::StrCat("export PATH='", bin, ":/usr/sbin:/usr/bin:/sbin:/bin'\n")).ok());
  }

  std::string Var(const std::string& ref) {
    std::string name(absl::StripPrefix(ref, "$"));
    EXPECT_TRUE(vars_.count(name)) << "no variable " << ref;
    return vars_[name];
  }

  void SetVar(const std::string& name, const std::string& value) {
    vars_[name] = value;
    auto st = ReadFile(state_);
    ASSERT_TRUE(st.ok());
    ASSERT_TRUE(WriteFileAtomic(state_, absl::StrCat(*st, "export ", name, "='", value, "'\n")).ok());
  }

  template <typename Message>
  Message Parse(const std::string& file) {
    Message m;
    EXPECT_TRUE(files_.count(file)) << "no json file:" << file << " block before its use";
    auto st = google::protobuf::util::JsonStringToMessage(files_[file], &m);
    EXPECT_TRUE(st.ok()) << file << ": " << st.ToString();
    return m;
  }

  cri::PodSandboxConfig PodFile(const std::string& file) {
    auto c = Parse<cri::PodSandboxConfig>(file);
    c.set_log_directory(logs_ + "/" + c.metadata().name());
    return c;
  }

  // One line of a `sh crictl` block, done through the CRI.
  void Crictl(const std::string& line) {
    std::smatch m;
    static const std::regex runp(R"(^(\w+)=\$\(crictl runp (\S+)\)$)");
    static const std::regex create(R"(^(\w+)=\$\(crictl create (\$\w+) (\S+) (\S+)\)$)");
    if (std::regex_match(line, m, runp)) {
      std::string id;
      cri::PodSandboxConfig c = PodFile(m[2]);
      grpc::Status st = client_->RunPod(c, &id);
      ASSERT_TRUE(st.ok()) << line << ": " << st.error_message();
      pod_configs_[id] = c;
      SetVar(m[1], id);
    } else if (std::regex_match(line, m, create)) {
      std::string id;
      grpc::Status st = client_->CreateContainer(Var(m[2]), Parse<cri::ContainerConfig>(m[3]), PodFile(m[4]), &id);
      ASSERT_TRUE(st.ok()) << line << ": " << st.error_message();
      SetVar(m[1], id);
    } else if (absl::StartsWith(line, "crictl start ")) {
      for (const auto& v : absl::StrSplit(line.substr(13), ' ', absl::SkipEmpty())) {
        ASSERT_TRUE(client_->StartContainer(Var(std::string(v))).ok()) << line;
      }
    } else if (absl::StartsWith(line, "crictl rmp -f ")) {
      for (const auto& v : absl::StrSplit(line.substr(14), ' ', absl::SkipEmpty())) {
        ASSERT_TRUE(client_->StopPod(Var(std::string(v))).ok()) << line;
        ASSERT_TRUE(client_->RemovePod(Var(std::string(v))).ok()) << line;
      }
    } else {
      FAIL() << "a crictl line the test does not know: " << line;
    }
  }

  // A `sh tutorial` block: exit 0, and every expected text in its output.
  void Script(const Block& b) {
    std::string path = daemon_->dir().Sub(absl::StrCat("block", b.line, ".sh"));
    ASSERT_TRUE(WriteFileAtomic(path, absl::StrCat("set -a\n. '", state_, "'\nset -eu -o pipefail\n", b.text, "export -p > '",
                                             state_, "'\n"))
                    .ok());
    auto out = testing::RunShell(absl::StrCat("bash ", path, " 2>&1"));
    ASSERT_TRUE(out.ok()) << "docs/tutorial.md:" << b.line << ":\n" << b.text << out.status();
    std::cout << "--- docs/tutorial.md:" << b.line << "\n" << b.text << *out << "\n";
    for (const auto& want : Expects(b.text)) {
      EXPECT_TRUE(absl::StrContains(*out, want)) << "docs/tutorial.md:" << b.line << ": \"" << want << "\" not in\n"
                                                 << *out;
    }
  }

  std::string state_;
  std::map<std::string, std::string> vars_, files_;
};

TEST_F(TutorialE2E, RunsAsWritten) {
  auto md = ReadFile(testing::SourceDir() + "/docs/tutorial.md");
  ASSERT_TRUE(md.ok()) << md.status();
  std::vector<Block> blocks = MarkedBlocks(*md);
  int scripts = 0;
  for (const Block& b : blocks) {
    SCOPED_TRACE(absl::StrCat("docs/tutorial.md:", b.line));
    if (b.kind == "file") files_[b.name] = b.text;
    if (b.kind == "crictl") {
      for (absl::string_view l : absl::StrSplit(b.text, '\n', absl::SkipWhitespace())) Crictl(std::string(l));
    }
    if (b.kind == "tutorial") {
      Script(b);
      ++scripts;
    }
    ASSERT_FALSE(HasFatalFailure());
  }
  EXPECT_GE(scripts, 8) << "the tutorial's runnable blocks";
}

}  // namespace
}  // namespace podagent
