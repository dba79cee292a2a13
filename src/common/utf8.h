#pragma once

// UTF-8 checks for text that goes into JSON: a JSON text must be UTF-8, and Boost.JSON writes a
// string's bytes as they are, so bytes from outside (HTTP headers may carry any octet) are made
// valid before they are serialized.

#include <cstddef>
#include <string>
#include <string_view>

namespace lambdalite {

// The length of the longest prefix of `text` that is well-formed UTF-8 (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF).
size_t ValidUtf8Prefix(std::string_view text);
inline bool IsValidUtf8(std::string_view text) { return ValidUtf8Prefix(text) == text.size(); }

// `text` with each byte that does not start a well-formed sequence replaced by U+FFFD.
std::string ToValidUtf8(std::string_view text);

}  // namespace lambdalite
