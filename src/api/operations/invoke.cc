#include "api/operations/invoke.h"

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

// A RequestResponse invocation's input from the request shape, whose strings it takes (the
// payload is not copied).
service::InvokeInput SyncInput(const RequestContext& ctx, shapes::InvocationRequest&& in) {
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
