#pragma once

#include "api/lambda_api.h"
#include "service/function_service.h"

namespace lambdalite::api {

// Registers the provisioned concurrency operations: PutProvisionedConcurrencyConfig,
// GetProvisionedConcurrencyConfig, DeleteProvisionedConcurrencyConfig,
// ListProvisionedConcurrencyConfigs.
void RegisterProvisionedConcurrency(LambdaApi& api, service::FunctionService& functions);

}  // namespace lambdalite::api
