// Provisioned concurrency operations: member mapping only (the rules are in
// service/provisioned_ops.cc).
#include "api/operations/provisioned_concurrency.h"

#include <algorithm>

#include "api/mapping.h"
#include "common/time_format.h"

namespace lambdalite::api {

namespace json = boost::json;

namespace {

constexpr int kDefaultMaxItems = 50;

std::string Name(const json::object& in) { return GetString(in, "FunctionName").value_or(""); }

// Get and Put's body; the list entries add the FunctionArn. StatusReason only when there is one
// (PC1, PC5).
json::object ToJson(const domain::ProvisionedConcurrencyConfig& c) {
  json::object o;
  o["RequestedProvisionedConcurrentExecutions"] = c.requested;
  o["AvailableProvisionedConcurrentExecutions"] = c.available;
  o["AllocatedProvisionedConcurrentExecutions"] = c.allocated;
  o["Status"] = c.status;
  if (!c.status_reason.empty()) o["StatusReason"] = c.status_reason;
  o["LastModified"] = FormatLambdaTimestamp(c.last_modified_ms);
  return o;
}

}  // namespace

void RegisterProvisionedConcurrency(LambdaApi& api, service::FunctionService& fs) {
  api.Register("PutProvisionedConcurrencyConfig",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 const int requested =
                     static_cast<int>(GetInt(in, "ProvisionedConcurrentExecutions").value_or(0));
                 LAMBDALITE_TRY(auto view,
                                fs.PutProvisionedConcurrencyConfig(
                                    ctx.scope, Name(in), GetString(in, "Qualifier"), requested));
                 Reply r;
                 r.status = 202;  // PC1
                 r.json = ToJson(view.config);
                 return r;
               });
  api.Register("GetProvisionedConcurrencyConfig",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 LAMBDALITE_TRY(auto view, fs.GetProvisionedConcurrencyConfig(
                                               ctx.scope, Name(in), GetString(in, "Qualifier")));
                 Reply r;
                 r.json = ToJson(view.config);
                 return r;
               });
  api.Register("DeleteProvisionedConcurrencyConfig",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 LAMBDALITE_RETURN_IF_ERROR(fs.DeleteProvisionedConcurrencyConfig(
                     ctx.scope, Name(in), GetString(in, "Qualifier")));
                 Reply r;
                 r.status = 204;
                 return r;
               });
  api.Register("ListProvisionedConcurrencyConfigs",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 const int max_items =
                     static_cast<int>(GetInt(in, "MaxItems").value_or(kDefaultMaxItems));
                 LAMBDALITE_TRY(auto page, fs.ListProvisionedConcurrencyConfigs(
                                               ctx.scope, Name(in), GetString(in, "Marker"),
                                               std::min(max_items, kDefaultMaxItems)));
                 json::array items;
                 for (const auto& v : page.items) {
                   json::object o = ToJson(v.config);
                   o["FunctionArn"] = v.function_arn;
                   items.push_back(std::move(o));
                 }
                 json::object out{{"ProvisionedConcurrencyConfigs", std::move(items)}};
                 if (page.next_marker) out["NextMarker"] = *page.next_marker;
                 Reply r;
                 r.json = std::move(out);
                 return r;
               });
}

}  // namespace lambdalite::api
