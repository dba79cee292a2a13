#include "storage/sqlite/sqlite_store.h"

#include <map>
#include <tuple>
#include <utility>
#include <variant>

#include "storage/codec.h"

namespace lambdalite::storage::sqlite {
namespace {

// Version 1 of component "function_store". Child rows reference their function so the database
// itself refuses orphans; the constraint is deferred to COMMIT so a batch may put a version
// before the function row it belongs to. Deletes remove children explicitly (the cascade is only
// a safety net), so the semantics do not depend on foreign keys being enabled.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE functions (
  account TEXT NOT NULL,
  region  TEXT NOT NULL,
  name    TEXT NOT NULL,
  meta    TEXT NOT NULL,  -- codec: FunctionMeta
  PRIMARY KEY (account, region, name)
);
CREATE TABLE function_versions (
  account       TEXT NOT NULL,
  region        TEXT NOT NULL,
  function_name TEXT NOT NULL,
  version       TEXT NOT NULL,  -- '$LATEST' or a canonical decimal
  body          TEXT NOT NULL,  -- codec: FunctionVersion
  PRIMARY KEY (account, region, function_name, version),
  FOREIGN KEY (account, region, function_name) REFERENCES functions (account, region, name)
    ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
);
CREATE TABLE function_aliases (
  account       TEXT NOT NULL,
  region        TEXT NOT NULL,
  function_name TEXT NOT NULL,
  alias_name    TEXT NOT NULL,
  body          TEXT NOT NULL,  -- codec: Alias
  PRIMARY KEY (account, region, function_name, alias_name),
  FOREIGN KEY (account, region, function_name) REFERENCES functions (account, region, name)
    ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
);
CREATE TABLE event_invoke_configs (
  account       TEXT NOT NULL,
  region        TEXT NOT NULL,
  function_name TEXT NOT NULL,
  qualifier     TEXT NOT NULL,
  body          TEXT NOT NULL,  -- codec: EventInvokeConfig
  PRIMARY KEY (account, region, function_name, qualifier),
  FOREIGN KEY (account, region, function_name) REFERENCES functions (account, region, name)
    ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
);
)sql";

// Version 2: generic records (storage/store.h PutRecord). The owner is checked by the store, not
// by a foreign key, because most records belong to no function.
constexpr std::string_view kSchemaV2 = R"sql(
CREATE TABLE records (
  account        TEXT NOT NULL,
  region         TEXT NOT NULL,
  kind           TEXT NOT NULL,
  key            TEXT NOT NULL,
  owner_function TEXT NOT NULL,  -- '' when owned by no function
  body           TEXT NOT NULL,
  PRIMARY KEY (account, region, kind, key)
);
CREATE INDEX records_by_owner ON records (account, region, owner_function);
)sql";

constexpr std::string_view kMigrations[] = {kSchemaV1, kSchemaV2};

constexpr std::string_view kComponent = "function_store";

// A function named by a child Put, to be checked for existence at the end of its batch.
struct ParentRef {
  const domain::Scope* scope;
  const std::string* name;
  std::string_view op;
};

Error MissingParent(const ParentRef& ref) {
  return Error::Make(ErrorCode::kInternal, "storage: " + std::string(ref.op) + " for function " +
                                               *ref.name + " in " + ref.scope->account + "/" +
                                               ref.scope->region + ", which does not exist");
}

Error BadVersionKey(const std::string& version) {
  return Error::Make(ErrorCode::kInternal,
                     "storage: PutVersion with invalid version key '" + version + "'");
}

}  // namespace

struct SqliteFunctionStore::Statements {
  Statement put_function;
  Statement delete_function;
  Statement function_exists;
  Statement put_version;
  Statement delete_version;
  Statement delete_versions_of;
  Statement put_alias;
  Statement delete_alias;
  Statement delete_aliases_of;
  Statement put_config;
  Statement delete_config;
  Statement delete_configs_of;
  Statement select_functions;
  Statement select_versions;
  Statement select_aliases;
  Statement select_configs;
  Statement put_record;
  Statement delete_record;
  Statement delete_records_of;
  Statement select_records;

  static Result<std::unique_ptr<Statements>> Prepare(Database& db) {
    auto s = std::make_unique<Statements>();
    LAMBDALITE_TRY(s->put_function,
                   db.Prepare("INSERT INTO functions (account, region, name, meta) "
                              "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (account, region, name) "
                              "DO UPDATE SET meta = excluded.meta"));
    LAMBDALITE_TRY(s->delete_function,
                   db.Prepare("DELETE FROM functions WHERE account = ?1 AND region = ?2 AND "
                              "name = ?3"));
    LAMBDALITE_TRY(s->function_exists,
                   db.Prepare("SELECT 1 FROM functions WHERE account = ?1 AND region = ?2 AND "
                              "name = ?3"));
    LAMBDALITE_TRY(s->put_version,
                   db.Prepare("INSERT INTO function_versions "
                              "(account, region, function_name, version, body) "
                              "VALUES (?1, ?2, ?3, ?4, ?5) "
                              "ON CONFLICT (account, region, function_name, version) "
                              "DO UPDATE SET body = excluded.body"));
    LAMBDALITE_TRY(s->delete_version,
                   db.Prepare("DELETE FROM function_versions WHERE account = ?1 AND region = ?2 "
                              "AND function_name = ?3 AND version = ?4"));
    LAMBDALITE_TRY(s->delete_versions_of,
                   db.Prepare("DELETE FROM function_versions WHERE account = ?1 AND region = ?2 "
                              "AND function_name = ?3"));
    LAMBDALITE_TRY(s->put_alias,
                   db.Prepare("INSERT INTO function_aliases "
                              "(account, region, function_name, alias_name, body) "
                              "VALUES (?1, ?2, ?3, ?4, ?5) "
                              "ON CONFLICT (account, region, function_name, alias_name) "
                              "DO UPDATE SET body = excluded.body"));
    LAMBDALITE_TRY(s->delete_alias,
                   db.Prepare("DELETE FROM function_aliases WHERE account = ?1 AND region = ?2 "
                              "AND function_name = ?3 AND alias_name = ?4"));
    LAMBDALITE_TRY(s->delete_aliases_of,
                   db.Prepare("DELETE FROM function_aliases WHERE account = ?1 AND region = ?2 "
                              "AND function_name = ?3"));
    LAMBDALITE_TRY(s->put_config,
                   db.Prepare("INSERT INTO event_invoke_configs "
                              "(account, region, function_name, qualifier, body) "
                              "VALUES (?1, ?2, ?3, ?4, ?5) "
                              "ON CONFLICT (account, region, function_name, qualifier) "
                              "DO UPDATE SET body = excluded.body"));
    LAMBDALITE_TRY(s->delete_config,
                   db.Prepare("DELETE FROM event_invoke_configs WHERE account = ?1 AND "
                              "region = ?2 AND function_name = ?3 AND qualifier = ?4"));
    LAMBDALITE_TRY(s->delete_configs_of,
                   db.Prepare("DELETE FROM event_invoke_configs WHERE account = ?1 AND "
                              "region = ?2 AND function_name = ?3"));
    LAMBDALITE_TRY(s->select_functions,
                   db.Prepare("SELECT account, region, name, meta FROM functions "
                              "ORDER BY account, region, name"));
    LAMBDALITE_TRY(s->select_versions,
                   db.Prepare("SELECT account, region, function_name, version, body "
                              "FROM function_versions"));
    LAMBDALITE_TRY(s->select_aliases,
                   db.Prepare("SELECT account, region, function_name, alias_name, body "
                              "FROM function_aliases"));
    LAMBDALITE_TRY(s->select_configs,
                   db.Prepare("SELECT account, region, function_name, qualifier, body "
                              "FROM event_invoke_configs"));
    LAMBDALITE_TRY(s->put_record,
                   db.Prepare("INSERT INTO records "
                              "(account, region, kind, key, owner_function, body) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
                              "ON CONFLICT (account, region, kind, key) DO UPDATE SET "
                              "owner_function = excluded.owner_function, body = excluded.body"));
    LAMBDALITE_TRY(s->delete_record,
                   db.Prepare("DELETE FROM records WHERE account = ?1 AND region = ?2 AND "
                              "kind = ?3 AND key = ?4"));
    LAMBDALITE_TRY(s->delete_records_of,
                   db.Prepare("DELETE FROM records WHERE account = ?1 AND region = ?2 AND "
                              "owner_function = ?3 AND owner_function != ''"));
    LAMBDALITE_TRY(s->select_records,
                   db.Prepare("SELECT account, region, kind, key, owner_function, body "
                              "FROM records ORDER BY account, region, kind, key"));
    return s;
  }
};

namespace {

// Binds (account, region, function name) to parameters 1..3, the prefix of every key.
Statement& BindFunctionKey(Statement& stmt, const domain::Scope& scope, const std::string& name) {
  return stmt.BindText(1, scope.account).BindText(2, scope.region).BindText(3, name);
}

// Writes the ops of one batch into the open transaction: a visitor over WriteOp, one overload per
// op kind. `Stmts` is SqliteFunctionStore::Statements (a template only because that type is
// private to the store). Records in `parents` each function that a child Put names.
template <typename Stmts>
class OpWriter {
 public:
  OpWriter(Stmts& s, std::vector<ParentRef>* parents) : s_(s), parents_(parents) {}

  Status operator()(const PutFunctionMeta& op) {
    return BindFunctionKey(s_.put_function, op.scope, op.meta.name)
        .BindText(4, EncodeFunctionMeta(op.meta))
        .Run();
  }

  Status operator()(const DeleteFunction& op) {
    for (Statement* stmt : {&s_.delete_configs_of, &s_.delete_aliases_of, &s_.delete_versions_of,
                            &s_.delete_records_of, &s_.delete_function}) {
      LAMBDALITE_RETURN_IF_ERROR(BindFunctionKey(*stmt, op.scope, op.name).Run());
    }
    return Status::Ok();
  }

  Status operator()(const PutVersion& op) {
    if (!IsStorableVersionKey(op.version.version)) return BadVersionKey(op.version.version);
    parents_->push_back({&op.scope, &op.function_name, "PutVersion"});
    return BindFunctionKey(s_.put_version, op.scope, op.function_name)
        .BindText(4, op.version.version)
        .BindText(5, EncodeFunctionVersion(op.version))
        .Run();
  }

  Status operator()(const DeleteVersion& op) {
    return BindFunctionKey(s_.delete_version, op.scope, op.function_name)
        .BindText(4, op.version)
        .Run();
  }

  Status operator()(const PutAlias& op) {
    parents_->push_back({&op.scope, &op.function_name, "PutAlias"});
    return BindFunctionKey(s_.put_alias, op.scope, op.function_name)
        .BindText(4, op.alias.name)
        .BindText(5, EncodeAlias(op.alias))
        .Run();
  }

  Status operator()(const DeleteAlias& op) {
    return BindFunctionKey(s_.delete_alias, op.scope, op.function_name)
        .BindText(4, op.alias_name)
        .Run();
  }

  Status operator()(const PutEventInvokeConfig& op) {
    parents_->push_back({&op.scope, &op.function_name, "PutEventInvokeConfig"});
    return BindFunctionKey(s_.put_config, op.scope, op.function_name)
        .BindText(4, op.config.qualifier)
        .BindText(5, EncodeEventInvokeConfig(op.config))
        .Run();
  }

  Status operator()(const DeleteEventInvokeConfig& op) {
    return BindFunctionKey(s_.delete_config, op.scope, op.function_name)
        .BindText(4, op.qualifier)
        .Run();
  }

  Status operator()(const PutRecord& op) {
    if (!op.owner_function.empty()) {
      parents_->push_back({&op.scope, &op.owner_function, "PutRecord"});
    }
    return s_.put_record.BindText(1, op.scope.account)
        .BindText(2, op.scope.region)
        .BindText(3, op.kind)
        .BindText(4, op.key)
        .BindText(5, op.owner_function)
        .BindText(6, op.body)
        .Run();
  }

  Status operator()(const DeleteRecord& op) {
    return s_.delete_record.BindText(1, op.scope.account)
        .BindText(2, op.scope.region)
        .BindText(3, op.kind)
        .BindText(4, op.key)
        .Run();
  }

 private:
  Stmts& s_;
  std::vector<ParentRef>* parents_;
};

using FunctionKey = std::tuple<std::string, std::string, std::string>;

}  // namespace

std::span<const std::string_view> SqliteFunctionStore::Migrations() { return kMigrations; }

Result<std::unique_ptr<SqliteFunctionStore>> SqliteFunctionStore::Open(const std::string& path) {
  return Open(path, Options{});
}

Result<std::unique_ptr<SqliteFunctionStore>> SqliteFunctionStore::Open(const std::string& path,
                                                                       const Options& options) {
  LAMBDALITE_TRY(std::unique_ptr<Database> db, Database::Open(path, options.database));
  LAMBDALITE_TRY([[maybe_unused]] int version, db->Migrate(kComponent, Migrations()));
  LAMBDALITE_TRY(std::unique_ptr<Statements> statements, Statements::Prepare(*db));
  return std::unique_ptr<SqliteFunctionStore>(
      new SqliteFunctionStore(std::move(db), std::move(statements), options));
}

SqliteFunctionStore::SqliteFunctionStore(std::unique_ptr<Database> db,
                                         std::unique_ptr<Statements> statements,
                                         const Options& options)
    : db_(std::move(db)),
      stmts_(std::move(statements)),
      committer_(*db_, db_mu_, options.group_commit, "storage") {}

SqliteFunctionStore::~SqliteFunctionStore() {
  // Statements must be finalized before the connection closes.
  stmts_.reset();
}

SqliteFunctionStore::Stats SqliteFunctionStore::stats() const {
  const GroupCommitter::Stats stats = committer_.stats();
  return Stats{stats.calls_applied, stats.transactions_committed};
}

Status SqliteFunctionStore::ApplyOps(const WriteBatch& batch) {
  Statements& s = *stmts_;
  std::vector<ParentRef> parents;
  OpWriter writer(s, &parents);
  for (const WriteOp& op : batch.ops) {
    LAMBDALITE_RETURN_IF_ERROR(std::visit(writer, op));
  }
  // The deferred foreign keys would catch an orphan too, but only at COMMIT of the whole merged
  // transaction; checking here blames the batch that caused it.
  for (const ParentRef& ref : parents) {
    LAMBDALITE_TRY(bool exists, BindFunctionKey(s.function_exists, *ref.scope, *ref.name).Step());
    s.function_exists.Reset();
    if (!exists) return MissingParent(ref);
  }
  return Status::Ok();
}

Status SqliteFunctionStore::Apply(const WriteBatch& batch) {
  if (batch.ops.empty()) return Status::Ok();
  return committer_.Run([&] { return ApplyOps(batch); });
}

Result<std::vector<StoredFunction>> SqliteFunctionStore::LoadAll() {
  std::lock_guard lock(db_mu_);
  Statements& s = *stmts_;
  std::map<FunctionKey, StoredFunction> functions;

  // One read transaction, so the four queries see the same snapshot.
  LAMBDALITE_RETURN_IF_ERROR(db_->BeginRead());
  auto load = [&]() -> Status {
    while (true) {
      LAMBDALITE_TRY(bool row, s.select_functions.Step());
      if (!row) break;
      LAMBDALITE_TRY(domain::FunctionMeta meta,
                     DecodeFunctionMeta(s.select_functions.ColumnText(3)));
      StoredFunction stored;
      stored.scope.account = s.select_functions.ColumnText(0);
      stored.scope.region = s.select_functions.ColumnText(1);
      stored.function.meta = std::move(meta);
      functions.emplace(
          FunctionKey(stored.scope.account, stored.scope.region, s.select_functions.ColumnText(2)),
          std::move(stored));
    }

    // Runs `select` (columns: account, region, function name, key, body) and hands each row's
    // function and key to `attach`. Rows of unknown functions cannot exist (foreign keys).
    auto for_each_child = [&](Statement& select, auto attach) -> Status {
      while (true) {
        LAMBDALITE_TRY(bool row, select.Step());
        if (!row) return Status::Ok();
        auto it = functions.find(
            FunctionKey(select.ColumnText(0), select.ColumnText(1), select.ColumnText(2)));
        if (it == functions.end()) continue;
        Status st =
            attach(it->second.function, std::string(select.ColumnText(3)), select.ColumnText(4));
        if (!st.ok()) {
          select.Reset();
          return st;
        }
      }
    };

    LAMBDALITE_RETURN_IF_ERROR(for_each_child(
        s.select_versions,
        [](domain::Function& fn, const std::string& key, std::string_view body) -> Status {
          LAMBDALITE_TRY(domain::FunctionVersion version, DecodeFunctionVersion(body));
          if (key == domain::kLatest) {
            fn.latest = std::move(version);
          } else if (std::optional<int64_t> number = ParsePublishedVersion(key)) {
            fn.versions[*number] = std::move(version);
          } else {
            return Error::Make(ErrorCode::kInternal,
                               "storage: corrupt version key '" + key + "' of " + fn.meta.name);
          }
          return Status::Ok();
        }));
    LAMBDALITE_RETURN_IF_ERROR(for_each_child(
        s.select_aliases,
        [](domain::Function& fn, const std::string& key, std::string_view body) -> Status {
          LAMBDALITE_TRY(domain::Alias alias, DecodeAlias(body));
          fn.aliases[key] = std::move(alias);
          return Status::Ok();
        }));
    return for_each_child(
        s.select_configs,
        [](domain::Function& fn, const std::string& key, std::string_view body) -> Status {
          LAMBDALITE_TRY(domain::EventInvokeConfig config, DecodeEventInvokeConfig(body));
          fn.event_invoke_configs[key] = std::move(config);
          return Status::Ok();
        });
  };
  Status st = load();
  if (!st.ok()) {
    s.select_functions.Reset();
    db_->Rollback();
    return std::move(st).error();
  }
  LAMBDALITE_RETURN_IF_ERROR(db_->Commit());

  std::vector<StoredFunction> out;
  out.reserve(functions.size());
  for (auto& [key, stored] : functions) out.push_back(std::move(stored));
  return out;
}

Result<std::vector<StoredRecord>> SqliteFunctionStore::LoadRecords() {
  std::lock_guard lock(db_mu_);
  Statement& select = stmts_->select_records;
  std::vector<StoredRecord> out;
  while (true) {
    LAMBDALITE_TRY(bool row, select.Step());  // resets itself when done or failed
    if (!row) break;
    out.push_back(
        StoredRecord{{std::string(select.ColumnText(0)), std::string(select.ColumnText(1))},
                     std::string(select.ColumnText(2)),
                     std::string(select.ColumnText(3)),
                     std::string(select.ColumnText(4)),
                     std::string(select.ColumnText(5))});
  }
  return out;
}

}  // namespace lambdalite::storage::sqlite
