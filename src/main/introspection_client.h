#pragma once

// The client side of the /_lambdalite/ introspection endpoints, for the `events` and `esm`
// commands.

#include <string>

#include "aws/http_client.h"
#include "common/result.h"

namespace lambdalite::app {

// GET `url`. A server started with --auth-keys answers only signed requests, so the request is
// signed (SigV4, service lambda, `region` or us-east-1) with the environment's
// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY when there is a key; the account is then the key's.
Result<aws::ClientResponse> GetIntrospection(const std::string& url, const std::string& region);

}  // namespace lambdalite::app
