#pragma once

// Conversions between the layer shapes (PublishLayerVersion ... GetLayerVersionPolicy) and the
// service values. No I/O. Key presence follows aws-lambda-behaviour-2.md section 2.1: Description
// always (""), LicenseInfo and the compatibility lists only when given, list entries without
// Content and LayerArn (LY8).

#include <string>

#include "api/shapes.h"
#include "domain/layer.h"
#include "service/function_service.h"

namespace lambdalite::api {

service::PublishLayerInput ToPublishLayerInput(const shapes::PublishLayerVersionRequest& in);

// Publish and Get answer the same members; `location` is the package's download URL.
template <class Shape>
Shape ToLayerVersionShape(const domain::Scope& scope, const domain::LayerVersion& v,
                          std::string location);

shapes::LayerVersionsListItem ToLayerVersionsListItem(const domain::Scope& scope,
                                                      const domain::LayerVersion& v);
shapes::LayersListItem ToLayersListItem(const domain::Scope& scope, const domain::LayerVersion& v);

service::AddLayerPermissionInput ToAddLayerPermissionInput(
    const shapes::AddLayerVersionPermissionRequest& in);

}  // namespace lambdalite::api
