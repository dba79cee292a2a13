#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/endpoints.h"
#include "aws/http_client.h"
#include "common/clock.h"
#include "common/result.h"

namespace lambdalite::aws {

// What a failed AWS call said about itself.
struct ServiceError {
  int status = 0;
  std::string code;     // e.g. "NoSuchBucket", "QueueDoesNotExist"; empty when none was sent
  std::string message;  // may be empty
};

// Extracts the error code and message from a non-2xx response of any AWS protocol: XML bodies
// (<Code>/<Message>, as S3 and the query protocols send) and JSON bodies (__type or the
// x-amzn-ErrorType header, and message/Message, as the JSON protocols send). Namespace prefixes
// ("com.amazonaws.sqs#QueueDoesNotExist", "Foo:http://...") are removed from the code.
ServiceError ParseServiceError(const ClientResponse& response);

// The text of the first <element>...</element> in `xml`, with the five predefined XML entities and
// numeric character references decoded; nullopt when absent. Enough for AWS's flat error and
// result documents, not a general XML parser.
std::optional<std::string> XmlElementText(std::string_view xml, std::string_view element);

// application/x-www-form-urlencoded body for the query protocols, with SigV4's encoding rules.
std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& params);

// Signs (SigV4) and sends requests to one AWS service endpoint. The building block for the
// service clients (S3Client here; SQS, SNS and EventBridge clients use CallJson / CallQuery).
// Thread-safe; `http` and `clock` must outlive the client.
class AwsClient {
 public:
  // `service` is both the endpoint id (see ResolveEndpoint) and the SigV4 signing name; `region`
  // empty means config.region. A null `clock` means the system clock.
  AwsClient(HttpClient* http, const Config& config, std::string service, std::string region = {},
            const Clock* clock = nullptr);

  const std::string& endpoint() const { return endpoint_; }
  const std::string& region() const { return region_; }
  const std::string& service() const { return service_; }

  // Sends to `endpoint` instead of the one resolved for the service id, for services whose
  // endpoint id differs from their signing name (DynamoDB Streams signs as "dynamodb").
  void set_endpoint(std::string endpoint) { endpoint_ = std::move(endpoint); }

  // Deadline for each call after connecting (ClientRequest::timeout).
  void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }

  // A request for `path_and_query` (starting with '/', already percent-encoded) on the endpoint.
  ClientRequest NewRequest(std::string method, std::string_view path_and_query) const;

  // Signs `request` with the configured credentials at the current time and sends it. Any HTTP
  // status is a success here; only transport failures are errors.
  Result<ClientResponse> SignAndSend(ClientRequest request) const;

  // awsJson protocols (SQS, EventBridge): POST / with X-Amz-Target `target` and Content-Type
  // application/x-amz-json-<json_version>.
  Result<ClientResponse> CallJson(std::string_view target, std::string_view json_version,
                                  std::string body) const;

  // awsQuery protocol (SNS): POST / with Action, Version and `params` form-encoded.
  Result<ClientResponse> CallQuery(
      std::string_view action, std::string_view version,
      const std::vector<std::pair<std::string, std::string>>& params) const;

 private:
  HttpClient* http_;
  Credentials credentials_;
  std::string service_;
  std::string region_;
  std::string endpoint_;
  const Clock* clock_;
  std::chrono::milliseconds timeout_{60'000};
};

}  // namespace lambdalite::aws
