#pragma once

// LambdaApi: the AWS Lambda REST API as an http::RequestHandler. For each request it
//   1. routes method + path to one of the model's operations (router.h),
//   2. decodes and validates the input against the model (request_decoder.h),
//   3. derives the caller's scope (account, region) from the SigV4 credential scope (verified first
//      when ApiOptions::verifier is set, before routing, as AWS authenticates before it knows the
//      operation),
//   4. calls the operation's handler (registered by operations/*.cc and by other layers),
//   5. renders the result, or maps the Error to AWS's wire shape (errors.h).
// Every response carries x-amzn-RequestId.

#include <boost/json.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "api/shapes_support.h"
#include "auth/sigv4_verifier.h"
#include "common/result.h"
#include "domain/function.h"
#include "http/handler.h"

namespace lambdalite::api {

struct RequestContext {
  domain::Scope scope;
  std::string request_id;
  std::string host;  // as the client addressed us, for URLs we hand out
  const http::HttpRequest* request = nullptr;
};

// The producer side of a streamed reply (InvokeWithResponseStream), over http::ResponseWriter
// with its contract: thread-safe, Fail or Begin once, then Write any number of times and End.
// Fail answers the AWS error (as a handler's Error would be) instead of a stream; Begin sends the
// status and headers (x-amzn-RequestId added) and starts the body.
class ReplyWriter {
 public:
  ReplyWriter(http::ResponseWriter writer, std::string request_id)
      : writer_(std::move(writer)), request_id_(std::move(request_id)) {}
  void Fail(const Error& error) const;
  void Begin(int status, std::vector<http::Header> headers) const;
  void Write(std::string bytes) const { writer_.Write(std::move(bytes)); }
  void End() const { writer_.End(); }
  // The client went away: the producer may stop.
  bool closed() const { return writer_.closed(); }

 private:
  http::ResponseWriter writer_;
  std::string request_id_;
};

// What an operation returns on success.
struct Reply {
  int status = 0;  // 0: the operation's success code from the model
  std::optional<boost::json::object> json;
  // A JSON body already serialized (a cached rendering), sent like `json`; used when json is empty.
  std::optional<std::string> json_text;
  std::string raw_body;  // used when json and json_text are empty
  std::vector<http::Header> headers;
  // A streamed reply: when set, everything above is ignored and `stream` produces the answer
  // (http::HttpResponse::stream's contract: from a blocking handler it runs on the worker thread
  // and may block; from an async one it must not).
  std::function<void(ReplyWriter)> stream;
};

using OperationHandler =
    std::function<Result<Reply>(const RequestContext&, const boost::json::object& input)>;

// The non-blocking form of an operation, for requests that wait on something else (a warm
// Invoke waits on its runtime) and so should hold no thread. Runs on an I/O thread and must not
// block. Returns true to answer through `done` (once, from any thread, possibly before
// returning); false, having changed nothing, to have the operation's OperationHandler serve the
// request instead. `ctx.request` is valid only during the call.
using AsyncReplyDone = std::function<void(Result<Reply>)>;
using AsyncOperationHandler = std::function<bool(
    const RequestContext&, const boost::json::object& input, AsyncReplyDone done)>;

// Typed handlers include api/shapes.h (the generated shapes); this header needs only the support
// templates, so files that register untyped handlers do not compile the generated header.
//
// Renders a typed response (a generated shapes::XxxResponse) into `reply`: header members become
// headers (appended), a statusCode member the status, a blob payload the raw body, the body
// members the JSON body. Strings are moved, not copied.
class ReplySink final : public shapes::WireSink {
 public:
  explicit ReplySink(Reply& reply) : reply_(reply) {}
  void Status(int status) override;
  void Header(std::string_view name, std::string&& value) override;
  void RawBody(std::string&& bytes) override;
  void Json(boost::json::object&& body) override;

 private:
  Reply& reply_;
};

template <class Resp>
void ToReply(Resp&& resp, Reply& reply) {
  ReplySink sink(reply);
  ToWire(std::forward<Resp>(resp), sink);  // the generated overload, by argument-dependent look-up
}
template <class Resp>
Reply ToReply(Resp&& resp) {
  Reply reply;
  ToReply(std::forward<Resp>(resp), reply);
  return reply;
}

namespace internal {
inline Result<Reply> AsReply(Result<Reply>&& r) { return std::move(r); }
template <class Resp>
Result<Reply> AsReply(Result<Resp>&& r) {
  if (!r.ok()) return std::move(r).error();
  return ToReply(std::move(r).value());
}
}  // namespace internal

// The refusal of a request whose credential scope names no AWS region (domain::IsValidRegion).
Error InvalidRegionError(std::string_view region);

struct ApiOptions {
  std::string default_account = "123456789012";
  std::string default_region = "us-east-1";
  // With a verifier (--auth-keys), every request outside "/_lambdalite/" must carry a valid SigV4
  // signature and acts for the account of its key; without one, the scope is read from the
  // credential scope unverified (a 12-digit access key id names the account).
  std::shared_ptr<const auth::SigV4Verifier> verifier;
};

// Serves requests that are not addressed to the Lambda API although they reach its port (function
// URLs, by Host header or path prefix). LambdaApi offers every request to it first; requests it
// does not claim see the Lambda API unchanged. Claims must be cheap and must not block; Handle
// and HandleAsync have http::RequestHandler's contracts.
class RequestFrontend {
 public:
  virtual ~RequestFrontend() = default;
  virtual bool Claims(const http::HttpRequest& request) const = 0;
  virtual http::HttpResponse Handle(const http::HttpRequest& request) = 0;
  virtual bool HandleAsync(const http::HttpRequest& /*request*/,
                           std::function<void(http::HttpResponse)>& /*done*/) {
    return false;
  }
};

class LambdaApi : public http::RequestHandler {
 public:
  explicit LambdaApi(ApiOptions options);

  // Registers the handler of a model operation (by its model name, e.g. "GetFunction").
  void Register(std::string_view operation, OperationHandler handler);
  // Adds a non-blocking path to an operation that also has an OperationHandler.
  void RegisterAsync(std::string_view operation, AsyncOperationHandler handler);

  // The typed form of Register: the decoded input arrives as the operation's generated input
  // shape (shapes::FromJson<Req>, so a body blob that is not base64 is answered before the
  // handler runs), as an rvalue so the handler may take its strings. The handler is
  //   Result<shapes::XxxResponse>(const RequestContext&, const Req&)   (or Req&&)
  // and its response is rendered with ToReply; or, where the answer is not a plain shape (a
  // cached rendering, a status AWS answers unlike the model, an added header), it returns
  // Result<Reply> itself.
  template <class Req, class Handler>
  void RegisterTyped(std::string_view operation, Handler handler) {
    Register(operation, [handler = std::move(handler)](const RequestContext& ctx,
                                                       const boost::json::object& in) mutable {
      auto req = shapes::FromJson<Req>(in);
      if (!req.ok()) return Result<Reply>(std::move(req).error());
      return internal::AsReply(handler(ctx, std::move(req).value()));
    });
  }
  // The typed form of RegisterAsync: `handler` is bool(const RequestContext&, Req&&,
  // AsyncReplyDone), with RegisterAsync's contract. An input that fails to decode is declined
  // (the blocking handler then answers the error).
  template <class Req, class Handler>
  void RegisterTypedAsync(std::string_view operation, Handler handler) {
    RegisterAsync(operation, [handler = std::move(handler)](const RequestContext& ctx,
                                                            const boost::json::object& in,
                                                            AsyncReplyDone done) mutable {
      auto req = shapes::FromJson<Req>(in);
      if (!req.ok()) return false;
      return handler(ctx, std::move(req).value(), std::move(done));
    });
  }
  // Handles a lambdalite-specific path prefix ("/_lambdalite/...") outside the AWS model.
  void RegisterInternal(std::string prefix,
                        std::function<http::HttpResponse(const http::HttpRequest&)> handler);

  // Sets the frontend offered every request first (nullptr: none). Set once, before serving; it
  // must outlive the API.
  void SetFrontend(RequestFrontend* frontend) { frontend_ = frontend; }

  http::HttpResponse Handle(const http::HttpRequest& request) override;
  // Offers the request to its operation's AsyncOperationHandler, if it has one; otherwise (and
  // for requests that fail to route or decode, which Handle answers) declines.
  bool HandleAsync(const http::HttpRequest& request,
                   std::function<void(http::HttpResponse)> done) override;
  size_t BodyLimit(const std::string& method, const std::string& target) const override;
  http::HttpResponse OnBodyTooLarge(const std::string& method, const std::string& target) override;

 private:
  Result<domain::Scope> ScopeOf(const http::HttpRequest& request) const;
  // The caller's scope: verified (options_.verifier) or read from the credential scope. For an
  // aws-chunked body, *decoded_body receives the payload.
  Result<domain::Scope> Authenticate(const http::HttpRequest& request,
                                     std::string* decoded_body) const;

  ApiOptions options_;
  RequestFrontend* frontend_ = nullptr;
  std::unordered_map<std::string, OperationHandler> handlers_;
  std::unordered_map<std::string, AsyncOperationHandler> async_handlers_;
  // The HTTP methods of the operations in async_handlers_: other requests (GetFunction's GET)
  // are declined before routing, so the non-blocking path costs them nothing.
  std::vector<std::string> async_methods_;
  std::vector<std::pair<std::string, std::function<http::HttpResponse(const http::HttpRequest&)>>>
      internal_;
};

}  // namespace lambdalite::api
