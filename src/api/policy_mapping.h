#pragma once

// Conversions between the resource-policy shapes (AddPermission, GetPolicy) and the service
// values. No I/O. The statement and document texts are rendered by domain/policy; these only map
// members.

#include "api/shapes.h"
#include "service/function_service.h"

namespace lambdalite::api {

// AddPermission's members beyond FunctionName and Qualifier.
service::AddPermissionInput ToAddPermissionInput(const shapes::AddPermissionRequest& in);

// AddPermission's answer: the statement only; AWS sends no RevisionId here (reference RP1).
shapes::AddPermissionResponse ToAddPermissionResponse(std::string statement);
shapes::GetPolicyResponse ToGetPolicyResponse(service::PolicyView view);

}  // namespace lambdalite::api
