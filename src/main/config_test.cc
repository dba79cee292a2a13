#include "main/config.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace lambdalite::app {
namespace {

// Sets an environment variable for the life of the object.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~ScopedEnv() { ::unsetenv(name_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
};

TEST(ConfigTest, Defaults) {
  auto c = ParseServeArgs({});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->port, 9001);
  EXPECT_EQ(c->concurrency_limit, 1000);
  EXPECT_EQ(c->idle_keep_alive_seconds, 300);
  EXPECT_EQ(c->prestarted_runtimes, 1);
  EXPECT_EQ(c->blob_grace_seconds, 900);  // longer than a Code.Location URL lives (600 s)
}

TEST(ConfigTest, BlobGraceSeconds) {
  EXPECT_EQ(ParseServeArgs({"--blob-grace-seconds", "2"})->blob_grace_seconds, 2);
  {
    ScopedEnv grace("LAMBDALITE_BLOB_GRACE_SECONDS", "30");
    EXPECT_EQ(ParseServeArgs({})->blob_grace_seconds, 30);
  }
  EXPECT_EQ(ParseServeArgs({"--blob-grace-seconds", "0"}).error().message,
            "invalid value for --blob-grace-seconds: 0 (a whole number from 1 to 2592000)");
}

TEST(ConfigTest, RegionAndAccountMustBeNamesNotPaths) {
  EXPECT_TRUE(ParseServeArgs({"--region", "eu-west-1", "--account", "210987654321"}).ok());
  EXPECT_FALSE(ParseServeArgs({"--region", ".."}).ok());
  EXPECT_FALSE(ParseServeArgs({"--region", "us-east-1/x"}).ok());
  EXPECT_FALSE(ParseServeArgs({"--account", "../etc"}).ok());
  EXPECT_FALSE(ParseServeArgs({"--account", "12345"}).ok());
}

TEST(ConfigTest, AuthKeysFlagAndLoopback) {
  auto c = ParseServeArgs({"--auth-keys", "/etc/keys"});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->auth_keys_file, "/etc/keys");
  EXPECT_EQ(ParseServeArgs({})->auth_keys_file, "");
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_FALSE(IsLoopbackHost("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackHost(""));
  EXPECT_FALSE(IsLoopbackHost("192.168.1.2"));
}

TEST(ConfigTest, FlagsInBothSpellings) {
  auto c = ParseServeArgs(
      {"--concurrency-limit", "10", "--idle-keep-alive=2", "--port", "0", "--io-threads=3"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->concurrency_limit, 10);
  EXPECT_EQ(c->idle_keep_alive_seconds, 2);
  EXPECT_EQ(c->port, 0);
  EXPECT_EQ(c->io_threads, 3);
}

TEST(ConfigTest, UserNamespacesAreDeniedUnlessAllowed) {
  EXPECT_FALSE(ParseServeArgs({})->allow_user_namespaces);
  EXPECT_TRUE(ParseServeArgs({"--user-namespaces", "allow"})->allow_user_namespaces);
  EXPECT_FALSE(ParseServeArgs({"--user-namespaces=deny"})->allow_user_namespaces);
  auto bad = ParseServeArgs({"--user-namespaces", "yes"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "invalid value for --user-namespaces: yes (allow or deny)");
}

TEST(ConfigTest, EnvironmentAppliesAndTheFlagWins) {
  ScopedEnv limit("LAMBDALITE_CONCURRENCY_LIMIT", "50");
  ScopedEnv keep("LAMBDALITE_IDLE_KEEP_ALIVE", "60");
  auto c = ParseServeArgs({"--idle-keep-alive", "5"});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->concurrency_limit, 50);
  EXPECT_EQ(c->idle_keep_alive_seconds, 5);
}

TEST(ConfigTest, BadValuesAreRefusedWithTheirRange) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"--concurrency-limit", "0"},
                                             {"--concurrency-limit", "ten"},
                                             {"--idle-keep-alive", "0"},
                                             {"--idle-keep-alive", "5s"},
                                             {"--port", "70000"}}) {
    auto c = ParseServeArgs(args);
    ASSERT_FALSE(c.ok()) << args[0] << " " << args[1];
    EXPECT_NE(c.error().message.find("invalid value for " + args[0] + ": " + args[1]),
              std::string::npos)
        << c.error().message;
  }
  EXPECT_EQ(ParseServeArgs({"--concurrency-limit", "0"}).error().message,
            "invalid value for --concurrency-limit: 0 (a whole number from 1 to 1000000)");
  EXPECT_EQ(ParseServeArgs({"--idle-keep-alive"}).error().message,
            "--idle-keep-alive needs a value");
}

}  // namespace
}  // namespace lambdalite::app
