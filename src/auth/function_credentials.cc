#include "auth/function_credentials.h"

#include <cctype>

#include "common/crypto.h"

namespace lambdalite::auth {

namespace {

std::string Payload(std::string_view account, std::string_view region,
                    std::string_view function_name) {
  std::string payload = "v1\n";
  payload.append(account).append("\n").append(region).append("\n").append(function_name);
  return payload;
}

std::string Upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

FunctionCredentials::FunctionCredentials(std::string_view server_secret)
    : key_(HmacSha256(server_secret, "lambdalite function credentials")) {}

SessionCredentials FunctionCredentials::Mint(std::string_view account, std::string_view region,
                                             std::string_view function_name) const {
  const std::string payload = Payload(account, region, function_name);
  SessionCredentials out;
  out.access_key_id = "ASIA" + Upper(HexEncode(HmacSha256(key_, "id\n" + payload)).substr(0, 16));
  out.secret_access_key =
      Base64Encode(HmacSha256(key_, "secret\n" + out.access_key_id)).substr(0, 40);
  out.session_token =
      Base64Encode(payload) + "." + HexEncode(HmacSha256(key_, "token\n" + payload));
  return out;
}

std::optional<AccessKey> FunctionCredentials::Resolve(std::string_view access_key_id,
                                                      std::string_view session_token) const {
  const size_t dot = session_token.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  std::string payload;
  if (!Base64Decode(session_token.substr(0, dot), &payload)) return std::nullopt;
  const std::string mac = HexEncode(HmacSha256(key_, "token\n" + payload));
  if (!ConstantTimeEquals(mac, session_token.substr(dot + 1))) return std::nullopt;
  // payload: "v1\n" account "\n" region "\n" function
  if (payload.rfind("v1\n", 0) != 0) return std::nullopt;
  const size_t a = 3;
  const size_t b = payload.find('\n', a);
  if (b == std::string::npos) return std::nullopt;
  const size_t c = payload.find('\n', b + 1);
  if (c == std::string::npos) return std::nullopt;
  const std::string account = payload.substr(a, b - a);
  const SessionCredentials expected =
      Mint(account, std::string_view(payload).substr(b + 1, c - b - 1),
           std::string_view(payload).substr(c + 1));
  if (!ConstantTimeEquals(expected.access_key_id, access_key_id)) return std::nullopt;
  return AccessKey{expected.access_key_id, expected.secret_access_key, account};
}

}  // namespace lambdalite::auth
