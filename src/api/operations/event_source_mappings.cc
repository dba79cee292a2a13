// Event source mapping operations: member mapping only (api/esm_mapping.h; the rules are in
// domain/event_source_mapping.cc and service/esm_ops.cc).
#include "api/operations/event_source_mappings.h"

#include "api/esm_mapping.h"
#include "api/shapes.h"

namespace lambdalite::api {

namespace {

// ListEventSourceMappings' MaxItems default (API reference: "the maximum ... 100").
constexpr int kDefaultMaxItems = 100;

}  // namespace

void RegisterEventSourceMappings(LambdaApi& api, service::FunctionService& fs) {
  api.RegisterTyped<shapes::CreateEventSourceMappingRequest>(
      "CreateEventSourceMapping",
      [&fs](const RequestContext& ctx, const shapes::CreateEventSourceMappingRequest& in)
          -> Result<shapes::EventSourceMappingConfiguration> {
        LAMBDALITE_TRY(auto view, fs.CreateEventSourceMapping(
                                      ctx.scope, in.FunctionName, ToEsmInput(in),
                                      in.Tags.value_or(std::map<std::string, std::string>{})));
        return ToEsmShape(view);
      });
  api.RegisterTyped<shapes::GetEventSourceMappingRequest>(
      "GetEventSourceMapping",
      [&fs](const RequestContext& ctx, const shapes::GetEventSourceMappingRequest& in)
          -> Result<shapes::EventSourceMappingConfiguration> {
        LAMBDALITE_TRY(auto view, fs.GetEventSourceMapping(ctx.scope, in.UUID));
        return ToEsmShape(view);
      });
  api.RegisterTyped<shapes::UpdateEventSourceMappingRequest>(
      "UpdateEventSourceMapping",
      [&fs](const RequestContext& ctx, const shapes::UpdateEventSourceMappingRequest& in)
          -> Result<shapes::EventSourceMappingConfiguration> {
        LAMBDALITE_TRY(auto view, fs.UpdateEventSourceMapping(ctx.scope, in.UUID, in.FunctionName,
                                                              ToEsmInput(in)));
        return ToEsmShape(view);
      });
  api.RegisterTyped<shapes::DeleteEventSourceMappingRequest>(
      "DeleteEventSourceMapping",
      [&fs](const RequestContext& ctx, const shapes::DeleteEventSourceMappingRequest& in)
          -> Result<shapes::EventSourceMappingConfiguration> {
        LAMBDALITE_TRY(auto view, fs.DeleteEventSourceMapping(ctx.scope, in.UUID));
        return ToEsmShape(view);
      });
  api.RegisterTyped<shapes::ListEventSourceMappingsRequest>(
      "ListEventSourceMappings",
      [&fs](const RequestContext& ctx, const shapes::ListEventSourceMappingsRequest& in)
          -> Result<shapes::ListEventSourceMappingsResponse> {
        LAMBDALITE_TRY(auto page, fs.ListEventSourceMappings(
                                      ctx.scope, in.EventSourceArn, in.FunctionName, in.Marker,
                                      in.MaxItems.value_or(kDefaultMaxItems)));
        shapes::ListEventSourceMappingsResponse out;
        out.EventSourceMappings.emplace();
        for (const auto& v : page.items) out.EventSourceMappings->push_back(ToEsmShape(v));
        out.NextMarker = page.next_marker;
        return out;
      });
}

}  // namespace lambdalite::api
