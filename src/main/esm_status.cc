#include "main/esm_status.h"

#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string_view>

#include "aws/http_client.h"
#include "main/introspection_client.h"

namespace lambdalite::app {
namespace {

std::string_view StateWord(domain::MappingState state) {
  switch (state) {
    case domain::MappingState::kCreating:
      return "Creating";
    case domain::MappingState::kEnabling:
      return "Enabling";
    case domain::MappingState::kEnabled:
      return "Enabled";
    case domain::MappingState::kDisabling:
      return "Disabling";
    case domain::MappingState::kDisabled:
      return "Disabled";
    case domain::MappingState::kUpdating:
      return "Updating";
    case domain::MappingState::kDeleting:
      return "Deleting";
  }
  return "Unknown";
}

std::string Str(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return "";
  if (v->is_string()) return std::string(v->get_string());
  return boost::json::serialize(*v);
}

std::string Shorten(std::string s, size_t width) {
  if (s.size() <= width) return s;
  return s.substr(0, width - 3) + "...";
}

}  // namespace

std::string EsmStatusJson(const std::vector<esm::MappingStatus>& rows,
                          const std::optional<domain::Scope>& only) {
  boost::json::array list;
  for (const esm::MappingStatus& row : rows) {
    if (only && row.view.scope != *only) continue;
    const domain::EventSourceMapping& m = row.view.mapping;
    boost::json::object o;
    o["uuid"] = m.uuid;
    o["account"] = row.view.scope.account;
    o["region"] = row.view.scope.region;
    o["function"] = m.function_name;
    o["qualifier"] = m.qualifier;
    o["functionArn"] = m.function_arn;
    o["eventSourceArn"] = m.event_source_arn;
    o["state"] = StateWord(m.state);
    o["enabled"] = m.enabled;
    o["running"] = row.running;
    if (row.poller.lag) {
      o["lag"] = *row.poller.lag;
    } else {
      o["lag"] = nullptr;
    }
    o["lagUnit"] = row.poller.lag_unit;
    o["lastProcessingResult"] = row.poller.last_processing_result;
    o["batches"] = row.poller.batches;
    o["recordsDelivered"] = row.poller.records_delivered;
    o["recordsFiltered"] = row.poller.records_filtered;
    o["functionErrors"] = row.poller.function_errors;
    o["problem"] = row.poller.problem;
    o["lastPollMs"] = row.poller.last_poll_ms;
    list.push_back(std::move(o));
  }
  return boost::json::serialize(boost::json::object{{"EventSourceMappings", std::move(list)}});
}

int RunEsmCommand(const std::vector<std::string>& args) {
  const char* usage = "usage: lambdalite esm [--endpoint URL] [--region R] [--json]\n";
  std::string endpoint = "http://127.0.0.1:9001", region;
  bool json = false;
  if (const char* port = std::getenv("LAMBDALITE_PORT")) {
    endpoint = std::string("http://127.0.0.1:") + port;
  }
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--endpoint" && i + 1 < args.size()) {
      endpoint = args[++i];
    } else if (a == "--region" && i + 1 < args.size()) {
      region = args[++i];
    } else if (a == "--json") {
      json = true;
    } else {
      std::cerr << usage;
      return 2;
    }
  }
  auto resp = GetIntrospection(endpoint + "/_lambdalite/event-source-mappings", region);
  if (!resp.ok()) {
    std::cerr << "lambdalite esm: " << resp.error().message << "\n";
    return 1;
  }
  if (json || resp->status != 200) {
    std::cout << resp->body << std::endl;
    return resp->status == 200 ? 0 : 1;
  }
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(resp->body, ec);
  const boost::json::value* list =
      !ec && doc.is_object() ? doc.get_object().if_contains("EventSourceMappings") : nullptr;
  if (list == nullptr || !list->is_array()) {
    std::cout << resp->body << std::endl;
    return 1;
  }
  std::printf("%-36s  %-20s  %-32s  %-9s  %8s  %7s  %9s  %8s  %6s  %s\n", "UUID", "FUNCTION",
              "SOURCE", "STATE", "LAG", "BATCHES", "DELIVERED", "FILTERED", "ERRORS",
              "LAST RESULT / PROBLEM");
  for (const boost::json::value& item : list->get_array()) {
    if (!item.is_object()) continue;
    const boost::json::object& o = item.get_object();
    std::string source = Str(o, "eventSourceArn");
    if (size_t colon = source.rfind(':'); colon != std::string::npos) {
      source = source.substr(colon + 1);
    }
    std::string function = Str(o, "function");
    if (!Str(o, "qualifier").empty()) function += ":" + Str(o, "qualifier");
    std::string last = Str(o, "lastProcessingResult");
    if (!Str(o, "problem").empty()) last += (last.empty() ? "" : " / ") + Str(o, "problem");
    std::string lag = Str(o, "lag");
    std::printf("%-36s  %-20s  %-32s  %-9s  %8s  %7s  %9s  %8s  %6s  %s\n", Str(o, "uuid").c_str(),
                Shorten(function, 20).c_str(), Shorten(source, 32).c_str(), Str(o, "state").c_str(),
                lag.empty() ? "-" : lag.c_str(), Str(o, "batches").c_str(),
                Str(o, "recordsDelivered").c_str(), Str(o, "recordsFiltered").c_str(),
                Str(o, "functionErrors").c_str(), last.c_str());
  }
  return 0;
}

}  // namespace lambdalite::app
