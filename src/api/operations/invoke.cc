#include "api/operations/invoke.h"

#include "api/mapping.h"
#include "domain/recursion.h"

namespace lambdalite::api {

namespace json = boost::json;

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

// A RequestResponse invocation's input from the decoded request.
service::InvokeInput SyncInput(const RequestContext& ctx, const json::object& in) {
  service::InvokeInput input;
  input.function_name = GetString(in, "FunctionName").value_or("");
  input.qualifier = GetString(in, "Qualifier");
  input.payload = GetString(in, "Payload").value_or("");
  input.client_context = GetString(in, "ClientContext").value_or("");
  input.tail_log = GetString(in, "LogType").value_or("None") == "Tail";
  // The response's x-amzn-RequestId is the function's aws_request_id (reference, request ids).
  input.request_id = ctx.request_id;
  input.lineage = LineageOf(ctx);
  return input;
}

// The function's result as Invoke answers it: 200, the payload untouched, the version that ran,
// the function error and the log tail when there are any.
Result<Reply> SyncReply(Result<executor::InvocationResult> invoked) {
  if (!invoked.ok()) return std::move(invoked).error();
  executor::InvocationResult& result = *invoked;
  Reply r;
  r.status = 200;
  r.raw_body = std::move(result.payload);
  r.headers.push_back({"Content-Type", "application/json"});
  r.headers.push_back({"X-Amz-Executed-Version", std::move(result.executed_version)});
  if (!result.function_error.empty()) {
    r.headers.push_back({"X-Amz-Function-Error", std::move(result.function_error)});
  }
  if (!result.log_result.empty()) {
    r.headers.push_back({"X-Amz-Log-Result", std::move(result.log_result)});
  }
  return r;
}

}  // namespace

void RegisterInvoke(LambdaApi& api, service::InvokeService& invoke) {
  api.Register("InvokeAsync",
               [&invoke](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 service::InvokeInput input;
                 input.function_name = GetString(in, "FunctionName").value_or("");
                 input.payload = GetString(in, "InvokeArgs").value_or("");
                 input.request_id = ctx.request_id;
                 LAMBDALITE_RETURN_IF_ERROR(
                     invoke.InvokeAsync(ctx.scope, std::move(input), kMaxInvokeAsyncLegacyBytes));
                 Reply r;
                 r.status = 202;
                 r.json = json::object{{"Status", 202}};
                 return r;
               });

  api.Register(
      "Invoke", [&invoke](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
        const std::string type = GetString(in, "InvocationType").value_or("RequestResponse");
        const std::string name = GetString(in, "FunctionName").value_or("");
        const auto qualifier = GetString(in, "Qualifier");
        if (type == "DryRun") {
          // Nothing runs; AWS still checks that the target exists and answers 204.
          LAMBDALITE_TRY(auto target, invoke.Resolve(ctx.scope, name, qualifier));
          (void)target;
          Reply r;
          r.status = 204;
          return r;
        }
        if (type == "Event") {
          // Accepted once durably queued: 202, empty body, the event's request id (reference I3).
          service::InvokeInput input;
          input.function_name = name;
          input.qualifier = qualifier;
          input.payload = GetString(in, "Payload").value_or("");
          input.request_id = ctx.request_id;
          input.lineage = LineageOf(ctx);
          LAMBDALITE_RETURN_IF_ERROR(
              invoke.InvokeAsync(ctx.scope, std::move(input), kMaxAsyncPayloadBytes));
          Reply r;
          r.status = 202;
          return r;
        }
        return SyncReply(invoke.InvokeSync(ctx.scope, SyncInput(ctx, in)));
      });

  // A RequestResponse invocation that a warm environment can take holds no thread while the
  // function runs; the rest (cold starts, DryRun, Event) goes to the handler above.
  api.RegisterAsync(
      "Invoke", [&invoke](const RequestContext& ctx, const json::object& in, AsyncReplyDone done) {
        if (GetString(in, "InvocationType").value_or("RequestResponse") != "RequestResponse") {
          return false;
        }
        return invoke.TryInvokeSync(ctx.scope, SyncInput(ctx, in),
                                    [done = std::move(done)](Result<executor::InvocationResult> r) {
                                      done(SyncReply(std::move(r)));
                                    });
      });
}

}  // namespace lambdalite::api
