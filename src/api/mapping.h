#pragma once

// Pure conversions between AWS shapes (JSON objects keyed by the model's member names) and the
// domain / service values. No I/O.

#include <boost/json.hpp>
#include <optional>
#include <string>

#include "common/result.h"
#include "domain/function.h"
#include "service/function_service.h"

namespace lambdalite::api {

// Which FunctionConfiguration members a response carries. List operations omit the state fields
// (AWS: "ListFunctions returns a subset of the FunctionConfiguration fields").
enum class ConfigDetail { kFull, kList };

boost::json::object ToFunctionConfiguration(const domain::Scope& scope,
                                            const service::FunctionView& view, ConfigDetail detail);
boost::json::object ToAliasConfiguration(const domain::Scope& scope, const std::string& function,
                                         const domain::Alias& alias);
boost::json::object ToEventInvokeConfig(const service::EventInvokeConfigView& view);

// Applies the configuration members present in `in` (CreateFunction or
// UpdateFunctionConfiguration input) to `config`. Members absent from `in` are left alone.
Status ApplyConfigMembers(const boost::json::object& in, domain::FunctionConfig& config);

// Reads Code / ZipFile / S3* / ImageUri members into a CodeSource (base64 already decoded).
Result<service::CodeSource> ToCodeSource(const boost::json::object& code);

service::EventInvokeConfigInput ToEventInvokeConfigInput(const boost::json::object& in);
service::AliasInput ToAliasInput(const boost::json::object& in);

// Member accessors for decoded inputs (types already validated against the model).
std::optional<std::string> GetString(const boost::json::object& o, std::string_view key);
std::optional<int64_t> GetInt(const boost::json::object& o, std::string_view key);
std::optional<bool> GetBool(const boost::json::object& o, std::string_view key);
const boost::json::object* GetObject(const boost::json::object& o, std::string_view key);
const boost::json::array* GetArray(const boost::json::object& o, std::string_view key);
std::map<std::string, std::string> GetStringMap(const boost::json::object& o, std::string_view key);

}  // namespace lambdalite::api
