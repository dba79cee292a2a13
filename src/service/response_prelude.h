#pragma once

// The HTTP integration prelude of a streamed response (Node's
// awslambda.HttpResponseStream.from(stream, metadata), the Python client's equivalent): the
// function first writes its metadata as JSON ({"statusCode":..,"headers":{..},"cookies":[..]}),
// then 8 NUL bytes, then the body. The runtime declares it with the Content-Type
// application/vnd.awslambda.http-integration-response. Function URLs in RESPONSE_STREAM mode
// read the metadata into their HTTP answer; InvokeWithResponseStream passes every byte through
// untouched, as AWS does.

#include <cstddef>
#include <string>
#include <string_view>

namespace lambdalite::service {

inline constexpr std::string_view kHttpIntegrationContentType =
    "application/vnd.awslambda.http-integration-response";
inline constexpr size_t kPreludeDelimiterBytes = 8;
// Metadata beyond this without a delimiter is not a prelude (lambdalite's bound).
inline constexpr size_t kMaxPreludeBytes = 64 * 1024;

// Splits a stream into prelude and body, chunk by chunk (the delimiter may straddle chunks).
class PreludeSplitter {
 public:
  enum class State { kPrelude, kBody, kInvalid };

  // Feeds the next chunk; appends whatever follows the delimiter to *body (in kBody, the whole
  // chunk). Returns the state afterwards. kInvalid: over kMaxPreludeBytes without a delimiter;
  // then metadata() holds the bytes seen so far and further chunks are appended to *body.
  State Feed(std::string_view chunk, std::string* body);

  // The end of the stream: with no delimiter seen, what was read counts as metadata (AWS treats
  // a stream that never finished its prelude as an error; the caller decides).
  State state() const { return state_; }
  // The metadata JSON text (without the delimiter), once state() is kBody.
  const std::string& metadata() const { return metadata_; }

 private:
  State state_ = State::kPrelude;
  std::string metadata_;  // including NUL bytes that may start the delimiter
  size_t nuls_ = 0;       // trailing NUL bytes of metadata_
};

}  // namespace lambdalite::service
