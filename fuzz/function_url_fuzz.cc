// Fuzzes the function URL data plane (api/function_url_frontend.h, api/function_url_http.h) on
// both of its untrusted inputs: the HTTP request a client sends (routing by Host or
// /_lambdalite/url/, the payload 2.0 event) and what a function answers (the buffered result
// mapping, the streamed HTTP integration prelude and its splitter).
//
// Checks beyond "no crash, no sanitizer report": the event is valid JSON; every mapped answer
// has a status from 100 to 599; the prelude splitter gives the same metadata and body whether
// the stream comes in one chunk or split at any point.
//
// Input format (see fuzz/corpus/function_url/):
//   line 1            the Host header ("" for none)
//   line 2            the request target ("/path?query" or "/_lambdalite/url/<id>/...")
//   then lines        "Name: value" headers
//   an empty line     and the rest, which is both the request body and the function's answer;
//                     its first byte also picks where the stream is split.

#include <boost/json/parse.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "api/function_url_frontend.h"
#include "api/function_url_http.h"
#include "domain/function_url.h"
#include "fuzz_input.h"  // beside this file
#include "service/response_prelude.h"

namespace {

using namespace lambdalite;

using fuzz::NextLine;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "function_url_fuzz: %s\n", what);
  std::abort();
}

void CheckStatus(const http::HttpResponse& r, const char* what) {
  if (r.status < 100 || r.status > 599) Fail(what);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  http::HttpRequest request;
  request.method = "POST";
  const std::string_view host = NextLine(in);
  if (!host.empty()) request.headers.push_back({"Host", std::string(host)});
  request.target = std::string(NextLine(in));
  if (request.target.empty() || request.target[0] != '/') request.target.insert(0, "/");
  while (!in.empty()) {
    const std::string_view line = NextLine(in);
    if (line.empty()) break;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    request.headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
  }
  request.body = std::string(in);

  // The request side.
  const auto route = api::RouteFunctionUrl(request);
  api::UrlEventContext ctx;
  // As the front end does: only a well-formed id names a URL (anything else is answered 403).
  ctx.url_id =
      route && domain::IsUrlId(route->url_id) ? route->url_id : "0123456789abcdefghijklmnopqrstuv";
  ctx.region = "us-east-1";
  ctx.target = route ? route->target : request.target;
  ctx.request_id = "00000000-0000-0000-0000-000000000000";
  ctx.time_ms = 1'700'000'000'000;
  const std::string event = api::BuildUrlEvent(request, ctx);
  boost::system::error_code ec;
  (void)boost::json::parse(event, ec);
  if (ec) Fail("the payload 2.0 event is not valid JSON");
  if (api::IsPreflight(request)) {
    domain::UrlCors cors;
    cors.allow_origins = std::vector<std::string>{"*"};
    CheckStatus(api::PreflightResponse(cors, request), "preflight status out of range");
  }

  // The function's side: its answer, buffered and as a stream with a prelude.
  CheckStatus(api::MapUrlResult(request.body, false), "mapped status out of range");
  CheckStatus(api::MapStreamHead(request.body), "stream head status out of range");
  const std::string_view stream = request.body;
  service::PreludeSplitter whole;
  std::string whole_body;
  const auto whole_state = whole.Feed(stream, &whole_body);
  const size_t cut =
      stream.empty() ? 0 : static_cast<unsigned char>(stream[0]) % (stream.size() + 1);
  service::PreludeSplitter parts;
  std::string parts_body;
  parts.Feed(stream.substr(0, cut), &parts_body);
  const auto parts_state = parts.Feed(stream.substr(cut), &parts_body);
  if (whole_state != parts_state) Fail("the splitter's state depends on where the stream is cut");
  if (whole_state == service::PreludeSplitter::State::kBody &&
      (whole.metadata() != parts.metadata() || whole_body != parts_body)) {
    Fail("the splitter's metadata or body depends on where the stream is cut");
  }
  return 0;
}
