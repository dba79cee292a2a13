#include "common/file.h"

#include <fstream>
#include <sstream>

namespace lambdalite {

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace lambdalite

namespace lambdalite {

bool IsSafePathComponent(std::string_view component) {
  if (component.empty() || component == "." || component == "..") return false;
  return component.find('/') == std::string_view::npos &&
         component.find('\0') == std::string_view::npos;
}

std::optional<std::string> JoinUnder(std::string_view base,
                                     std::initializer_list<std::string_view> components) {
  std::string out(base);
  for (std::string_view c : components) {
    if (!IsSafePathComponent(c)) return std::nullopt;
    out += '/';
    out += c;
  }
  return out;
}

std::optional<std::string> JoinUnderSegments(std::string_view base, std::string_view relative) {
  std::string out(base);
  size_t start = 0;
  while (true) {
    const size_t slash = relative.find('/', start);
    const std::string_view segment = relative.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!IsSafePathComponent(segment)) return std::nullopt;
    out += '/';
    out += segment;
    if (slash == std::string_view::npos) return out;
    start = slash + 1;
  }
}

}  // namespace lambdalite
