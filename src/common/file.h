#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace lambdalite {

// The whole content of the file at `path`, or "" when it cannot be read. For small files the
// caller treats a missing file and an empty one alike: /proc and cgroup control files, test output.
std::string ReadFileOrEmpty(const std::string& path);

// ---- Paths built from request values ------------------------------------------------------------
//
// Every file name that contains a value a client chose (account, region, function name, log
// stream, blob id) is built with JoinUnder, the one place that decides what such a value may be.
// A component is refused when it could leave the directory it is meant for or name something
// else: empty, "." or "..", containing '/' or NUL. Anything else (AWS's names are letters,
// digits, "-", "_", "$", "[", "]", ":") is used byte for byte.

// Whether `component` may be one path segment of a file name under the data directory.
bool IsSafePathComponent(std::string_view component);

// `base` + "/" + each component. nullopt when any component is not IsSafePathComponent (nothing
// is then to be created or read). A component may itself hold several segments only through
// JoinUnderSegments.
std::optional<std::string> JoinUnder(std::string_view base,
                                     std::initializer_list<std::string_view> components);

// Like JoinUnder for one '/'-separated relative path (e.g. a log stream name
// "2024/01/31/[$LATEST]abc"): every segment must be IsSafePathComponent (so no leading '/', no
// "//", no "." or ".." segment).
std::optional<std::string> JoinUnderSegments(std::string_view base, std::string_view relative);

}  // namespace lambdalite
