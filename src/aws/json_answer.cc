#include "aws/json_answer.h"

#include <boost/json/parse.hpp>
#include <utility>

namespace lambdalite::aws::internal {

Result<boost::json::object> ParseJsonAnswer(std::string_view service_label,
                                            std::string_view operation, std::string_view body) {
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(body, ec);
  if (ec || !doc.is_object()) {
    return Error::Make(ErrorCode::kUnavailable, std::string(service_label) + " " +
                                                    std::string(operation) +
                                                    " returned an unreadable answer");
  }
  return std::move(doc.as_object());
}

std::string StringField(const boost::json::object& obj, std::string_view name) {
  const boost::json::value* v = obj.if_contains(name);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

double NumberField(const boost::json::object& obj, std::string_view name) {
  const boost::json::value* v = obj.if_contains(name);
  if (v == nullptr) return 0;
  if (v->is_double()) return v->get_double();
  if (v->is_int64()) return static_cast<double>(v->get_int64());
  if (v->is_uint64()) return static_cast<double>(v->get_uint64());
  return 0;
}

int64_t IntField(const boost::json::object& obj, std::string_view name) {
  const boost::json::value* v = obj.if_contains(name);
  if (v == nullptr) return 0;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  return 0;
}

}  // namespace lambdalite::aws::internal
