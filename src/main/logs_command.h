#pragma once

#include <string>
#include <vector>

namespace lambdalite::app {

// `lambdalite logs FUNCTION [--account A] [--region R] [--data-dir DIR] [--follow]`: prints a
// function's execution logs (all log streams, oldest first) from the data directory, and with
// --follow keeps printing what is appended, like `tail -f`. Returns the process exit code.
int RunLogsCommand(const std::vector<std::string>& args);

// `lambdalite events FUNCTION [--endpoint URL] [--region R] [--account A]`: asks a running
// server (GET /_lambdalite/async) for the function's asynchronous events: queued, in flight,
// succeeded and failed counts, and the recent events with their attempts and last error.
int RunEventsCommand(const std::vector<std::string>& args);

}  // namespace lambdalite::app
