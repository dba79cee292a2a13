#pragma once

// The event source mapping status view: GET /_lambdalite/event-source-mappings (JSON) and the
// `lambdalite esm` command that prints it as a table.

#include <optional>
#include <string>
#include <vector>

#include "domain/function.h"
#include "esm/poller_manager.h"

namespace lambdalite::app {

// {"EventSourceMappings": [{"uuid", "account", "region", "function", "qualifier",
// "functionArn", "eventSourceArn", "state", "enabled", "running", "lag" (null when unknown),
// "lagUnit", "lastProcessingResult", "batches", "recordsDelivered", "recordsFiltered",
// "functionErrors", "problem", "lastPollMs"}]}, every scope or only `only`'s.
std::string EsmStatusJson(const std::vector<esm::MappingStatus>& rows,
                          const std::optional<domain::Scope>& only);

// `lambdalite esm [--endpoint URL] [--region R] [--json]`: asks a running server for its event
// source mappings and prints one line per mapping (state, lag, counters, last result or
// problem). Signs the request with the environment's key when AWS_ACCESS_KEY_ID is set (servers
// with --auth-keys then show the key's account). Returns the process exit code.
int RunEsmCommand(const std::vector<std::string>& args);

}  // namespace lambdalite::app
