#pragma once

// How a streaming function's output reaches the caller while the function runs.

#include <cstddef>
#include <string>

namespace lambdalite::executor {

// AWS's limit on a streamed response: 200 MB (the first 6 MB are sent at full speed, the rest
// is capped at 2 MB/s by AWS; lambdalite does not cap bandwidth). Past it the invocation ends
// with Function.ResponseSizeTooLarge.
inline constexpr size_t kMaxStreamedResponseBytes = 200 * 1024 * 1024;

// Receives the chunks of a response the runtime streams (Lambda-Runtime-Function-Response-Mode:
// streaming), in order, as the function writes them. OnStart comes first, once, with the
// Content-Type the runtime declared; then OnChunk for each piece. The invocation's end (success,
// function error, timeout) is reported separately, through the Invoker's result, after the last
// chunk. Called on Runtime API I/O threads: must not block (queue, never wait). A function that
// does not stream sends nothing here: its whole response comes in the result's payload.
class ResponseStreamSink {
 public:
  virtual ~ResponseStreamSink() = default;
  // The version that is about to run (service::InvokeService calls it before the invocation
  // starts, possibly more than once when a non-blocking attempt is declined; the last call
  // stands). Before any other call.
  virtual void OnVersion(const std::string& /*executed_version*/) {}
  virtual void OnStart(const std::string& content_type) = 0;
  virtual void OnChunk(std::string data) = 0;
};

}  // namespace lambdalite::executor
