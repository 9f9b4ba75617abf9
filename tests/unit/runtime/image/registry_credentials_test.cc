// Where registry credentials may go: https anywhere, plain http only to a loopback address
// (parsed, not guessed from the name's first characters).
#include <gtest/gtest.h>

#include "runtime/image/registry_client.h"

namespace podagent {
namespace {

TEST(RegistryCredentials, LoopbackIsAParsedAddress) {
  for (const char* yes : {"127.0.0.1", "127.0.0.1:5000", "127.255.0.9:80", "[::1]:5000", "::1", "localhost:5000",
                          "LOCALHOST"}) {
    EXPECT_TRUE(IsLoopbackHost(yes)) << yes;
  }
  for (const char* no : {"127.evil.example", "127.0.0.1.nip.io:5000", "127.0.0.1x", "10.0.0.1:5000", "[::2]:5000",
                         "::ffff:10.0.0.1", "localhost.example", "128.0.0.1", ""}) {
    EXPECT_FALSE(IsLoopbackHost(no)) << no;
  }
}

TEST(RegistryCredentials, OnlyHttpsOrLoopback) {
  EXPECT_TRUE(MaySendCredentials("https://registry.example/token?service=x"));
  EXPECT_TRUE(MaySendCredentials("HTTPS://auth.example"));
  EXPECT_TRUE(MaySendCredentials("http://127.0.0.1:5000/token"));
  EXPECT_TRUE(MaySendCredentials("http://[::1]:5000/v2/"));
  EXPECT_FALSE(MaySendCredentials("http://auth.example/token"));
  EXPECT_FALSE(MaySendCredentials("http://127.evil.example/token"));
  EXPECT_FALSE(MaySendCredentials("http://127.0.0.1@evil.example/token"));
  EXPECT_FALSE(MaySendCredentials("http://evil.example/?x=127.0.0.1"));
  EXPECT_FALSE(MaySendCredentials("ftp://127.0.0.1/"));
  EXPECT_FALSE(MaySendCredentials(""));
}

}  // namespace
}  // namespace podagent
