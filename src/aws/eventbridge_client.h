#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "aws/endpoints.h"
#include "aws/http_client.h"
#include "common/clock.h"
#include "common/result.h"

namespace lambdalite::aws {

// The EventBridge operations lambdalite needs, over the awsJson1.1 protocol (X-Amz-Target
// AWSEvents.<Operation>). A bus named by ARN is called in the ARN's region; a bus named by name
// (or "default") in config.region. Thread-safe; `http` and `clock` must outlive the client.
class EventBridgeClient {
 public:
  EventBridgeClient(HttpClient* http, const Config& config, const Clock* clock = nullptr);

  // Puts one event on the bus; returns its EventId. `detail_json` must be a JSON object's text.
  // PutEvents answers 200 even when it rejects the entry, so FailedEntryCount is checked: a
  // rejected entry is an error carrying the entry's ErrorCode and ErrorMessage (kUnavailable for
  // throttling and internal failures, else kInvalidParameter).
  Result<std::string> PutEvents(std::string_view bus_arn_or_name, std::string_view source,
                                std::string_view detail_type, std::string_view detail_json,
                                const std::vector<std::string>& resources = {}) const;

  // Setup, for tests and local setups.
  //
  // Creates a custom event bus in `region` (empty: config.region); returns its ARN.
  Result<std::string> CreateEventBus(std::string_view name, std::string_view region = {}) const;
  // Creates or updates a rule with `event_pattern_json` on the bus; returns the rule ARN.
  Result<std::string> PutRule(std::string_view bus_arn_or_name, std::string_view rule_name,
                              std::string_view event_pattern_json) const;
  // Adds (or replaces) the rule's target `target_id`, delivering matched events to `target_arn`.
  Status PutTarget(std::string_view bus_arn_or_name, std::string_view rule_name,
                   std::string_view target_id, std::string_view target_arn) const;

 private:
  Result<ClientResponse> Call(std::string_view region, std::string_view operation,
                              std::string body) const;
  // The region of a bus ARN, else config.region.
  std::string BusRegion(std::string_view bus_arn_or_name) const;

  HttpClient* http_;
  Config config_;
  const Clock* clock_;
};

}  // namespace lambdalite::aws
