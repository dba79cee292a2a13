// Control-plane operations: the generated request shape in (api/shapes.h), service calls, the
// generated response shape out. Each handler is a thin mapping (api/mapping.h); the rules live in
// service::FunctionService.
#include "api/operations/control_plane.h"

#include <algorithm>
#include <memory>

#include "api/get_function_renderer.h"
#include "api/mapping.h"
#include "api/shapes.h"

namespace lambdalite::api {

namespace json = boost::json;
using service::FunctionService;
using service::FunctionView;

namespace {

constexpr int kDefaultMaxItems = 50;

int MaxItems(const std::optional<int32_t>& max_items) {
  return max_items.value_or(kDefaultMaxItems);
}

Reply Empty(int status) {
  Reply r;
  r.status = status;
  return r;
}

std::string CodeLocation(const RequestContext& ctx, const service::CodeUrlSigner& signer,
                         const std::string& blob_id) {
  return "http://" + (ctx.host.empty() ? std::string("127.0.0.1") : ctx.host) +
         signer.SignPath(blob_id);
}

// The query value of `key` in a raw target ("/path?a=1&b=2"); not percent-decoded (our own
// parameters never need it).
std::string QueryValue(const std::string& target, std::string_view key) {
  size_t q = target.find('?');
  if (q == std::string::npos) return {};
  std::string_view query(target);
  query.remove_prefix(q + 1);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) == key && eq != std::string_view::npos) {
      return std::string(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

http::HttpResponse S3StyleError(int status, std::string_view code, std::string_view message) {
  http::HttpResponse resp;
  resp.status = status;
  resp.SetHeader("Content-Type", "application/xml");
  resp.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + std::string(code) +
              "</Code><Message>" + std::string(message) + "</Message></Error>";
  return resp;
}

}  // namespace

void RegisterControlPlane(LambdaApi& api, FunctionService& fs,
                          const service::CodeUrlSigner& signer) {
  using shapes::FunctionConfiguration;

  // --- functions ------------------------------------------------------------------------------
  api.RegisterTyped<shapes::CreateFunctionRequest>(
      "CreateFunction",
      [&fs](const RequestContext& ctx,
            shapes::CreateFunctionRequest&& in) -> Result<FunctionConfiguration> {
        service::CreateFunctionInput input;
        input.name = in.FunctionName;
        LAMBDALITE_RETURN_IF_ERROR(ApplyConfigMembers(in, input.config));
        input.code = ToCodeSource(std::move(in.Code));
        input.publish = in.Publish.value_or(false);
        input.publish_to_latest_published = in.PublishTo.has_value();
        input.tags = std::move(in.Tags).value_or(std::map<std::string, std::string>{});
        input.code_signing_config_arn = std::move(in.CodeSigningConfigArn);
        LAMBDALITE_TRY(auto view, fs.CreateFunction(ctx.scope, std::move(input)));
        // AWS answers Create with the unqualified ARN even when it published version 1.
        view.qualifier.reset();
        return ToFunctionConfiguration(ctx.scope, view, ConfigDetail::kFull);
      });

  // GetFunction answers with the cached rendering of GetFunctionResponse (get_function_renderer.h),
  // the control plane's hot path, so it returns the Reply itself.
  api.RegisterTyped<shapes::GetFunctionRequest>(
      "GetFunction",
      [&fs, &signer, renderer = std::make_shared<GetFunctionRenderer>()](
          const RequestContext& ctx, const shapes::GetFunctionRequest& in) -> Result<Reply> {
        LAMBDALITE_TRY(auto view, fs.GetFunction(ctx.scope, in.FunctionName, in.Qualifier));
        Reply reply;
        reply.json_text = renderer->Render(ctx.scope, view,
                                           CodeLocation(ctx, signer, view.version->code.blob_id));
        return reply;
      });

  api.RegisterTyped<shapes::GetFunctionConfigurationRequest>(
      "GetFunctionConfiguration",
      [&fs](const RequestContext& ctx,
            const shapes::GetFunctionConfigurationRequest& in) -> Result<FunctionConfiguration> {
        LAMBDALITE_TRY(auto view, fs.GetFunction(ctx.scope, in.FunctionName, in.Qualifier));
        return ToFunctionConfiguration(ctx.scope, view, ConfigDetail::kFull);
      });

  api.RegisterTyped<shapes::UpdateFunctionCodeRequest>(
      "UpdateFunctionCode",
      [&fs](const RequestContext& ctx,
            shapes::UpdateFunctionCodeRequest&& in) -> Result<FunctionConfiguration> {
        service::UpdateCodeInput input;
        input.publish = in.Publish.value_or(false);
        input.publish_to_latest_published = in.PublishTo.has_value();
        input.dry_run = in.DryRun.value_or(false);
        input.revision_id = in.RevisionId;
        input.architectures = std::move(in.Architectures);
        const std::string name = in.FunctionName;
        input.code = ToCodeSource(std::move(in));
        LAMBDALITE_TRY(auto view, fs.UpdateFunctionCode(ctx.scope, name, std::move(input)));
        return ToFunctionConfiguration(ctx.scope, view, ConfigDetail::kFull);
      });

  api.RegisterTyped<shapes::UpdateFunctionConfigurationRequest>(
      "UpdateFunctionConfiguration",
      [&fs](const RequestContext& ctx,
            const shapes::UpdateFunctionConfigurationRequest& in) -> Result<FunctionConfiguration> {
        LAMBDALITE_TRY(auto view,
                       fs.UpdateFunctionConfiguration(
                           ctx.scope, in.FunctionName, in.RevisionId,
                           [&in](domain::FunctionConfig& c) { return ApplyConfigMembers(in, c); }));
        return ToFunctionConfiguration(ctx.scope, view, ConfigDetail::kFull);
      });

  api.RegisterTyped<shapes::DeleteFunctionRequest>(
      "DeleteFunction",
      [&fs](const RequestContext& ctx, const shapes::DeleteFunctionRequest& in) -> Result<Reply> {
        LAMBDALITE_RETURN_IF_ERROR(fs.DeleteFunction(ctx.scope, in.FunctionName, in.Qualifier));
        return Empty(204);  // the model says 200, AWS answers 204 (reference section 2.2)
      });

  api.RegisterTyped<shapes::ListFunctionsRequest>(
      "ListFunctions",
      [&fs](const RequestContext& ctx,
            const shapes::ListFunctionsRequest& in) -> Result<shapes::ListFunctionsResponse> {
        const bool all = in.FunctionVersion.value_or("") == "ALL";
        // AWS returns at most 50 functions per page, whatever MaxItems asks for.
        LAMBDALITE_TRY(auto page,
                       fs.ListFunctions(ctx.scope, all, in.Marker,
                                        std::min(MaxItems(in.MaxItems), kDefaultMaxItems)));
        shapes::ListFunctionsResponse out;
        auto& items = out.Functions.emplace();
        items.reserve(page.items.size());
        for (const auto& v : page.items) {
          items.push_back(ToFunctionConfiguration(ctx.scope, v, ConfigDetail::kList));
        }
        out.NextMarker = std::move(page.next_marker);
        return out;
      });

  // --- versions -------------------------------------------------------------------------------
  api.RegisterTyped<shapes::PublishVersionRequest>(
      "PublishVersion",
      [&fs](const RequestContext& ctx,
            const shapes::PublishVersionRequest& in) -> Result<FunctionConfiguration> {
        // The decoder has checked PublishTo against its enum (LATEST_PUBLISHED only).
        LAMBDALITE_TRY(auto view,
                       fs.PublishVersion(ctx.scope, in.FunctionName, in.CodeSha256, in.Description,
                                         in.RevisionId, in.PublishTo.has_value()));
        view.qualifier = view.version->version;
        return ToFunctionConfiguration(ctx.scope, view, ConfigDetail::kFull);
      });

  api.RegisterTyped<shapes::ListVersionsByFunctionRequest>(
      "ListVersionsByFunction",
      [&fs](const RequestContext& ctx, const shapes::ListVersionsByFunctionRequest& in)
          -> Result<shapes::ListVersionsByFunctionResponse> {
        LAMBDALITE_TRY(auto page, fs.ListVersions(ctx.scope, in.FunctionName, in.Marker,
                                                  MaxItems(in.MaxItems)));
        shapes::ListVersionsByFunctionResponse out;
        auto& items = out.Versions.emplace();
        items.reserve(page.items.size());
        for (const auto& v : page.items) {
          items.push_back(ToFunctionConfiguration(ctx.scope, v, ConfigDetail::kList));
        }
        out.NextMarker = std::move(page.next_marker);
        return out;
      });

  // --- aliases --------------------------------------------------------------------------------
  api.RegisterTyped<shapes::CreateAliasRequest>(
      "CreateAlias",
      [&fs](const RequestContext& ctx,
            const shapes::CreateAliasRequest& in) -> Result<shapes::AliasConfiguration> {
        LAMBDALITE_TRY(auto a,
                       fs.CreateAlias(ctx.scope, in.FunctionName, in.Name, ToAliasInput(in)));
        LAMBDALITE_TRY(auto fn, domain::ParseFunctionName(in.FunctionName));
        return ToAliasConfiguration(ctx.scope, fn.name, a);
      });
  api.RegisterTyped<shapes::GetAliasRequest>(
      "GetAlias",
      [&fs](const RequestContext& ctx,
            const shapes::GetAliasRequest& in) -> Result<shapes::AliasConfiguration> {
        LAMBDALITE_TRY(auto a, fs.GetAlias(ctx.scope, in.FunctionName, in.Name));
        LAMBDALITE_TRY(auto fn, domain::ParseFunctionName(in.FunctionName));
        return ToAliasConfiguration(ctx.scope, fn.name, a);
      });
  api.RegisterTyped<shapes::UpdateAliasRequest>(
      "UpdateAlias",
      [&fs](const RequestContext& ctx,
            const shapes::UpdateAliasRequest& in) -> Result<shapes::AliasConfiguration> {
        LAMBDALITE_TRY(auto a,
                       fs.UpdateAlias(ctx.scope, in.FunctionName, in.Name, ToAliasInput(in)));
        LAMBDALITE_TRY(auto fn, domain::ParseFunctionName(in.FunctionName));
        return ToAliasConfiguration(ctx.scope, fn.name, a);
      });
  api.RegisterTyped<shapes::DeleteAliasRequest>(
      "DeleteAlias",
      [&fs](const RequestContext& ctx, const shapes::DeleteAliasRequest& in) -> Result<Reply> {
        LAMBDALITE_RETURN_IF_ERROR(fs.DeleteAlias(ctx.scope, in.FunctionName, in.Name));
        return Empty(204);
      });
  api.RegisterTyped<shapes::ListAliasesRequest>(
      "ListAliases",
      [&fs](const RequestContext& ctx,
            const shapes::ListAliasesRequest& in) -> Result<shapes::ListAliasesResponse> {
        LAMBDALITE_TRY(auto page, fs.ListAliases(ctx.scope, in.FunctionName, in.FunctionVersion,
                                                 in.Marker, MaxItems(in.MaxItems)));
        LAMBDALITE_TRY(auto fn, domain::ParseFunctionName(in.FunctionName));
        shapes::ListAliasesResponse out;
        auto& items = out.Aliases.emplace();
        for (const auto& a : page.items)
          items.push_back(ToAliasConfiguration(ctx.scope, fn.name, a));
        out.NextMarker = std::move(page.next_marker);
        return out;
      });

  // --- event invoke configs -------------------------------------------------------------------
  api.RegisterTyped<shapes::PutFunctionEventInvokeConfigRequest>(
      "PutFunctionEventInvokeConfig",
      [&fs](const RequestContext& ctx, const shapes::PutFunctionEventInvokeConfigRequest& in)
          -> Result<shapes::FunctionEventInvokeConfig> {
        LAMBDALITE_TRY(auto v, fs.PutEventInvokeConfig(ctx.scope, in.FunctionName, in.Qualifier,
                                                       ToEventInvokeConfigInput(in)));
        return ToEventInvokeConfig(v);
      });
  api.RegisterTyped<shapes::UpdateFunctionEventInvokeConfigRequest>(
      "UpdateFunctionEventInvokeConfig",
      [&fs](const RequestContext& ctx, const shapes::UpdateFunctionEventInvokeConfigRequest& in)
          -> Result<shapes::FunctionEventInvokeConfig> {
        LAMBDALITE_TRY(auto v, fs.UpdateEventInvokeConfig(ctx.scope, in.FunctionName, in.Qualifier,
                                                          ToEventInvokeConfigInput(in)));
        return ToEventInvokeConfig(v);
      });
  api.RegisterTyped<shapes::GetFunctionEventInvokeConfigRequest>(
      "GetFunctionEventInvokeConfig",
      [&fs](const RequestContext& ctx, const shapes::GetFunctionEventInvokeConfigRequest& in)
          -> Result<shapes::FunctionEventInvokeConfig> {
        LAMBDALITE_TRY(auto v, fs.GetEventInvokeConfig(ctx.scope, in.FunctionName, in.Qualifier));
        return ToEventInvokeConfig(v);
      });
  api.RegisterTyped<shapes::DeleteFunctionEventInvokeConfigRequest>(
      "DeleteFunctionEventInvokeConfig",
      [&fs](const RequestContext& ctx,
            const shapes::DeleteFunctionEventInvokeConfigRequest& in) -> Result<Reply> {
        LAMBDALITE_RETURN_IF_ERROR(
            fs.DeleteEventInvokeConfig(ctx.scope, in.FunctionName, in.Qualifier));
        return Empty(204);
      });
  api.RegisterTyped<shapes::ListFunctionEventInvokeConfigsRequest>(
      "ListFunctionEventInvokeConfigs",
      [&fs](const RequestContext& ctx, const shapes::ListFunctionEventInvokeConfigsRequest& in)
          -> Result<shapes::ListFunctionEventInvokeConfigsResponse> {
        LAMBDALITE_TRY(auto page, fs.ListEventInvokeConfigs(ctx.scope, in.FunctionName, in.Marker,
                                                            MaxItems(in.MaxItems)));
        shapes::ListFunctionEventInvokeConfigsResponse out;
        auto& items = out.FunctionEventInvokeConfigs.emplace();
        for (const auto& v : page.items) items.push_back(ToEventInvokeConfig(v));
        out.NextMarker = std::move(page.next_marker);
        return out;
      });

  // --- concurrency and account ----------------------------------------------------------------
  api.RegisterTyped<shapes::PutFunctionConcurrencyRequest>(
      "PutFunctionConcurrency",
      [&fs](const RequestContext& ctx,
            const shapes::PutFunctionConcurrencyRequest& in) -> Result<shapes::Concurrency> {
        LAMBDALITE_TRY(int reserved, fs.PutFunctionConcurrency(ctx.scope, in.FunctionName,
                                                               in.ReservedConcurrentExecutions));
        shapes::Concurrency out;
        out.ReservedConcurrentExecutions = reserved;
        return out;
      });
  api.RegisterTyped<shapes::GetFunctionConcurrencyRequest>(
      "GetFunctionConcurrency",
      [&fs](const RequestContext& ctx, const shapes::GetFunctionConcurrencyRequest& in)
          -> Result<shapes::GetFunctionConcurrencyResponse> {
        LAMBDALITE_TRY(auto reserved, fs.GetFunctionConcurrency(ctx.scope, in.FunctionName));
        shapes::GetFunctionConcurrencyResponse out;
        out.ReservedConcurrentExecutions = reserved;
        return out;
      });
  api.RegisterTyped<shapes::DeleteFunctionConcurrencyRequest>(
      "DeleteFunctionConcurrency",
      [&fs](const RequestContext& ctx,
            const shapes::DeleteFunctionConcurrencyRequest& in) -> Result<Reply> {
        LAMBDALITE_RETURN_IF_ERROR(fs.DeleteFunctionConcurrency(ctx.scope, in.FunctionName));
        return Empty(204);
      });
  api.RegisterTyped<shapes::GetAccountSettingsRequest>(
      "GetAccountSettings",
      [&fs](const RequestContext& ctx, const shapes::GetAccountSettingsRequest&)
          -> Result<shapes::GetAccountSettingsResponse> {
        service::AccountSettings s = fs.GetAccountSettings(ctx.scope);
        shapes::GetAccountSettingsResponse out;
        shapes::AccountLimit& limit = out.AccountLimit.emplace();
        limit.TotalCodeSize = fs.limits().total_code_size;
        limit.CodeSizeUnzipped = fs.limits().code_size_unzipped;
        limit.CodeSizeZipped = fs.limits().code_size_zipped;
        limit.ConcurrentExecutions = s.concurrent_executions;
        limit.UnreservedConcurrentExecutions = s.unreserved_concurrent_executions;
        shapes::AccountUsage& usage = out.AccountUsage.emplace();
        usage.TotalCodeSize = s.total_code_size;
        usage.FunctionCount = s.function_count;
        return out;
      });

  // --- tags -----------------------------------------------------------------------------------
  api.RegisterTyped<shapes::TagResourceRequest>(
      "TagResource",
      [&fs](const RequestContext& ctx, const shapes::TagResourceRequest& in) -> Result<Reply> {
        LAMBDALITE_RETURN_IF_ERROR(fs.TagResource(ctx.scope, in.Resource, in.Tags));
        return Empty(204);
      });
  api.RegisterTyped<shapes::UntagResourceRequest>(
      "UntagResource",
      [&fs](const RequestContext& ctx, const shapes::UntagResourceRequest& in) -> Result<Reply> {
        LAMBDALITE_RETURN_IF_ERROR(fs.UntagResource(ctx.scope, in.Resource, in.TagKeys));
        return Empty(204);
      });
  api.RegisterTyped<shapes::ListTagsRequest>(
      "ListTags",
      [&fs](const RequestContext& ctx,
            const shapes::ListTagsRequest& in) -> Result<shapes::ListTagsResponse> {
        LAMBDALITE_TRY(auto tags, fs.ListTags(ctx.scope, in.Resource));
        shapes::ListTagsResponse out;
        out.Tags = std::move(tags);
        return out;
      });

  // --- presigned code download (GetFunction's Code.Location) -----------------------------------
  api.RegisterInternal("/_lambdalite/code/", [&fs, &signer](const http::HttpRequest& req) {
    if (req.method != "GET" && req.method != "HEAD") {
      return S3StyleError(405, "MethodNotAllowed", "The specified method is not allowed.");
    }
    std::string path = req.target.substr(0, req.target.find('?'));
    std::string blob = path.substr(std::string_view("/_lambdalite/code/").size());
    if (blob.size() > 4 && blob.compare(blob.size() - 4, 4, ".zip") == 0)
      blob.resize(blob.size() - 4);
    Status ok = signer.Verify(blob, QueryValue(req.target, "X-Amz-Expires"),
                              QueryValue(req.target, "X-Amz-Signature"));
    if (!ok.ok()) return S3StyleError(403, "AccessDenied", ok.error().message);
    auto bytes = fs.ReadCode(blob);
    if (!bytes.ok()) return S3StyleError(404, "NoSuchKey", "The specified key does not exist.");
    http::HttpResponse resp;
    resp.status = 200;
    resp.SetHeader("Content-Type", "application/zip");
    resp.body = req.method == "HEAD" ? std::string() : std::move(*bytes);
    return resp;
  });
}

}  // namespace lambdalite::api
