#pragma once

// The function URL data plane's protocol rules, as pure functions (no I/O, table-tested in
// function_url_http_test.cc):
//  - BuildUrlEvent: an HTTP request -> AWS's payload format 2.0 event (the function's input);
//  - MapUrlResult: the function's result -> the HTTP response AWS sends;
//  - the CORS headers AWS adds (preflight answers and headers on ordinary responses).
// Sources: docs/research/aws-error-messages.md, "Function URLs (issue 15)".

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/function_url.h"
#include "http/handler.h"

namespace lambdalite::api {

// What the event needs beyond the request itself.
struct UrlEventContext {
  std::string url_id;
  std::string region;
  // The request's path and query below the URL ("/custom/path?x=1"), as the client sent it
  // (percent-encoded): the target itself, or what follows /_lambdalite/url/<id>.
  std::string target;
  std::string account_id = "anonymous";  // requestContext.accountId; the signer's under AWS_IAM
  // requestContext.authorizer.iam, for a signed AWS_IAM request.
  std::optional<std::string> access_key_id;
  std::string request_id;
  int64_t time_ms = 0;
  std::string forwarded_port;  // x-forwarded-port (the port the client addressed)
};

// The payload 2.0 event, compact JSON. Headers are lower-cased, repeated ones joined with ",",
// the Cookie header moves to `cookies` (split at ";"); queryStringParameters (repeated keys
// joined with ",") and body appear only when there is one; a body whose Content-Type is not text
// (text/*, or a JSON, XML, JavaScript, YAML or form type) is base64 with isBase64Encoded true.
std::string BuildUrlEvent(const http::HttpRequest& request, const UrlEventContext& ctx);

// Whether a body of this Content-Type reaches the function as text (else base64).
bool IsTextContentType(std::string_view content_type);

// The function's result as AWS answers it: a function error is 502 "Internal Server Error"; a JSON
// object with statusCode is honoured (statusCode as a number or a numeric string, headers,
// cookies -> Set-Cookie, body, isBase64Encoded); any other JSON value is a 200 whose body is that
// value compactly re-serialized (a string: its text). Content-Type defaults to application/json.
http::HttpResponse MapUrlResult(std::string_view payload, bool function_error);

// The head of a streamed answer (a RESPONSE_STREAM URL whose function wrote an HTTP integration
// prelude, service/response_prelude.h): the metadata JSON's statusCode (default 200), headers and
// cookies (-> Set-Cookie); Content-Type defaults to application/octet-stream. Metadata that is
// not a JSON object, or a statusCode outside 100-599, is the 502 of a broken result.
http::HttpResponse MapStreamHead(std::string_view metadata);

// A CORS preflight (OPTIONS with Origin and Access-Control-Request-Method) of a URL that has a
// Cors config: AWS answers it itself, without invoking or authorizing.
bool IsPreflight(const http::HttpRequest& request);
http::HttpResponse PreflightResponse(const domain::UrlCors& cors, const http::HttpRequest& request);
// The headers AWS adds to an ordinary response of a URL with a Cors config when the request's
// Origin is allowed; they replace any the function set.
void AddCorsHeaders(const domain::UrlCors& cors, const http::HttpRequest& request,
                    http::HttpResponse& response);

}  // namespace lambdalite::api
