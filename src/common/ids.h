#pragma once

#include <string>

namespace lambdalite {

// A random RFC 4122 version-4 UUID in lower-case hex ("8-4-4-4-12"), used for request ids and
// revision ids. Thread-safe.
std::string NewUuid();

}  // namespace lambdalite
