// Replays the WebSocket seed corpus (ws_corpus/, made by gen_ws_corpus.py) through the fuzz entry
// as an ordinary test: every seed whole, and cut at every 5th byte (a client that stops anywhere),
// so CI runs each seed on every build. A cut session mostly waits for the server's idle timeout
// (1 s), so the ~250 replays run on kReplayThreads threads: one after another they took 71 s.
// A few seeds also check that the seam really served a session, against what the channel
// protocol says the client gets back.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/streaming/ws_fuzz.h"

namespace podagent {
namespace {

std::string CorpusDir() { return absl::StrCat(PODAGENT_TEST_SOURCE_DIR, "/tests/fuzz/streaming/ws_corpus"); }

std::string ReadSeed(const std::string& name) {
  std::ifstream in(CorpusDir() + "/" + name, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// `quiet`: as the fuzzer (20 ms) for the replay; longer where a check needs the whole answer of
// a command on a busy machine.
WsFuzzResult Replay(const std::string& data, std::chrono::milliseconds quiet = std::chrono::milliseconds(20)) {
  return FuzzWsSession(reinterpret_cast<const uint8_t*>(data.data()), data.size(), quiet);
}

constexpr int kReplayThreads = 16;

struct Cut {
  std::string name;  // the seed's file name
  std::string data;  // its first bytes, or all of it
};

// Each cut of `cuts` replayed once, on kReplayThreads threads; a violated invariant aborts
// naming the seed and the cut's length.
void ReplayAll(const std::vector<Cut>& cuts) {
  std::atomic<size_t> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kReplayThreads; ++t) {
    threads.emplace_back([&] {
      for (size_t i = next++; i < cuts.size(); i = next++) {
        fuzz_context = absl::StrCat(cuts[i].name, " cut at ", cuts[i].data.size(), " bytes");
        Replay(cuts[i].data);
      }
      fuzz_context.clear();
    });
  }
  for (std::thread& t : threads) t.join();
}

TEST(WsCorpus, EverySeedAndCutRuns) {
  size_t seeds = 0;
  std::vector<Cut> cuts;
  for (const auto& entry : std::filesystem::directory_iterator(CorpusDir())) {
    std::string name = entry.path().filename().string();
    std::string data = ReadSeed(name);
    ASSERT_FALSE(data.empty()) << entry.path();
    for (size_t len = 0; len < data.size(); len += 5) cuts.push_back({name, data.substr(0, len)});
    cuts.push_back({name, data});
    ++seeds;
  }
  ASSERT_GE(seeds, 15u) << "seed corpus missing";
  ReplayAll(cuts);
}

// cat echoes stdin on channel 1 (a binary frame from the server: 0x82, length, then the channel
// byte), and the v5 close of stdin ends cat, so the session ends with a v4+ Status.
TEST(WsCorpus, ExecSeedIsServedThroughTheSeam) {
  WsFuzzResult r = Replay(ReadSeed("exec-v5-echo"), std::chrono::seconds(3));
  ASSERT_TRUE(r.upgraded) << r.received.substr(0, 200);
  EXPECT_NE(r.received.find("Sec-WebSocket-Protocol: v5.channel.k8s.io"), std::string::npos);
  EXPECT_NE(r.received.find(std::string("\x01hello from stdin\n")), std::string::npos) << "no echo on stdout";
  EXPECT_NE(r.received.find("\"status\":\"Success\""), std::string::npos) << "no Status on the error channel";
}

TEST(WsCorpus, RefusedRequestsGetA400) {
  for (const char* name : {"pf-bad-port", "pf-no-query", "exec-unknown-protocol"}) {
    WsFuzzResult r = Replay(ReadSeed(name));
    EXPECT_FALSE(r.upgraded) << name;
    EXPECT_EQ(r.received.rfind("HTTP/1.1 400 Bad Request", 0), 0u) << name << ": " << r.received.substr(0, 100);
  }
}

TEST(WsCorpus, PortForwardSeedOpensEachPortsChannels) {
  WsFuzzResult r = Replay(ReadSeed("pf-two-ports"), std::chrono::seconds(1));
  ASSERT_TRUE(r.upgraded);
  // Channels 0..3, each first message the port as 2 bytes little-endian: 80 = 0x50 0x00, 8080 = 0x90 0x1f.
  for (std::string m : {std::string("\x00\x50\x00", 3), std::string("\x01\x50\x00", 3), std::string("\x02\x90\x1f", 3),
                        std::string("\x03\x90\x1f", 3)}) {
    EXPECT_NE(r.received.find(std::string("\x82\x03", 2) + m), std::string::npos);
  }
}

}  // namespace
}  // namespace podagent
