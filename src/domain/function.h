#pragma once

// Domain values for functions, versions, aliases and event invoke configs. Pure data: no I/O, no
// JSON, no HTTP. The API layer maps AWS shapes to and from these; storage persists them.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lambdalite::domain {

inline constexpr std::string_view kLatest = "$LATEST";

// Where state lives: AWS scopes every resource by account and region.
struct Scope {
  std::string account;
  std::string region;
  friend bool operator==(const Scope&, const Scope&) = default;
  friend auto operator<=>(const Scope&, const Scope&) = default;
};

struct LoggingConfig {
  std::string log_format = "Text";  // Text | JSON
  std::optional<std::string> application_log_level;
  std::optional<std::string> system_log_level;
  std::string log_group;  // defaults to /aws/lambda/<name>
  friend bool operator==(const LoggingConfig&, const LoggingConfig&) = default;
};

struct VpcConfig {
  std::vector<std::string> subnet_ids;
  std::vector<std::string> security_group_ids;
  bool ipv6_allowed_for_dual_stack = false;
  friend bool operator==(const VpcConfig&, const VpcConfig&) = default;
};

struct FileSystemConfig {
  std::string arn;
  std::string local_mount_path;
  friend bool operator==(const FileSystemConfig&, const FileSystemConfig&) = default;
};

// The deployment package of a version. Blobs are content-addressed: blob_id is the hex SHA-256.
struct CodeInfo {
  std::string sha256_base64;  // CodeSha256 as AWS reports it
  int64_t size = 0;
  std::string blob_id;
  // Bytes of the package's files once extracted (0 for packages stored before it was kept):
  // AWS's 250 MB limit counts a function's package and its layers together.
  int64_t unzipped_size = 0;
  friend bool operator==(const CodeInfo&, const CodeInfo&) = default;
};

// Everything UpdateFunctionConfiguration can change, with AWS's defaults.
struct FunctionConfig {
  std::string description;
  std::string runtime;
  std::string handler;
  std::string role;
  int memory_size = 128;
  int timeout = 3;
  // Absent when the function was never given an Environment (AWS then omits the key).
  std::optional<std::map<std::string, std::string>> environment;
  std::optional<std::string> dead_letter_target_arn;
  std::string tracing_mode = "PassThrough";
  std::vector<std::string> layers;  // layer version ARNs, in extraction order
  // The package of each of `layers` (same order), resolved by the service when the layer is
  // referenced; kept even after the layer version is deleted (AWS: deletion only stops new
  // references). Empty entries only in a request not yet resolved.
  std::vector<CodeInfo> layer_code;
  int ephemeral_storage_mb = 512;
  std::vector<std::string> architectures = {"x86_64"};
  LoggingConfig logging;
  std::string snap_start_apply_on = "None";
  std::optional<VpcConfig> vpc;
  std::optional<std::string> kms_key_arn;
  std::vector<FileSystemConfig> file_systems;
  std::string package_type = "Zip";
  friend bool operator==(const FunctionConfig&, const FunctionConfig&) = default;
};

// $LATEST or a published, immutable version.
struct FunctionVersion {
  std::string version;  // "$LATEST" or a decimal number
  FunctionConfig config;
  CodeInfo code;
  std::string revision_id;
  int64_t last_modified_ms = 0;
  // For a published version: the $LATEST revision it was published from. PublishVersion is
  // idempotent exactly while $LATEST still has that revision.
  std::string source_revision_id;
};

struct Alias {
  std::string name;
  std::string function_version;
  std::string description;
  // Additional version -> weight (0..1) for weighted routing.
  std::map<std::string, double> routing_weights;
  std::string revision_id;
};

struct DestinationConfig {
  std::optional<std::string> on_success;
  std::optional<std::string> on_failure;
};

// The asynchronous-invocation settings of one qualifier ($LATEST, a version or an alias).
struct EventInvokeConfig {
  std::string qualifier;
  std::optional<int> maximum_retry_attempts;
  std::optional<int> maximum_event_age_seconds;
  DestinationConfig destinations;
  int64_t last_modified_ms = 0;
};

// Function-level state that is not part of any version.
struct FunctionMeta {
  std::string name;
  std::map<std::string, std::string> tags;
  std::optional<int> reserved_concurrency;
  int64_t last_published_version = 0;  // AWS never reuses a version number, even after delete
  int64_t created_ms = 0;
};

// A whole function as the service keeps it in memory.
struct Function {
  FunctionMeta meta;
  FunctionVersion latest;
  std::map<int64_t, FunctionVersion> versions;  // published, keyed by number
  std::map<std::string, Alias> aliases;
  std::map<std::string, EventInvokeConfig> event_invoke_configs;  // keyed by qualifier
};

}  // namespace lambdalite::domain
