#pragma once

// Reading the line-based inputs of the fuzz targets (see each target's "Input format").

#include <string_view>

namespace lambdalite::fuzz {

// The next line of `in` (without "\n" or "\r\n"), which is consumed; the rest when there is no
// newline.
inline std::string_view NextLine(std::string_view& in) {
  const size_t eol = in.find('\n');
  std::string_view line = in.substr(0, eol);
  in.remove_prefix(eol == std::string_view::npos ? in.size() : eol + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace lambdalite::fuzz
