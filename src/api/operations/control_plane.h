#pragma once

#include "api/lambda_api.h"
#include "service/code_url.h"
#include "service/function_service.h"

namespace lambdalite::api {

// Registers the control-plane operations (functions, code, versions, aliases, event invoke
// configs, concurrency, account settings, tags) and the presigned code download path.
void RegisterControlPlane(LambdaApi& api, service::FunctionService& functions,
                          const service::CodeUrlSigner& signer);

}  // namespace lambdalite::api
