#include "api/function_url_frontend.h"

#include <cctype>
#include <memory>
#include <mutex>

#include "api/function_url_http.h"
#include "aws/sigv4.h"
#include "common/ids.h"
#include "executor/response_stream.h"
#include "service/response_prelude.h"

namespace lambdalite::api {

namespace {

constexpr std::string_view kPrefix = "/_lambdalite/url/";

http::HttpResponse JsonMessage(int status, const std::string& body, std::string_view error_type) {
  http::HttpResponse r;
  r.status = status;
  r.SetHeader("Content-Type", "application/json");
  if (!error_type.empty()) r.SetHeader("x-amzn-ErrorType", std::string(error_type));
  r.body = body;
  return r;
}

// AWS's answer to an id that names no URL (docs/research/aws-error-messages.md, Function URLs).
http::HttpResponse UnknownUrl() {
  return JsonMessage(403, R"({"Message":null})", "AccessDeniedException");
}

// AWS's answer to a request the URL's auth type and policy do not allow (same section).
http::HttpResponse Forbidden() {
  return JsonMessage(
      403,
      R"({"Message":"Forbidden. For troubleshooting Function URL authorization )"
      R"(issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"})",
      "AccessDeniedException");
}

std::string PortOf(const http::HttpRequest& request) {
  const std::string* host = request.FindHeader("Host");
  if (host == nullptr) return {};
  const size_t colon = host->rfind(':');
  if (colon == std::string::npos || host->find(']', colon) != std::string::npos) return "80";
  return host->substr(colon + 1);
}

}  // namespace

std::optional<UrlRoute> RouteFunctionUrl(const http::HttpRequest& request) {
  if (const std::string* host = request.FindHeader("Host")) {
    // "<id>.lambda-url.<region>.<anything>[:port]"
    constexpr std::string_view kLabel = ".lambda-url.";
    if (host->size() > domain::kUrlIdLength + kLabel.size()) {
      std::string head = host->substr(0, domain::kUrlIdLength + kLabel.size());
      for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (head.compare(domain::kUrlIdLength, kLabel.size(), kLabel) == 0) {
        return UrlRoute{head.substr(0, domain::kUrlIdLength),
                        request.target.empty() ? std::string("/") : request.target};
      }
    }
  }
  if (request.target.compare(0, kPrefix.size(), kPrefix) == 0) {
    std::string_view rest = std::string_view(request.target).substr(kPrefix.size());
    const size_t end = rest.find_first_of("/?");
    UrlRoute route{std::string(rest.substr(0, end)), "/"};
    if (end != std::string_view::npos) {
      route.target =
          rest[end] == '/' ? std::string(rest.substr(end)) : "/" + std::string(rest.substr(end));
    }
    return route;
  }
  return std::nullopt;
}

struct FunctionUrlFrontend::Prepared {
  std::optional<http::HttpResponse> answer;
  domain::Scope scope;
  service::InvokeInput input;
  std::optional<domain::UrlCors> cors;
  std::string invoke_mode;
};

FunctionUrlFrontend::FunctionUrlFrontend(service::FunctionService& functions,
                                         service::InvokeService& invoke, const Clock& clock,
                                         FunctionUrlOptions options)
    : functions_(functions), invoke_(invoke), clock_(clock), options_(std::move(options)) {}

bool FunctionUrlFrontend::Claims(const http::HttpRequest& request) const {
  return RouteFunctionUrl(request).has_value();
}

FunctionUrlFrontend::Prepared FunctionUrlFrontend::Prepare(const http::HttpRequest& request) const {
  Prepared p;
  auto route = RouteFunctionUrl(request);
  std::optional<service::FunctionUrlTarget> target;
  if (route && domain::IsUrlId(route->url_id))
    target = functions_.ResolveFunctionUrl(route->url_id);
  if (!target) {
    p.answer = UnknownUrl();
    return p;
  }
  const domain::FunctionUrlConfig& config = target->config;
  p.cors = config.cors;
  if (config.cors && IsPreflight(request)) {
    p.answer = PreflightResponse(*config.cors, request);
    return p;
  }

  UrlEventContext ctx;
  ctx.url_id = config.url_id;
  ctx.region = target->scope.region;
  ctx.target = route->target;
  ctx.request_id = NewUuid();
  ctx.time_ms = clock_.NowMillis();
  ctx.forwarded_port = PortOf(request);
  domain::UrlCaller caller;
  if (config.auth_type == domain::kUrlAuthIam) {
    if (options_.verifier) {
      std::string decoded;
      auto verified = options_.verifier->Verify(request, &decoded);
      if (!verified.ok()) {
        // The signature is there but wrong (or missing): AWS refuses before anything else.
        if (request.FindHeader("Authorization") == nullptr &&
            !aws::QueryParameter(request.target, "X-Amz-Credential")) {
          p.answer = Forbidden();
        } else {
          boost::json::object body{{"Message", verified.error().message}};
          p.answer = JsonMessage(
              403, boost::json::serialize(body),
              verified.error().detail.empty() ? "AccessDeniedException" : verified.error().detail);
        }
        return p;
      }
      caller = {true, verified->account};
      ctx.access_key_id = verified->access_key_id;
    } else {
      std::optional<aws::CredentialScope> cred;
      if (const std::string* auth = request.FindHeader("Authorization")) {
        cred = aws::ParseAuthorizationScope(*auth);
      } else if (auto credential = aws::QueryParameter(request.target, "X-Amz-Credential")) {
        cred = aws::ParseCredential(*credential);
      }
      if (cred) {
        caller = {
            true,
            aws::AccountFromAccessKey(cred->access_key_id).value_or(options_.default_account)};
        ctx.access_key_id = cred->access_key_id;
      }
    }
    ctx.account_id = caller.signed_request ? caller.account : "anonymous";
  }
  if (!domain::UrlInvokeAllowed(target->statements, config.auth_type, target->scope.account,
                                caller)) {
    p.answer = Forbidden();
    return p;
  }
  p.scope = target->scope;
  p.input.function_name = target->function_name;
  if (!config.qualifier.empty()) p.input.qualifier = config.qualifier;
  p.input.payload = BuildUrlEvent(request, ctx);
  p.input.request_id = ctx.request_id;
  p.invoke_mode = config.invoke_mode.value_or(std::string(domain::kInvokeModeBuffered));
  return p;
}

namespace {

// The invoke's outcome as the URL answers it.
http::HttpResponse Finish(Result<executor::InvocationResult> result,
                          const std::optional<domain::UrlCors>& cors,
                          const http::HttpRequest& request, const std::string& request_id) {
  http::HttpResponse r;
  if (!result.ok()) {
    const Error& e = result.error();
    if (e.code == ErrorCode::kTooManyRequests) {
      boost::json::object body{{"Message", e.message}};
      r = JsonMessage(429, boost::json::serialize(body), "TooManyRequestsException");
    } else if (e.code == ErrorCode::kNotFound) {
      r = UnknownUrl();  // the function went between the look-up and the invoke
    } else {
      r = JsonMessage(502, "Internal Server Error", "");
    }
  } else {
    r = MapUrlResult(result->payload, !result->function_error.empty());
  }
  if (cors) AddCorsHeaders(*cors, request, r);
  r.SetHeader("x-amzn-RequestId", request_id);
  return r;
}

// A RESPONSE_STREAM URL's answer while the function streams (executor/response_stream.h): the
// head goes out with the first body bytes, which come as the function writes them. A function
// that declares the HTTP integration prelude (Node's HttpResponseStream.from, lambdalite's
// python equivalent) sets status, headers and cookies with it; another stream is a 200 of the
// Content-Type the runtime declared. A function that answers without streaming, or fails before
// its first byte, is answered as a buffered URL answers; one that fails later ends the body
// there (its status is gone already). Chunks come on I/O threads, Finish on the invoking one.
class UrlStreamReply final : public executor::ResponseStreamSink {
 public:
  UrlStreamReply(http::ResponseWriter writer, std::optional<domain::UrlCors> cors,
                 http::HttpRequest request, std::string request_id)
      : writer_(std::move(writer)),
        cors_(std::move(cors)),
        request_(std::move(request)),
        request_id_(std::move(request_id)) {}

  void OnStart(const std::string& content_type) override {
    std::lock_guard lock(mu_);
    content_type_ = content_type;
    prelude_ = content_type == service::kHttpIntegrationContentType;
  }

  void OnChunk(std::string data) override {
    std::lock_guard lock(mu_);
    if (finished_) return;
    if (!prelude_) {
      if (!begun_) BeginLocked(PlainHead());
      writer_.Write(std::move(data));
      return;
    }
    std::string body;
    const auto state = splitter_.Feed(data, &body);
    if (state == service::PreludeSplitter::State::kPrelude) return;
    if (!begun_) {
      BeginLocked(state == service::PreludeSplitter::State::kBody
                      ? MapStreamHead(splitter_.metadata())
                      : MapUrlResult("", /*function_error=*/true));
    }
    writer_.Write(std::move(body));
  }

  void Finish(Result<executor::InvocationResult> result) {
    std::lock_guard lock(mu_);
    finished_ = true;
    if (begun_) {
      writer_.End();
      return;
    }
    if (result.ok() && result->streamed && result->function_error.empty()) {
      // Streamed, but no body byte: the head alone (a prelude that never ended is its metadata).
      http::HttpResponse head = PlainHead();
      if (prelude_) head = MapStreamHead(splitter_.metadata());
      BeginLocked(std::move(head));
      writer_.End();
      return;
    }
    writer_.Respond(api::Finish(std::move(result), cors_, request_, request_id_));
  }

 private:
  http::HttpResponse PlainHead() const {
    http::HttpResponse head;
    head.SetHeader("Content-Type",
                   content_type_.empty() ? "application/octet-stream" : content_type_);
    return head;
  }

  void BeginLocked(http::HttpResponse head) {
    if (cors_) AddCorsHeaders(*cors_, request_, head);
    head.SetHeader("x-amzn-RequestId", request_id_);
    writer_.Begin(std::move(head));
    begun_ = true;
  }

  std::mutex mu_;
  http::ResponseWriter writer_;
  const std::optional<domain::UrlCors> cors_;
  const http::HttpRequest request_;  // method and headers only, for CORS
  const std::string request_id_;
  std::string content_type_;
  bool prelude_ = false;
  service::PreludeSplitter splitter_;
  bool begun_ = false;
  bool finished_ = false;
};

http::HttpRequest HeadersOnly(const http::HttpRequest& request) {
  http::HttpRequest copy;
  copy.method = request.method;
  copy.headers = request.headers;
  return copy;
}

}  // namespace

http::HttpResponse FunctionUrlFrontend::Handle(const http::HttpRequest& request) {
  Prepared p = Prepare(request);
  if (p.answer) {
    if (p.cors && !IsPreflight(request)) AddCorsHeaders(*p.cors, request, *p.answer);
    return *std::move(p.answer);
  }
  const std::string request_id = p.input.request_id;
  if (p.invoke_mode == domain::kInvokeModeStream) {
    // Runs on this worker thread right after Handle returns: the invoke blocks here while the
    // chunks go out from the Runtime API's I/O threads.
    http::HttpResponse r;
    r.stream = [this, scope = p.scope, input = std::move(p.input), cors = p.cors,
                req = HeadersOnly(request), request_id](http::ResponseWriter writer) mutable {
      auto reply =
          std::make_shared<UrlStreamReply>(std::move(writer), cors, std::move(req), request_id);
      input.stream_sink = reply;
      reply->Finish(invoke_.InvokeSync(scope, std::move(input)));
    };
    return r;
  }
  return Finish(invoke_.InvokeSync(p.scope, std::move(p.input)), p.cors, request, request_id);
}

bool FunctionUrlFrontend::HandleAsync(const http::HttpRequest& request,
                                      std::function<void(http::HttpResponse)>& done) {
  Prepared p = Prepare(request);
  if (p.answer) {
    if (p.cors && !IsPreflight(request)) AddCorsHeaders(*p.cors, request, *p.answer);
    done(*std::move(p.answer));
    return true;
  }
  // A streamed answer takes the blocking path (Handle), which holds the worker while it streams.
  if (p.invoke_mode == domain::kInvokeModeStream) return false;
  // The callback outlives `request`: it keeps what it needs of it.
  http::HttpRequest headers_only = HeadersOnly(request);
  const std::string request_id = p.input.request_id;
  std::function<void(http::HttpResponse)> answer = done;
  return invoke_.TryInvokeSync(
      p.scope, std::move(p.input),
      [answer = std::move(answer), cors = p.cors, req = std::move(headers_only),
       request_id](Result<executor::InvocationResult> r) {
        answer(Finish(std::move(r), cors, req, request_id));
      });
}

}  // namespace lambdalite::api
