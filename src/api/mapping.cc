#include "api/mapping.h"

#include "common/crypto.h"
#include "common/time_format.h"
#include "domain/names.h"

namespace lambdalite::api {

namespace json = boost::json;
using domain::FunctionConfig;

std::optional<std::string> GetString(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return std::nullopt;
  return std::string(it->value().get_string());
}

std::optional<int64_t> GetInt(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end()) return std::nullopt;
  if (it->value().is_int64()) return it->value().get_int64();
  if (it->value().is_uint64()) return static_cast<int64_t>(it->value().get_uint64());
  if (it->value().is_double()) return static_cast<int64_t>(it->value().get_double());
  return std::nullopt;
}

std::optional<bool> GetBool(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_bool()) return std::nullopt;
  return it->value().get_bool();
}

const json::object* GetObject(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it == o.end() ? nullptr : it->value().if_object();
}

const json::array* GetArray(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it == o.end() ? nullptr : it->value().if_array();
}

std::map<std::string, std::string> GetStringMap(const json::object& o, std::string_view key) {
  std::map<std::string, std::string> out;
  if (const json::object* m = GetObject(o, key)) {
    for (const auto& kv : *m) {
      if (kv.value().is_string()) out[std::string(kv.key())] = std::string(kv.value().get_string());
    }
  }
  return out;
}

namespace {

std::vector<std::string> StringList(const json::array& a) {
  std::vector<std::string> out;
  for (const auto& v : a) {
    if (v.is_string()) out.emplace_back(v.get_string());
  }
  return out;
}

json::array ToArray(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

}  // namespace

json::object ToFunctionConfiguration(const domain::Scope& scope, const service::FunctionView& view,
                                     ConfigDetail detail) {
  const domain::FunctionVersion& v = *view.version;
  const FunctionConfig& c = v.config;
  json::object o;
  o["FunctionName"] = view.name;
  o["FunctionArn"] = view.qualifier
                         ? domain::QualifiedFunctionArn(scope, view.name, *view.qualifier)
                         : domain::FunctionArn(scope, view.name);
  if (c.package_type == "Zip") {
    o["Runtime"] = c.runtime;
    o["Handler"] = c.handler;
  }
  o["Role"] = c.role;
  o["CodeSize"] = v.code.size;
  o["Description"] = c.description;
  o["Timeout"] = c.timeout;
  o["MemorySize"] = c.memory_size;
  o["LastModified"] = FormatLambdaTimestamp(v.last_modified_ms);
  o["CodeSha256"] = v.code.sha256_base64;
  o["Version"] = v.version;
  if (c.vpc) {
    json::object vpc;
    vpc["SubnetIds"] = ToArray(c.vpc->subnet_ids);
    vpc["SecurityGroupIds"] = ToArray(c.vpc->security_group_ids);
    vpc["Ipv6AllowedForDualStack"] = c.vpc->ipv6_allowed_for_dual_stack;
    // AWS reports the VPC the subnets belong to. lambdalite has no VPCs; it derives a stable id
    // from the subnets so the field keeps its shape ("" once detached, as AWS shows).
    std::string vpc_id;
    if (!c.vpc->subnet_ids.empty()) {
      std::string joined;
      for (const auto& s : c.vpc->subnet_ids) joined += s + ",";
      vpc_id = "vpc-" + HexEncode(Sha256(joined)).substr(0, 17);
    }
    vpc["VpcId"] = vpc_id;
    o["VpcConfig"] = std::move(vpc);
  }
  if (c.environment) {
    json::object vars;
    for (const auto& [k, val] : *c.environment) vars[k] = val;
    o["Environment"] = json::object{{"Variables", std::move(vars)}};
  }
  if (c.dead_letter_target_arn) {
    o["DeadLetterConfig"] = json::object{{"TargetArn", *c.dead_letter_target_arn}};
  }
  if (c.kms_key_arn) o["KMSKeyArn"] = *c.kms_key_arn;
  o["TracingConfig"] = json::object{{"Mode", c.tracing_mode}};
  o["RevisionId"] = v.revision_id;
  if (!c.layers.empty()) {
    json::array layers;
    for (const auto& arn : c.layers) layers.push_back(json::object{{"Arn", arn}, {"CodeSize", 0}});
    o["Layers"] = std::move(layers);
  }
  if (detail == ConfigDetail::kFull) {
    if (view.phase == service::Phase::kCreating) {
      o["State"] = "Pending";
      o["StateReason"] = "The function is being created.";
      o["StateReasonCode"] = "Creating";
    } else {
      o["State"] = "Active";
      if (view.phase == service::Phase::kUpdating) {
        // AWS's own wording, "created" even for an update (reference section 2.1).
        o["LastUpdateStatus"] = "InProgress";
        o["LastUpdateStatusReason"] = "The function is being created.";
        o["LastUpdateStatusReasonCode"] = "Creating";
      } else {
        o["LastUpdateStatus"] = "Successful";
      }
    }
  }
  if (!c.file_systems.empty()) {
    json::array fs;
    for (const auto& f : c.file_systems) {
      fs.push_back(json::object{{"Arn", f.arn}, {"LocalMountPath", f.local_mount_path}});
    }
    o["FileSystemConfigs"] = std::move(fs);
  }
  o["PackageType"] = c.package_type;
  o["Architectures"] = ToArray(c.architectures);
  o["EphemeralStorage"] = json::object{{"Size", c.ephemeral_storage_mb}};
  const bool snap_on = c.snap_start_apply_on == "PublishedVersions" && v.version != domain::kLatest;
  o["SnapStart"] = json::object{{"ApplyOn", c.snap_start_apply_on},
                                {"OptimizationStatus", snap_on ? "On" : "Off"}};
  if (detail == ConfigDetail::kFull && c.package_type == "Zip") {
    // A Manual runtime management pin shows here (PutRuntimeManagementConfig).
    o["RuntimeVersionConfig"] =
        json::object{{"RuntimeVersionArn", view.runtime_version_arn
                                               ? *view.runtime_version_arn
                                               : domain::RuntimeVersionArn(scope, c.runtime)}};
  }
  json::object logging{{"LogFormat", c.logging.log_format}};
  if (c.logging.application_log_level) {
    logging["ApplicationLogLevel"] = *c.logging.application_log_level;
  }
  if (c.logging.system_log_level) logging["SystemLogLevel"] = *c.logging.system_log_level;
  logging["LogGroup"] = c.logging.log_group;
  o["LoggingConfig"] = std::move(logging);
  return o;
}

json::object ToAliasConfiguration(const domain::Scope& scope, const std::string& function,
                                  const domain::Alias& alias) {
  json::object o;
  o["AliasArn"] = domain::QualifiedFunctionArn(scope, function, alias.name);
  o["Name"] = alias.name;
  o["FunctionVersion"] = alias.function_version;
  o["Description"] = alias.description;
  if (!alias.routing_weights.empty()) {
    json::object weights;
    for (const auto& [k, w] : alias.routing_weights) weights[k] = w;
    o["RoutingConfig"] = json::object{{"AdditionalVersionWeights", std::move(weights)}};
  }
  o["RevisionId"] = alias.revision_id;
  return o;
}

json::object ToEventInvokeConfig(const service::EventInvokeConfigView& view) {
  const domain::EventInvokeConfig& c = view.config;
  json::object o;
  // LastModified is a timestamp shape: epoch seconds on the wire.
  o["LastModified"] = static_cast<double>(c.last_modified_ms) / 1000.0;
  o["FunctionArn"] = view.function_arn;
  if (c.maximum_retry_attempts) o["MaximumRetryAttempts"] = *c.maximum_retry_attempts;
  if (c.maximum_event_age_seconds) o["MaximumEventAgeInSeconds"] = *c.maximum_event_age_seconds;
  auto side = [](const std::optional<std::string>& d) {
    json::object s;
    if (d) s["Destination"] = *d;
    return s;
  };
  o["DestinationConfig"] = json::object{{"OnSuccess", side(c.destinations.on_success)},
                                        {"OnFailure", side(c.destinations.on_failure)}};
  return o;
}

Status ApplyConfigMembers(const json::object& in, FunctionConfig& c) {
  if (auto v = GetString(in, "Role")) c.role = *v;
  if (auto v = GetString(in, "Handler")) c.handler = *v;
  if (auto v = GetString(in, "Description")) c.description = *v;
  if (auto v = GetString(in, "Runtime")) c.runtime = *v;
  if (auto v = GetInt(in, "Timeout")) c.timeout = static_cast<int>(*v);
  if (auto v = GetInt(in, "MemorySize")) c.memory_size = static_cast<int>(*v);
  if (auto v = GetString(in, "PackageType")) c.package_type = *v;
  if (auto v = GetString(in, "KMSKeyArn")) {
    if (v->empty()) {
      c.kms_key_arn.reset();
    } else {
      c.kms_key_arn = *v;
    }
  }
  if (const json::object* env = GetObject(in, "Environment")) {
    c.environment = GetStringMap(*env, "Variables");
  }
  if (const json::object* dlq = GetObject(in, "DeadLetterConfig")) {
    auto target = GetString(*dlq, "TargetArn");
    if (target && !target->empty()) {
      c.dead_letter_target_arn = *target;
    } else {
      c.dead_letter_target_arn.reset();
    }
  }
  if (const json::object* tracing = GetObject(in, "TracingConfig")) {
    if (auto mode = GetString(*tracing, "Mode")) c.tracing_mode = *mode;
  }
  if (const json::array* layers = GetArray(in, "Layers")) c.layers = StringList(*layers);
  if (const json::object* eph = GetObject(in, "EphemeralStorage")) {
    if (auto size = GetInt(*eph, "Size")) c.ephemeral_storage_mb = static_cast<int>(*size);
  }
  if (const json::array* arch = GetArray(in, "Architectures")) c.architectures = StringList(*arch);
  if (const json::object* snap = GetObject(in, "SnapStart")) {
    if (auto apply = GetString(*snap, "ApplyOn")) c.snap_start_apply_on = *apply;
  }
  if (const json::object* log = GetObject(in, "LoggingConfig")) {
    if (auto f = GetString(*log, "LogFormat")) c.logging.log_format = *f;
    if (auto l = GetString(*log, "ApplicationLogLevel")) c.logging.application_log_level = *l;
    if (auto l = GetString(*log, "SystemLogLevel")) c.logging.system_log_level = *l;
    if (auto g = GetString(*log, "LogGroup")) c.logging.log_group = *g;
    // AWS fills in INFO levels for JSON logs and drops them for Text.
    if (c.logging.log_format == "JSON") {
      if (!c.logging.application_log_level) c.logging.application_log_level = "INFO";
      if (!c.logging.system_log_level) c.logging.system_log_level = "INFO";
    } else {
      c.logging.application_log_level.reset();
      c.logging.system_log_level.reset();
    }
  }
  if (const json::object* vpc = GetObject(in, "VpcConfig")) {
    domain::VpcConfig v;
    if (const json::array* a = GetArray(*vpc, "SubnetIds")) v.subnet_ids = StringList(*a);
    if (const json::array* a = GetArray(*vpc, "SecurityGroupIds")) {
      v.security_group_ids = StringList(*a);
    }
    if (auto b = GetBool(*vpc, "Ipv6AllowedForDualStack")) v.ipv6_allowed_for_dual_stack = *b;
    // An empty VpcConfig detaches the function; AWS then keeps answering with empty lists.
    c.vpc = std::move(v);
  }
  if (const json::array* fs = GetArray(in, "FileSystemConfigs")) {
    c.file_systems.clear();
    for (const auto& e : *fs) {
      if (!e.is_object()) continue;
      domain::FileSystemConfig f;
      f.arn = GetString(e.get_object(), "Arn").value_or("");
      f.local_mount_path = GetString(e.get_object(), "LocalMountPath").value_or("");
      c.file_systems.push_back(std::move(f));
    }
  }
  return Status::Ok();
}

Result<service::CodeSource> ToCodeSource(const json::object& code) {
  service::CodeSource src;
  if (auto zip = GetString(code, "ZipFile")) {
    std::string bytes;
    if (!Base64Decode(*zip, &bytes)) {
      return Error::Make(ErrorCode::kInvalidParameter,
                         "Could not unzip uploaded file. Please check your file, then try to "
                         "upload again.");
    }
    src.zip_file = std::move(bytes);
  }
  src.s3_bucket = GetString(code, "S3Bucket");
  src.s3_key = GetString(code, "S3Key");
  src.s3_object_version = GetString(code, "S3ObjectVersion");
  src.image_uri = GetString(code, "ImageUri");
  return src;
}

service::EventInvokeConfigInput ToEventInvokeConfigInput(const json::object& in) {
  service::EventInvokeConfigInput out;
  if (auto v = GetInt(in, "MaximumRetryAttempts"))
    out.maximum_retry_attempts = static_cast<int>(*v);
  if (auto v = GetInt(in, "MaximumEventAgeInSeconds")) {
    out.maximum_event_age_seconds = static_cast<int>(*v);
  }
  if (const json::object* dc = GetObject(in, "DestinationConfig")) {
    out.has_destination_config = true;
    if (const json::object* s = GetObject(*dc, "OnSuccess"))
      out.on_success = GetString(*s, "Destination");
    if (const json::object* f = GetObject(*dc, "OnFailure"))
      out.on_failure = GetString(*f, "Destination");
  }
  return out;
}

service::AliasInput ToAliasInput(const json::object& in) {
  service::AliasInput out;
  out.function_version = GetString(in, "FunctionVersion");
  out.description = GetString(in, "Description");
  out.revision_id = GetString(in, "RevisionId");
  if (const json::object* rc = GetObject(in, "RoutingConfig")) {
    std::map<std::string, double> weights;
    if (const json::object* w = GetObject(*rc, "AdditionalVersionWeights")) {
      for (const auto& kv : *w) {
        if (kv.value().is_number()) weights[std::string(kv.key())] = kv.value().to_number<double>();
      }
    }
    out.routing_weights = std::move(weights);
  }
  return out;
}

}  // namespace lambdalite::api
