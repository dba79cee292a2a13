#pragma once

// The transport contract. The HTTP layer (Beast) parses a request into HttpRequest, hands it to a
// RequestHandler and writes back the HttpResponse. It knows nothing about AWS.

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lambdalite::http {

struct Header {
  std::string name;  // as received; look-ups are case-insensitive
  std::string value;
};

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request-target: path plus optional "?query", still percent-encoded
  std::vector<Header> headers;
  std::string body;
  std::string remote_address;

  // Case-insensitive header look-up; nullptr when absent.
  const std::string* FindHeader(std::string_view name) const;
};

class ResponseWriter;

// A response whose body is produced progressively (see ResponseWriter): the server calls it once,
// with the writer, instead of writing an HttpResponse's head and body.
using StreamProducer = std::function<void(ResponseWriter writer)>;

struct HttpResponse {
  int status = 200;
  std::vector<Header> headers;
  std::string body;
  // When set, status, headers and body are ignored: the server calls `stream` once with a
  // ResponseWriter, which then decides the answer (a whole response, or a head and a body written
  // chunk by chunk). From Handle, `stream` runs on the same worker thread right after Handle
  // returns and may block (e.g. run the work whose output it streams); from HandleAsync's `done`,
  // it runs on an I/O thread and must not block (keep the writer, return).
  StreamProducer stream;

  void SetHeader(std::string name, std::string value) {
    headers.push_back(Header{std::move(name), std::move(value)});
  }
};

// The producer side of a streamed response. A cheap, copyable handle to one response; every method
// is thread-safe and may be called from any thread, in this order:
//   - Respond(response) once: answers with a whole ordinary response; the writer is then done.
//   - or Begin(head) once, then Write(chunk) any number of times, then End(): the head's status
//     and headers go out at once (Transfer-Encoding: chunked on HTTP/1.1; on HTTP/1.0 the body is
//     delimited by closing the connection), each Write as soon as the connection can send it
//     (chunks queue in memory: the producer bounds what it writes), End finishes the body and the
//     connection carries on with its next request.
// Calls out of order, and any call after the end, are ignored (and logged). Dropping the last
// copy without finishing answers 500 when nothing was begun, and otherwise aborts the connection
// (the client sees a truncated chunked body, never a complete-looking one). `closed()` turns true
// once the connection is gone, so a producer can stop early; writing then is harmless.
class ResponseWriter {
 public:
  class State;  // shared with the connection (http/connection.cc)
  explicit ResponseWriter(std::shared_ptr<State> state) : state_(std::move(state)) {}

  void Respond(HttpResponse response) const;
  void Begin(HttpResponse head) const;  // head.body and head.stream are ignored
  void Write(std::string chunk) const;  // empty chunks are skipped
  void End() const;
  bool closed() const;

 private:
  std::shared_ptr<State> state_;
};

// Receives a request body as it arrives (see RequestHandler::StreamRequestBody). Methods run on
// the connection's I/O strand, in order, and must not block.
class RequestBodySink {
 public:
  virtual ~RequestBodySink() = default;
  // The next piece of the decoded body (chunk framing removed), as soon as it is read. Return
  // false to refuse the rest (the sink bounds the body's size itself): the server then answers
  // through OnBodyTooLarge and closes the connection; OnBodyAborted is not called.
  virtual bool OnBodyData(std::string_view data) = 0;
  // The connection failed (closed, reset, malformed chunking, over the body limit) before the
  // body ended: no handler call follows.
  virtual void OnBodyAborted() = 0;
};

// Implemented by the AWS API router and by the Runtime API. Every method may be called
// concurrently from several threads. Handle may block (e.g. on a durable commit); the server runs
// it where a long call cannot starve other connections. BodyLimit, OnBodyTooLarge and HandleAsync
// run on an I/O thread and must not block. None should throw; the server still catches and
// answers 500 if one does.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  virtual HttpResponse Handle(const HttpRequest& request) = 0;

  // The largest body accepted for this method + target before reading it; the server answers 413
  // through OnBodyTooLarge when a request exceeds it.
  virtual size_t BodyLimit(const std::string& method, const std::string& target) const = 0;
  virtual HttpResponse OnBodyTooLarge(const std::string& method, const std::string& target) = 0;

  // Optional asynchronous variant, for requests that wait on something else (e.g. the Runtime
  // API's long-polled GET /runtime/invocation/next), so that waiting holds no thread. The server
  // calls it before Handle, on an I/O thread; it must not block.
  //  - Return false (the default) to have the server call Handle instead; `done` is then unused.
  //  - Return true to answer later: call `done` once, from any thread, at any time (also before
  //    returning). Further calls are ignored. Destroying every copy of `done` without calling it
  //    answers 500. Calling or destroying `done` after the connection closed, or after the server
  //    was stopped or destroyed, is harmless.
  // `request` is valid only during this call: copy what must outlive it.
  virtual bool HandleAsync(const HttpRequest& /*request*/,
                           std::function<void(HttpResponse)> /*done*/) {
    return false;
  }

  // Optional: take this request's body piece by piece as it arrives instead of whole (the
  // Runtime API's streamed function responses). Called on an I/O thread once the header is read,
  // before BodyLimit (which then does not apply), with `request` holding no body yet; must not
  // block. Return nullptr (the default) for the usual whole body. Otherwise every piece goes to
  // the sink as it is read and the request is then dispatched as usual (HandleAsync, Handle) with
  // an empty body and the chunked trailers, if any, appended to its headers; or, should the body
  // not complete, the sink gets OnBodyAborted and nothing is dispatched.
  virtual std::shared_ptr<RequestBodySink> StreamRequestBody(const HttpRequest& /*request*/) {
    return nullptr;
  }
};

}  // namespace lambdalite::http
