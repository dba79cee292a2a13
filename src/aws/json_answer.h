#pragma once

// Reading the JSON answers of the awsJson services (SQS, EventBridge, Kinesis, DynamoDB Streams).
// Internal to the aws library: the service clients' shared plumbing, not an API.

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace lambdalite::aws::internal {

// The answer `body` of `service_label` ("SQS", "Kinesis", ...) to `operation` as a JSON object;
// kUnavailable "<service> <operation> returned an unreadable answer" when it is not one.
Result<boost::json::object> ParseJsonAnswer(std::string_view service_label,
                                            std::string_view operation, std::string_view body);

// A member of an answer, or "" / 0 when it is absent or of another type.
std::string StringField(const boost::json::object& obj, std::string_view name);
double NumberField(const boost::json::object& obj, std::string_view name);
int64_t IntField(const boost::json::object& obj, std::string_view name);

}  // namespace lambdalite::aws::internal
