#pragma once

// In-memory FunctionStore: the fake for tests of the layers above storage. It has exactly the
// batch semantics documented in storage/store.h and the ordering of SqliteFunctionStore (the
// conformance suite runs the same cases against both), minus durability: everything is lost with
// the object.

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "domain/function.h"
#include "storage/store.h"

namespace lambdalite::storage::memory {

class MemoryFunctionStore final : public FunctionStore {
 public:
  MemoryFunctionStore() = default;

  Result<std::vector<StoredFunction>> LoadAll() override;
  Result<std::vector<StoredRecord>> LoadRecords() override;
  Status Apply(const WriteBatch& batch) override;

  // Makes every later Apply fail with `error` (without applying anything) until cleared with
  // std::nullopt, so callers' error paths can be tested.
  void SetFailure(std::optional<Error> error);

 private:
  struct Key {
    domain::Scope scope;
    std::string name;
    friend auto operator<=>(const Key&, const Key&) = default;
    friend bool operator==(const Key&, const Key&) = default;
  };
  // A function as stored. `exists` is false for an entry that only holds rows put earlier in the
  // batch being applied, before its PutFunctionMeta; such entries never outlive Apply.
  struct Entry {
    bool exists = false;
    bool has_latest = false;
    domain::Function function;
  };

  std::mutex mu_;
  std::map<Key, Entry> functions_;
  struct RecordKey {
    domain::Scope scope;
    std::string kind;
    std::string key;
    friend auto operator<=>(const RecordKey&, const RecordKey&) = default;
    friend bool operator==(const RecordKey&, const RecordKey&) = default;
  };
  std::map<RecordKey, StoredRecord> records_;
  std::optional<Error> failure_;
};

}  // namespace lambdalite::storage::memory
