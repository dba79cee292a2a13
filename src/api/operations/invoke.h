#pragma once

#include "api/lambda_api.h"
#include "service/invoke_service.h"

namespace lambdalite::api {

// Registers Invoke (RequestResponse and DryRun; Event is the async pipeline's).
void RegisterInvoke(LambdaApi& api, service::InvokeService& invoke);

}  // namespace lambdalite::api
