#pragma once

// FunctionService: the control-plane use cases (functions, code, versions, aliases, event invoke
// configs, concurrency, tags). Domain values in, domain values out; it knows nothing of HTTP or
// JSON. Error messages are AWS's wording, because they are what the user sees.
//
// State: the whole control-plane state lives in memory (reads never touch the disk: GetFunction
// is a hot path) and every change is written through the FunctionStore, durably, before the call
// returns. Versions are immutable snapshots shared by pointer, so readers (and the executor)
// hold a consistent configuration without copying.
//
// Thread-safety: every method may be called concurrently.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "domain/capacity_provider.h"
#include "domain/code_signing.h"
#include "domain/event_source_mapping.h"
#include "domain/function.h"
#include "domain/function_url.h"
#include "domain/layer.h"
#include "domain/names.h"
#include "domain/policy.h"
#include "domain/provisioned_concurrency.h"
#include "domain/recursion.h"
#include "service/blob_collector.h"
#include "service/code_package.h"
#include "service/committer.h"
#include "storage/store.h"

namespace lambdalite::service {

using VersionPtr = std::shared_ptr<const domain::FunctionVersion>;

// Fetches a deployment package from S3 (Code.S3Bucket/S3Key). Implemented in the wiring layer by
// the SigV4 S3 client; errors carry AWS's "Error occurred while GetObject..." wording.
class CodeFetcher {
 public:
  virtual ~CodeFetcher() = default;
  virtual Result<std::string> FetchS3(const std::string& bucket, const std::string& key,
                                      const std::optional<std::string>& version) = 0;
};

// Where a deployment package comes from.
struct CodeSource {
  std::optional<std::string> zip_file;  // raw bytes (already base64-decoded)
  std::optional<std::string> s3_bucket;
  std::optional<std::string> s3_key;
  std::optional<std::string> s3_object_version;
  std::optional<std::string> image_uri;
};

// AWS's 250 MB limit on a function's package and its layers unzipped together (kInvalidParameter
// "Function code combined with layers exceeds ..."); config.layer_code must be resolved.
Status CheckCombinedSize(const domain::CodeInfo& code, const domain::FunctionConfig& config);

// How the response should present the function's state machine. lambdalite finishes creation and
// updates before it answers, but AWS clients expect the transitional answer from the mutating call
// itself (Create: Pending; Update: InProgress), and the settled state on every later read.
enum class Phase { kSettled, kCreating, kUpdating };

// A version as seen through a particular name (unqualified, $LATEST, a version or an alias).
struct FunctionView {
  VersionPtr version;
  std::string name;
  // Qualifier the caller used, if any; the FunctionArn is qualified with it.
  std::optional<std::string> qualifier;
  std::map<std::string, std::string> tags;
  std::optional<int> reserved_concurrency;
  // GetFunction only, for a function without a reservation: the concurrency its invocations share
  // with the others that have none (the account's limit less every reservation).
  int unreserved_concurrency = 0;
  // GetFunction only: the provisioned concurrency of every config of the function added up. With
  // a reservation, on-demand invocations get only what the provisioned environments leave.
  int provisioned_concurrency = 0;
  Phase phase = Phase::kSettled;
  // The function's recursive loop detection setting (Invoke stops loops under Terminate).
  domain::RecursiveLoop recursive_loop = domain::kDefaultRecursiveLoop;
  // The runtime version pinned by PutRuntimeManagementConfig (UpdateRuntimeOn Manual) for this
  // version; unset shows the runtime's own version ARN.
  std::optional<std::string> runtime_version_arn;
};

struct CreateFunctionInput {
  std::string name;
  domain::FunctionConfig config;
  CodeSource code;
  bool publish = false;
  // With `publish`: PublishTo=LATEST_PUBLISHED (publish as $LATEST.PUBLISHED, not version 1).
  bool publish_to_latest_published = false;
  std::optional<std::string> publish_description;
  std::map<std::string, std::string> tags;
  // Binds a code signing configuration at creation (checked like PutFunctionCodeSigningConfig).
  std::optional<std::string> code_signing_config_arn;
};

struct UpdateCodeInput {
  CodeSource code;
  bool publish = false;
  bool publish_to_latest_published = false;  // with `publish`: PublishTo=LATEST_PUBLISHED
  bool dry_run = false;
  std::optional<std::string> revision_id;
  std::optional<std::vector<std::string>> architectures;
};

// Applies the requested changes to a copy of the current configuration; may refuse them.
using ConfigPatch = std::function<Status(domain::FunctionConfig&)>;

struct AliasInput {
  std::optional<std::string> function_version;
  std::optional<std::string> description;
  std::optional<std::map<std::string, double>> routing_weights;
  std::optional<std::string> revision_id;
};

struct EventInvokeConfigInput {
  std::optional<int> maximum_retry_attempts;
  std::optional<int> maximum_event_age_seconds;
  bool has_destination_config = false;
  // Per side: absent = not given; given with nullopt inside = given without a Destination.
  std::optional<std::optional<std::string>> on_success;
  std::optional<std::optional<std::string>> on_failure;
};

struct EventInvokeConfigView {
  domain::EventInvokeConfig config;
  std::string function_arn;  // always qualified
};

// AddPermission's request beyond the function name and qualifier (model-validated already).
struct AddPermissionInput {
  std::string statement_id;
  std::string action;
  std::string principal;
  domain::PermissionConditions conditions;
  std::optional<std::string> revision_id;
};

// GetPolicy's answer: the document as AWS renders it, and the policy's revision id.
struct PolicyView {
  std::string document;
  std::string revision_id;
};

// A version's scaling config as GetFunctionScalingConfig shows it (no config: never Put).
struct FunctionScalingView {
  std::string function_arn;  // qualified with the version
  std::optional<domain::FunctionScalingConfig> config;
};

// A capacity provider as the API shows it.
struct CapacityProviderView {
  domain::CapacityProvider provider;
  std::string arn;
  domain::CapacityProviderState state = domain::CapacityProviderState::kActive;
};

// A provisioned concurrency config and the ARN it is shown with (qualified).
struct ProvisionedConfigView {
  domain::ProvisionedConcurrencyConfig config;
  std::string function_arn;
};

// How the service asks the execution layer to keep provisioned environments (the service must
// not depend on the executor: the wiring implements it). Provision says: keep `count`
// environments of `version` initialized for the config (scope, function, qualifier), replacing
// whatever was asked for that config before; count 0 (version null) releases them. It is called
// after the change is durable, outside the service's lock, always with the config's current
// state (so calls are idempotent), and must not block: the environments start in the background
// and their progress comes back through FunctionService::ReportProvisioned.
class ProvisionedConcurrencyListener {
 public:
  virtual ~ProvisionedConcurrencyListener() = default;
  virtual void Provision(const domain::Scope& scope, const std::string& function,
                         const std::string& qualifier, VersionPtr version, int count) = 0;
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::optional<std::string> next_marker;
};

// CreateCodeSigningConfig's input, and UpdateCodeSigningConfig's (absent members unchanged).
struct CodeSigningConfigInput {
  std::optional<std::string> description;
  std::optional<std::vector<std::string>> signing_profile_version_arns;
  std::optional<std::string> untrusted_artifact_on_deployment;
  std::map<std::string, std::string> tags;  // Create only
};

// A function's binding to a code signing configuration.
struct FunctionCodeSigning {
  std::string code_signing_config_arn;
  std::string function_name;
};

// A function URL config and the ARN it is shown with (qualified with its alias, if any).
struct FunctionUrlView {
  domain::FunctionUrlConfig config;
  std::string function_arn;
};

// CreateFunctionUrlConfig's and UpdateFunctionUrlConfig's members (model-validated already);
// absent members are left as they are by Update (Create requires auth_type).
struct FunctionUrlInput {
  std::optional<std::string> auth_type;
  std::optional<domain::UrlCors> cors;
  std::optional<std::string> invoke_mode;
};

// What the function URL data plane needs to serve a request to a URL id.
struct FunctionUrlTarget {
  domain::Scope scope;
  std::string function_name;
  domain::FunctionUrlConfig config;
  // The resource policy of the URL's qualifier (the function's, or the alias's).
  std::vector<domain::PolicyStatement> statements;
};

struct RuntimeManagementView {
  domain::RuntimeManagementConfig config;
  std::string function_arn;  // qualified when the request named a qualifier
};

// How TagResource / UntagResource / ListTags reach the tags of one kind of resource that lives
// outside this file's families (capacity providers, event source mappings): the family registers
// one with SetTagHandler before serving. Both functions run under the service's state lock
// (exclusive for Tag/Untag), so they must not call back into the service.
struct TagHandler {
  // The tags of the resource `id` (its name or UUID) in `scope`, or nullptr when it does not
  // exist. The pointer is written through on Tag/Untag.
  std::function<std::map<std::string, std::string>*(const domain::Scope&, const std::string& id)>
      find;
  // Appends to `batch` the write that stores the resource with the tags changed in place.
  std::function<void(const domain::Scope&, const std::string& id, storage::WriteBatch& batch)>
      persist;
};

// An event source mapping as the API shows it (esm_ops.cc).
struct EventSourceMappingView {
  domain::EventSourceMapping mapping;
  std::string arn;  // EventSourceMappingArn
  // Streams only: what the pollers last reported ("No records processed" until they do).
  std::string last_processing_result;
};

// One mapping of any scope, for the poller manager (esm::MappingSource::List).
struct ScopedEventSourceMapping {
  domain::Scope scope;
  domain::EventSourceMapping mapping;
};

// Checks at CreateEventSourceMapping that the mapping's source can be read (ES32: a missing queue
// answers 400); its error is returned unchanged and nothing is stored. Called without the state
// lock held, with the mapping as it would be stored (UUID drawn, defaults applied).
using EventSourceChecker =
    std::function<Status(const domain::Scope&, const domain::EventSourceMapping&)>;

// PublishLayerVersion's request (model-validated already).
struct PublishLayerInput {
  std::string layer_name;  // a name or a layer ARN
  CodeSource content;      // ZipFile or S3Bucket/S3Key[/S3ObjectVersion]
  std::optional<std::string> description;
  std::optional<std::string> license_info;
  std::optional<std::vector<std::string>> compatible_runtimes;
  std::optional<std::vector<std::string>> compatible_architectures;
};

struct AddLayerPermissionInput {
  std::string statement_id;
  std::string action;
  std::string principal;
  std::optional<std::string> organization_id;
  std::optional<std::string> revision_id;
};

// AddLayerVersionPermission's answer: the statement as AWS renders it and the new revision.
struct LayerPermissionView {
  std::string statement;
  std::string revision_id;
};

struct AccountSettings {
  int64_t total_code_size = 0;
  int64_t function_count = 0;
  int concurrent_executions = 0;
  int unreserved_concurrent_executions = 0;
};

struct ServiceLimits {
  int account_concurrency = 1000;            // AWS default ConcurrentExecutions
  int min_unreserved_concurrency = 100;      // AWS keeps at least this much unreserved
  int64_t total_code_size = 80'530'636'800;  // 75 GB
  // The package quotas GetAccountSettings reports: the ones CreateFunction enforces.
  int64_t code_size_unzipped = kMaxUnzippedBytes;
  int64_t code_size_zipped = kMaxZippedBytes;

  // The limits of an account whose ConcurrentExecutions is `limit`. AWS keeps 100 of it
  // unreserved, or all of it when the account has less: a new account with 10 is told
  // "... below its minimum value of [10]." for any reservation.
  static ServiceLimits WithAccountConcurrency(int limit) {
    ServiceLimits limits;
    limits.account_concurrency = limit;
    limits.min_unreserved_concurrency = limit < 100 ? limit : 100;
    return limits;
  }
};

class FunctionService {
 public:
  FunctionService(storage::FunctionStore& store, storage::CodeStore& code_store,
                  CodeFetcher* fetcher, const Clock& clock, ServiceLimits limits = {});

  // Loads all persisted state. Call once before serving.
  Status Load();

  // Called after a function's code or configuration changed or it was deleted, so warm
  // execution environments of the old revision can be retired. Set once, before serving.
  using ChangeListener = std::function<void(const domain::Scope&, const std::string& name)>;
  void SetChangeListener(ChangeListener listener) { on_change_ = std::move(listener); }

  // Whether this host can run `runtime` (the executor's registry knows; the service must not
  // depend on the executor, so the wiring passes this in). CreateFunction, and an
  // UpdateFunctionConfiguration that changes the runtime, refuse a runtime that cannot run
  // rather than fail every Invoke later. Unset: every runtime is available. Set once, before
  // serving.
  using RuntimeAvailable = std::function<bool(const std::string& runtime)>;
  void SetRuntimeAvailable(RuntimeAvailable available) {
    runtime_available_ = std::move(available);
  }

  // --- Functions -------------------------------------------------------------------------------
  Result<FunctionView> CreateFunction(const domain::Scope& scope, CreateFunctionInput input);
  Result<FunctionView> GetFunction(const domain::Scope& scope, const std::string& function_name,
                                   const std::optional<std::string>& qualifier) const;
  Result<FunctionView> UpdateFunctionCode(const domain::Scope& scope,
                                          const std::string& function_name, UpdateCodeInput input);
  Result<FunctionView> UpdateFunctionConfiguration(const domain::Scope& scope,
                                                   const std::string& function_name,
                                                   const std::optional<std::string>& revision_id,
                                                   const ConfigPatch& patch);
  Status DeleteFunction(const domain::Scope& scope, const std::string& function_name,
                        const std::optional<std::string>& qualifier);
  // Unqualified $LATEST views (all_versions: every published version too), by name.
  Result<Page<FunctionView>> ListFunctions(const domain::Scope& scope, bool all_versions,
                                           const std::optional<std::string>& marker,
                                           int max_items) const;

  // --- Versions --------------------------------------------------------------------------------
  // With `to_latest_published` (PublishTo=LATEST_PUBLISHED) $LATEST is published as (or over) the
  // function's $LATEST.PUBLISHED version instead of a new numbered one; nothing changed since the
  // last such publish answers that version as it is.
  Result<FunctionView> PublishVersion(const domain::Scope& scope, const std::string& function_name,
                                      const std::optional<std::string>& code_sha256,
                                      const std::optional<std::string>& description,
                                      const std::optional<std::string>& revision_id,
                                      bool to_latest_published = false);
  Result<Page<FunctionView>> ListVersions(const domain::Scope& scope,
                                          const std::string& function_name,
                                          const std::optional<std::string>& marker,
                                          int max_items) const;

  // --- Aliases ---------------------------------------------------------------------------------
  Result<domain::Alias> CreateAlias(const domain::Scope& scope, const std::string& function_name,
                                    const std::string& alias_name, AliasInput input);
  Result<domain::Alias> GetAlias(const domain::Scope& scope, const std::string& function_name,
                                 const std::string& alias_name) const;
  Result<domain::Alias> UpdateAlias(const domain::Scope& scope, const std::string& function_name,
                                    const std::string& alias_name, AliasInput input);
  Status DeleteAlias(const domain::Scope& scope, const std::string& function_name,
                     const std::string& alias_name);
  Result<Page<domain::Alias>> ListAliases(const domain::Scope& scope,
                                          const std::string& function_name,
                                          const std::optional<std::string>& function_version,
                                          const std::optional<std::string>& marker,
                                          int max_items) const;

  // --- Event invoke configs --------------------------------------------------------------------
  Result<EventInvokeConfigView> PutEventInvokeConfig(const domain::Scope& scope,
                                                     const std::string& function_name,
                                                     const std::optional<std::string>& qualifier,
                                                     const EventInvokeConfigInput& input);
  Result<EventInvokeConfigView> UpdateEventInvokeConfig(const domain::Scope& scope,
                                                        const std::string& function_name,
                                                        const std::optional<std::string>& qualifier,
                                                        const EventInvokeConfigInput& input);
  Result<EventInvokeConfigView> GetEventInvokeConfig(
      const domain::Scope& scope, const std::string& function_name,
      const std::optional<std::string>& qualifier) const;
  Status DeleteEventInvokeConfig(const domain::Scope& scope, const std::string& function_name,
                                 const std::optional<std::string>& qualifier);
  Result<Page<EventInvokeConfigView>> ListEventInvokeConfigs(
      const domain::Scope& scope, const std::string& function_name,
      const std::optional<std::string>& marker, int max_items) const;

  // --- Concurrency, account, tags ----------------------------------------------------------------
  Result<int> PutFunctionConcurrency(const domain::Scope& scope, const std::string& function_name,
                                     int reserved);
  Result<std::optional<int>> GetFunctionConcurrency(const domain::Scope& scope,
                                                    const std::string& function_name) const;
  Status DeleteFunctionConcurrency(const domain::Scope& scope, const std::string& function_name);
  AccountSettings GetAccountSettings(const domain::Scope& scope) const;

  Status TagResource(const domain::Scope& scope, const std::string& resource_arn,
                     const std::map<std::string, std::string>& tags);
  Status UntagResource(const domain::Scope& scope, const std::string& resource_arn,
                       const std::vector<std::string>& keys);
  Result<std::map<std::string, std::string>> ListTags(const domain::Scope& scope,
                                                      const std::string& resource_arn) const;
  // Plugs a family's resources into the three tag operations (see TagHandler). Functions and
  // code signing configs are built in; a kind without a handler has no resources, so its ARNs
  // answer AWS's not-found text. Call before serving.
  void SetTagHandler(domain::TaggableKind kind, TagHandler handler);

  // --- Code signing configs (code_signing_ops.cc) ------------------------------------------------
  Result<domain::CodeSigningConfig> CreateCodeSigningConfig(const domain::Scope& scope,
                                                            CodeSigningConfigInput input);
  Result<domain::CodeSigningConfig> GetCodeSigningConfig(const domain::Scope& scope,
                                                         const std::string& arn) const;
  Result<domain::CodeSigningConfig> UpdateCodeSigningConfig(const domain::Scope& scope,
                                                            const std::string& arn,
                                                            const CodeSigningConfigInput& input);
  Status DeleteCodeSigningConfig(const domain::Scope& scope, const std::string& arn);
  Result<Page<domain::CodeSigningConfig>> ListCodeSigningConfigs(
      const domain::Scope& scope, const std::optional<std::string>& marker, int max_items) const;
  // Unqualified ARNs of the functions bound to the config, by name.
  Result<Page<std::string>> ListFunctionsByCodeSigningConfig(
      const domain::Scope& scope, const std::string& arn, const std::optional<std::string>& marker,
      int max_items) const;
  Result<FunctionCodeSigning> PutFunctionCodeSigningConfig(const domain::Scope& scope,
                                                           const std::string& function_name,
                                                           const std::string& arn);
  // nullopt for a function without a config.
  Result<std::optional<FunctionCodeSigning>> GetFunctionCodeSigningConfig(
      const domain::Scope& scope, const std::string& function_name) const;
  Status DeleteFunctionCodeSigningConfig(const domain::Scope& scope,
                                         const std::string& function_name);

  // --- Runtime management (runtime_management_ops.cc) --------------------------------------------
  // Qualifier: $LATEST (also when absent) or a published version number.
  Result<RuntimeManagementView> PutRuntimeManagementConfig(
      const domain::Scope& scope, const std::string& function_name,
      const std::optional<std::string>& qualifier, domain::RuntimeManagementConfig config);
  Result<RuntimeManagementView> GetRuntimeManagementConfig(
      const domain::Scope& scope, const std::string& function_name,
      const std::optional<std::string>& qualifier) const;

  // --- Resource policies (policy_ops.cc) ---------------------------------------------------------
  // One policy per qualifier: the unqualified function (which $LATEST shares), each published
  // version and each alias. A policy exists only while it has a statement, and goes with its
  // version, alias or function. Messages follow the recorded answers (aws-lambda-behaviour-2.md
  // section 1): qualifier consistency and $LATEST are checked before existence.
  // Returns the added statement as AWS renders it.
  Result<std::string> AddPermission(const domain::Scope& scope, const std::string& function_name,
                                    const std::optional<std::string>& qualifier,
                                    const AddPermissionInput& input);
  Result<PolicyView> GetPolicy(const domain::Scope& scope, const std::string& function_name,
                               const std::optional<std::string>& qualifier) const;
  Status RemovePermission(const domain::Scope& scope, const std::string& function_name,
                          const std::string& statement_id,
                          const std::optional<std::string>& qualifier,
                          const std::optional<std::string>& revision_id);

  // --- Provisioned concurrency (provisioned_ops.cc)
  // ------------------------------------------------ One config per published version or alias
  // (never $LATEST); answers follow aws-lambda-behaviour-2.md section 4 (PC1..PC35). Put answers
  // IN_PROGRESS; the config becomes READY when the executor reports every requested environment
  // initialized, FAILED (StatusReason FUNCTION_ERROR_INIT_FAILURE) when an init fails. Provisioned
  // concurrency is carved from the function's reservation when it has one, else from the account's
  // unreserved pool (which GetAccountSettings then shows smaller).
  Result<ProvisionedConfigView> PutProvisionedConcurrencyConfig(
      const domain::Scope& scope, const std::string& function_name,
      const std::optional<std::string>& qualifier, int requested);
  Result<ProvisionedConfigView> GetProvisionedConcurrencyConfig(
      const domain::Scope& scope, const std::string& function_name,
      const std::optional<std::string>& qualifier) const;
  Status DeleteProvisionedConcurrencyConfig(const domain::Scope& scope,
                                            const std::string& function_name,
                                            const std::optional<std::string>& qualifier);
  Result<Page<ProvisionedConfigView>> ListProvisionedConcurrencyConfigs(
      const domain::Scope& scope, const std::string& function_name,
      const std::optional<std::string>& marker, int max_items) const;

  // Set once, before serving. Without one, configs stay IN_PROGRESS.
  void SetProvisionedListener(ProvisionedConcurrencyListener* listener) {
    provisioned_listener_ = listener;
  }
  // Asks the listener for the environments of every stored config (after Load, at startup).
  void StartProvisioned();
  // The executor's progress for a config: `allocated` environments of `version` are initialized;
  // `failed`: an init failed. Reports for a config that is gone or now targets another version
  // are ignored. Thread-safe; never call it while holding a lock the listener takes.
  void ReportProvisioned(const domain::Scope& scope, const std::string& function,
                         const std::string& qualifier, const std::string& version, int allocated,
                         bool failed);
  // --- Recursion config (recursion_ops.cc) ------------------------------------------------------
  // Per function (unqualified names only: the model refuses a qualifier), durable; a function
  // that never had one set answers AWS's default, Terminate (RC1). A missing function is 404
  // "Function not found: <arn>".
  Result<domain::RecursiveLoop> PutFunctionRecursionConfig(const domain::Scope& scope,
                                                           const std::string& function_name,
                                                           domain::RecursiveLoop loop);
  Result<domain::RecursiveLoop> GetFunctionRecursionConfig(const domain::Scope& scope,
                                                           const std::string& function_name) const;

  // --- Function scaling config (scaling_ops.cc) -------------------------------------------------
  // Per published version of a Lambda Managed Instances function (one with a capacity provider
  // config); durable, removed with the version or the function. `qualifier` is a version number
  // or $LATEST.PUBLISHED (once published: PublishVersion with PublishTo). Put
  // answers the version's state; applied == requested.
  Result<std::string> PutFunctionScalingConfig(const domain::Scope& scope,
                                               const std::string& function_name,
                                               const std::string& qualifier,
                                               const domain::FunctionScalingConfig& config);
  Result<FunctionScalingView> GetFunctionScalingConfig(const domain::Scope& scope,
                                                       const std::string& function_name,
                                                       const std::string& qualifier) const;

  // --- Capacity providers (capacity_provider_ops.cc) ---------------------------------------------
  // Configuration only (domain/capacity_provider.h): stored per account and region, durable.
  // Names may be given as ARNs. A missing one is 404 "Capacity provider not found: <arn>".
  Result<CapacityProviderView> CreateCapacityProvider(const domain::Scope& scope,
                                                      const std::string& name_or_arn,
                                                      domain::CapacityProvider provider);
  Result<CapacityProviderView> GetCapacityProvider(const domain::Scope& scope,
                                                   const std::string& name_or_arn) const;
  Result<Page<CapacityProviderView>> ListCapacityProviders(
      const domain::Scope& scope, std::optional<domain::CapacityProviderState> state,
      const std::optional<std::string>& marker, int max_items) const;
  // Replaces the scaling config when one is given.
  Result<CapacityProviderView> UpdateCapacityProvider(
      const domain::Scope& scope, const std::string& name_or_arn,
      const std::optional<domain::CapacityProviderScalingConfig>& scaling_config);
  Result<CapacityProviderView> DeleteCapacityProvider(const domain::Scope& scope,
                                                      const std::string& name_or_arn);
  // The function versions attached to the capacity provider (their qualified ARNs). lambdalite
  // does not attach functions yet, so the list is empty; the provider must exist.
  Result<Page<std::string>> ListFunctionVersionsByCapacityProvider(
      const domain::Scope& scope, const std::string& name_or_arn,
      const std::optional<std::string>& marker, int max_items) const;

  // --- Layers (layer_ops.cc) ---------------------------------------------------------------------
  // Layer versions of the caller's scope; answers follow aws-lambda-behaviour-2.md section 2
  // (LY*, LP*). A LayerName may be a layer ARN of the caller's scope. Lists are newest first.
  Result<domain::LayerVersion> PublishLayerVersion(const domain::Scope& scope,
                                                   PublishLayerInput input);
  Result<domain::LayerVersion> GetLayerVersion(const domain::Scope& scope,
                                               const std::string& layer_name,
                                               int64_t version) const;
  Result<domain::LayerVersion> GetLayerVersionByArn(const domain::Scope& scope,
                                                    const std::string& arn) const;
  // One entry per layer (by name) that has a version matching the filters: its newest such.
  Result<Page<domain::LayerVersion>> ListLayers(const domain::Scope& scope,
                                                const std::optional<std::string>& runtime,
                                                const std::optional<std::string>& architecture,
                                                const std::optional<std::string>& marker,
                                                int max_items) const;
  Result<Page<domain::LayerVersion>> ListLayerVersions(
      const domain::Scope& scope, const std::string& layer_name,
      const std::optional<std::string>& runtime, const std::optional<std::string>& architecture,
      const std::optional<std::string>& marker, int max_items) const;
  // Idempotent (LY12). Functions that reference the version keep it (LF3).
  Status DeleteLayerVersion(const domain::Scope& scope, const std::string& layer_name,
                            int64_t version);
  Result<LayerPermissionView> AddLayerVersionPermission(const domain::Scope& scope,
                                                        const std::string& layer_name,
                                                        int64_t version,
                                                        const AddLayerPermissionInput& input);
  Result<PolicyView> GetLayerVersionPolicy(const domain::Scope& scope,
                                           const std::string& layer_name, int64_t version) const;
  Status RemoveLayerVersionPermission(const domain::Scope& scope, const std::string& layer_name,
                                      int64_t version, const std::string& statement_id,
                                      const std::optional<std::string>& revision_id);

  // --- Event source mappings (esm_ops.cc; aws-lambda-behaviour-2.md section 8) -----------------
  // The control plane only: pollers (src/esm) act on the mappings through esm::MappingSource
  // (src/main/esm_wiring.h), which settles the transitional states (Creating, Enabling, Updating,
  // Disabling, Deleting). Mappings live per scope, keyed by UUID, and outlive their function.
  Result<EventSourceMappingView> CreateEventSourceMapping(
      const domain::Scope& scope, const std::string& function_name,
      const domain::EventSourceMappingInput& input, const std::map<std::string, std::string>& tags);
  Result<EventSourceMappingView> GetEventSourceMapping(const domain::Scope& scope,
                                                       const std::string& uuid) const;
  Result<EventSourceMappingView> UpdateEventSourceMapping(
      const domain::Scope& scope, const std::string& uuid,
      const std::optional<std::string>& function_name,
      const domain::EventSourceMappingInput& input);
  // Answers the mapping in state Deleting; it stays (listed, readable) until settled.
  Result<EventSourceMappingView> DeleteEventSourceMapping(const domain::Scope& scope,
                                                          const std::string& uuid);
  // Filters are not checked against existing resources (ES20).
  Result<Page<EventSourceMappingView>> ListEventSourceMappings(
      const domain::Scope& scope, const std::optional<std::string>& event_source_arn,
      const std::optional<std::string>& function_name, const std::optional<std::string>& marker,
      int max_items) const;
  // Call before serving. Without a checker every source is accepted.
  void SetEventSourceChecker(EventSourceChecker checker);
  // Called after every change to any mapping, with no lock held. One listener; call before
  // serving.
  void SetEventSourceMappingListener(std::function<void()> listener);
  // Every mapping of every scope, Deleting ones included.
  std::vector<ScopedEventSourceMapping> ListAllEventSourceMappings() const;
  // esm::MappingSource::Settle / Fail / SetLastProcessingResult (mapping_source.h contracts).
  void SettleEventSourceMapping(const domain::Scope& scope, const std::string& uuid,
                                uint64_t revision);
  void FailEventSourceMapping(const domain::Scope& scope, const std::string& uuid,
                              uint64_t revision, const std::string& reason);
  void SetEventSourceMappingResult(const domain::Scope& scope, const std::string& uuid,
                                   const std::string& result);

  // --- Function URLs (url_ops.cc; aws-lambda-behaviour-2.md section 7) ---------------------------
  // `qualifier` is an alias name or none (the model refuses versions and $LATEST). Create and
  // Update answer "Function does not exist" for a missing function or alias, Get and Delete "The
  // resource you requested does not exist." for anything missing.
  Result<FunctionUrlView> CreateFunctionUrlConfig(const domain::Scope& scope,
                                                  const std::string& function_name,
                                                  const std::optional<std::string>& qualifier,
                                                  const FunctionUrlInput& input);
  Result<FunctionUrlView> GetFunctionUrlConfig(const domain::Scope& scope,
                                               const std::string& function_name,
                                               const std::optional<std::string>& qualifier) const;
  Result<FunctionUrlView> UpdateFunctionUrlConfig(const domain::Scope& scope,
                                                  const std::string& function_name,
                                                  const std::optional<std::string>& qualifier,
                                                  const FunctionUrlInput& input);
  Status DeleteFunctionUrlConfig(const domain::Scope& scope, const std::string& function_name,
                                 const std::optional<std::string>& qualifier);
  Result<Page<FunctionUrlView>> ListFunctionUrlConfigs(const domain::Scope& scope,
                                                       const std::string& function_name,
                                                       const std::optional<std::string>& marker,
                                                       int max_items) const;
  // The URL whose id is `url_id`, in any scope; nullopt when there is none. One hash look-up.
  std::optional<FunctionUrlTarget> ResolveFunctionUrl(std::string_view url_id) const;

  // --- Code --------------------------------------------------------------------------------------
  // Bytes of a stored package, for the presigned download URL.
  Result<std::string> ReadCode(const std::string& blob_id) const;

  // Removal of the packages and layer contents nothing refers to any more (blob_collector.h):
  // each is deleted once unreferenced for `grace`, by a sweep every `interval` on a thread of its
  // own. Call once, after Load. Until then nothing is ever removed.
  void StartBlobCollection(std::chrono::milliseconds grace, std::chrono::milliseconds interval);
  // One sweep now, with the grace period last set (BlobCollector::kDefaultGraceMillis unless
  // StartBlobCollection or SetBlobGrace said otherwise). For tests.
  Result<BlobCollector::SweepStats> CollectBlobs() { return blob_collector_.Sweep(); }
  void SetBlobGrace(std::chrono::milliseconds grace) {
    blob_collector_.set_grace_ms(grace.count());
  }
  // Every blob id the state refers to: the package and resolved layer contents of each $LATEST,
  // published version and $LATEST.PUBLISHED, and the content of each layer version.
  std::unordered_set<std::string> ReferencedBlobs() const;

  const ServiceLimits& limits() const { return limits_; }

 private:
  struct FunctionState {
    domain::FunctionMeta meta;
    VersionPtr latest;
    std::map<int64_t, VersionPtr> versions;
    std::map<std::string, domain::Alias> aliases;
    std::map<std::string, domain::EventInvokeConfig> event_invoke_configs;
    std::optional<std::string> code_signing_config_id;  // bound config, if any
    // Per version ("$LATEST", "1", ...); a version without an entry is in Auto mode.
    std::map<std::string, domain::RuntimeManagementConfig> runtime_management;
    // Resource policies by qualifier: "" for the unqualified function (and $LATEST), else a
    // version number or an alias name. Never holds an empty policy.
    std::map<std::string, domain::Policy> policies;
    domain::RecursiveLoop recursive_loop = domain::kDefaultRecursiveLoop;
    // Provisioned concurrency configs by qualifier (a version number or an alias name).
    std::map<std::string, domain::ProvisionedConcurrencyConfig> provisioned;
    // Function scaling configs by version number (Managed Instances functions only).
    std::map<std::string, domain::FunctionScalingConfig> scaling;
    // The $LATEST.PUBLISHED version, once published (PublishTo=LATEST_PUBLISHED).
    VersionPtr latest_published;
    // Function URL configs by qualifier: "" for the unqualified function, else an alias name.
    std::map<std::string, domain::FunctionUrlConfig> urls;
  };
  using FunctionMap = std::map<std::string, FunctionState, std::less<>>;

  // Name parsing shared by every operation: model-validated name -> (name, qualifier).
  struct Target {
    std::string name;
    std::optional<std::string> qualifier;
  };
  static Result<Target> ResolveTarget(const domain::Scope& scope, const std::string& function_name,
                                      const std::optional<std::string>& qualifier);

  const FunctionState* FindLocked(const domain::Scope& scope, std::string_view name) const;
  FunctionState* FindLocked(const domain::Scope& scope, std::string_view name);
  // Version selected by qualifier (nullopt/$LATEST, number, alias); nullptr when missing.
  VersionPtr SelectLocked(const FunctionState& fn, const std::optional<std::string>& q) const;
  // A scaling config may be put on `version` of `fn` (lock held): the function and version exist
  // (a number or $LATEST.PUBLISHED) and the version has a capacity provider config.
  Status CheckScalableLocked(const domain::Scope& scope, const std::string& name,
                             const FunctionState* fn, const std::string& version) const;
  bool QualifierExistsLocked(const FunctionState& fn, const std::string& q) const;
  FunctionView ViewLocked(const FunctionState& fn, VersionPtr v,
                          std::optional<std::string> qualifier) const;

  // Stores `bytes` as a package after checking it. Done outside the state lock (it is slow).
  // `pin` keeps the blob from the collector: the caller holds it until its change naming the blob
  // is in memory (or abandoned).
  Result<domain::CodeInfo> StorePackage(const CodeSource& source, BlobCollector::Pin* pin);
  // Publishes $LATEST as a new version into `fn` and `batch` (lock held).
  VersionPtr PublishLocked(const domain::Scope& scope, FunctionState& fn,
                           const std::optional<std::string>& description,
                           storage::WriteBatch& batch);
  // Publishes $LATEST as (or over) fn's $LATEST.PUBLISHED version, into `fn` and `batch`.
  VersionPtr PublishLatestPublishedLocked(const domain::Scope& scope, FunctionState& fn,
                                          const std::optional<std::string>& description,
                                          storage::WriteBatch& batch);
  Status ValidateDestinations(const domain::Scope& scope, const std::string& name,
                              const EventInvokeConfigInput& input) const;
  // The end of Put and Update, from the configuration they start from (a new one, the stored
  // one): applies `input`, stamps it and makes it fn's configuration for `qualifier`, in memory
  // and durably (releasing `lock`).
  Result<EventInvokeConfigView> SaveEventInvokeConfig(std::unique_lock<std::shared_mutex>& lock,
                                                      const domain::Scope& scope,
                                                      const std::string& name, FunctionState& fn,
                                                      const std::string& qualifier,
                                                      domain::EventInvokeConfig config,
                                                      const EventInvokeConfigInput& input);
  // The code signing config `arn` names in `scope`; nullptr when there is none.
  const domain::CodeSigningConfig* FindCodeSigningConfigLocked(const domain::Scope& scope,
                                                               const std::string& arn) const;
  // Refuses a deployment of `fn` that the code signing config bound to it would refuse (under
  // Enforce: every package, since lambdalite cannot verify AWS Signer signatures; see
  // code_signing_ops.cc). Under Warn it logs and lets the deployment through.
  Status CheckCodeSigningLocked(const domain::Scope& scope,
                                const std::optional<std::string>& csc_id,
                                const std::string& requested_name) const;
  // The id of the config CreateFunction's CodeSigningConfigArn names (nullopt without one);
  // CodeSigningConfigNotFoundException when it names none.
  Result<std::optional<std::string>> CodeSigningForCreateLocked(
      const domain::Scope& scope, const std::optional<std::string>& arn) const;
  Status LoadCodeSigningRecordLocked(const storage::StoredRecord& record);
  // The tags `resource_arn` names, and how to store them (tag_ops.cc; lock held).
  struct TagTarget;
  Result<TagTarget> FindTagTargetLocked(const domain::Scope& scope,
                                        const std::string& resource_arn);
  // Restores one generic record (storage::PutRecord) of a family into memory, during Load()
  // (lock held, functions already loaded). Dispatches on record.kind.
  Status LoadRecordLocked(const storage::StoredRecord& record);
  Status LoadPolicyLocked(const storage::StoredRecord& record);
  Status LoadRecursionLocked(const storage::StoredRecord& record);
  Status LoadCapacityProviderLocked(const storage::StoredRecord& record);
  Status LoadFunctionScalingLocked(const storage::StoredRecord& record);
  Status LoadLatestPublishedLocked(const storage::StoredRecord& record);
  // Removes the scaling config of a deleted version from `fn` and `batch`.
  void DropFunctionScalingLocked(const domain::Scope& scope, const std::string& name,
                                 FunctionState& fn, const std::string& version,
                                 storage::WriteBatch& batch);
  // Refuses a capacity provider config naming a provider missing from `scope` (lock held).
  Status CheckCapacityProviderLocked(const domain::Scope& scope,
                                     const domain::FunctionConfig& config) const;
  // Plugs capacity providers into the tag operations (constructor).
  void RegisterCapacityProviderTags();
  // Removes the policy of `qualifier` (a deleted version or alias) from `fn` and `batch`.
  void DropPolicyLocked(const domain::Scope& scope, const std::string& name, FunctionState& fn,
                        const std::string& qualifier, storage::WriteBatch& batch);
  Status LoadProvisionedLocked(const storage::StoredRecord& record);
  Status LoadEsmLocked(const storage::StoredRecord& record);
  // Plugs event source mappings into the tag operations (constructor).
  void RegisterEventSourceMappingTags();
  // The function a mapping's FunctionName names, resolved and checked (shared lock taken).
  struct EsmFunction {
    std::string name;
    std::string qualifier;  // "" unqualified
    std::string arn;
  };
  Result<EsmFunction> ResolveEsmFunction(const domain::Scope& scope,
                                         const std::string& function_name) const;
  void NotifyEsmChanged() const {
    if (esm_listener_) esm_listener_();
  }
  Status LoadUrlLocked(const storage::StoredRecord& record);
  // Removes the URL config of `qualifier` (a deleted alias) from `fn` and `batch`.
  void DropUrlLocked(const domain::Scope& scope, const std::string& name, FunctionState& fn,
                     const std::string& qualifier, storage::WriteBatch& batch);
  // Removes the provisioned config of `qualifier` (a deleted version or alias) from `fn` and
  // `batch`; true when there was one (the caller then syncs the executor after the commit).
  bool DropProvisionedLocked(const domain::Scope& scope, const std::string& name, FunctionState& fn,
                             const std::string& qualifier, storage::WriteBatch& batch);
  // Tells the listener the current state of each named config (no lock held).
  void SyncProvisioned(const domain::Scope& scope, const std::string& name,
                       const std::vector<std::string>& qualifiers);
  Status LoadLayerRecordLocked(const storage::StoredRecord& record);
  // The stored layer version (scope, name, version), or null (lock held).
  domain::LayerVersion* FindLayerVersionLocked(const domain::Scope& scope, const std::string& name,
                                               int64_t version);
  const domain::LayerVersion* FindLayerVersionLocked(const domain::Scope& scope,
                                                     const std::string& name,
                                                     int64_t version) const;
  // Resolves config.layers into config.layer_code for a function of `scope` (lock held): every
  // ARN already in `previous` keeps its package (a deleted version stays usable); a new one must
  // exist and, from another account, be granted to the caller. Also checks the duplicate-layer
  // rule and, with `function_code_size` (unzipped), the 250 MB limit of function plus layers.
  Status ResolveLayersLocked(const domain::Scope& scope, domain::FunctionConfig& config,
                             const domain::FunctionConfig* previous) const;
  // Refuses a runtime this host cannot run (runtime_available_).
  Status CheckRuntimeAvailable(const domain::FunctionConfig& config) const;
  // Recomputes reserved_sum_ for `scope` after a function's reservation changed or it went.
  void RecountReservedLocked(const domain::Scope& scope);
  // Every reservation in `scope` added up (from reserved_sum_).
  int ReservedSumLocked(const domain::Scope& scope) const;

  // Enqueues `batch` while `lock` (exclusive, held) fixes its commit order, releases the lock and
  // waits for durability. On failure, reloads memory from the store and reports kUnavailable.
  Status CommitAndRelease(std::unique_lock<std::shared_mutex>& lock, storage::WriteBatch batch);

  void NotifyChanged(const domain::Scope& scope, const std::string& name) const {
    if (on_change_) on_change_(scope, name);
  }

  ChangeListener on_change_;
  ProvisionedConcurrencyListener* provisioned_listener_ = nullptr;
  // Orders SyncProvisioned's calls, so the listener's last call for a config is its latest state.
  std::mutex provision_mu_;
  RuntimeAvailable runtime_available_;
  storage::FunctionStore& store_;
  storage::CodeStore& code_store_;
  CodeFetcher* fetcher_;
  const Clock& clock_;
  ServiceLimits limits_;
  Committer committer_;

  mutable std::shared_mutex mu_;
  std::map<domain::Scope, FunctionMap> functions_;
  // Per scope, the concurrency taken from the account's unreserved pool: every function's
  // reservation, or its provisioned concurrency when it has none. Recounted on each change of a
  // reservation or provisioned config (the only walk over the functions), so GetFunction, which an
  // Invoke resolves through, reads the unreserved pool in one look-up.
  std::map<domain::Scope, int> reserved_sum_;
  // Code signing configs per scope, by id.
  std::map<domain::Scope, std::map<std::string, domain::CodeSigningConfig>> code_signing_configs_;
  std::map<domain::TaggableKind, TagHandler> tag_handlers_;
  struct LayerState {
    int64_t last_version = 0;  // never decreases (LY11)
    std::map<int64_t, domain::LayerVersion> versions;
  };
  // Layers per scope, by name.
  std::map<domain::Scope, std::map<std::string, LayerState>> layers_;
  // Function URL ids -> where the config is. An entry may outlive its config (DeleteFunction
  // drops the function's state whole): ResolveFunctionUrl checks the config still has the id.
  struct UrlLocation {
    domain::Scope scope;
    std::string function_name;
    std::string qualifier;
  };
  std::unordered_map<std::string, UrlLocation> url_index_;
  // Capacity providers per scope, by name.
  std::map<domain::Scope, std::map<std::string, domain::CapacityProvider>> capacity_providers_;
  // Event source mappings per scope, by UUID.
  struct EsmState {
    domain::EventSourceMapping mapping;
    std::map<std::string, std::string> tags;
    std::string last_processing_result;  // memory only
  };
  std::map<domain::Scope, std::map<std::string, EsmState>> esms_;
  EventSourceChecker esm_checker_;
  std::function<void()> esm_listener_;
  // Last: its sweeping thread reads the state above, so it stops before that is destroyed.
  BlobCollector blob_collector_;
};

}  // namespace lambdalite::service
