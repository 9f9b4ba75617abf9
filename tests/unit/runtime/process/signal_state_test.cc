// /proc/PID/status signal masks: what the kernel does with a stop signal sent to a container's
// PID 1, checked against this test process' own status as the kernel reports it.
#include "runtime/process/signal_state.h"

#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace podagent {
namespace {

constexpr char kInitNoHandler[] =
    "Name:\tsh\nNSpid:\t4242\t1\nSigQ:\t0/95000\nSigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\n"
    "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000004\nSigCgt:\t0000000000010002\n";
constexpr char kInitTrapsTerm[] =
    "Name:\tsh\nNSpid:\t4242\t1\nSigIgn:\t0000000000000000\nSigCgt:\t0000000000004000\n";
constexpr char kNotInit[] = "Name:\tsleep\nNSpid:\t4243\t7\nSigIgn:\t0000000000000000\nSigCgt:\t0000000000000000\n";

TEST(SignalStateTest, InitWithoutAHandlerDiscardsTerm) {
  auto s = ParseSignalState(kInitNoHandler);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->namespace_init);
  EXPECT_TRUE(DiscardsSignal(*s, SIGTERM));
  EXPECT_FALSE(DiscardsSignal(*s, SIGINT)) << "SIGINT (bit 1) is caught";
  EXPECT_FALSE(DiscardsSignal(*s, SIGQUIT)) << "SIGQUIT (bit 2) is ignored on purpose";
  EXPECT_FALSE(DiscardsSignal(*s, SIGKILL));
}

TEST(SignalStateTest, InitWithATrapGetsIt) {
  auto s = ParseSignalState(kInitTrapsTerm);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_FALSE(DiscardsSignal(*s, SIGTERM));
}

TEST(SignalStateTest, AnOrdinaryProcessDiesOfTheDefaultAction) {
  auto s = ParseSignalState(kNotInit);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_FALSE(s->namespace_init);
  EXPECT_FALSE(DiscardsSignal(*s, SIGTERM));
}

TEST(SignalStateTest, MissingLinesAreAnError) {
  EXPECT_FALSE(ParseSignalState("Name:\tx\nSigCgt:\t0\n").ok());
}

TEST(SignalStateTest, OwnStatusShowsAHandlerOnceInstalled) {
  struct sigaction old {};
  struct sigaction act {};
  act.sa_handler = [](int) {};
  ASSERT_EQ(::sigaction(SIGUSR2, nullptr, &old), 0);
  auto before = ReadSignalState(::getpid());
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_EQ(::sigaction(SIGUSR2, &act, nullptr), 0);
  auto after = ReadSignalState(::getpid());
  ::sigaction(SIGUSR2, &old, nullptr);
  ASSERT_TRUE(after.ok()) << after.status();
  uint64_t bit = uint64_t{1} << (SIGUSR2 - 1);
  EXPECT_FALSE(before->caught & bit);
  EXPECT_TRUE(after->caught & bit);
}

}  // namespace
}  // namespace podagent
