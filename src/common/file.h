#pragma once

#include <string>

namespace lambdalite {

// The whole content of the file at `path`, or "" when it cannot be read. For small files the
// caller treats a missing file and an empty one alike: /proc and cgroup control files, test output.
std::string ReadFileOrEmpty(const std::string& path);

}  // namespace lambdalite
