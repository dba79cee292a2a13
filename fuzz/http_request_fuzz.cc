// Fuzzes the server's request path without sockets: raw bytes go through the same steps a
// connection takes (http/connection.cc): lambdalite's RequestParser (Beast's basic_parser) for the
// header, the handler's BodyLimit against Content-Length, the body read with that limit, then
// LambdaApi::Handle, which routes, decodes and validates against the model, derives the scope from
// the Authorization header and renders the answer. Every operation is registered with a handler
// that echoes its decoded input, so the rendering of any decoded value is exercised as well.
//
// Input: one HTTP/1.1 request as it arrives on the wire (see fuzz/corpus/http_request/).

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "api/lambda_api.h"
#include "api/model.h"
#include "http/request_parser.h"

namespace {

using lambdalite::api::ApiOptions;
using lambdalite::api::LambdaApi;
using lambdalite::api::Reply;
using lambdalite::api::RequestContext;
namespace beast_http = boost::beast::http;

LambdaApi* MakeApi() {
  auto* api = new LambdaApi(ApiOptions{});
  for (const auto& op : lambdalite::api::Operations()) {
    api->Register(op.name, [](const RequestContext& ctx, const boost::json::object& input) {
      Reply reply;
      reply.json = input;
      reply.json->emplace("account", ctx.scope.account);
      reply.json->emplace("region", ctx.scope.region);
      return lambdalite::Result<Reply>(std::move(reply));
    });
  }
  return api;
}

// Feeds `in` to the parser until the header (or the whole message) is done, as Beast's
// read_header / read_some do with a stream that ends where the input ends.
void Feed(lambdalite::http::internal::RequestParser& parser, std::string_view& in, bool header_only,
          boost::beast::error_code& ec) {
  while (!(header_only ? parser.is_header_done() : parser.is_done())) {
    if (in.empty()) {
      if (parser.got_some()) {
        parser.put_eof(ec);
      } else {
        ec = beast_http::error::end_of_stream;
      }
      return;
    }
    const size_t used = parser.put(boost::asio::buffer(in.data(), in.size()), ec);
    in.remove_prefix(used);
    if (ec == beast_http::error::need_more) {
      ec = {};
      if (used == 0) {  // needs bytes the input does not have: the peer closed
        in = {};
      }
      continue;
    }
    if (ec) return;
  }
}

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "http_request_fuzz: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static LambdaApi* api = MakeApi();
  std::string_view in(reinterpret_cast<const char*>(data), size);

  lambdalite::http::HttpRequest request;
  lambdalite::http::internal::RequestParser parser(&request);
  parser.header_limit(64 * 1024);  // ServerOptions' default
  boost::beast::error_code ec;
  Feed(parser, in, /*header_only=*/true, ec);
  if (ec) return 0;  // the connection answers 400/431 or closes

  const size_t limit = api->BodyLimit(request.method, request.target);
  if (auto length = parser.declared_length(); length && *length > limit) {
    const auto response = api->OnBodyTooLarge(request.method, request.target);
    Check(response.status == 413, "OnBodyTooLarge did not answer 413");
    return 0;
  }
  if (!parser.is_done()) {
    parser.body_limit(static_cast<std::uint64_t>(limit));
    parser.eager(true);
    Feed(parser, in, /*header_only=*/false, ec);
    if (ec) return 0;
  }
  Check(parser.is_done(), "parser stopped before the message was complete");
  Check(request.body.size() <= limit, "body longer than the limit");

  const lambdalite::http::HttpResponse response = api->Handle(request);
  Check(response.status >= 200 && response.status <= 599, "status out of range");
  bool has_request_id = false;
  for (const auto& h : response.headers) has_request_id |= h.name == "x-amzn-RequestId";
  Check(has_request_id, "answer without x-amzn-RequestId");
  return 0;
}
