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

using WriteOp = std::variant<PutFunctionMeta, DeleteFunction, PutVersion, DeleteVersion, PutAlias,
                             DeleteAlias, PutEventInvokeConfig, DeleteEventInvokeConfig>;

struct WriteBatch {
  std::vector<WriteOp> ops;
};

struct StoredFunction {
  domain::Scope scope;
  domain::Function function;
};

// FunctionStore persists functions, versions, aliases, event invoke configs and tags.
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
//   - PutVersion, PutAlias and PutEventInvokeConfig must name a function that exists when the
//     batch ends (it may be created later in the same batch).
//   A batch breaking a rule is a caller bug: Apply fails with kInternal and applies nothing.
// LoadAll returns a function that has no $LATEST row with a default-constructed `latest`.
class FunctionStore {
 public:
  virtual ~FunctionStore() = default;

  // Reads every function of every scope. Called once at start-up.
  virtual Result<std::vector<StoredFunction>> LoadAll() = 0;

  // Applies all ops in order, atomically: all or none. Deleting a missing row is not an error.
  virtual Status Apply(const WriteBatch& batch) = 0;
};

// CodeStore keeps deployment packages, content-addressed by the hex SHA-256 of their bytes.
// Thread-safe. Put is idempotent and durable when it returns.
class CodeStore {
 public:
  virtual ~CodeStore() = default;
  // Stores the bytes and returns their blob id (lower-case hex SHA-256).
  virtual Result<std::string> Put(const std::string& bytes) = 0;
  // Reads a blob; kNotFound when it is absent.
  virtual Result<std::string> Get(const std::string& blob_id) = 0;
  // Path of the blob on local disk, for the executor to unpack; empty if not local.
  virtual std::string LocalPath(const std::string& blob_id) = 0;
};

}  // namespace lambdalite::storage
