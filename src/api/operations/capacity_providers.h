#pragma once

#include "api/lambda_api.h"
#include "service/function_service.h"

namespace lambdalite::api {

// Registers the capacity-provider operations: Create/Get/List/Update/DeleteCapacityProvider and
// ListFunctionVersionsByCapacityProvider, and the function versions' Put/GetFunctionScalingConfig
// (configuration only: see domain/capacity_provider.h).
void RegisterCapacityProviders(LambdaApi& api, service::FunctionService& functions);

}  // namespace lambdalite::api
