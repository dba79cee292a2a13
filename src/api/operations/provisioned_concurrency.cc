// Provisioned concurrency operations: member mapping only (the rules are in
// service/provisioned_ops.cc). The success codes (Put 202, Delete 204) are the model's.
#include "api/operations/provisioned_concurrency.h"

#include <algorithm>

#include "api/shapes.h"
#include "common/time_format.h"

namespace lambdalite::api {

namespace {

constexpr int kDefaultMaxItems = 50;

// The members every answer shares; StatusReason only when there is one (PC1, PC5).
template <class Shape>
Shape ToShape(const domain::ProvisionedConcurrencyConfig& c) {
  Shape out;
  out.RequestedProvisionedConcurrentExecutions = c.requested;
  out.AvailableProvisionedConcurrentExecutions = c.available;
  out.AllocatedProvisionedConcurrentExecutions = c.allocated;
  out.Status = c.status;
  if (!c.status_reason.empty()) out.StatusReason = c.status_reason;
  out.LastModified = FormatLambdaTimestamp(c.last_modified_ms);
  return out;
}

}  // namespace

void RegisterProvisionedConcurrency(LambdaApi& api, service::FunctionService& fs) {
  api.RegisterTyped<shapes::PutProvisionedConcurrencyConfigRequest>(
      "PutProvisionedConcurrencyConfig",
      [&fs](const RequestContext& ctx, const shapes::PutProvisionedConcurrencyConfigRequest& in)
          -> Result<shapes::PutProvisionedConcurrencyConfigResponse> {
        LAMBDALITE_TRY(auto view, fs.PutProvisionedConcurrencyConfig(
                                      ctx.scope, in.FunctionName, in.Qualifier,
                                      static_cast<int>(in.ProvisionedConcurrentExecutions)));
        return ToShape<shapes::PutProvisionedConcurrencyConfigResponse>(view.config);
      });
  api.RegisterTyped<shapes::GetProvisionedConcurrencyConfigRequest>(
      "GetProvisionedConcurrencyConfig",
      [&fs](const RequestContext& ctx, const shapes::GetProvisionedConcurrencyConfigRequest& in)
          -> Result<shapes::GetProvisionedConcurrencyConfigResponse> {
        LAMBDALITE_TRY(auto view, fs.GetProvisionedConcurrencyConfig(ctx.scope, in.FunctionName,
                                                                     in.Qualifier));
        return ToShape<shapes::GetProvisionedConcurrencyConfigResponse>(view.config);
      });
  api.RegisterTyped<shapes::DeleteProvisionedConcurrencyConfigRequest>(
      "DeleteProvisionedConcurrencyConfig",
      [&fs](const RequestContext& ctx,
            const shapes::DeleteProvisionedConcurrencyConfigRequest& in) -> Result<Reply> {
        LAMBDALITE_RETURN_IF_ERROR(
            fs.DeleteProvisionedConcurrencyConfig(ctx.scope, in.FunctionName, in.Qualifier));
        return Reply{};  // the model's 204, no body
      });
  api.RegisterTyped<shapes::ListProvisionedConcurrencyConfigsRequest>(
      "ListProvisionedConcurrencyConfigs",
      [&fs](const RequestContext& ctx, const shapes::ListProvisionedConcurrencyConfigsRequest& in)
          -> Result<shapes::ListProvisionedConcurrencyConfigsResponse> {
        const int max_items = std::min(in.MaxItems.value_or(kDefaultMaxItems), kDefaultMaxItems);
        LAMBDALITE_TRY(auto page, fs.ListProvisionedConcurrencyConfigs(ctx.scope, in.FunctionName,
                                                                       in.Marker, max_items));
        shapes::ListProvisionedConcurrencyConfigsResponse out;
        out.ProvisionedConcurrencyConfigs.emplace();  // PC10: [] when there is none
        for (const auto& v : page.items) {
          auto item = ToShape<shapes::ProvisionedConcurrencyConfigListItem>(v.config);
          item.FunctionArn = v.function_arn;
          out.ProvisionedConcurrencyConfigs->push_back(std::move(item));
        }
        out.NextMarker = page.next_marker;
        return out;
      });
}

}  // namespace lambdalite::api
