#pragma once

#include "api/lambda_api.h"
#include "service/code_url.h"
#include "service/function_service.h"

namespace lambdalite::api {

// Registers the layer operations: PublishLayerVersion, GetLayerVersion, GetLayerVersionByArn,
// ListLayers, ListLayerVersions, DeleteLayerVersion, AddLayerVersionPermission,
// GetLayerVersionPolicy, RemoveLayerVersionPermission. Content.Location is a presigned URL of
// `signer`, served by the code download route of RegisterControlPlane.
void RegisterLayers(LambdaApi& api, service::FunctionService& functions,
                    const service::CodeUrlSigner& signer);

}  // namespace lambdalite::api
