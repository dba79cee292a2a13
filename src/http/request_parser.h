#pragma once

#include <boost/beast/http/basic_parser.hpp>
#include <cstdint>
#include <optional>

#include "http/handler.h"

namespace lambdalite::http::internal {

// Parses one HTTP/1.x request straight into an HttpRequest, so the header fields are stored once
// (in the handler's form) rather than first in Beast's field container. One instance per request;
// `out` must be cleared by the caller and outlive the parser.
//
// The body limit starts unlimited: the caller asks the handler for its limit once the header is
// in, compares Content-Length itself, and sets body_limit() for the body read (which is what
// bounds a chunked body).
class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  explicit RequestParser(HttpRequest* out);

  // Valid once the header is done: 10 or 11.
  int version() const { return version_; }
  // Valid once the header is done: the client sent "Expect: 100-continue".
  bool expects_continue() const { return expects_continue_; }
  // Valid once the header is done: the Content-Length, if the request has one. (Kept here rather
  // than read back through basic_parser::content_length(), whose boost::optional copy trips
  // GCC's -Wmaybe-uninitialized in sanitizer builds.)
  std::optional<std::uint64_t> declared_length() const { return declared_length_; }

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;

  void on_request_impl(boost::beast::http::verb method, string_view method_string,
                       string_view target, int version, error_code& ec) override;
  void on_response_impl(int code, string_view reason, int version, error_code& ec) override;
  void on_field_impl(boost::beast::http::field name, string_view name_string, string_view value,
                     error_code& ec) override;
  void on_header_impl(error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         error_code& ec) override;
  std::size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t size, string_view extensions, error_code& ec) override;
  std::size_t on_chunk_body_impl(std::uint64_t remain, string_view body, error_code& ec) override;
  void on_finish_impl(error_code& ec) override;

  HttpRequest* out_;
  int version_ = 11;
  bool expects_continue_ = false;
  std::optional<std::uint64_t> declared_length_;
};

}  // namespace lambdalite::http::internal
