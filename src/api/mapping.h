#pragma once

// Pure conversions between the AWS shapes (the generated api/shapes.h types) and the domain /
// service values. No I/O. The domain keeps its own types; only api/ knows the shapes.

#include <boost/json.hpp>
#include <optional>
#include <string>

#include "api/shapes.h"
#include "common/result.h"
#include "domain/function.h"
#include "service/function_service.h"

namespace lambdalite::api {

// Which FunctionConfiguration members a response carries. List operations omit the state fields
// (AWS: "ListFunctions returns a subset of the FunctionConfiguration fields").
enum class ConfigDetail { kFull, kList };

// Domain / service values -> the generated response shapes (api/shapes.h).
shapes::FunctionConfiguration ToFunctionConfiguration(const domain::Scope& scope,
                                                      const service::FunctionView& view,
                                                      ConfigDetail detail);
shapes::AliasConfiguration ToAliasConfiguration(const domain::Scope& scope,
                                                const std::string& function,
                                                const domain::Alias& alias);
shapes::FunctionEventInvokeConfig ToEventInvokeConfig(const service::EventInvokeConfigView& view);

// Generated request shapes -> domain / service values.
//
// Applies the configuration members present in the request to `config`; members absent from it
// are left alone. CreateFunction also carries PackageType and Architectures.
Status ApplyConfigMembers(const shapes::CreateFunctionRequest& in, domain::FunctionConfig& config);
Status ApplyConfigMembers(const shapes::UpdateFunctionConfigurationRequest& in,
                          domain::FunctionConfig& config);

// The code of CreateFunction's Code member or of an UpdateFunctionCode request (ZipFile is already
// base64-decoded by the shape's decoder). Moves the bytes out of `in`.
service::CodeSource ToCodeSource(shapes::FunctionCode&& in);
service::CodeSource ToCodeSource(shapes::UpdateFunctionCodeRequest&& in);

service::EventInvokeConfigInput ToEventInvokeConfigInput(
    const shapes::PutFunctionEventInvokeConfigRequest& in);
service::EventInvokeConfigInput ToEventInvokeConfigInput(
    const shapes::UpdateFunctionEventInvokeConfigRequest& in);
service::AliasInput ToAliasInput(const shapes::CreateAliasRequest& in);
service::AliasInput ToAliasInput(const shapes::UpdateAliasRequest& in);

}  // namespace lambdalite::api
