#pragma once

// Parsing of the FunctionName forms AWS accepts, and building of Lambda ARNs.
//
//   my-function
//   my-function:qualifier
//   123456789012:function:my-function[:qualifier]            (partial ARN)
//   arn:aws:lambda:us-east-1:123456789012:function:my-function[:qualifier]

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "domain/function.h"

namespace lambdalite::domain {

struct FunctionRef {
  std::string name;
  std::optional<std::string> qualifier;  // from the name itself, if it carried one
  std::optional<std::string> account;    // from an ARN
  std::optional<std::string> region;     // from a full ARN
};

// Splits a FunctionName into its parts. The string has already passed the model's pattern, so
// this only fails on forms the pattern lets through but AWS still refuses.
Result<FunctionRef> ParseFunctionName(std::string_view function_name);

// Combines the qualifier carried by the name with the explicit `Qualifier` parameter. When both
// are present they must be equal (AWS: "The derived qualifier from the function name does not
// match the specified qualifier.").
Result<std::optional<std::string>> ResolveQualifier(const FunctionRef& ref,
                                                    const std::optional<std::string>& explicit_q);

// Checks that an ARN-form name targets the caller's scope. AWS refuses a foreign region or
// account with InvalidParameterValueException / AccessDenied-like errors.
Status CheckScope(const FunctionRef& ref, const Scope& scope);

std::string FunctionArn(const Scope& scope, std::string_view name);
std::string QualifiedFunctionArn(const Scope& scope, std::string_view name,
                                 std::string_view qualifier);

// Runtime versions. lambdalite ships one version of each runtime, so both names are fixed per
// runtime identifier: "python3.12" is "python:3.12.v1" (AWS: "python:3.12.v38"), and its ARN is
// "arn:aws:lambda:<region>::runtime:<sha-256 of the identifier, hex>", the shape of AWS's
// RuntimeVersionArn. GetFunction's RuntimeVersionConfig and the INIT_START log record agree.
std::string RuntimeVersionName(std::string_view runtime);
std::string RuntimeVersionArn(const Scope& scope, std::string_view runtime);

// True for a published version number ("1", "42").
bool IsVersionNumber(std::string_view q);

// Whether `region` is a region name of one of AWS's partitions: it matches a partition's
// regionRegex in botocore's partitions.json (botocore 1.43), e.g. aws
// "^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$", aws-cn "^cn\-\w+\-\d+$", aws-us-gov
// "^us\-gov\-\w+\-\d+$", the iso partitions and aws-eusc. Only such a region can scope a
// request; it is also what makes a region safe in a file name.
bool IsValidRegion(std::string_view region);

}  // namespace lambdalite::domain
