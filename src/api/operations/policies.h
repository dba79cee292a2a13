#pragma once

#include "api/lambda_api.h"
#include "service/function_service.h"

namespace lambdalite::api {

// Registers the resource-policy operations: AddPermission, GetPolicy, RemovePermission.
void RegisterPolicies(LambdaApi& api, service::FunctionService& functions);

}  // namespace lambdalite::api
