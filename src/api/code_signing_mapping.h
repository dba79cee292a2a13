#pragma once

// Conversions between the code signing config and runtime management config shapes and the
// domain / service values. No I/O.

#include <string>

#include "api/shapes.h"
#include "domain/code_signing.h"
#include "domain/function.h"
#include "service/function_service.h"

namespace lambdalite::api {

// Generated request shapes -> service values. Members absent from the request stay absent (Update
// leaves them unchanged).
service::CodeSigningConfigInput ToCodeSigningConfigInput(
    const shapes::CreateCodeSigningConfigRequest& in);
service::CodeSigningConfigInput ToCodeSigningConfigInput(
    const shapes::UpdateCodeSigningConfigRequest& in);
domain::RuntimeManagementConfig ToRuntimeManagementConfig(
    const shapes::PutRuntimeManagementConfigRequest& in);

// Domain / service values -> the generated response shapes. Every member of a config is sent,
// Description too when it is empty.
shapes::CodeSigningConfig ToCodeSigningConfig(const domain::Scope& scope,
                                              const domain::CodeSigningConfig& config);
shapes::PutFunctionCodeSigningConfigResponse ToPutFunctionCodeSigningConfigResponse(
    service::FunctionCodeSigning binding);
shapes::GetFunctionCodeSigningConfigResponse ToGetFunctionCodeSigningConfigResponse(
    service::FunctionCodeSigning binding);
// RuntimeVersionArn is absent outside the Manual mode; the handler sends it as null (see
// code_signing.cc), which a shape cannot carry.
shapes::PutRuntimeManagementConfigResponse ToPutRuntimeManagementConfigResponse(
    service::RuntimeManagementView view);
shapes::GetRuntimeManagementConfigResponse ToGetRuntimeManagementConfigResponse(
    service::RuntimeManagementView view);

}  // namespace lambdalite::api
