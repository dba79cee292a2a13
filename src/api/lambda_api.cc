#include "api/lambda_api.h"

#include <algorithm>

#include "api/errors.h"
#include "api/request_decoder.h"
#include "api/router.h"
#include "aws/sigv4.h"
#include "common/ids.h"
#include "common/log.h"
#include "domain/names.h"

namespace lambdalite::api {

namespace json = boost::json;

namespace {

// AWS's request size limits per operation (bytes of the HTTP body).
constexpr size_t kCreateFunctionLimit = 70'167'211;
constexpr size_t kSyncInvokeLimit = 6'291'456;
constexpr size_t kDefaultLimit = 6'291'456;

http::HttpResponse Finish(http::HttpResponse resp, const std::string& request_id) {
  resp.SetHeader("x-amzn-RequestId", request_id);
  return resp;
}

// An operation's result as AWS sends it: the reply (with the model's success code unless the
// operation chose one), or the error in AWS's wire shape.
http::HttpResponse Render(Result<Reply> result, int success_status, const std::string& request_id) {
  if (!result.ok()) return Finish(RenderError(ToAwsError(result.error())), request_id);
  Reply& reply = *result;
  http::HttpResponse resp;
  if (reply.stream) {
    resp.stream = [stream = std::move(reply.stream), request_id](http::ResponseWriter writer) {
      stream(ReplyWriter(std::move(writer), request_id));
    };
    return resp;
  }
  resp.status = reply.status != 0 ? reply.status : success_status;
  if (reply.json) {
    resp.SetHeader("Content-Type", "application/json");
    resp.body = json::serialize(*reply.json);
  } else if (reply.json_text) {
    resp.SetHeader("Content-Type", "application/json");
    resp.body = std::move(*reply.json_text);
  } else {
    resp.body = std::move(reply.raw_body);
  }
  for (auto& h : reply.headers) resp.headers.push_back(std::move(h));
  return Finish(std::move(resp), request_id);
}

// A body in aws-chunked encoding, whose chunks the verifier checks and decodes.
bool IsStreamingPayload(const http::HttpRequest& request) {
  const std::string* content = request.FindHeader("x-amz-content-sha256");
  return content != nullptr && *content == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
}

}  // namespace

void ReplyWriter::Fail(const Error& error) const {
  writer_.Respond(Finish(RenderError(ToAwsError(error)), request_id_));
}

void ReplyWriter::Begin(int status, std::vector<http::Header> headers) const {
  http::HttpResponse head;
  head.status = status;
  head.headers = std::move(headers);
  writer_.Begin(Finish(std::move(head), request_id_));
}

Error InvalidRegionError(std::string_view region) {
  // AWS's answer to a credential scope naming no region it serves
  // (docs/research/aws-error-messages.md, section 18).
  return Error::Make(
      ErrorCode::kAccessDenied,
      "Credential should be scoped to a valid region, not '" + std::string(region) + "'. ",
      "InvalidSignatureException");
}

void ReplySink::Status(int status) { reply_.status = status; }
void ReplySink::Header(std::string_view name, std::string&& value) {
  reply_.headers.push_back({std::string(name), std::move(value)});
}
void ReplySink::RawBody(std::string&& bytes) { reply_.raw_body = std::move(bytes); }
void ReplySink::Json(boost::json::object&& body) { reply_.json = std::move(body); }

LambdaApi::LambdaApi(ApiOptions options) : options_(std::move(options)) {}

void LambdaApi::Register(std::string_view operation, OperationHandler handler) {
  handlers_[std::string(operation)] = std::move(handler);
}

void LambdaApi::RegisterAsync(std::string_view operation, AsyncOperationHandler handler) {
  const OperationInfo* op = FindOperation(operation);
  if (op == nullptr) {
    LogError("api: RegisterAsync of an operation the model does not have: " +
             std::string(operation));
    return;
  }
  async_handlers_[std::string(operation)] = std::move(handler);
  const std::string method(op->method);
  if (std::find(async_methods_.begin(), async_methods_.end(), method) == async_methods_.end()) {
    async_methods_.push_back(method);
  }
}

void LambdaApi::RegisterInternal(std::string prefix,
                                 std::function<http::HttpResponse(const http::HttpRequest&)> h) {
  internal_.emplace_back(std::move(prefix), std::move(h));
}

Result<domain::Scope> LambdaApi::ScopeOf(const http::HttpRequest& request) const {
  domain::Scope scope{options_.default_account, options_.default_region};
  std::optional<aws::CredentialScope> cred;
  if (const std::string* auth = request.FindHeader("Authorization")) {
    cred = aws::ParseAuthorizationScope(*auth);
  } else if (auto credential = aws::QueryParameter(request.target, "X-Amz-Credential")) {
    cred = aws::ParseCredential(*credential);
  }
  if (cred) {
    // The region ends up in file names (logs): only a real region name may scope a request.
    if (!domain::IsValidRegion(cred->region)) return InvalidRegionError(cred->region);
    scope.region = cred->region;
    if (auto account = aws::AccountFromAccessKey(cred->access_key_id)) scope.account = *account;
  }
  return scope;
}

Result<domain::Scope> LambdaApi::Authenticate(const http::HttpRequest& request,
                                              std::string* decoded_body) const {
  if (!options_.verifier) return ScopeOf(request);
  LAMBDALITE_TRY(auth::Caller caller, options_.verifier->Verify(request, decoded_body));
  return domain::Scope{std::move(caller.account), std::move(caller.region)};
}

size_t LambdaApi::BodyLimit(const std::string& method, const std::string& target) const {
  auto match = MatchRoute(method, target);
  if (!match) return kDefaultLimit;
  std::string_view op = match->op->name;
  if (op == "CreateFunction" || op == "UpdateFunctionCode" || op == "PublishLayerVersion") {
    return kCreateFunctionLimit;
  }
  if (op == "Invoke") return kSyncInvokeLimit;
  return kDefaultLimit;
}

http::HttpResponse LambdaApi::OnBodyTooLarge(const std::string& method, const std::string& target) {
  auto match = MatchRoute(method, target);
  std::string request_id = NewUuid();
  std::string op = match ? std::string(match->op->name) : std::string("unknown");
  Error e;
  if (op == "Invoke") {
    // Recorded AWS answer: RequestEntityTooLargeException, naming "InvokeFunction".
    e = Error::Make(ErrorCode::kRequestTooLarge, "Request must be smaller than " +
                                                     std::to_string(kSyncInvokeLimit) +
                                                     " bytes for the InvokeFunction operation");
  } else {
    e = Error::Make(ErrorCode::kRequestTooLarge, "Request must be smaller than " +
                                                     std::to_string(BodyLimit(method, target)) +
                                                     " bytes for the " + op + " operation");
  }
  return Finish(RenderError(ToAwsError(e)), request_id);
}

http::HttpResponse LambdaApi::Handle(const http::HttpRequest& original) {
  if (frontend_ != nullptr && frontend_->Claims(original)) return frontend_->Handle(original);
  const std::string request_id = NewUuid();
  for (const auto& [prefix, handler] : internal_) {
    if (original.target.compare(0, prefix.size(), prefix) == 0) {
      return Finish(handler(original), request_id);
    }
  }
  std::string decoded_body;
  auto scope = Authenticate(original, &decoded_body);
  if (!scope.ok()) return Finish(RenderError(ToAwsError(scope.error())), request_id);
  // An aws-chunked body, verified and decoded: the operation sees the payload.
  std::optional<http::HttpRequest> decoded;
  if (options_.verifier && IsStreamingPayload(original)) {
    decoded = original;
    decoded->body = std::move(decoded_body);
  }
  const http::HttpRequest& request = decoded ? *decoded : original;
  auto match = MatchRoute(request.method, request.target);
  if (!match) {
    // AWS answers a path that maps to no operation from its authorization layer, before any
    // operation is known (docs/research/aws-error-messages.md, section 13).
    return Finish(RenderError(ToAwsError(
                      Error::Make(ErrorCode::kUnknownOperation,
                                  "Unable to determine service/operation name to be authorized"))),
                  request_id);
  }
  const std::string op_name(match->op->name);
  auto handler = handlers_.find(op_name);
  if (handler == handlers_.end()) {
    return Finish(RenderError(ToAwsError(Error::Make(
                      ErrorCode::kNotImplemented,
                      "lambdalite does not implement the " + op_name + " operation yet."))),
                  request_id);
  }
  auto input = DecodeInput(*match, request);
  if (!input.ok()) return Finish(RenderError(ToAwsError(input.error())), request_id);

  RequestContext ctx;
  ctx.scope = std::move(scope).value();
  ctx.request_id = request_id;
  if (const std::string* host = request.FindHeader("Host")) ctx.host = *host;
  ctx.request = &request;

  return Render(handler->second(ctx, *input), match->op->response_code, request_id);
}

bool LambdaApi::HandleAsync(const http::HttpRequest& request,
                            std::function<void(http::HttpResponse)> done) {
  if (frontend_ != nullptr && frontend_->Claims(request)) {
    return frontend_->HandleAsync(request, done);
  }
  if (std::find(async_methods_.begin(), async_methods_.end(), request.method) ==
      async_methods_.end()) {
    return false;
  }
  for (const auto& [prefix, handler] : internal_) {
    if (request.target.compare(0, prefix.size(), prefix) == 0) return false;
  }
  auto match = MatchRoute(request.method, request.target);
  if (!match) return false;
  auto handler = async_handlers_.find(std::string(match->op->name));
  if (handler == async_handlers_.end()) return false;
  auto input = DecodeInput(*match, request);
  if (!input.ok()) return false;

  std::string decoded_body;
  auto scope = Authenticate(request, &decoded_body);
  // Handle answers a refusal, and serves a decoded aws-chunked body.
  if (!scope.ok() || (options_.verifier && IsStreamingPayload(request))) return false;
  RequestContext ctx;
  ctx.scope = std::move(scope).value();
  ctx.request_id = NewUuid();
  if (const std::string* host = request.FindHeader("Host")) ctx.host = *host;
  ctx.request = &request;
  return handler->second(
      ctx, *input,
      [done = std::move(done), request_id = ctx.request_id, success = match->op->response_code](
          Result<Reply> result) { done(Render(std::move(result), success, request_id)); });
}

}  // namespace lambdalite::api
