#pragma once

// The function URL data plane: requests to
//   http://<url-id>.lambda-url.<region>.localhost:<port>/<path>   (routed by the Host header), or
//   http://<host>:<port>/_lambdalite/url/<url-id>/<path>           (for clients that cannot set
//   one)
// run the URL's function with AWS's payload format 2.0 event and answer what the function
// returned, as AWS maps it (function_url_http.h). Order of checks, as AWS: unknown URL id (403
// {"Message":null}); CORS preflight (answered here when the URL has a Cors config); authorization
// (domain::UrlInvokeAllowed: the resource policy, and for AWS_IAM a SigV4 signature); the invoke
// (synchronous, through service::InvokeService like Invoke; warm invokes hold no thread).
//
// AWS_IAM signatures: with --auth-keys they are verified by the server's auth::SigV4Verifier
// (service lambda) and the caller is the key's account; without it, as the Lambda API itself, a
// well-formed SigV4 Authorization header (or presigned query) is trusted unverified and its
// 12-digit access key id names the account (else the default account). NONE URLs never need a
// signature, with or without --auth-keys.
//
// RESPONSE_STREAM URLs answer buffered for now: the streaming hook is Serve's kInvokeModeStream
// branch (function_url_frontend.cc), where a streamed invoke would write the response as it comes.

#include <memory>
#include <optional>
#include <string>

#include "api/lambda_api.h"
#include "auth/sigv4_verifier.h"
#include "common/clock.h"
#include "service/function_service.h"
#include "service/invoke_service.h"

namespace lambdalite::api {

// Where a request addressed to a function URL goes: the URL id and the path and query below it.
struct UrlRoute {
  std::string url_id;
  std::string target;  // "/..." (at least "/")
};

// The route of `request`, when it is addressed to a function URL (Host "<32 [a-z0-9]>.lambda-url.
// ..." or path "/_lambdalite/url/<id>..."); nullopt otherwise.
std::optional<UrlRoute> RouteFunctionUrl(const http::HttpRequest& request);

struct FunctionUrlOptions {
  std::shared_ptr<const auth::SigV4Verifier> verifier;  // --auth-keys; null: signatures trusted
  std::string default_account = "123456789012";
};

class FunctionUrlFrontend final : public RequestFrontend {
 public:
  FunctionUrlFrontend(service::FunctionService& functions, service::InvokeService& invoke,
                      const Clock& clock, FunctionUrlOptions options);

  bool Claims(const http::HttpRequest& request) const override;
  http::HttpResponse Handle(const http::HttpRequest& request) override;
  bool HandleAsync(const http::HttpRequest& request,
                   std::function<void(http::HttpResponse)>& done) override;

 private:
  struct Prepared;
  // Everything before the invoke; `answer` set when the request is answered without one.
  Prepared Prepare(const http::HttpRequest& request) const;

  service::FunctionService& functions_;
  service::InvokeService& invoke_;
  const Clock& clock_;
  FunctionUrlOptions options_;
};

}  // namespace lambdalite::api
