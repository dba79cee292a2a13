#pragma once

#include <string>

#include "http/handler.h"

namespace lambdalite::http::internal {

struct ResponseHeadParams {
  bool keep_alive = true;     // what the request asked for and the server allows
  bool http10 = false;        // the request was HTTP/1.0: keep-alive must be spelled out
  bool head_request = false;  // HEAD: announce the body's length but do not send it
  // A streamed body follows: "Transfer-Encoding: chunked" instead of Content-Length (the caller
  // frames the chunks); with http10, neither, and the connection closes after the body.
  bool streamed = false;
};

struct ResponseFraming {
  bool send_body = false;  // write response.body after the head
  bool close = false;      // close the connection after this response
};

// Serializes the status line and header block of `response` into `out` (replacing its contents;
// its capacity is reused). Adds Server, Date (unless the handler set one), Content-Length (except
// for 1xx/204/304, which carry no body) and Connection when needed. Handler headers the transport
// owns (Content-Length, Transfer-Encoding, Server, Connection) are dropped, except that
// "Connection: close" is honoured; headers with invalid names or values (CR/LF/NUL) are dropped
// and logged, so a handler cannot split the response. `response.status` must be 100..999.
// With params.streamed, framing.send_body tells whether body chunks may be sent at all.
ResponseFraming SerializeResponseHead(const HttpResponse& response,
                                      const ResponseHeadParams& params, std::string* out);

// The catch-all answer when a handler throws or misbehaves: 500 with an AWS-style JSON body and
// x-amzn-ErrorType: ServiceException.
HttpResponse InternalErrorResponse();

// A transport-level error (malformed request, oversized header): `status` with a small JSON body.
HttpResponse TransportErrorResponse(int status, std::string_view message);

}  // namespace lambdalite::http::internal
