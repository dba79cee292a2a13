// Recursion-config operations: {"RecursiveLoop": "Allow"|"Terminate"} in and out (RC1..RC4).
#include "api/operations/recursion.h"

#include "api/mapping.h"

namespace lambdalite::api {

namespace json = boost::json;

namespace {

std::string Name(const json::object& in) { return GetString(in, "FunctionName").value_or(""); }

Reply LoopReply(domain::RecursiveLoop loop) {
  const std::string_view name = domain::RecursiveLoopName(loop);
  Reply r;
  r.json = json::object{{"RecursiveLoop", json::string(name.data(), name.size())}};
  return r;
}

}  // namespace

void RegisterRecursion(LambdaApi& api, service::FunctionService& fs) {
  api.Register(
      "PutFunctionRecursionConfig",
      [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
        // The decoder has checked RecursiveLoop against the enum (RC4).
        const auto loop = domain::ParseRecursiveLoop(GetString(in, "RecursiveLoop").value_or(""));
        LAMBDALITE_TRY(auto stored, fs.PutFunctionRecursionConfig(ctx.scope, Name(in), loop));
        return LoopReply(stored);
      });
  api.Register("GetFunctionRecursionConfig",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 LAMBDALITE_TRY(auto loop, fs.GetFunctionRecursionConfig(ctx.scope, Name(in)));
                 return LoopReply(loop);
               });
}

}  // namespace lambdalite::api
