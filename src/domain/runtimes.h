#pragma once

#include <string_view>

namespace lambdalite::domain {

// Runtimes AWS accepts for creating or updating functions (the set AWS lists in its
// "Member must satisfy enum value set" message, recorded January 2026). Other values of the
// model's Runtime enum are deprecated: AWS refuses them with "The runtime parameter of <rt> is no
// longer supported ...".
inline constexpr std::string_view kSupportedRuntimes[] = {
    "nodejs20.x", "python3.14", "provided.al2023", "python3.12",   "python3.13",
    "nodejs24.x", "nodejs22.x", "java25",          "python3.10",   "python3.11",
    "java21",     "ruby3.3",    "ruby3.4",         "ruby3.2",      "python3.8",
    "python3.9",  "java17",     "nodejs16.x",      "dotnet10",     "dotnet8",
    "java11",     "dotnet6",    "nodejs18.x",      "provided.al2", "java8.al2"};

inline bool IsSupportedRuntime(std::string_view runtime) {
  for (auto r : kSupportedRuntimes) {
    if (r == runtime) return true;
  }
  return false;
}

}  // namespace lambdalite::domain
