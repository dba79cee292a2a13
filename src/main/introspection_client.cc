#include "main/introspection_client.h"

#include <cstdlib>

#include "aws/sigv4.h"
#include "common/clock.h"

namespace lambdalite::app {

Result<aws::ClientResponse> GetIntrospection(const std::string& url, const std::string& region) {
  aws::ClientRequest req;
  req.url = url;
  const char* key_id = std::getenv("AWS_ACCESS_KEY_ID");
  const char* secret = std::getenv("AWS_SECRET_ACCESS_KEY");
  if (key_id != nullptr && secret != nullptr && *key_id != '\0') {
    aws::SigningParams params;
    params.credentials = {key_id, secret, ""};
    params.region = region.empty() ? "us-east-1" : region;
    params.service = "lambda";
    params.time_ms = SystemClock().NowMillis();
    LAMBDALITE_RETURN_IF_ERROR(aws::SignRequest(params, &req));
  }
  aws::HttpClient http;
  return http.Send(req);
}

}  // namespace lambdalite::app
