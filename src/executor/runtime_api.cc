#include "executor/runtime_api.h"

#include <boost/json.hpp>
#include <future>
#include <memory>
#include <string_view>
#include <utility>

#include "common/crypto.h"

namespace lambdalite::executor {

namespace {

namespace json = boost::json;

constexpr std::string_view kPrefix = "/2018-06-01/runtime/";

http::HttpResponse JsonResponse(int status, std::string body) {
  http::HttpResponse response;
  response.status = status;
  response.SetHeader("Content-Type", "application/json");
  response.body = std::move(body);
  return response;
}

// {"errorMessage":...,"errorType":...}: the error shape of the Runtime API itself.
http::HttpResponse ApiError(int status, std::string_view type, std::string_view message) {
  json::object o;
  o["errorMessage"] = message;
  o["errorType"] = type;
  return JsonResponse(status, json::serialize(o));
}

http::HttpResponse Accepted() { return JsonResponse(202, R"({"status":"OK"})"); }

http::HttpResponse InvalidRequestId() {
  return ApiError(400, "InvalidRequestID", "Invalid request ID");
}

http::HttpResponse TooLarge(size_t limit = kMaxRuntimePayloadBytes) {
  return ApiError(413, "RequestEntityTooLarge",
                  "Exceeded maximum allowed payload size (" + std::to_string(limit) + " bytes).");
}

http::HttpResponse NotFound() {
  // What Go's router (the real Runtime API) answers for an unknown path.
  http::HttpResponse response;
  response.status = 404;
  response.SetHeader("Content-Type", "text/plain; charset=utf-8");
  response.body = "404 page not found\n";
  return response;
}

http::HttpResponse MethodNotAllowed() {
  http::HttpResponse response;
  response.status = 405;
  return response;
}

enum class RouteKind { kNext, kResponse, kError, kInitError, kUnknown };

struct Route {
  RouteKind kind = RouteKind::kUnknown;
  std::string request_id;
  const char* method = "";  // the method the route expects
};

Route ParseRoute(std::string_view target) {
  Route route;
  if (auto q = target.find('?'); q != std::string_view::npos) target = target.substr(0, q);
  if (target.substr(0, kPrefix.size()) != kPrefix) return route;
  std::string_view rest = target.substr(kPrefix.size());
  if (rest == "invocation/next") {
    route.kind = RouteKind::kNext;
    route.method = "GET";
    return route;
  }
  if (rest == "init/error") {
    route.kind = RouteKind::kInitError;
    route.method = "POST";
    return route;
  }
  constexpr std::string_view kInvocation = "invocation/";
  if (rest.substr(0, kInvocation.size()) != kInvocation) return route;
  rest = rest.substr(kInvocation.size());
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) return route;
  const std::string_view id = rest.substr(0, slash);
  const std::string_view action = rest.substr(slash + 1);
  if (action == "response") {
    route.kind = RouteKind::kResponse;
  } else if (action == "error") {
    route.kind = RouteKind::kError;
  } else {
    return route;
  }
  route.method = "POST";
  route.request_id = std::string(id);
  return route;
}

http::HttpResponse RenderInvocation(RuntimeInvocation invocation) {
  http::HttpResponse response;
  response.status = 200;
  response.headers.reserve(7);
  response.SetHeader("Content-Type", "application/json");
  response.SetHeader("Lambda-Runtime-Aws-Request-Id", std::move(invocation.request_id));
  response.SetHeader("Lambda-Runtime-Deadline-Ms", std::to_string(invocation.deadline_ms));
  response.SetHeader("Lambda-Runtime-Invoked-Function-Arn",
                     std::move(invocation.invoked_function_arn));
  response.SetHeader("Lambda-Runtime-Trace-Id", std::move(invocation.trace_id));
  if (!invocation.client_context.empty()) {
    response.SetHeader("Lambda-Runtime-Client-Context", std::move(invocation.client_context));
  }
  if (!invocation.cognito_identity.empty()) {
    response.SetHeader("Lambda-Runtime-Cognito-Identity", std::move(invocation.cognito_identity));
  }
  response.body = std::move(invocation.payload);
  return response;
}

}  // namespace

// The body of one streamed response: forwards it to the invocation's sink as it arrives (or
// collects it when there is none) and counts it against the limit. Used on the connection's
// strand only, then read by the dispatch of the same request (which follows on that strand).
class RuntimeApi::StreamedBody final : public http::RequestBodySink {
 public:
  StreamedBody(std::string request_id, std::shared_ptr<ResponseStreamSink> sink)
      : request_id_(std::move(request_id)),
        sink_(std::move(sink)),
        limit_(sink_ ? kMaxStreamedResponseBytes : kMaxRuntimePayloadBytes) {}

  bool OnBodyData(std::string_view data) override {
    received_ += data.size();
    if (received_ > limit_) {
      too_large_ = true;
      return false;
    }
    if (sink_) {
      sink_->OnChunk(std::string(data));
    } else {
      collected_.append(data);
    }
    return true;
  }
  void OnBodyAborted() override {}

  const std::string& request_id() const { return request_id_; }
  bool streamed() const { return sink_ != nullptr; }
  bool too_large() const { return too_large_; }
  size_t limit() const { return limit_; }
  std::string TakeCollected() { return std::move(collected_); }

 private:
  const std::string request_id_;
  const std::shared_ptr<ResponseStreamSink> sink_;
  const size_t limit_;
  size_t received_ = 0;
  bool too_large_ = false;
  std::string collected_;
};

RuntimeApi::RuntimeApi(RuntimeApiObserver& observer) : observer_(observer) {}

std::shared_ptr<http::RequestBodySink> RuntimeApi::StreamRequestBody(
    const http::HttpRequest& request) {
  if (request.method != "POST") return nullptr;
  const std::string* mode = request.FindHeader("Lambda-Runtime-Function-Response-Mode");
  if (mode == nullptr || *mode != "streaming") return nullptr;
  const Route route = ParseRoute(request.target);
  if (route.kind != RouteKind::kResponse) return nullptr;
  std::shared_ptr<ResponseStreamSink> sink;
  std::shared_ptr<StreamedBody> body;
  {
    std::lock_guard lock(mu_);
    // An unknown id: read the body the usual way and answer InvalidRequestID.
    if (route.request_id.empty() || route.request_id != current_id_) return nullptr;
    if (streamed_) return nullptr;  // a second streamed post for the same invocation
    sink = current_sink_;
    body = std::make_shared<StreamedBody>(route.request_id, sink);
    streamed_ = body;
  }
  if (sink) {
    const std::string* type = request.FindHeader("Content-Type");
    sink->OnStart(type != nullptr ? *type : "application/octet-stream");
  }
  return body;
}

RuntimeApi::~RuntimeApi() {
  // A poll still parked belongs to an environment that is going away (retired or reaped, its
  // runtime killed). Answer it rather than drop it: a dropped callback is a handler bug to the
  // HTTP layer, and this is an orderly end.
  std::optional<Done> poll;
  {
    std::lock_guard lock(mu_);
    poll = std::move(parked_poll_);
    parked_poll_.reset();
  }
  if (poll) {
    (*poll)(ApiError(500, "ServiceException", "the execution environment is shutting down"));
  }
}

bool RuntimeApi::Assign(RuntimeInvocation invocation) {
  std::optional<Done> poll;
  std::string id = invocation.request_id;
  {
    std::lock_guard lock(mu_);
    if (queued_ || !current_id_.empty()) return false;
    if (!parked_poll_) {
      queued_ = std::move(invocation);
      return true;
    }
    poll = std::move(parked_poll_);
    parked_poll_.reset();
    current_id_ = std::move(id);
    current_sink_ = invocation.stream_sink;
    streamed_.reset();
  }
  (*poll)(RenderInvocation(std::move(invocation)));
  return true;
}

void RuntimeApi::Abandon() {
  std::lock_guard lock(mu_);
  queued_.reset();
  current_id_.clear();
  current_sink_.reset();
  streamed_.reset();
}

void RuntimeApi::HandleNext(Done done) {
  std::optional<RuntimeInvocation> invocation;
  std::optional<Done> replaced;
  {
    std::lock_guard lock(mu_);
    polled_ = true;
    if (queued_) {
      invocation = std::move(queued_);
      queued_.reset();
      current_id_ = invocation->request_id;
      current_sink_ = invocation->stream_sink;
      streamed_.reset();
    } else {
      // The newest poll wins: an older one is most likely from a connection the runtime gave up
      // on (a client-side timeout); answering it instead would hand the event to nobody.
      replaced = std::move(parked_poll_);
      parked_poll_ = std::move(done);
    }
  }
  if (invocation) {
    done(RenderInvocation(std::move(*invocation)));
    return;
  }
  if (replaced) {
    (*replaced)(ApiError(403, "InvalidStateTransition",
                         "State transition from Ready to Ready failed for runtime. Error: a newer "
                         "/runtime/invocation/next request replaced this one"));
  }
  observer_.OnRuntimeWaiting();
}

http::HttpResponse RuntimeApi::HandleResult(const std::string& request_id, RuntimeOutcome outcome) {
  {
    std::lock_guard lock(mu_);
    if (request_id.empty() || request_id != current_id_) return InvalidRequestId();
    current_id_.clear();
    current_sink_.reset();
    streamed_.reset();
  }
  const bool too_large = outcome.kind == RuntimeOutcome::Kind::kResponseTooLarge;
  observer_.OnInvocationOutcome(request_id, std::move(outcome));
  return too_large ? TooLarge() : Accepted();
}

http::HttpResponse RuntimeApi::HandleInitError(const http::HttpRequest& request) {
  {
    std::lock_guard lock(mu_);
    if (polled_) {
      return ApiError(403, "InvalidStateTransition",
                      "State transition from Ready to InitError failed for runtime. Error: the "
                      "runtime already finished its initialization");
    }
  }
  const std::string* type = request.FindHeader("Lambda-Runtime-Function-Error-Type");
  observer_.OnInitError(request.body, type != nullptr ? *type : std::string());
  return Accepted();
}

bool RuntimeApi::HandleAsync(const http::HttpRequest& request, Done done) {
  const Route route = ParseRoute(request.target);
  if (route.kind == RouteKind::kUnknown) {
    done(NotFound());
    return true;
  }
  if (request.method != route.method) {
    done(MethodNotAllowed());
    return true;
  }
  switch (route.kind) {
    case RouteKind::kNext:
      HandleNext(std::move(done));
      return true;
    case RouteKind::kResponse: {
      RuntimeOutcome outcome;
      outcome.kind = RuntimeOutcome::Kind::kResponse;
      std::shared_ptr<StreamedBody> streamed;
      {
        std::lock_guard lock(mu_);
        if (streamed_ && streamed_->request_id() == route.request_id) streamed = streamed_;
      }
      if (!streamed) {
        outcome.body = request.body;
        done(HandleResult(route.request_id, std::move(outcome)));
        return true;
      }
      outcome.streamed = streamed->streamed();
      if (!outcome.streamed) outcome.body = streamed->TakeCollected();
      // A mid-stream error: the trailers name it (the body is base64 of the JSON error).
      if (const std::string* type = request.FindHeader("Lambda-Runtime-Function-Error-Type")) {
        outcome.kind = RuntimeOutcome::Kind::kError;
        outcome.error_type = *type;
        outcome.body.clear();
        if (const std::string* body = request.FindHeader("Lambda-Runtime-Function-Error-Body")) {
          if (!Base64Decode(*body, &outcome.body)) outcome.body = *body;
        }
      }
      done(HandleResult(route.request_id, std::move(outcome)));
      return true;
    }
    case RouteKind::kError: {
      RuntimeOutcome outcome;
      outcome.kind = RuntimeOutcome::Kind::kError;
      outcome.body = request.body;
      if (const std::string* type = request.FindHeader("Lambda-Runtime-Function-Error-Type")) {
        outcome.error_type = *type;
      }
      done(HandleResult(route.request_id, std::move(outcome)));
      return true;
    }
    case RouteKind::kInitError:
      done(HandleInitError(request));
      return true;
    case RouteKind::kUnknown:
      break;
  }
  done(NotFound());
  return true;
}

http::HttpResponse RuntimeApi::Handle(const http::HttpRequest& request) {
  auto promise = std::make_shared<std::promise<http::HttpResponse>>();
  auto answer = promise->get_future();
  HandleAsync(request,
              [promise](http::HttpResponse response) { promise->set_value(std::move(response)); });
  return answer.get();
}

size_t RuntimeApi::BodyLimit(const std::string& method, const std::string& target) const {
  if (method != "POST") return 0;
  const Route route = ParseRoute(target);
  switch (route.kind) {
    case RouteKind::kResponse:
    case RouteKind::kError:
    case RouteKind::kInitError:
      return kMaxRuntimePayloadBytes;
    case RouteKind::kNext:
    case RouteKind::kUnknown:
      break;
  }
  return 64 * 1024;
}

http::HttpResponse RuntimeApi::OnBodyTooLarge(const std::string& method,
                                              const std::string& target) {
  const Route route = ParseRoute(target);
  if (method == "POST" && (route.kind == RouteKind::kResponse || route.kind == RouteKind::kError)) {
    RuntimeOutcome outcome;
    outcome.kind = RuntimeOutcome::Kind::kResponseTooLarge;
    {
      std::lock_guard lock(mu_);
      if (streamed_ && streamed_->request_id() == route.request_id && streamed_->too_large()) {
        outcome.streamed = streamed_->streamed();
        outcome.limit_bytes = streamed_->limit();
      }
    }
    const size_t limit = outcome.limit_bytes;
    http::HttpResponse answer = HandleResult(route.request_id, std::move(outcome));
    if (answer.status == 413) answer = TooLarge(limit);
    return answer;
  }
  return TooLarge();
}

}  // namespace lambdalite::executor
