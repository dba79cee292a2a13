#include "storage/memory/memory_store.h"

#include <optional>
#include <string_view>
#include <utility>
#include <variant>

#include "storage/codec.h"

namespace lambdalite::storage::memory {
namespace {

template <typename... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
// C++20 deduces this for aggregates; clang before 17 does not implement that (P1816) yet.
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace

Result<std::vector<StoredFunction>> MemoryFunctionStore::LoadAll() {
  std::lock_guard lock(mu_);
  std::vector<StoredFunction> out;
  out.reserve(functions_.size());
  for (const auto& [key, entry] : functions_) {
    StoredFunction stored{key.scope, entry.function};
    if (!entry.has_latest) stored.function.latest = domain::FunctionVersion{};
    out.push_back(std::move(stored));
  }
  return out;
}

Result<std::vector<StoredRecord>> MemoryFunctionStore::LoadRecords() {
  std::lock_guard lock(mu_);
  std::vector<StoredRecord> out;
  out.reserve(records_.size());
  for (const auto& [key, record] : records_) out.push_back(record);
  return out;
}

void MemoryFunctionStore::SetFailure(std::optional<Error> error) {
  std::lock_guard lock(mu_);
  failure_ = std::move(error);
}

Status MemoryFunctionStore::Apply(const WriteBatch& batch) {
  std::lock_guard lock(mu_);
  if (failure_) return *failure_;

  // All-or-nothing: ops run on copies of the entries they touch, which replace the originals
  // only once the whole batch has succeeded.
  std::map<Key, Entry> staged;
  auto entry = [&](const domain::Scope& scope, const std::string& name) -> Entry& {
    Key key{scope, name};
    auto it = staged.find(key);
    if (it != staged.end()) return it->second;
    auto existing = functions_.find(key);
    Entry initial = existing != functions_.end() ? existing->second : Entry{};
    return staged.emplace(std::move(key), std::move(initial)).first->second;
  };
  struct Parent {
    Key key;
    std::string_view op;
  };
  std::vector<Parent> parents;
  // Records are staged the same way: a copy of the whole table, swapped in on success (a fake
  // for tests, so simplicity wins over the copy).
  std::map<RecordKey, StoredRecord> records = records_;

  // One handler per op kind; std::visit fails to compile if a WriteOp alternative is missing.
  auto apply_op = Overloaded{
      [&](const PutFunctionMeta& op) -> Status {
        Entry& e = entry(op.scope, op.meta.name);
        e.exists = true;
        e.function.meta = op.meta;
        return Status::Ok();
      },
      [&](const DeleteFunction& op) -> Status {
        Entry& e = entry(op.scope, op.name);
        e.exists = false;
        e.has_latest = false;
        e.function = domain::Function();
        std::erase_if(records, [&](const auto& kv) {
          return kv.first.scope == op.scope && !kv.second.owner_function.empty() &&
                 kv.second.owner_function == op.name;
        });
        return Status::Ok();
      },
      [&](const PutVersion& op) -> Status {
        const std::string& key = op.version.version;
        if (!IsStorableVersionKey(key)) {
          return Error::Make(ErrorCode::kInternal,
                             "storage: PutVersion with invalid version key '" + key + "'");
        }
        Entry& e = entry(op.scope, op.function_name);
        if (key == domain::kLatest) {
          e.has_latest = true;
          e.function.latest = op.version;
        } else {
          e.function.versions[*ParsePublishedVersion(key)] = op.version;
        }
        parents.push_back({Key{op.scope, op.function_name}, "PutVersion"});
        return Status::Ok();
      },
      [&](const DeleteVersion& op) -> Status {
        Entry& e = entry(op.scope, op.function_name);
        if (op.version == domain::kLatest) {
          e.has_latest = false;
          e.function.latest = domain::FunctionVersion();
        } else if (std::optional<int64_t> number = ParsePublishedVersion(op.version)) {
          // A non-canonical key names no row (PutVersion refuses them), so it deletes nothing.
          e.function.versions.erase(*number);
        }
        return Status::Ok();
      },
      [&](const PutAlias& op) -> Status {
        entry(op.scope, op.function_name).function.aliases[op.alias.name] = op.alias;
        parents.push_back({Key{op.scope, op.function_name}, "PutAlias"});
        return Status::Ok();
      },
      [&](const DeleteAlias& op) -> Status {
        entry(op.scope, op.function_name).function.aliases.erase(op.alias_name);
        return Status::Ok();
      },
      [&](const PutEventInvokeConfig& op) -> Status {
        entry(op.scope, op.function_name).function.event_invoke_configs[op.config.qualifier] =
            op.config;
        parents.push_back({Key{op.scope, op.function_name}, "PutEventInvokeConfig"});
        return Status::Ok();
      },
      [&](const DeleteEventInvokeConfig& op) -> Status {
        entry(op.scope, op.function_name).function.event_invoke_configs.erase(op.qualifier);
        return Status::Ok();
      },
      [&](const PutRecord& op) -> Status {
        if (!op.owner_function.empty()) {
          entry(op.scope, op.owner_function);
          parents.push_back({Key{op.scope, op.owner_function}, "PutRecord"});
        }
        records[RecordKey{op.scope, op.kind, op.key}] =
            StoredRecord{op.scope, op.kind, op.key, op.owner_function, op.body};
        return Status::Ok();
      },
      [&](const DeleteRecord& op) -> Status {
        records.erase(RecordKey{op.scope, op.kind, op.key});
        return Status::Ok();
      },
  };
  for (const WriteOp& op : batch.ops) {
    LAMBDALITE_RETURN_IF_ERROR(std::visit(apply_op, op));
  }

  for (const Parent& parent : parents) {
    if (!staged.at(parent.key).exists) {
      return Error::Make(ErrorCode::kInternal,
                         "storage: " + std::string(parent.op) + " for function " + parent.key.name +
                             " in " + parent.key.scope.account + "/" + parent.key.scope.region +
                             ", which does not exist");
    }
  }

  records_ = std::move(records);
  for (auto& [key, e] : staged) {
    if (e.exists) {
      functions_[key] = std::move(e);
    } else {
      functions_.erase(key);
    }
  }
  return Status::Ok();
}

}  // namespace lambdalite::storage::memory
