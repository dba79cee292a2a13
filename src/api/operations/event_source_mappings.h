#pragma once

#include "api/lambda_api.h"
#include "service/function_service.h"

namespace lambdalite::api {

// Registers Create/Get/Update/Delete/ListEventSourceMappings (the control plane; the pollers are
// wired in src/main). Tags on mapping ARNs go through the tag operations (esm_ops.cc's handler).
void RegisterEventSourceMappings(LambdaApi& api, service::FunctionService& functions);

}  // namespace lambdalite::api
