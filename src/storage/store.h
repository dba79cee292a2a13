#pragma once

// Persistence interfaces, in domain terms. The service layer keeps the live state in memory and
// writes every change through one of these before it answers, so reads never touch the disk and
// a restart (or kill -9 after a response was sent) loses nothing.

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "common/result.h"
#include "domain/function.h"

namespace lambdalite::storage {

// One change to persisted state. A WriteBatch of them is applied atomically.
struct PutFunctionMeta {
  domain::Scope scope;
  domain::FunctionMeta meta;
};
struct DeleteFunction {  // removes the function and everything under it
  domain::Scope scope;
  std::string name;
};
struct PutVersion {  // $LATEST or a published version; replaces any previous row
  domain::Scope scope;
  std::string function_name;
  domain::FunctionVersion version;
};
struct DeleteVersion {
  domain::Scope scope;
  std::string function_name;
  std::string version;
};
struct PutAlias {
  domain::Scope scope;
  std::string function_name;
  domain::Alias alias;
};
struct DeleteAlias {
  domain::Scope scope;
  std::string function_name;
  std::string alias_name;
};
struct PutEventInvokeConfig {
  domain::Scope scope;
  std::string function_name;
  domain::EventInvokeConfig config;
};
struct DeleteEventInvokeConfig {
  domain::Scope scope;
  std::string function_name;
  std::string qualifier;
};

// A generic row for every family of state that is not a version, alias or event invoke config
// (resource policies, layers, code signing configs, provisioned concurrency, ...): (scope, kind,
// key) names it, `body` is opaque to storage (each family encodes its own domain value, following
// codec.h's format contract). A record with an `owner_function` belongs to that function: it
// needs the function to exist when its batch ends (like PutVersion), and DeleteFunction removes it.
// Replaces any previous row of the same (scope, kind, key), owner included.
struct PutRecord {
  domain::Scope scope;
  std::string kind;            // the family's name, e.g. "policy", "layer_version"
  std::string key;             // unique within (scope, kind)
  std::string owner_function;  // "" when the record belongs to no function
  std::string body;
};
struct DeleteRecord {
  domain::Scope scope;
  std::string kind;
  std::string key;
};

using WriteOp =
    std::variant<PutFunctionMeta, DeleteFunction, PutVersion, DeleteVersion, PutAlias, DeleteAlias,
                 PutEventInvokeConfig, DeleteEventInvokeConfig, PutRecord, DeleteRecord>;

struct WriteBatch {
  std::vector<WriteOp> ops;
};

struct StoredFunction {
  domain::Scope scope;
  domain::Function function;
};

struct StoredRecord {
  domain::Scope scope;
  std::string kind;
  std::string key;
  std::string owner_function;
  std::string body;
  friend bool operator==(const StoredRecord&, const StoredRecord&) = default;
};

// FunctionStore persists functions, versions, aliases, event invoke configs, tags and records.
//
// Thread-safety: all methods may be called from any thread; implementations serialize
// internally (and may merge concurrent batches into one transaction: group commit).
// Durability: when Apply returns ok, the batch survives a crash of the process.
// Errors: kUnavailable (retryable backend failure) or kInternal; never a backend-specific code.
//
// Batch rules, the same in every implementation (storage/store_conformance_test.cc checks them):
//   - Ops apply in order. Put* replaces the whole row; PutFunctionMeta replaces only the meta,
//     never the function's versions, aliases or configs.
//   - PutVersion's version is "$LATEST" or a canonical decimal ("7", not "07").
//   - PutVersion, PutAlias, PutEventInvokeConfig and a PutRecord with an owner_function must name
//     a function that exists when the batch ends (it may be created later in the same batch).
//   - DeleteFunction removes the function's versions, aliases, configs and owned records.
//   A batch breaking a rule is a caller bug: Apply fails with kInternal and applies nothing.
// LoadAll returns a function that has no $LATEST row with a default-constructed `latest`.
class FunctionStore {
 public:
  virtual ~FunctionStore() = default;

  // Reads every function of every scope. Called once at start-up.
  virtual Result<std::vector<StoredFunction>> LoadAll() = 0;

  // Reads every record of every scope and kind, ordered by (account, region, kind, key).
  // Called once at start-up.
  virtual Result<std::vector<StoredRecord>> LoadRecords() = 0;

  // Applies all ops in order, atomically: all or none. Deleting a missing row is not an error.
  virtual Status Apply(const WriteBatch& batch) = 0;
};

// CodeStore keeps deployment packages, content-addressed by the hex SHA-256 of their bytes.
// Thread-safe. Put is idempotent and durable when it returns.
//
// The store does not know which blobs are in use: service::BlobCollector decides what to Remove,
// and makes sure no Put of the same bytes runs meanwhile (a Put that finds its blob present writes
// nothing, so a Remove racing it would leave the caller with an id whose bytes are gone).
class CodeStore {
 public:
  virtual ~CodeStore() = default;
  // Stores the bytes and returns their blob id (lower-case hex SHA-256).
  virtual Result<std::string> Put(const std::string& bytes) = 0;
  // Reads a blob; kNotFound when it is absent.
  virtual Result<std::string> Get(const std::string& blob_id) = 0;
  // Path of the blob on local disk, for the executor to unpack; empty if not local.
  virtual std::string LocalPath(const std::string& blob_id) = 0;
  // The ids of every blob present (in no particular order). Blobs a Put is still writing are not
  // listed.
  virtual Result<std::vector<std::string>> List() = 0;
  // Deletes a blob. Removing an absent blob (or an invalid id) is not an error.
  virtual Status Remove(const std::string& blob_id) = 0;
};

}  // namespace lambdalite::storage
