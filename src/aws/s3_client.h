#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "aws/aws_client.h"
#include "aws/endpoints.h"
#include "aws/http_client.h"
#include "common/clock.h"
#include "common/result.h"

namespace lambdalite::aws {

// The few S3 operations lambdalite needs: fetching function code (CreateFunction /
// UpdateFunctionCode with S3Bucket/S3Key) and, later, writing to S3 destinations.
//
// Requests use path-style URLs (<endpoint>/<bucket>/<key>), which every emulator and real S3
// accept and which need no DNS per bucket. Thread-safe; `http` and `clock` must outlive the
// client.
//
// Errors S3 reports come back with the message AWS Lambda shows for them:
//   "Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified
//    bucket does not exist"
// with code kInvalidParameter for a 4xx answer and kUnavailable for a 5xx one (the operation name
// changes with the call). Transport failures keep the HttpClient's error (kUnavailable, or
// kRequestTooLarge for an object over the size limit).
class S3Client {
 public:
  // `region` empty means config.region.
  S3Client(HttpClient* http, const Config& config, std::string region = {},
           const Clock* clock = nullptr);

  // The object's exact bytes. Fails with kRequestTooLarge when it is larger than `max_bytes`.
  Result<std::string> GetObject(std::string_view bucket, std::string_view key,
                                std::optional<std::string_view> version_id = std::nullopt,
                                uint64_t max_bytes = kDefaultMaxResponseBytes) const;

  // Stores `body` under `key`. Returns the new version id when the bucket is versioned, else "".
  Result<std::string> PutObject(std::string_view bucket, std::string_view key, std::string body,
                                std::string_view content_type = "application/octet-stream") const;

  // Creates a bucket in the client's region. Mostly for tests and local setups.
  Status CreateBucket(std::string_view bucket) const;

  // "/<bucket>/<key>" with the key percent-encoded per S3's rules ('/' kept), for path-style URLs.
  static std::string ObjectPath(std::string_view bucket, std::string_view key);

  const AwsClient& client() const { return client_; }

 private:
  AwsClient client_;
};

}  // namespace lambdalite::aws
