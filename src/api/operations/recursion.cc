// Recursion-config operations: {"RecursiveLoop": "Allow"|"Terminate"} in and out (RC1..RC4). The
// mapping is the enum's wire text both ways (domain/recursion.h), so it lives here.
#include "api/operations/recursion.h"

#include "api/shapes.h"

namespace lambdalite::api {

void RegisterRecursion(LambdaApi& api, service::FunctionService& fs) {
  api.RegisterTyped<shapes::PutFunctionRecursionConfigRequest>(
      "PutFunctionRecursionConfig",
      [&fs](const RequestContext& ctx, const shapes::PutFunctionRecursionConfigRequest& in)
          -> Result<shapes::PutFunctionRecursionConfigResponse> {
        // The decoder has checked RecursiveLoop against the enum (RC4).
        LAMBDALITE_TRY(auto stored,
                       fs.PutFunctionRecursionConfig(ctx.scope, in.FunctionName,
                                                     domain::ParseRecursiveLoop(in.RecursiveLoop)));
        shapes::PutFunctionRecursionConfigResponse out;
        out.RecursiveLoop = std::string(domain::RecursiveLoopName(stored));
        return out;
      });
  api.RegisterTyped<shapes::GetFunctionRecursionConfigRequest>(
      "GetFunctionRecursionConfig",
      [&fs](const RequestContext& ctx, const shapes::GetFunctionRecursionConfigRequest& in)
          -> Result<shapes::GetFunctionRecursionConfigResponse> {
        LAMBDALITE_TRY(auto loop, fs.GetFunctionRecursionConfig(ctx.scope, in.FunctionName));
        shapes::GetFunctionRecursionConfigResponse out;
        out.RecursiveLoop = std::string(domain::RecursiveLoopName(loop));
        return out;
      });
}

}  // namespace lambdalite::api
