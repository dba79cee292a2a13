#include "api/mapping.h"

#include "common/crypto.h"
#include "common/time_format.h"
#include "domain/names.h"

namespace lambdalite::api {

namespace json = boost::json;
using domain::FunctionConfig;

namespace {

// The VPC id a function's subnets belong to. lambdalite has no VPCs; it derives a stable id from
// the subnets so the field keeps its shape ("" once detached, as AWS shows).
std::string VpcIdOf(const std::vector<std::string>& subnet_ids) {
  if (subnet_ids.empty()) return {};
  std::string joined;
  for (const auto& s : subnet_ids) joined += s + ",";
  return "vpc-" + HexEncode(Sha256(joined)).substr(0, 17);
}

// The members UpdateFunctionConfiguration and CreateFunction share; `In` is either request shape.
template <class In>
void ApplySharedConfigMembers(const In& in, FunctionConfig& c) {
  if (in.Handler) c.handler = *in.Handler;
  if (in.Description) c.description = *in.Description;
  if (in.Runtime) c.runtime = *in.Runtime;
  if (in.Timeout) c.timeout = *in.Timeout;
  if (in.MemorySize) c.memory_size = *in.MemorySize;
  if (in.KMSKeyArn) {
    if (in.KMSKeyArn->empty()) {
      c.kms_key_arn.reset();
    } else {
      c.kms_key_arn = *in.KMSKeyArn;
    }
  }
  if (in.Environment) {
    c.environment = in.Environment->Variables.value_or(std::map<std::string, std::string>{});
  }
  if (in.DeadLetterConfig) {
    const auto& target = in.DeadLetterConfig->TargetArn;
    if (target && !target->empty()) {
      c.dead_letter_target_arn = *target;
    } else {
      c.dead_letter_target_arn.reset();
    }
  }
  if (in.TracingConfig && in.TracingConfig->Mode) c.tracing_mode = *in.TracingConfig->Mode;
  if (in.Layers) c.layers = *in.Layers;
  if (in.EphemeralStorage) c.ephemeral_storage_mb = in.EphemeralStorage->Size;
  if (in.SnapStart && in.SnapStart->ApplyOn) c.snap_start_apply_on = *in.SnapStart->ApplyOn;
  if (in.LoggingConfig) {
    const shapes::LoggingConfig& log = *in.LoggingConfig;
    if (log.LogFormat) c.logging.log_format = *log.LogFormat;
    if (log.ApplicationLogLevel) c.logging.application_log_level = *log.ApplicationLogLevel;
    if (log.SystemLogLevel) c.logging.system_log_level = *log.SystemLogLevel;
    if (log.LogGroup) c.logging.log_group = *log.LogGroup;
    // AWS fills in INFO levels for JSON logs and drops them for Text.
    if (c.logging.log_format == "JSON") {
      if (!c.logging.application_log_level) c.logging.application_log_level = "INFO";
      if (!c.logging.system_log_level) c.logging.system_log_level = "INFO";
    } else {
      c.logging.application_log_level.reset();
      c.logging.system_log_level.reset();
    }
  }
  if (in.VpcConfig) {
    domain::VpcConfig v;
    v.subnet_ids = in.VpcConfig->SubnetIds.value_or(std::vector<std::string>{});
    v.security_group_ids = in.VpcConfig->SecurityGroupIds.value_or(std::vector<std::string>{});
    if (in.VpcConfig->Ipv6AllowedForDualStack) {
      v.ipv6_allowed_for_dual_stack = *in.VpcConfig->Ipv6AllowedForDualStack;
    }
    // An empty VpcConfig detaches the function; AWS then keeps answering with empty lists.
    c.vpc = std::move(v);
  }
  if (in.CapacityProviderConfig) {
    // Members left out take AWS's defaults again (domain::FunctionCapacityProviderConfig).
    const auto& mi = in.CapacityProviderConfig->LambdaManagedInstancesCapacityProviderConfig;
    domain::FunctionCapacityProviderConfig cp;
    cp.capacity_provider_arn = mi.CapacityProviderArn;
    if (mi.PerExecutionEnvironmentMaxConcurrency) {
      cp.per_execution_environment_max_concurrency = *mi.PerExecutionEnvironmentMaxConcurrency;
    }
    if (mi.ExecutionEnvironmentMemoryGiBPerVCpu) {
      cp.execution_environment_memory_gib_per_vcpu = *mi.ExecutionEnvironmentMemoryGiBPerVCpu;
    }
    c.capacity_provider = std::move(cp);
  }
  if (in.FileSystemConfigs) {
    c.file_systems.clear();
    for (const auto& e : *in.FileSystemConfigs) {
      c.file_systems.push_back(domain::FileSystemConfig{e.Arn, e.LocalMountPath});
    }
  }
}

template <class In>
service::EventInvokeConfigInput EventInvokeConfigInputOf(const In& in) {
  service::EventInvokeConfigInput out;
  out.maximum_retry_attempts = in.MaximumRetryAttempts;
  out.maximum_event_age_seconds = in.MaximumEventAgeInSeconds;
  if (in.DestinationConfig) {
    out.has_destination_config = true;
    // A side given without a Destination is "given, empty" (the outer optional is engaged).
    if (in.DestinationConfig->OnSuccess) {
      out.on_success.emplace(in.DestinationConfig->OnSuccess->Destination);
    }
    if (in.DestinationConfig->OnFailure) {
      out.on_failure.emplace(in.DestinationConfig->OnFailure->Destination);
    }
  }
  return out;
}

std::optional<std::string> Given(const std::string& v) { return v; }
const std::optional<std::string>& Given(const std::optional<std::string>& v) { return v; }

template <class In>
service::AliasInput AliasInputOf(const In& in) {
  service::AliasInput out;
  out.function_version = Given(in.FunctionVersion);
  out.description = in.Description;
  if (in.RoutingConfig) {
    out.routing_weights =
        in.RoutingConfig->AdditionalVersionWeights.value_or(std::map<std::string, double>{});
  }
  return out;
}

}  // namespace

shapes::FunctionConfiguration ToFunctionConfiguration(const domain::Scope& scope,
                                                      const service::FunctionView& view,
                                                      ConfigDetail detail) {
  const domain::FunctionVersion& v = *view.version;
  const FunctionConfig& c = v.config;
  shapes::FunctionConfiguration o;
  o.FunctionName = view.name;
  o.FunctionArn = view.qualifier ? domain::QualifiedFunctionArn(scope, view.name, *view.qualifier)
                                 : domain::FunctionArn(scope, view.name);
  if (c.package_type == "Zip") {
    o.Runtime = c.runtime;
    o.Handler = c.handler;
  }
  o.Role = c.role;
  o.CodeSize = v.code.size;
  o.Description = c.description;
  o.Timeout = c.timeout;
  o.MemorySize = c.memory_size;
  o.LastModified = FormatLambdaTimestamp(v.last_modified_ms);
  o.CodeSha256 = v.code.sha256_base64;
  o.Version = v.version;
  if (c.vpc) {
    shapes::VpcConfigResponse& vpc = o.VpcConfig.emplace();
    vpc.SubnetIds = c.vpc->subnet_ids;
    vpc.SecurityGroupIds = c.vpc->security_group_ids;
    vpc.Ipv6AllowedForDualStack = c.vpc->ipv6_allowed_for_dual_stack;
    vpc.VpcId = VpcIdOf(c.vpc->subnet_ids);
  }
  if (c.environment) o.Environment.emplace().Variables = *c.environment;
  if (c.dead_letter_target_arn) o.DeadLetterConfig.emplace().TargetArn = *c.dead_letter_target_arn;
  o.KMSKeyArn = c.kms_key_arn;
  o.TracingConfig.emplace().Mode = c.tracing_mode;
  o.RevisionId = v.revision_id;
  if (!c.layers.empty()) {
    auto& layers = o.Layers.emplace();
    for (size_t i = 0; i < c.layers.size(); ++i) {
      shapes::Layer& layer = layers.emplace_back();
      layer.Arn = c.layers[i];
      layer.CodeSize = i < c.layer_code.size() ? c.layer_code[i].size : 0;
    }
  }
  if (detail == ConfigDetail::kFull) {
    if (view.phase == service::Phase::kCreating) {
      o.State = "Pending";
      o.StateReason = "The function is being created.";
      o.StateReasonCode = "Creating";
    } else {
      o.State = "Active";
      if (view.phase == service::Phase::kUpdating) {
        // AWS's own wording, "created" even for an update (reference section 2.1).
        o.LastUpdateStatus = "InProgress";
        o.LastUpdateStatusReason = "The function is being created.";
        o.LastUpdateStatusReasonCode = "Creating";
      } else {
        o.LastUpdateStatus = "Successful";
      }
    }
  }
  if (!c.file_systems.empty()) {
    auto& fs = o.FileSystemConfigs.emplace();
    for (const auto& f : c.file_systems) fs.push_back({f.arn, f.local_mount_path});
  }
  o.PackageType = c.package_type;
  o.Architectures = c.architectures;
  o.EphemeralStorage.emplace().Size = c.ephemeral_storage_mb;
  const bool snap_on = c.snap_start_apply_on == "PublishedVersions" && v.version != domain::kLatest;
  o.SnapStart.emplace();
  o.SnapStart->ApplyOn = c.snap_start_apply_on;
  o.SnapStart->OptimizationStatus = snap_on ? "On" : "Off";
  if (detail == ConfigDetail::kFull && c.package_type == "Zip") {
    // A Manual runtime management pin shows here (PutRuntimeManagementConfig).
    o.RuntimeVersionConfig.emplace().RuntimeVersionArn =
        view.runtime_version_arn ? *view.runtime_version_arn
                                 : domain::RuntimeVersionArn(scope, c.runtime);
  }
  shapes::LoggingConfig& logging = o.LoggingConfig.emplace();
  logging.LogFormat = c.logging.log_format;
  logging.ApplicationLogLevel = c.logging.application_log_level;
  logging.SystemLogLevel = c.logging.system_log_level;
  logging.LogGroup = c.logging.log_group;
  if (c.capacity_provider) {
    auto& mi = o.CapacityProviderConfig.emplace().LambdaManagedInstancesCapacityProviderConfig;
    mi.CapacityProviderArn = c.capacity_provider->capacity_provider_arn;
    mi.PerExecutionEnvironmentMaxConcurrency =
        c.capacity_provider->per_execution_environment_max_concurrency;
    mi.ExecutionEnvironmentMemoryGiBPerVCpu =
        c.capacity_provider->execution_environment_memory_gib_per_vcpu;
  }
  return o;
}

shapes::AliasConfiguration ToAliasConfiguration(const domain::Scope& scope,
                                                const std::string& function,
                                                const domain::Alias& alias) {
  shapes::AliasConfiguration o;
  o.AliasArn = domain::QualifiedFunctionArn(scope, function, alias.name);
  o.Name = alias.name;
  o.FunctionVersion = alias.function_version;
  o.Description = alias.description;
  if (!alias.routing_weights.empty()) {
    o.RoutingConfig.emplace().AdditionalVersionWeights = alias.routing_weights;
  }
  o.RevisionId = alias.revision_id;
  return o;
}

shapes::FunctionEventInvokeConfig ToEventInvokeConfig(const service::EventInvokeConfigView& view) {
  const domain::EventInvokeConfig& c = view.config;
  shapes::FunctionEventInvokeConfig o;
  o.LastModified = c.last_modified_ms;  // a timestamp shape: epoch seconds on the wire
  o.FunctionArn = view.function_arn;
  o.MaximumRetryAttempts = c.maximum_retry_attempts;
  o.MaximumEventAgeInSeconds = c.maximum_event_age_seconds;
  shapes::DestinationConfig& d = o.DestinationConfig.emplace();
  d.OnSuccess.emplace().Destination = c.destinations.on_success;
  d.OnFailure.emplace().Destination = c.destinations.on_failure;
  return o;
}

Status ApplyConfigMembers(const shapes::CreateFunctionRequest& in, FunctionConfig& c) {
  c.role = in.Role;
  ApplySharedConfigMembers(in, c);
  if (in.PackageType) c.package_type = *in.PackageType;
  if (in.Architectures) c.architectures = *in.Architectures;
  // A Managed Instances function's default memory (as recorded by LocalStack).
  if (in.CapacityProviderConfig && !in.MemorySize) c.memory_size = 2048;
  return Status::Ok();
}

Status ApplyConfigMembers(const shapes::UpdateFunctionConfigurationRequest& in, FunctionConfig& c) {
  if (in.Role) c.role = *in.Role;
  ApplySharedConfigMembers(in, c);
  return Status::Ok();
}

namespace {
// FunctionCode and UpdateFunctionCodeRequest name their code members alike.
template <class Shape>
service::CodeSource CodeSourceOf(Shape&& in) {
  service::CodeSource src;
  src.zip_file = std::move(in.ZipFile);
  src.s3_bucket = std::move(in.S3Bucket);
  src.s3_key = std::move(in.S3Key);
  src.s3_object_version = std::move(in.S3ObjectVersion);
  src.image_uri = std::move(in.ImageUri);
  return src;
}
}  // namespace

service::CodeSource ToCodeSource(shapes::FunctionCode&& in) { return CodeSourceOf(std::move(in)); }

service::CodeSource ToCodeSource(shapes::UpdateFunctionCodeRequest&& in) {
  return CodeSourceOf(std::move(in));
}

service::EventInvokeConfigInput ToEventInvokeConfigInput(
    const shapes::PutFunctionEventInvokeConfigRequest& in) {
  return EventInvokeConfigInputOf(in);
}

service::EventInvokeConfigInput ToEventInvokeConfigInput(
    const shapes::UpdateFunctionEventInvokeConfigRequest& in) {
  return EventInvokeConfigInputOf(in);
}

service::AliasInput ToAliasInput(const shapes::CreateAliasRequest& in) { return AliasInputOf(in); }

service::AliasInput ToAliasInput(const shapes::UpdateAliasRequest& in) {
  service::AliasInput out = AliasInputOf(in);
  out.revision_id = in.RevisionId;
  return out;
}

}  // namespace lambdalite::api
