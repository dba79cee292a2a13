#include "auth/function_credentials.h"

#include <gtest/gtest.h>

#include <string>

namespace lambdalite::auth {
namespace {

TEST(FunctionCredentialsTest, EachFunctionHasItsOwnAndTheyResolveToItsAccount) {
  const FunctionCredentials creds("server secret");
  const SessionCredentials a = creds.Mint("111111111111", "us-east-1", "alpha");
  const SessionCredentials b = creds.Mint("111111111111", "us-east-1", "beta");
  EXPECT_NE(a.access_key_id, b.access_key_id);
  EXPECT_NE(a.secret_access_key, b.secret_access_key);
  EXPECT_EQ(a.access_key_id.size(), 20u);
  EXPECT_EQ(a.access_key_id.rfind("ASIA", 0), 0u);
  EXPECT_EQ(a.secret_access_key.size(), 40u);
  // Deterministic: the same after a restart with the same secret.
  EXPECT_EQ(
      FunctionCredentials("server secret").Mint("111111111111", "us-east-1", "alpha").session_token,
      a.session_token);

  const auto key = creds.Resolve(a.access_key_id, a.session_token);
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(key->account, "111111111111");
  EXPECT_EQ(key->access_key_id, a.access_key_id);
  EXPECT_EQ(key->secret_access_key, a.secret_access_key);
}

TEST(FunctionCredentialsTest, ForeignOrAlteredTokensResolveToNothing) {
  const FunctionCredentials creds("server secret");
  const SessionCredentials a = creds.Mint("111111111111", "us-east-1", "alpha");
  const SessionCredentials b = creds.Mint("222222222222", "us-east-1", "alpha");
  // Another function's token with this key id, another server's token, a changed MAC.
  EXPECT_FALSE(creds.Resolve(a.access_key_id, b.session_token).has_value());
  EXPECT_FALSE(FunctionCredentials("other secret").Resolve(a.access_key_id, a.session_token));
  std::string altered = a.session_token;
  altered.back() = altered.back() == '0' ? '1' : '0';
  EXPECT_FALSE(creds.Resolve(a.access_key_id, altered).has_value());
  for (const char* junk : {"", ".", "abc", "lambdalite-fake-session-token", "bm9wZQ==.00"}) {
    EXPECT_FALSE(creds.Resolve(a.access_key_id, junk).has_value()) << junk;
  }
}

}  // namespace
}  // namespace lambdalite::auth
