#include "storage/recursion_codec.h"

#include <boost/json.hpp>

namespace lambdalite::storage {
namespace json = boost::json;

std::string EncodeRecursionConfig(domain::RecursiveLoop loop) {
  const std::string_view name = domain::RecursiveLoopName(loop);
  return json::serialize(json::object{{"recursive_loop", json::string(name.data(), name.size())}});
}

Result<domain::RecursiveLoop> DecodeRecursionConfig(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec || !v.is_object()) {
    return Error::Make(ErrorCode::kInternal, "stored recursion config is corrupt: not an object");
  }
  const json::value* loop = v.get_object().if_contains("recursive_loop");
  if (!loop || loop->is_null()) return domain::kDefaultRecursiveLoop;  // missing: the default
  if (!loop->is_string() || (loop->get_string() != "Allow" && loop->get_string() != "Terminate")) {
    return Error::Make(ErrorCode::kInternal,
                       "stored recursion config is corrupt: bad value at 'recursive_loop'");
  }
  return domain::ParseRecursiveLoop(std::string_view(loop->get_string()));
}

}  // namespace lambdalite::storage
