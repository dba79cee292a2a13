#include "service/invoke_service.h"

#include <algorithm>
#include <boost/json/stream_parser.hpp>
#include <cctype>
#include <random>

namespace lambdalite::service {

namespace {

// Picks the version an alias routes to: the additional version with its weight, else the main.
std::string PickWeighted(const domain::Alias& alias) {
  if (alias.routing_weights.empty()) return alias.function_version;
  thread_local std::mt19937_64 gen{std::random_device{}()};
  double roll = std::uniform_real_distribution<double>(0.0, 1.0)(gen);
  for (const auto& [version, weight] : alias.routing_weights) {
    if (roll < weight) return version;
    roll -= weight;
  }
  return alias.function_version;
}

}  // namespace

Status InvokeService::CheckPayload(const std::string& payload) {
  if (payload.empty()) return Status::Ok();
  // Only syntax matters here (the runtime parses the event for real); the parser tells where it
  // stopped, which AWS's message quotes.
  boost::json::stream_parser parser;
  boost::system::error_code ec;
  size_t at = parser.write_some(payload.data(), payload.size(), ec);
  if (!ec) parser.finish(ec);
  if (!ec) return Status::Ok();
  at = std::min(at, payload.size());
  // AWS's front end reports the parser's complaint; the token and position wording follows it
  // ("Could not parse request body into json: Could not parse payload into json: ...").
  size_t end = at;
  while (end < payload.size() && end - at < 64 &&
         (std::isalnum(static_cast<unsigned char>(payload[end])) || payload[end] == '_')) {
    ++end;
  }
  std::string token = end > at ? payload.substr(at, end - at) : payload.substr(at, 1);
  size_t line = 1, column = 1;
  for (size_t k = 0; k < at && k < payload.size(); ++k) {
    if (payload[k] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return Error::Make(ErrorCode::kInvalidContent,
                     "Could not parse request body into json: Could not parse payload into json: "
                     "Unrecognized token '" +
                         token +
                         "': was expecting (JSON String, Number, Array, Object or token 'null', "
                         "'true' or 'false')\n at [Source: (byte[])\"" +
                         payload.substr(0, 500) + "\"; line: " + std::to_string(line) +
                         ", column: " + std::to_string(column + token.size()) + "]");
}

Result<InvokeTarget> InvokeService::Resolve(const domain::Scope& scope,
                                            const std::string& function_name,
                                            const std::optional<std::string>& qualifier) const {
  LAMBDALITE_TRY(auto ref, domain::ParseFunctionName(function_name));
  LAMBDALITE_TRY(auto q, domain::ResolveQualifier(ref, qualifier));
  LAMBDALITE_RETURN_IF_ERROR(domain::CheckScope(ref, scope));
  // Invoke names a missing function with its qualifier, $LATEST by default (reference I9).
  const std::string shown_q = q.value_or(std::string(domain::kLatest));
  auto view = functions_.GetFunction(scope, ref.name, shown_q);
  if (!view.ok()) {
    if (view.error().code == ErrorCode::kNotFound) {
      return Error::Make(
          ErrorCode::kNotFound,
          "Function not found: " + domain::QualifiedFunctionArn(scope, ref.name, shown_q));
    }
    return std::move(view).error();
  }
  InvokeTarget target;
  target.function_name = ref.name;
  target.version = view->version;
  target.reserved_concurrency = view->reserved_concurrency;
  target.unreserved_concurrency = view->unreserved_concurrency;
  target.recursive_loop = view->recursive_loop;
  target.provisioned_concurrency = view->provisioned_concurrency;
  target.invoked_function_arn =
      q ? domain::QualifiedFunctionArn(scope, ref.name, *q) : domain::FunctionArn(scope, ref.name);
  // Weighted alias: roll for the version that serves this invocation.
  if (q && !domain::IsVersionNumber(*q) && *q != domain::kLatest) {
    auto alias = functions_.GetAlias(scope, ref.name, *q);
    if (alias.ok() && !alias->routing_weights.empty()) {
      std::string chosen = PickWeighted(*alias);
      if (chosen != view->version->version) {
        auto other = functions_.GetFunction(scope, ref.name, chosen);
        if (other.ok()) target.version = other->version;
      }
    }
  }
  return target;
}

Status InvokeService::InvokeAsync(const domain::Scope& scope, InvokeInput input,
                                  size_t max_payload) {
  if (input.payload.size() > max_payload) {
    // AWS's answer as clients have recorded it (docs/research/aws-error-messages.md).
    return Error::Make(ErrorCode::kRequestTooLarge,
                       std::to_string(input.payload.size()) +
                           " byte payload is too large for the Event invocation type (limit " +
                           std::to_string(max_payload) + " bytes)");
  }
  LAMBDALITE_TRY(auto target, Resolve(scope, input.function_name, input.qualifier));
  LAMBDALITE_RETURN_IF_ERROR(CheckPayload(input.payload));
  if (!submit_event_) {
    return Error::Make(ErrorCode::kUnavailable, "Asynchronous invocation is not available.");
  }
  if (input.payload.empty()) input.payload = "{}";
  // Keep the qualifier as invoked: the alias's config and routing apply when the event runs.
  if (input.qualifier == std::nullopt) {
    LAMBDALITE_TRY(auto ref, domain::ParseFunctionName(input.function_name));
    input.qualifier = ref.qualifier;
  }
  return submit_event_(scope, target.function_name, input);
}

Result<std::string> InvokeService::CountRecursion(const domain::Scope& scope,
                                                  const InvokeTarget& target,
                                                  std::string_view incoming_lineage) {
  domain::LineageStep step =
      domain::NextLineage(incoming_lineage, domain::LineageKey(scope, target.function_name));
  if (domain::StopsRecursion(target.recursive_loop, step.count)) {
    // The model's description of the exception (the live message is unrecorded; see
    // docs/research/aws-error-messages.md, recursion).
    return Error::Make(ErrorCode::kInvalidParameter,
                       "Lambda has detected your function being invoked in a recursive loop with "
                       "other Amazon Web Services resources and stopped your function's "
                       "invocation.",
                       "RecursiveInvocationException");
  }
  return std::move(step.lineage);
}

Result<executor::InvocationResult> InvokeService::InvokeSync(const domain::Scope& scope,
                                                             InvokeInput input) {
  LAMBDALITE_TRY(auto target, Resolve(scope, input.function_name, input.qualifier));
  LAMBDALITE_RETURN_IF_ERROR(CheckPayload(input.payload));
  LAMBDALITE_TRY(std::string lineage, CountRecursion(scope, target, input.lineage));
  return invoker_.Invoke(
      MakeRequest(scope, std::move(target), std::move(input), std::move(lineage)));
}

bool InvokeService::TryInvokeSync(const domain::Scope& scope, InvokeInput input,
                                  executor::Invoker::Done done) {
  auto target = Resolve(scope, input.function_name, input.qualifier);
  if (!target.ok()) {
    done(std::move(target).error());
    return true;
  }
  if (Status payload = CheckPayload(input.payload); !payload.ok()) {
    done(std::move(payload).error());
    return true;
  }
  auto lineage = CountRecursion(scope, *target, input.lineage);
  if (!lineage.ok()) {
    done(std::move(lineage).error());
    return true;
  }
  executor::InvokeRequest req =
      MakeRequest(scope, std::move(target).value(), std::move(input), std::move(lineage).value());
  return invoker_.TryInvokeAsync(req, done);
}

executor::InvokeRequest InvokeService::MakeRequest(const domain::Scope& scope, InvokeTarget target,
                                                   InvokeInput input, std::string lineage) const {
  executor::InvokeRequest req;
  req.lineage = std::move(lineage);
  req.scope = scope;
  req.function_name = std::move(target.function_name);
  req.code_path = code_store_.LocalPath(target.version->code.blob_id);
  for (const domain::CodeInfo& layer : target.version->config.layer_code) {
    if (!layer.blob_id.empty()) req.layer_paths.push_back(code_store_.LocalPath(layer.blob_id));
  }
  req.version = std::move(target.version);
  req.invoked_function_arn = std::move(target.invoked_function_arn);
  req.request_id = std::move(input.request_id);
  req.payload = input.payload.empty() ? std::string("{}") : std::move(input.payload);
  req.client_context = std::move(input.client_context);
  req.reserved_concurrency = target.reserved_concurrency;
  req.unreserved_concurrency = target.unreserved_concurrency;
  req.provisioned_concurrency = target.provisioned_concurrency;
  req.tail_log = input.tail_log;
  req.stream_sink = std::move(input.stream_sink);
  if (req.stream_sink) req.stream_sink->OnVersion(req.version->version);
  return req;
}

}  // namespace lambdalite::service
