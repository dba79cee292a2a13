#pragma once

// The Lambda Runtime API (version 2018-06-01) for one execution environment: the HTTP endpoint a
// runtime client polls for invocations and posts results to. One RuntimeApi instance serves one
// environment, on its own listener port (http::Server::AddListener).
//
//   GET  /2018-06-01/runtime/invocation/next          long poll; 200 with the event and the
//                                                      Lambda-Runtime-* headers
//   POST /2018-06-01/runtime/invocation/{id}/response  202 {"status":"OK"}
//   POST /2018-06-01/runtime/invocation/{id}/error     202; the body is the function error payload
//   POST /2018-06-01/runtime/init/error                202; the body is the init error payload
//
// Streaming mode (POST .../response with Lambda-Runtime-Function-Response-Mode: streaming, a
// chunked body): every piece of the body goes to the invocation's ResponseStreamSink as it
// arrives, up to kMaxStreamedResponseBytes; a mid-stream error comes in the trailers
// Lambda-Runtime-Function-Error-Type and Lambda-Runtime-Function-Error-Body (base64 of the JSON
// error), and makes the outcome a kError with that body. Without a sink (a plain Invoke of a
// streaming function) the pieces are collected as a buffered response would be.
//
// Unknown or finished request ids get 400 InvalidRequestID; a response or error body over
// kMaxRuntimePayloadBytes gets 413 RequestEntityTooLarge and the invocation ends with AWS's
// Function.ResponseSizeTooLarge error (wording from AWS's Runtime Interface Emulator, rapid).
//
// The handler only translates HTTP into events for its RuntimeApiObserver (the environment) and
// never blocks: /next is answered through HandleAsync, so a parked poll holds no thread. One poll
// is parked at a time; a newer one replaces it (the older gets 403 InvalidStateTransition).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "executor/response_stream.h"
#include "http/handler.h"

namespace lambdalite::executor {

// AWS's MaxPayloadSize for responses posted by the runtime: 6 MiB + 100 bytes. A response of
// exactly 6 MiB is accepted.
inline constexpr size_t kMaxRuntimePayloadBytes = 6 * 1024 * 1024 + 100;

// One invocation as the runtime receives it from /next.
struct RuntimeInvocation {
  std::string request_id;
  std::string payload;      // the event, sent as the body
  int64_t deadline_ms = 0;  // Lambda-Runtime-Deadline-Ms: epoch milliseconds
  std::string invoked_function_arn;
  std::string trace_id;          // Lambda-Runtime-Trace-Id
  std::string client_context;    // decoded JSON text; the header is omitted when empty
  std::string cognito_identity;  // JSON text; the header is omitted when empty
  // Where a streamed response goes (not sent to the runtime); null: collect it (up to
  // kMaxRuntimePayloadBytes) into the outcome's body.
  std::shared_ptr<ResponseStreamSink> stream_sink;
};

// How the runtime ended an invocation.
struct RuntimeOutcome {
  enum class Kind {
    kResponse,          // POST .../response
    kError,             // POST .../error
    kResponseTooLarge,  // a response (or error) body over kMaxRuntimePayloadBytes
  };
  Kind kind = Kind::kResponse;
  std::string body;        // the posted body, untouched (empty for kResponseTooLarge)
  std::string error_type;  // Lambda-Runtime-Function-Error-Type of an error, may be empty
  // The response was streamed to the invocation's stream_sink (body then empty, or the error
  // the trailers reported).
  bool streamed = false;
  // kResponseTooLarge: the limit that was exceeded.
  size_t limit_bytes = kMaxRuntimePayloadBytes;
};

// Receives the runtime's events. Called on HTTP I/O threads, never while the RuntimeApi holds its
// lock, so implementations may call back into the RuntimeApi. They must not block.
class RuntimeApiObserver {
 public:
  virtual ~RuntimeApiObserver() = default;
  // A /next poll is waiting and nothing is assigned: the runtime is initialized and idle. The
  // first call marks the end of the environment's init phase.
  virtual void OnRuntimeWaiting() = 0;
  // The runtime answered the assigned invocation. At most once per invocation.
  virtual void OnInvocationOutcome(const std::string& request_id, RuntimeOutcome outcome) = 0;
  // The runtime reported a failed initialization (before its first /next poll).
  virtual void OnInitError(std::string body, std::string error_type) = 0;
};

class RuntimeApi final : public http::RequestHandler {
 public:
  // `observer` must outlive this handler.
  explicit RuntimeApi(RuntimeApiObserver& observer);
  ~RuntimeApi() override;
  RuntimeApi(const RuntimeApi&) = delete;
  RuntimeApi& operator=(const RuntimeApi&) = delete;

  // Hands an invocation to the runtime: answers the parked /next poll now, or the next one to
  // arrive. One invocation at a time: returns false (and does nothing) while another one is
  // assigned and not yet answered or abandoned. Thread-safe.
  bool Assign(RuntimeInvocation invocation);

  // Forgets the assigned invocation (timed out, or the environment is going away): later posts
  // for it get 400 InvalidRequestID. Thread-safe; harmless when nothing is assigned.
  void Abandon();

  // http::RequestHandler. Everything is answered through HandleAsync; Handle exists for the
  // interface and blocks until HandleAsync's answer.
  http::HttpResponse Handle(const http::HttpRequest& request) override;
  bool HandleAsync(const http::HttpRequest& request,
                   std::function<void(http::HttpResponse)> done) override;
  size_t BodyLimit(const std::string& method, const std::string& target) const override;
  http::HttpResponse OnBodyTooLarge(const std::string& method, const std::string& target) override;
  std::shared_ptr<http::RequestBodySink> StreamRequestBody(
      const http::HttpRequest& request) override;

 private:
  class StreamedBody;
  using Done = std::function<void(http::HttpResponse)>;

  void HandleNext(Done done);
  http::HttpResponse HandleResult(const std::string& request_id, RuntimeOutcome outcome);
  http::HttpResponse HandleInitError(const http::HttpRequest& request);

  RuntimeApiObserver& observer_;

  std::mutex mu_;
  std::optional<Done> parked_poll_;                   // a /next waiting for work
  std::optional<RuntimeInvocation> queued_;           // assigned, not yet fetched by /next
  std::string current_id_;                            // fetched, not yet answered ("" = none)
  std::shared_ptr<ResponseStreamSink> current_sink_;  // current_id_'s stream sink
  // The streamed body of current_id_'s response, once its head arrived.
  std::shared_ptr<StreamedBody> streamed_;
  bool polled_ = false;  // a /next arrived at least once
};

}  // namespace lambdalite::executor
