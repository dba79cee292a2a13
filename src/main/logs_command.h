#pragma once

#include <string>
#include <vector>

namespace lambdalite::app {

// `lambdalite logs FUNCTION [--region R] [--data-dir DIR] [--follow]`: prints a function's
// execution logs (all log streams, oldest first) from the data directory, and with --follow keeps
// printing what is appended, like `tail -f`. Returns the process exit code.
int RunLogsCommand(const std::vector<std::string>& args);

}  // namespace lambdalite::app
