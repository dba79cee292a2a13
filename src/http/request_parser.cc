#include "http/request_parser.h"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <charconv>

namespace lambdalite::http::internal {

namespace beast = boost::beast;

RequestParser::RequestParser(HttpRequest* out) : out_(out) {
  // Beast defaults to 1 MB; the real limit is per operation and applied after the header.
  body_limit(boost::none);
}

void RequestParser::on_request_impl(beast::http::verb /*method*/, string_view method_string,
                                    string_view target, int version, error_code& /*ec*/) {
  out_->method.assign(method_string.data(), method_string.size());
  out_->target.assign(target.data(), target.size());
  version_ = version;
}

void RequestParser::on_response_impl(int /*code*/, string_view /*reason*/, int /*version*/,
                                     error_code& ec) {
  // Unreachable for a request parser; fail rather than silently accept.
  ec = beast::http::error::bad_method;
}

void RequestParser::on_field_impl(beast::http::field name, string_view name_string,
                                  string_view value, error_code& /*ec*/) {
  if (name == beast::http::field::expect && beast::iequals(value, "100-continue")) {
    expects_continue_ = true;
  } else if (name == beast::http::field::content_length) {
    // basic_parser has already validated the value (and rejected conflicting duplicates).
    std::uint64_t length = 0;
    auto [end, parse_ec] = std::from_chars(value.data(), value.data() + value.size(), length);
    if (parse_ec == std::errc()) declared_length_ = length;
  }
  out_->headers.push_back(Header{std::string(name_string), std::string(value)});
}

void RequestParser::on_header_impl(error_code& /*ec*/) {}

void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                                      error_code& /*ec*/) {
  // The caller has checked Content-Length against the handler's limit before the body is read.
  if (content_length) out_->body.reserve(static_cast<size_t>(*content_length));
}

std::size_t RequestParser::on_body_impl(string_view body, error_code& /*ec*/) {
  out_->body.append(body.data(), body.size());
  return body.size();
}

void RequestParser::on_chunk_header_impl(std::uint64_t /*size*/, string_view /*extensions*/,
                                         error_code& /*ec*/) {}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t /*remain*/, string_view body,
                                              error_code& /*ec*/) {
  out_->body.append(body.data(), body.size());
  return body.size();
}

void RequestParser::on_finish_impl(error_code& /*ec*/) {}

}  // namespace lambdalite::http::internal
