#pragma once

// Temporary credentials for execution environments: what a function finds in AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, as AWS hands a function its role's session
// credentials. Each function gets its own (per account, region and function name), and with
// --auth-keys they are accepted by the SigV4 verifier as a caller of the function's account:
// a function calling lambdalite back through its network is authenticated like any client, and
// never as another account.
//
// Stateless: everything is derived from the server's secret with HMAC-SHA256, so nothing is
// stored, they survive a restart (same data directory, same secret), and a token cannot be
// forged or moved to another account without the secret:
//   token   = base64(payload) "." hex(HMAC(k, "token\n" payload)),  payload = "v1\n" account
//             "\n" region "\n" function
//   key id  = "ASIA" + 16 upper-case hex digits of HMAC(k, "id\n" payload)
//   secret  = 40 characters of base64(HMAC(k, "secret\n" key id))
// where k is HMAC(server secret, "lambdalite function credentials").

#include <optional>
#include <string>
#include <string_view>

#include "auth/sigv4_verifier.h"

namespace lambdalite::auth {

struct SessionCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
};

class FunctionCredentials {
 public:
  explicit FunctionCredentials(std::string_view server_secret);

  // The credentials of one function. Deterministic.
  SessionCredentials Mint(std::string_view account, std::string_view region,
                          std::string_view function_name) const;

  // The key a request signed with (access key id, X-Amz-Security-Token) stands for: the
  // function's account, and the secret to check its signature with. nullopt for anything Mint
  // did not produce (a foreign or altered token, a key id that is not the token's).
  std::optional<AccessKey> Resolve(std::string_view access_key_id,
                                   std::string_view session_token) const;

 private:
  std::string key_;
};

}  // namespace lambdalite::auth
