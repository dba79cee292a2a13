// Control-plane operations: AWS shapes in, service calls, AWS shapes out. Each handler is a thin
// mapping; the rules live in service::FunctionService.
#include "api/operations/control_plane.h"

#include <algorithm>
#include <memory>

#include "api/get_function_renderer.h"
#include "api/mapping.h"

namespace lambdalite::api {

namespace json = boost::json;
using service::FunctionService;
using service::FunctionView;

namespace {

constexpr int kDefaultMaxItems = 50;

int MaxItems(const json::object& in) {
  return static_cast<int>(GetInt(in, "MaxItems").value_or(kDefaultMaxItems));
}

Reply JsonReply(json::object body, int status = 0) {
  Reply r;
  r.status = status;
  r.json = std::move(body);
  return r;
}

Reply Empty(int status) {
  Reply r;
  r.status = status;
  return r;
}

std::string Name(const json::object& in) { return GetString(in, "FunctionName").value_or(""); }

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
  // --- functions ------------------------------------------------------------------------------
  api.Register("CreateFunction",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 service::CreateFunctionInput input;
                 input.name = Name(in);
                 LAMBDALITE_RETURN_IF_ERROR(ApplyConfigMembers(in, input.config));
                 if (const json::object* code = GetObject(in, "Code")) {
                   LAMBDALITE_TRY(input.code, ToCodeSource(*code));
                 }
                 input.publish = GetBool(in, "Publish").value_or(false);
                 input.tags = GetStringMap(in, "Tags");
                 input.code_signing_config_arn = GetString(in, "CodeSigningConfigArn");
                 LAMBDALITE_TRY(auto view, fs.CreateFunction(ctx.scope, std::move(input)));
                 // AWS answers Create with the unqualified ARN even when it published version 1.
                 view.qualifier.reset();
                 return JsonReply(ToFunctionConfiguration(ctx.scope, view, ConfigDetail::kFull));
               });

  api.Register("GetFunction",
               [&fs, &signer, renderer = std::make_shared<GetFunctionRenderer>()](
                   const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 LAMBDALITE_TRY(auto view,
                                fs.GetFunction(ctx.scope, Name(in), GetString(in, "Qualifier")));
                 Reply reply;
                 reply.json_text = renderer->Render(
                     ctx.scope, view, CodeLocation(ctx, signer, view.version->code.blob_id));
                 return reply;
               });

  api.Register("GetFunctionConfiguration",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 LAMBDALITE_TRY(auto view,
                                fs.GetFunction(ctx.scope, Name(in), GetString(in, "Qualifier")));
                 return JsonReply(ToFunctionConfiguration(ctx.scope, view, ConfigDetail::kFull));
               });

  api.Register("UpdateFunctionCode",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 service::UpdateCodeInput input;
                 LAMBDALITE_TRY(input.code, ToCodeSource(in));
                 input.publish = GetBool(in, "Publish").value_or(false);
                 input.dry_run = GetBool(in, "DryRun").value_or(false);
                 input.revision_id = GetString(in, "RevisionId");
                 if (const json::array* arch = GetArray(in, "Architectures")) {
                   std::vector<std::string> a;
                   for (const auto& v : *arch) {
                     if (v.is_string()) a.emplace_back(v.get_string());
                   }
                   input.architectures = std::move(a);
                 }
                 LAMBDALITE_TRY(auto view,
                                fs.UpdateFunctionCode(ctx.scope, Name(in), std::move(input)));
                 return JsonReply(ToFunctionConfiguration(ctx.scope, view, ConfigDetail::kFull));
               });

  api.Register("UpdateFunctionConfiguration",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 LAMBDALITE_TRY(auto view, fs.UpdateFunctionConfiguration(
                                               ctx.scope, Name(in), GetString(in, "RevisionId"),
                                               [&in](domain::FunctionConfig& c) {
                                                 return ApplyConfigMembers(in, c);
                                               }));
                 return JsonReply(ToFunctionConfiguration(ctx.scope, view, ConfigDetail::kFull));
               });

  api.Register("DeleteFunction",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 LAMBDALITE_RETURN_IF_ERROR(
                     fs.DeleteFunction(ctx.scope, Name(in), GetString(in, "Qualifier")));
                 return Empty(204);  // the model says 200, AWS answers 204 (reference section 2.2)
               });

  api.Register(
      "ListFunctions", [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
        bool all = GetString(in, "FunctionVersion").value_or("") == "ALL";
        // AWS returns at most 50 functions per page, whatever MaxItems asks for.
        LAMBDALITE_TRY(auto page, fs.ListFunctions(ctx.scope, all, GetString(in, "Marker"),
                                                   std::min(MaxItems(in), kDefaultMaxItems)));
        json::array items;
        for (const auto& v : page.items) {
          items.push_back(ToFunctionConfiguration(ctx.scope, v, ConfigDetail::kList));
        }
        json::object out{{"Functions", std::move(items)}};
        if (page.next_marker) out["NextMarker"] = *page.next_marker;
        return JsonReply(std::move(out));
      });

  // --- versions -------------------------------------------------------------------------------
  api.Register(
      "PublishVersion", [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
        LAMBDALITE_TRY(auto view, fs.PublishVersion(
                                      ctx.scope, Name(in), GetString(in, "CodeSha256"),
                                      GetString(in, "Description"), GetString(in, "RevisionId")));
        view.qualifier = view.version->version;
        return JsonReply(ToFunctionConfiguration(ctx.scope, view, ConfigDetail::kFull));
      });

  api.Register("ListVersionsByFunction",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 LAMBDALITE_TRY(auto page, fs.ListVersions(ctx.scope, Name(in),
                                                           GetString(in, "Marker"), MaxItems(in)));
                 json::array items;
                 for (const auto& v : page.items) {
                   items.push_back(ToFunctionConfiguration(ctx.scope, v, ConfigDetail::kList));
                 }
                 json::object out{{"Versions", std::move(items)}};
                 if (page.next_marker) out["NextMarker"] = *page.next_marker;
                 return JsonReply(std::move(out));
               });

  // --- aliases --------------------------------------------------------------------------------
  api.Register(
      "CreateAlias", [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
        std::string alias = GetString(in, "Name").value_or("");
        LAMBDALITE_TRY(auto a, fs.CreateAlias(ctx.scope, Name(in), alias, ToAliasInput(in)));
        LAMBDALITE_TRY(auto fn, domain::ParseFunctionName(Name(in)));
        return JsonReply(ToAliasConfiguration(ctx.scope, fn.name, a));
      });
  api.Register("GetAlias",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 LAMBDALITE_TRY(
                     auto a, fs.GetAlias(ctx.scope, Name(in), GetString(in, "Name").value_or("")));
                 LAMBDALITE_TRY(auto fn, domain::ParseFunctionName(Name(in)));
                 return JsonReply(ToAliasConfiguration(ctx.scope, fn.name, a));
               });
  api.Register("UpdateAlias",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 LAMBDALITE_TRY(
                     auto a, fs.UpdateAlias(ctx.scope, Name(in), GetString(in, "Name").value_or(""),
                                            ToAliasInput(in)));
                 LAMBDALITE_TRY(auto fn, domain::ParseFunctionName(Name(in)));
                 return JsonReply(ToAliasConfiguration(ctx.scope, fn.name, a));
               });
  api.Register("DeleteAlias",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 LAMBDALITE_RETURN_IF_ERROR(
                     fs.DeleteAlias(ctx.scope, Name(in), GetString(in, "Name").value_or("")));
                 return Empty(204);
               });
  api.Register(
      "ListAliases", [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
        LAMBDALITE_TRY(auto page,
                       fs.ListAliases(ctx.scope, Name(in), GetString(in, "FunctionVersion"),
                                      GetString(in, "Marker"), MaxItems(in)));
        LAMBDALITE_TRY(auto fn, domain::ParseFunctionName(Name(in)));
        json::array items;
        for (const auto& a : page.items)
          items.push_back(ToAliasConfiguration(ctx.scope, fn.name, a));
        json::object out{{"Aliases", std::move(items)}};
        if (page.next_marker) out["NextMarker"] = *page.next_marker;
        return JsonReply(std::move(out));
      });

  // --- event invoke configs -------------------------------------------------------------------
  api.Register("PutFunctionEventInvokeConfig",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 LAMBDALITE_TRY(auto v, fs.PutEventInvokeConfig(ctx.scope, Name(in),
                                                                GetString(in, "Qualifier"),
                                                                ToEventInvokeConfigInput(in)));
                 return JsonReply(ToEventInvokeConfig(v));
               });
  api.Register("UpdateFunctionEventInvokeConfig",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 LAMBDALITE_TRY(auto v, fs.UpdateEventInvokeConfig(ctx.scope, Name(in),
                                                                   GetString(in, "Qualifier"),
                                                                   ToEventInvokeConfigInput(in)));
                 return JsonReply(ToEventInvokeConfig(v));
               });
  api.Register("GetFunctionEventInvokeConfig",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 LAMBDALITE_TRY(auto v, fs.GetEventInvokeConfig(ctx.scope, Name(in),
                                                                GetString(in, "Qualifier")));
                 return JsonReply(ToEventInvokeConfig(v));
               });
  api.Register("DeleteFunctionEventInvokeConfig",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 LAMBDALITE_RETURN_IF_ERROR(
                     fs.DeleteEventInvokeConfig(ctx.scope, Name(in), GetString(in, "Qualifier")));
                 return Empty(204);
               });
  api.Register("ListFunctionEventInvokeConfigs",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 LAMBDALITE_TRY(auto page,
                                fs.ListEventInvokeConfigs(ctx.scope, Name(in),
                                                          GetString(in, "Marker"), MaxItems(in)));
                 json::array items;
                 for (const auto& v : page.items) items.push_back(ToEventInvokeConfig(v));
                 json::object out{{"FunctionEventInvokeConfigs", std::move(items)}};
                 if (page.next_marker) out["NextMarker"] = *page.next_marker;
                 return JsonReply(std::move(out));
               });

  // --- concurrency and account ----------------------------------------------------------------
  api.Register("PutFunctionConcurrency",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 int n = static_cast<int>(GetInt(in, "ReservedConcurrentExecutions").value_or(0));
                 LAMBDALITE_TRY(int reserved, fs.PutFunctionConcurrency(ctx.scope, Name(in), n));
                 return JsonReply(json::object{{"ReservedConcurrentExecutions", reserved}});
               });
  api.Register("GetFunctionConcurrency",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 LAMBDALITE_TRY(auto reserved, fs.GetFunctionConcurrency(ctx.scope, Name(in)));
                 json::object out;
                 if (reserved) out["ReservedConcurrentExecutions"] = *reserved;
                 return JsonReply(std::move(out));
               });
  api.Register("DeleteFunctionConcurrency",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 LAMBDALITE_RETURN_IF_ERROR(fs.DeleteFunctionConcurrency(ctx.scope, Name(in)));
                 return Empty(204);
               });
  api.Register(
      "GetAccountSettings", [&fs](const RequestContext& ctx, const json::object&) -> Result<Reply> {
        service::AccountSettings s = fs.GetAccountSettings(ctx.scope);
        json::object limit{{"TotalCodeSize", fs.limits().total_code_size},
                           {"CodeSizeUnzipped", fs.limits().code_size_unzipped},
                           {"CodeSizeZipped", fs.limits().code_size_zipped},
                           {"ConcurrentExecutions", s.concurrent_executions},
                           {"UnreservedConcurrentExecutions", s.unreserved_concurrent_executions}};
        json::object usage{{"TotalCodeSize", s.total_code_size},
                           {"FunctionCount", s.function_count}};
        return JsonReply(
            json::object{{"AccountLimit", std::move(limit)}, {"AccountUsage", std::move(usage)}});
      });

  // --- tags -----------------------------------------------------------------------------------
  api.Register("TagResource",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 LAMBDALITE_RETURN_IF_ERROR(fs.TagResource(
                     ctx.scope, GetString(in, "Resource").value_or(""), GetStringMap(in, "Tags")));
                 return Empty(204);
               });
  api.Register("UntagResource",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 std::vector<std::string> keys;
                 if (const json::array* a = GetArray(in, "TagKeys")) {
                   for (const auto& k : *a) {
                     if (k.is_string()) keys.emplace_back(k.get_string());
                   }
                 }
                 LAMBDALITE_RETURN_IF_ERROR(
                     fs.UntagResource(ctx.scope, GetString(in, "Resource").value_or(""), keys));
                 return Empty(204);
               });
  api.Register(
      "ListTags", [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
        LAMBDALITE_TRY(auto tags, fs.ListTags(ctx.scope, GetString(in, "Resource").value_or("")));
        json::object t;
        for (const auto& [k, v] : tags) t[k] = v;
        return JsonReply(json::object{{"Tags", std::move(t)}});
      });

  // --- code signing and function URLs ----------------------------------------------------------
  // lambdalite has no code-signing configs or function URLs yet; these answer as AWS does for a
  // function that has none, so tools that probe them work.
  api.Register(
      "GetFunctionCodeSigningConfig",
      [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
        LAMBDALITE_TRY(auto view, fs.GetFunction(ctx.scope, Name(in), std::nullopt));
        return JsonReply(json::object{{"CodeSigningConfigArn", ""}, {"FunctionName", view.name}});
      });
  api.Register("GetFunctionUrlConfig",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 (void)fs;  // every function answers "no URL config"; only a foreign ARN differs
                 LAMBDALITE_TRY(auto ref, domain::ParseFunctionName(Name(in)));
                 LAMBDALITE_RETURN_IF_ERROR(domain::CheckScope(ref, ctx.scope));
                 return Error::Make(ErrorCode::kNotFound,
                                    "The resource you requested does not exist.");
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
