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

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "domain/capacity_provider.h"
#include "domain/function.h"
#include "domain/names.h"
#include "domain/policy.h"
#include "domain/recursion.h"
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
  Phase phase = Phase::kSettled;
  // The function's recursive loop detection setting (Invoke stops loops under Terminate).
  domain::RecursiveLoop recursive_loop = domain::kDefaultRecursiveLoop;
};

struct CreateFunctionInput {
  std::string name;
  domain::FunctionConfig config;
  CodeSource code;
  bool publish = false;
  std::optional<std::string> publish_description;
  std::map<std::string, std::string> tags;
};

struct UpdateCodeInput {
  CodeSource code;
  bool publish = false;
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

// A capacity provider as the API shows it.
struct CapacityProviderView {
  domain::CapacityProvider provider;
  std::string arn;
  domain::CapacityProviderState state = domain::CapacityProviderState::kActive;
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::optional<std::string> next_marker;
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
  Result<FunctionView> PublishVersion(const domain::Scope& scope, const std::string& function_name,
                                      const std::optional<std::string>& code_sha256,
                                      const std::optional<std::string>& description,
                                      const std::optional<std::string>& revision_id);
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

  // --- Recursion config (recursion_ops.cc) ------------------------------------------------------
  // Per function (unqualified names only: the model refuses a qualifier), durable; a function
  // that never had one set answers AWS's default, Terminate (RC1). A missing function is 404
  // "Function not found: <arn>".
  Result<domain::RecursiveLoop> PutFunctionRecursionConfig(const domain::Scope& scope,
                                                           const std::string& function_name,
                                                           domain::RecursiveLoop loop);
  Result<domain::RecursiveLoop> GetFunctionRecursionConfig(const domain::Scope& scope,
                                                           const std::string& function_name) const;

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
  // For TagResource / UntagResource / ListTags on a capacity-provider ARN (whose dispatch lives
  // in tag_ops.cc): whether it exists, and its tags (kNotFound with CP1's text otherwise).
  bool CapacityProviderExists(const domain::Scope& scope, const std::string& arn) const;
  Result<std::map<std::string, std::string>> CapacityProviderTags(const domain::Scope& scope,
                                                                  const std::string& arn) const;
  Status SetCapacityProviderTags(const domain::Scope& scope, const std::string& arn,
                                 std::map<std::string, std::string> tags);

  // --- Code --------------------------------------------------------------------------------------
  // Bytes of a stored package, for the presigned download URL.
  Result<std::string> ReadCode(const std::string& blob_id) const;

  const ServiceLimits& limits() const { return limits_; }

 private:
  struct FunctionState {
    domain::FunctionMeta meta;
    VersionPtr latest;
    std::map<int64_t, VersionPtr> versions;
    std::map<std::string, domain::Alias> aliases;
    std::map<std::string, domain::EventInvokeConfig> event_invoke_configs;
    // Resource policies by qualifier: "" for the unqualified function (and $LATEST), else a
    // version number or an alias name. Never holds an empty policy.
    std::map<std::string, domain::Policy> policies;
    domain::RecursiveLoop recursive_loop = domain::kDefaultRecursiveLoop;
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
  bool QualifierExistsLocked(const FunctionState& fn, const std::string& q) const;
  FunctionView ViewLocked(const FunctionState& fn, VersionPtr v,
                          std::optional<std::string> qualifier) const;

  // Stores `bytes` as a package after checking it. Done outside the state lock (it is slow).
  Result<domain::CodeInfo> StorePackage(const CodeSource& source);
  // Publishes $LATEST as a new version into `fn` and `batch` (lock held).
  VersionPtr PublishLocked(const domain::Scope& scope, FunctionState& fn,
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
  // Restores one generic record (storage::PutRecord) of a family into memory, during Load()
  // (lock held, functions already loaded). Dispatches on record.kind.
  Status LoadRecordLocked(const storage::StoredRecord& record);
  Status LoadPolicyLocked(const storage::StoredRecord& record);
  Status LoadRecursionLocked(const storage::StoredRecord& record);
  Status LoadCapacityProviderLocked(const storage::StoredRecord& record);
  // Removes the policy of `qualifier` (a deleted version or alias) from `fn` and `batch`.
  void DropPolicyLocked(const domain::Scope& scope, const std::string& name, FunctionState& fn,
                        const std::string& qualifier, storage::WriteBatch& batch);
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
  RuntimeAvailable runtime_available_;
  storage::FunctionStore& store_;
  storage::CodeStore& code_store_;
  CodeFetcher* fetcher_;
  const Clock& clock_;
  ServiceLimits limits_;
  Committer committer_;

  mutable std::shared_mutex mu_;
  std::map<domain::Scope, FunctionMap> functions_;
  // Per scope, the sum of every function's reserved concurrency: recounted on each change of a
  // reservation (the only walk over the functions), so GetFunction, which an Invoke resolves
  // through, reads the unreserved pool in one look-up.
  std::map<domain::Scope, int> reserved_sum_;
  // Capacity providers per scope, by name.
  std::map<domain::Scope, std::map<std::string, domain::CapacityProvider>> capacity_providers_;
};

}  // namespace lambdalite::service
