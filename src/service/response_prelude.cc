#include "service/response_prelude.h"

namespace lambdalite::service {

PreludeSplitter::State PreludeSplitter::Feed(std::string_view chunk, std::string* body) {
  if (state_ != State::kPrelude) {
    body->append(chunk);
    return state_;
  }
  for (size_t i = 0; i < chunk.size(); ++i) {
    const char c = chunk[i];
    if (c == '\0') {
      ++nuls_;
      if (nuls_ == kPreludeDelimiterBytes) {
        metadata_.resize(metadata_.size() - (kPreludeDelimiterBytes - 1));
        nuls_ = 0;
        state_ = State::kBody;
        body->append(chunk.substr(i + 1));
        return state_;
      }
    } else {
      nuls_ = 0;
    }
    metadata_.push_back(c);
    if (metadata_.size() > kMaxPreludeBytes) {
      state_ = State::kInvalid;
      body->append(chunk.substr(i + 1));
      return state_;
    }
  }
  return state_;
}

}  // namespace lambdalite::service
