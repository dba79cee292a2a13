#include "api/operations/invoke.h"

#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "api/event_stream.h"
#include "api/mapping.h"
#include "api/shapes.h"
#include "domain/recursion.h"

namespace lambdalite::api {

namespace {

// The recursion lineage of the call's X-Amzn-Trace-Id header (the AWS SDKs inside a function
// forward _X_AMZN_TRACE_ID there); empty without one.
std::string LineageOf(const RequestContext& ctx) {
  if (ctx.request == nullptr) return {};
  const std::string* header = ctx.request->FindHeader("X-Amzn-Trace-Id");
  if (header == nullptr) return {};
  return std::string(domain::LineageOf(*header));
}

// AWS: "For asynchronous invocations, the maximum payload size is 1 MB"; the legacy
// InvokeAsync API keeps its 256 KB limit.
constexpr size_t kMaxAsyncPayloadBytes = 1'048'576;
constexpr size_t kMaxInvokeAsyncLegacyBytes = 262'144;

// A RequestResponse (or response-streaming) invocation's input from the request shape, whose
// strings it takes (the payload is not copied). Invoke's and InvokeWithResponseStream's shapes
// share these members.
template <class Request>
service::InvokeInput SyncInput(const RequestContext& ctx, Request&& in) {
  service::InvokeInput input;
  input.function_name = std::move(in.FunctionName);
  input.qualifier = std::move(in.Qualifier);
  input.payload = std::move(in.Payload).value_or(std::string());
  input.client_context = std::move(in.ClientContext).value_or(std::string());
  input.tail_log = in.LogType.value_or("None") == "Tail";
  // The response's x-amzn-RequestId is the function's aws_request_id (reference, request ids).
  input.request_id = ctx.request_id;
  input.lineage = LineageOf(ctx);
  return input;
}

// The function's result as Invoke answers it: 200, the payload untouched, the version that ran,
// the function error and the log tail when there are any (InvocationResponse's header members).
Result<Reply> SyncReply(Result<executor::InvocationResult> invoked) {
  if (!invoked.ok()) return std::move(invoked).error();
  executor::InvocationResult& result = *invoked;
  shapes::InvocationResponse out;
  out.StatusCode = 200;
  out.Payload = std::move(result.payload);
  out.ExecutedVersion = std::move(result.executed_version);
  if (!result.function_error.empty()) out.FunctionError = std::move(result.function_error);
  if (!result.log_result.empty()) out.LogResult = std::move(result.log_result);
  Reply r;
  r.headers.reserve(4);
  // The payload is the function's JSON answer; the model's blob payload has no content type.
  r.headers.push_back({"Content-Type", "application/json"});
  ToReply(std::move(out), r);
  return r;
}

bool IsRequestResponse(const shapes::InvocationRequest& in) {
  return in.InvocationType.value_or("RequestResponse") == "RequestResponse";
}

// InvokeWithResponseStream's answer, built as the invocation goes: 200 with Content-Type
// application/vnd.amazon.eventstream and X-Amz-Executed-Version, a PayloadChunk event per chunk
// the function streams (a buffered function's whole response is one PayloadChunk), then one
// InvokeComplete event (ErrorCode "Unhandled" and ErrorDetails, the error payload, for a function
// error; LogResult with Tail). The head goes out with the first chunk or at the end, so a request
// that cannot run (not found, throttled) still gets its plain AWS error.
//
// It is the invocation's ResponseStreamSink (I/O threads) and gets its result through Finish. In
// the non-blocking path `ask` requests the reply (once, outside the lock) when there is something
// to send; in the blocking path the writer is attached before the invocation starts.
class EventStreamReply final : public executor::ResponseStreamSink,
                               public std::enable_shared_from_this<EventStreamReply> {
 public:
  explicit EventStreamReply(AsyncReplyDone ask) : ask_(std::move(ask)) {}

  void Attach(ReplyWriter writer) {
    std::unique_lock lock(mu_);
    writer_ = std::move(writer);
    Pump(lock);
  }

  void OnVersion(const std::string& executed_version) override {
    std::lock_guard lock(mu_);
    version_ = executed_version;
  }
  void OnStart(const std::string& /*content_type*/) override {}
  // Passed through untouched, metadata prelude included, as AWS does.
  void OnChunk(std::string data) override { Push(EncodePayloadChunk(data)); }

  void Finish(Result<executor::InvocationResult> invoked) {
    std::unique_lock lock(mu_);
    if (!invoked.ok()) {
      if (begun_ || !pending_.empty()) {
        pending_.push_back(EncodeInvokeComplete("ServiceException", invoked.error().message, ""));
      } else {
        error_ = std::move(invoked).error();
      }
    } else {
      executor::InvocationResult& result = *invoked;
      if (!result.executed_version.empty()) version_ = result.executed_version;
      if (!result.function_error.empty()) {
        pending_.push_back(
            EncodeInvokeComplete(result.function_error, result.payload, result.log_result));
      } else {
        if (!result.streamed && !result.payload.empty()) {
          pending_.push_back(EncodePayloadChunk(result.payload));
        }
        pending_.push_back(EncodeInvokeComplete("", "", result.log_result));
      }
    }
    finished_ = true;
    Pump(lock);
  }

 private:
  void Push(std::string frame) {
    std::unique_lock lock(mu_);
    if (finished_) return;
    pending_.push_back(std::move(frame));
    Pump(lock);
  }

  // Sends what can be sent. Releases the lock before asking for the reply.
  void Pump(std::unique_lock<std::mutex>& lock) {
    if (!writer_) {
      if (!ask_ || (pending_.empty() && !finished_)) return;
      AsyncReplyDone ask = std::move(ask_);
      ask_ = nullptr;
      std::optional<Error> error = std::move(error_);
      lock.unlock();
      if (error) {
        ask(std::move(*error));
        return;
      }
      Reply reply;
      reply.stream = [self = shared_from_this()](ReplyWriter writer) {
        self->Attach(std::move(writer));
      };
      ask(std::move(reply));
      return;
    }
    if (!begun_) {
      if (error_) {
        writer_->Fail(*error_);
        writer_.reset();
        return;
      }
      if (pending_.empty() && !finished_) return;
      std::vector<http::Header> headers;
      headers.push_back({"Content-Type", "application/vnd.amazon.eventstream"});
      if (!version_.empty()) headers.push_back({"X-Amz-Executed-Version", version_});
      writer_->Begin(200, std::move(headers));
      begun_ = true;
    }
    for (std::string& frame : pending_) writer_->Write(std::move(frame));
    pending_.clear();
    if (finished_) {
      writer_->End();
      writer_.reset();
    }
  }

  std::mutex mu_;
  AsyncReplyDone ask_;
  std::optional<ReplyWriter> writer_;
  bool begun_ = false;
  bool finished_ = false;
  std::optional<Error> error_;
  std::vector<std::string> pending_;
  std::string version_;
};

}  // namespace

void RegisterInvoke(LambdaApi& api, service::InvokeService& invoke) {
  api.RegisterTyped<shapes::InvokeAsyncRequest>(
      "InvokeAsync",
      [&invoke](const RequestContext& ctx, shapes::InvokeAsyncRequest&& in) -> Result<Reply> {
        service::InvokeInput input;
        input.function_name = std::move(in.FunctionName);
        input.payload = std::move(in.InvokeArgs);
        input.request_id = ctx.request_id;
        LAMBDALITE_RETURN_IF_ERROR(
            invoke.InvokeAsync(ctx.scope, std::move(input), kMaxInvokeAsyncLegacyBytes));
        // InvokeAsyncResponse's only member, Status, is the HTTP status; lambdalite has always
        // also sent it as the body, which clients ignore.
        Reply r;
        r.status = 202;
        r.json = boost::json::object{{"Status", 202}};
        return r;
      });

  api.RegisterTyped<shapes::InvocationRequest>(
      "Invoke",
      [&invoke](const RequestContext& ctx, shapes::InvocationRequest&& in) -> Result<Reply> {
        const std::string type = in.InvocationType.value_or("RequestResponse");
        if (type == "DryRun") {
          // Nothing runs; AWS still checks that the target exists and answers 204.
          LAMBDALITE_TRY(auto target, invoke.Resolve(ctx.scope, in.FunctionName, in.Qualifier));
          (void)target;
          Reply r;
          r.status = 204;
          return r;
        }
        if (type == "Event") {
          // Accepted once durably queued: 202, empty body, the event's request id (reference I3).
          service::InvokeInput input;
          input.function_name = std::move(in.FunctionName);
          input.qualifier = std::move(in.Qualifier);
          input.payload = std::move(in.Payload).value_or(std::string());
          input.request_id = ctx.request_id;
          input.lineage = LineageOf(ctx);
          LAMBDALITE_RETURN_IF_ERROR(
              invoke.InvokeAsync(ctx.scope, std::move(input), kMaxAsyncPayloadBytes));
          Reply r;
          r.status = 202;
          return r;
        }
        return SyncReply(invoke.InvokeSync(ctx.scope, SyncInput(ctx, std::move(in))));
      });

  // InvokeWithResponseStream. The event stream output cannot be a typed shape (ToReply renders
  // one body, not a sequence of events), so the reply is a streamed Reply built by
  // EventStreamReply; the request is typed. InvocationType DryRun streams like RequestResponse
  // (AWS SAM's integration tests record AWS answering DryRun with the function's chunks).
  api.RegisterTyped<shapes::InvokeWithResponseStreamRequest>(
      "InvokeWithResponseStream",
      [&invoke](const RequestContext& ctx,
                shapes::InvokeWithResponseStreamRequest&& in) -> Result<Reply> {
        Reply r;
        // Runs on the worker thread (it may block on a cold start) with the writer attached
        // first, so chunks stream while InvokeSync waits.
        r.stream = [&invoke, scope = ctx.scope,
                    input = SyncInput(ctx, std::move(in))](ReplyWriter writer) mutable {
          auto reply = std::make_shared<EventStreamReply>(nullptr);
          reply->Attach(std::move(writer));
          input.stream_sink = reply;
          reply->Finish(invoke.InvokeSync(scope, std::move(input)));
        };
        return r;
      });
  api.RegisterTypedAsync<shapes::InvokeWithResponseStreamRequest>(
      "InvokeWithResponseStream",
      [&invoke](const RequestContext& ctx, shapes::InvokeWithResponseStreamRequest&& in,
                AsyncReplyDone done) {
        auto reply = std::make_shared<EventStreamReply>(std::move(done));
        service::InvokeInput input = SyncInput(ctx, std::move(in));
        input.stream_sink = reply;
        return invoke.TryInvokeSync(
            ctx.scope, std::move(input),
            [reply](Result<executor::InvocationResult> r) { reply->Finish(std::move(r)); });
      });

  // A RequestResponse invocation that a warm environment can take holds no thread while the
  // function runs; the rest (cold starts, DryRun, Event) goes to the handler above.
  api.RegisterTypedAsync<shapes::InvocationRequest>(
      "Invoke",
      [&invoke](const RequestContext& ctx, shapes::InvocationRequest&& in, AsyncReplyDone done) {
        if (!IsRequestResponse(in)) return false;
        return invoke.TryInvokeSync(ctx.scope, SyncInput(ctx, std::move(in)),
                                    [done = std::move(done)](Result<executor::InvocationResult> r) {
                                      done(SyncReply(std::move(r)));
                                    });
      });
}

}  // namespace lambdalite::api
