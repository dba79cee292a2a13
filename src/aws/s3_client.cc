#include "aws/s3_client.h"

#include <utility>

#include "aws/sigv4.h"

namespace lambdalite::aws {
namespace {

bool IsSuccess(int status) { return status >= 200 && status < 300; }

// The error as AWS Lambda words it when it relays an S3 failure.
Error S3Error(std::string_view operation, const ClientResponse& response) {
  ServiceError parsed = ParseServiceError(response);
  if (parsed.code.empty()) parsed.code = std::to_string(response.status);
  return Error::Make(
      response.status >= 500 ? ErrorCode::kUnavailable : ErrorCode::kInvalidParameter,
      "Error occurred while " + std::string(operation) + ". S3 Error Code: " + parsed.code +
          ". S3 Error Message: " + parsed.message);
}

}  // namespace

S3Client::S3Client(HttpClient* http, const Config& config, std::string region, const Clock* clock)
    : client_(http, config, "s3", std::move(region), clock) {
  // Code packages can be hundreds of megabytes.
  client_.set_timeout(std::chrono::minutes(5));
}

std::string S3Client::ObjectPath(std::string_view bucket, std::string_view key) {
  return "/" + UriEncode(bucket, /*keep_slash=*/false) + "/" + UriEncode(key, /*keep_slash=*/true);
}

Result<std::string> S3Client::GetObject(std::string_view bucket, std::string_view key,
                                        std::optional<std::string_view> version_id,
                                        uint64_t max_bytes) const {
  if (bucket.empty() || key.empty()) {
    return Error::Make(ErrorCode::kInvalidParameter,
                       "Error occurred while GetObject. S3 Error Code: InvalidArgument. S3 Error "
                       "Message: Bucket and key must not be empty");
  }
  std::string path = ObjectPath(bucket, key);
  if (version_id) path += "?versionId=" + UriEncode(*version_id, /*keep_slash=*/false);
  ClientRequest request = client_.NewRequest("GET", path);
  request.max_response_bytes = max_bytes;
  LAMBDALITE_TRY(ClientResponse response, client_.SignAndSend(std::move(request)));
  if (!IsSuccess(response.status)) return S3Error("GetObject", response);
  return std::move(response.body);
}

Result<std::string> S3Client::PutObject(std::string_view bucket, std::string_view key,
                                        std::string body, std::string_view content_type) const {
  ClientRequest request = client_.NewRequest("PUT", ObjectPath(bucket, key));
  request.headers.emplace_back("Content-Type", std::string(content_type));
  request.body = std::move(body);
  LAMBDALITE_TRY(ClientResponse response, client_.SignAndSend(std::move(request)));
  if (!IsSuccess(response.status)) return S3Error("PutObject", response);
  return FindHeader(response.headers, "x-amz-version-id").value_or("");
}

Status S3Client::CreateBucket(std::string_view bucket) const {
  ClientRequest request = client_.NewRequest("PUT", "/" + UriEncode(bucket, /*keep_slash=*/false));
  // us-east-1 is the default location and S3 rejects naming it explicitly.
  if (client_.region() != "us-east-1") {
    request.headers.emplace_back("Content-Type", "application/xml");
    request.body =
        "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        "<LocationConstraint>" +
        client_.region() + "</LocationConstraint></CreateBucketConfiguration>";
  }
  LAMBDALITE_TRY(ClientResponse response, client_.SignAndSend(std::move(request)));
  if (!IsSuccess(response.status)) return S3Error("CreateBucket", response);
  return Status::Ok();
}

}  // namespace lambdalite::aws
