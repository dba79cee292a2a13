#include "queue/sqlite_event_queue.h"

#include <algorithm>
#include <utility>

namespace lambdalite::queue {
namespace {

using storage::sqlite::Database;
using storage::sqlite::Statement;

// Version 1 of component "event_queue".
//   - `finished` 0: pending (waiting, leased or delivering); 1: finished.
//   - `due_ms`: pending only; visible_at_ms while waiting, the lease expiry while leased.
//   - `lease_until_ms`: 0 when not leased.
//   - `condition`: the final condition of a finished event.
//   - outcome_*, result_*, settings_*: Event::outcome; outcome_condition NULL when there is none.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE async_events (
  seq                             INTEGER PRIMARY KEY,
  request_id                      TEXT    NOT NULL UNIQUE,
  account                         TEXT    NOT NULL,
  region                          TEXT    NOT NULL,
  function_name                   TEXT    NOT NULL,
  qualifier                       TEXT,
  payload                         TEXT    NOT NULL,
  accepted_ms                     INTEGER NOT NULL,
  visible_at_ms                   INTEGER NOT NULL,
  attempts                        INTEGER NOT NULL,
  backoff_step                    INTEGER NOT NULL,
  last_error                      TEXT    NOT NULL,
  lease_generation                INTEGER NOT NULL DEFAULT 0,
  lease_until_ms                  INTEGER NOT NULL DEFAULT 0,
  due_ms                          INTEGER NOT NULL,
  finished                        INTEGER NOT NULL DEFAULT 0,
  condition                       INTEGER,
  finished_ms                     INTEGER,
  delivered                       INTEGER,
  outcome_condition               INTEGER,
  outcome_decided_ms              INTEGER,
  outcome_delivery_attempts       INTEGER,
  result_status_code              INTEGER,
  result_executed_version         TEXT,
  result_function_error           TEXT,
  result_response_payload         TEXT,
  result_ran                      INTEGER,
  settings_function_exists        INTEGER,
  settings_max_retry_attempts     INTEGER,
  settings_max_event_age_seconds  INTEGER,
  settings_on_success             TEXT,
  settings_on_failure             TEXT,
  settings_dead_letter_target_arn TEXT,
  settings_reserved_concurrency   INTEGER
);
CREATE INDEX async_events_due ON async_events (due_ms, seq) WHERE finished = 0;
CREATE INDEX async_events_function
  ON async_events (account, region, function_name, finished, finished_ms, seq);
CREATE TABLE async_event_totals (
  account       TEXT    NOT NULL,
  region        TEXT    NOT NULL,
  function_name TEXT    NOT NULL,
  succeeded     INTEGER NOT NULL,
  failed        INTEGER NOT NULL,
  PRIMARY KEY (account, region, function_name)
) WITHOUT ROWID;
)sql";

// Version 2: the recursion lineage an event was invoked with (domain/recursion.h).
constexpr std::string_view kSchemaV2 =
    "ALTER TABLE async_events ADD COLUMN lineage TEXT NOT NULL DEFAULT ''";

constexpr std::string_view kMigrations[] = {kSchemaV1, kSchemaV2};
constexpr std::string_view kComponent = "event_queue";

// Columns read back into an Event, in this order (kCol* below).
#define LAMBDALITE_EVENT_COLUMNS                                                           \
  "seq, request_id, account, region, function_name, qualifier, payload, accepted_ms, "     \
  "visible_at_ms, attempts, backoff_step, last_error, lease_generation, lease_until_ms, "  \
  "condition, finished_ms, delivered, outcome_condition, outcome_decided_ms, "             \
  "outcome_delivery_attempts, result_status_code, result_executed_version, "               \
  "result_function_error, result_response_payload, result_ran, settings_function_exists, " \
  "settings_max_retry_attempts, settings_max_event_age_seconds, settings_on_success, "     \
  "settings_on_failure, settings_dead_letter_target_arn, settings_reserved_concurrency, "  \
  "lineage"

enum Column {
  kColSeq,
  kColRequestId,
  kColAccount,
  kColRegion,
  kColFunctionName,
  kColQualifier,
  kColPayload,
  kColAcceptedMs,
  kColVisibleAtMs,
  kColAttempts,
  kColBackoffStep,
  kColLastError,
  kColLeaseGeneration,
  kColLeaseUntilMs,
  kColCondition,
  kColFinishedMs,
  kColDelivered,
  kColOutcome,  // first of the 15 outcome columns, in BindOutcome's order
  kColLineage = kColOutcome + 15,
};

// The assignments of the mutable fields, parameters ?3..?21 (see BindMutable).
#define LAMBDALITE_MUTABLE_ASSIGNMENTS                                                     \
  "visible_at_ms = ?3, attempts = ?4, backoff_step = ?5, last_error = ?6, "                \
  "outcome_condition = ?7, outcome_decided_ms = ?8, outcome_delivery_attempts = ?9, "      \
  "result_status_code = ?10, result_executed_version = ?11, result_function_error = ?12, " \
  "result_response_payload = ?13, result_ran = ?14, settings_function_exists = ?15, "      \
  "settings_max_retry_attempts = ?16, settings_max_event_age_seconds = ?17, "              \
  "settings_on_success = ?18, settings_on_failure = ?19, "                                 \
  "settings_dead_letter_target_arn = ?20, settings_reserved_concurrency = ?21"

// Only the leaseholder may write (see event_queue_store.h).
#define LAMBDALITE_HELD_BY_CALLER \
  " WHERE request_id = ?1 AND lease_generation = ?2 AND finished = 0 AND lease_until_ms != 0"

constexpr int kOutcomeColumns = 15;

// Conditions are stored as these numbers; never renumber.
int64_t ConditionCode(Condition condition) {
  switch (condition) {
    case Condition::kSuccess:
      return 0;
    case Condition::kRetriesExhausted:
      return 1;
    case Condition::kEventAgeExceeded:
      return 2;
    case Condition::kZeroReservedConcurrency:
      return 3;
  }
  return 1;
}

Result<Condition> DecodeCondition(int64_t code) {
  switch (code) {
    case 0:
      return Condition::kSuccess;
    case 1:
      return Condition::kRetriesExhausted;
    case 2:
      return Condition::kEventAgeExceeded;
    case 3:
      return Condition::kZeroReservedConcurrency;
    default:
      return Error::Make(ErrorCode::kInternal,
                         "queue: corrupt condition " + std::to_string(code) + " in async_events");
  }
}

void BindOptionalText(Statement& stmt, int index, const std::optional<std::string>& value) {
  if (value.has_value()) {
    stmt.BindText(index, *value);
  } else {
    stmt.BindNull(index);
  }
}

std::optional<std::string> OptionalText(const Statement& stmt, int column) {
  if (stmt.ColumnIsNull(column)) return std::nullopt;
  return std::string(stmt.ColumnText(column));
}

// Binds Event::outcome to the 15 parameters from `first` (all NULL when absent).
void BindOutcome(Statement& stmt, int first, const std::optional<Outcome>& outcome) {
  if (!outcome.has_value()) {
    for (int i = 0; i < kOutcomeColumns; ++i) stmt.BindNull(first + i);
    return;
  }
  const Outcome& o = *outcome;
  stmt.BindInt64(first, ConditionCode(o.condition))
      .BindInt64(first + 1, o.decided_ms)
      .BindInt64(first + 2, o.delivery_attempts)
      .BindInt64(first + 3, o.result.status_code)
      .BindText(first + 4, o.result.executed_version)
      .BindText(first + 5, o.result.function_error)
      .BindText(first + 6, o.result.response_payload)
      .BindInt64(first + 7, o.result.ran ? 1 : 0)
      .BindInt64(first + 8, o.settings.function_exists ? 1 : 0)
      .BindInt64(first + 9, o.settings.max_retry_attempts)
      .BindInt64(first + 10, o.settings.max_event_age_seconds);
  BindOptionalText(stmt, first + 11, o.settings.on_success);
  BindOptionalText(stmt, first + 12, o.settings.on_failure);
  BindOptionalText(stmt, first + 13, o.settings.dead_letter_target_arn);
  if (o.settings.reserved_concurrency.has_value()) {
    stmt.BindInt64(first + 14, *o.settings.reserved_concurrency);
  } else {
    stmt.BindNull(first + 14);
  }
}

// Binds the lease check (?1, ?2) and the mutable fields (?3..?21) of a Reschedule or Finish.
void BindMutable(Statement& stmt, const Event& event) {
  stmt.BindText(1, event.request_id)
      .BindInt64(2, event.lease_generation)
      .BindInt64(3, event.visible_at_ms)
      .BindInt64(4, event.attempts)
      .BindInt64(5, event.backoff_step)
      .BindText(6, event.last_error);
  BindOutcome(stmt, 7, event.outcome);
}

// The row the statement is on, as stored.
struct StoredRow {
  int64_t seq = 0;
  Event event;
  int64_t lease_until_ms = 0;
  std::optional<Condition> condition;
  int64_t finished_ms = 0;
  bool delivered = false;
};

Result<StoredRow> ReadRow(const Statement& s) {
  StoredRow row;
  row.seq = s.ColumnInt64(kColSeq);
  Event& e = row.event;
  e.request_id = s.ColumnText(kColRequestId);
  e.scope.account = s.ColumnText(kColAccount);
  e.scope.region = s.ColumnText(kColRegion);
  e.function_name = s.ColumnText(kColFunctionName);
  e.qualifier = OptionalText(s, kColQualifier);
  e.payload = s.ColumnText(kColPayload);
  e.accepted_ms = s.ColumnInt64(kColAcceptedMs);
  e.visible_at_ms = s.ColumnInt64(kColVisibleAtMs);
  e.attempts = static_cast<int>(s.ColumnInt64(kColAttempts));
  e.backoff_step = static_cast<int>(s.ColumnInt64(kColBackoffStep));
  e.last_error = s.ColumnText(kColLastError);
  e.lease_generation = s.ColumnInt64(kColLeaseGeneration);
  e.lineage = s.ColumnText(kColLineage);
  row.lease_until_ms = s.ColumnInt64(kColLeaseUntilMs);
  if (!s.ColumnIsNull(kColCondition)) {
    LAMBDALITE_TRY(row.condition, DecodeCondition(s.ColumnInt64(kColCondition)));
  }
  row.finished_ms = s.ColumnInt64(kColFinishedMs);
  row.delivered = s.ColumnInt64(kColDelivered) != 0;

  const int c = kColOutcome;
  if (!s.ColumnIsNull(c)) {
    Outcome o;
    LAMBDALITE_TRY(o.condition, DecodeCondition(s.ColumnInt64(c)));
    o.decided_ms = s.ColumnInt64(c + 1);
    o.delivery_attempts = static_cast<int>(s.ColumnInt64(c + 2));
    o.result.status_code = static_cast<int>(s.ColumnInt64(c + 3));
    o.result.executed_version = s.ColumnText(c + 4);
    o.result.function_error = s.ColumnText(c + 5);
    o.result.response_payload = s.ColumnText(c + 6);
    o.result.ran = s.ColumnInt64(c + 7) != 0;
    o.settings.function_exists = s.ColumnInt64(c + 8) != 0;
    o.settings.max_retry_attempts = static_cast<int>(s.ColumnInt64(c + 9));
    o.settings.max_event_age_seconds = static_cast<int>(s.ColumnInt64(c + 10));
    o.settings.on_success = OptionalText(s, c + 11);
    o.settings.on_failure = OptionalText(s, c + 12);
    o.settings.dead_letter_target_arn = OptionalText(s, c + 13);
    if (!s.ColumnIsNull(c + 14)) {
      o.settings.reserved_concurrency = static_cast<int>(s.ColumnInt64(c + 14));
    }
    e.outcome = std::move(o);
  }
  return row;
}

Error LeaseLost(const Event& event) {
  return Error::Make(ErrorCode::kConflict, "queue: event " + event.request_id +
                                               " is not leased under generation " +
                                               std::to_string(event.lease_generation));
}

// Runs a statement to its end; true when it produced at least one row (e.g. RETURNING after a
// write that matched).
Result<bool> StepToEnd(Statement& stmt) {
  LAMBDALITE_TRY(bool any, stmt.Step());
  if (any) LAMBDALITE_RETURN_IF_ERROR(stmt.Run());
  return any;
}

Statement& BindFunctionKey(Statement& stmt, const domain::Scope& scope, const std::string& name) {
  return stmt.BindText(1, scope.account).BindText(2, scope.region).BindText(3, name);
}

}  // namespace

struct SqliteEventQueue::Statements {
  Statement insert;
  Statement select_due;
  Statement lease;
  Statement reschedule;
  Statement finish;
  Statement renew;
  Statement add_totals;
  Statement prune;
  Statement next_due;
  Statement any_due;
  Statement count_pending;
  Statement select_totals;
  Statement recent;

  static Result<std::unique_ptr<Statements>> Prepare(Database& db) {
    auto s = std::make_unique<Statements>();
    LAMBDALITE_TRY(
        s->insert,
        db.Prepare("INSERT INTO async_events (request_id, account, region, function_name, "
                   "qualifier, payload, accepted_ms, visible_at_ms, due_ms, attempts, "
                   "backoff_step, last_error, outcome_condition, outcome_decided_ms, "
                   "outcome_delivery_attempts, result_status_code, result_executed_version, "
                   "result_function_error, result_response_payload, result_ran, "
                   "settings_function_exists, settings_max_retry_attempts, "
                   "settings_max_event_age_seconds, settings_on_success, settings_on_failure, "
                   "settings_dead_letter_target_arn, settings_reserved_concurrency, lineage) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
                   "?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27) "
                   "ON CONFLICT (request_id) DO NOTHING RETURNING seq"));
    LAMBDALITE_TRY(s->select_due,
                   db.Prepare("SELECT " LAMBDALITE_EVENT_COLUMNS
                              " FROM async_events WHERE finished = 0 AND due_ms <= ?1 "
                              "ORDER BY due_ms, seq LIMIT ?2"));
    LAMBDALITE_TRY(s->lease, db.Prepare("UPDATE async_events SET lease_until_ms = ?2, due_ms = ?2, "
                                        "lease_generation = ?3, attempts = ?4 WHERE seq = ?1"));
    LAMBDALITE_TRY(
        s->reschedule,
        db.Prepare("UPDATE async_events SET " LAMBDALITE_MUTABLE_ASSIGNMENTS
                   ", lease_until_ms = 0, due_ms = ?3" LAMBDALITE_HELD_BY_CALLER " RETURNING seq"));
    LAMBDALITE_TRY(s->finish, db.Prepare("UPDATE async_events SET " LAMBDALITE_MUTABLE_ASSIGNMENTS
                                         ", lease_until_ms = 0, due_ms = 0, finished = 1, "
                                         "condition = ?22, finished_ms = ?23, delivered = ?24"
                                         " " LAMBDALITE_HELD_BY_CALLER
                                         " RETURNING account, region, function_name"));
    LAMBDALITE_TRY(s->renew, db.Prepare("UPDATE async_events SET lease_until_ms = ?3, due_ms = ?3"
                                        " " LAMBDALITE_HELD_BY_CALLER " RETURNING seq"));
    LAMBDALITE_TRY(s->add_totals,
                   db.Prepare("INSERT INTO async_event_totals (account, region, function_name, "
                              "succeeded, failed) VALUES (?1, ?2, ?3, ?4, ?5) "
                              "ON CONFLICT (account, region, function_name) DO UPDATE SET "
                              "succeeded = succeeded + excluded.succeeded, "
                              "failed = failed + excluded.failed"));
    LAMBDALITE_TRY(s->prune, db.Prepare("DELETE FROM async_events WHERE seq IN (SELECT seq FROM "
                                        "async_events WHERE account = ?1 AND region = ?2 AND "
                                        "function_name = ?3 AND finished = 1 "
                                        "ORDER BY finished_ms DESC, seq DESC LIMIT -1 OFFSET ?4)"));
    LAMBDALITE_TRY(s->next_due,
                   db.Prepare("SELECT MIN(due_ms) FROM async_events WHERE finished = 0"));
    LAMBDALITE_TRY(s->any_due, db.Prepare("SELECT 1 FROM async_events WHERE finished = 0 AND "
                                          "due_ms <= ?1 LIMIT 1"));
    LAMBDALITE_TRY(s->count_pending,
                   db.Prepare("SELECT COALESCE(SUM(lease_until_ms = 0), 0), "
                              "COALESCE(SUM(lease_until_ms != 0), 0) FROM async_events "
                              "WHERE account = ?1 AND region = ?2 AND function_name = ?3 AND "
                              "finished = 0"));
    LAMBDALITE_TRY(s->select_totals,
                   db.Prepare("SELECT succeeded, failed FROM async_event_totals "
                              "WHERE account = ?1 AND region = ?2 AND function_name = ?3"));
    LAMBDALITE_TRY(s->recent, db.Prepare("SELECT " LAMBDALITE_EVENT_COLUMNS
                                         " FROM async_events WHERE account = ?1 AND region = ?2 "
                                         "AND function_name = ?3 AND finished = 1 "
                                         "ORDER BY finished_ms DESC, seq DESC LIMIT ?4"));
    return s;
  }
};

std::span<const std::string_view> SqliteEventQueue::Migrations() { return kMigrations; }

Result<std::unique_ptr<SqliteEventQueue>> SqliteEventQueue::Open(const std::string& path) {
  return Open(path, Options{});
}

Result<std::unique_ptr<SqliteEventQueue>> SqliteEventQueue::Open(const std::string& path,
                                                                 const Options& options) {
  LAMBDALITE_TRY(std::unique_ptr<Database> db, Database::Open(path, options.database));
  LAMBDALITE_TRY([[maybe_unused]] int version, db->Migrate(kComponent, Migrations()));
  LAMBDALITE_TRY(std::unique_ptr<Statements> statements, Statements::Prepare(*db));
  return std::unique_ptr<SqliteEventQueue>(
      new SqliteEventQueue(std::move(db), std::move(statements), options));
}

SqliteEventQueue::SqliteEventQueue(std::unique_ptr<Database> db,
                                   std::unique_ptr<Statements> statements, const Options& options)
    : retention_(options.retention),
      db_(std::move(db)),
      stmts_(std::move(statements)),
      committer_(*db_, db_mu_, options.group_commit, "queue") {}

SqliteEventQueue::~SqliteEventQueue() {
  // Statements must be finalized before the connection closes.
  stmts_.reset();
}

SqliteEventQueue::Stats SqliteEventQueue::stats() const {
  const storage::sqlite::GroupCommitter::Stats stats = committer_.stats();
  return Stats{stats.calls_applied, stats.transactions_committed};
}

Status SqliteEventQueue::Write(const std::function<Status()>& body) { return committer_.Run(body); }

// ---------------------------------------------------------------------------------------------
// Mutations

Status SqliteEventQueue::InsertEvent(const Event& event) {
  Statement& s = stmts_->insert;
  s.BindText(1, event.request_id)
      .BindText(2, event.scope.account)
      .BindText(3, event.scope.region)
      .BindText(4, event.function_name);
  BindOptionalText(s, 5, event.qualifier);
  s.BindText(6, event.payload)
      .BindInt64(7, event.accepted_ms)
      .BindInt64(8, event.visible_at_ms)
      .BindInt64(9, event.attempts)
      .BindInt64(10, event.backoff_step)
      .BindText(11, event.last_error);
  BindOutcome(s, 12, event.outcome);
  s.BindText(27, event.lineage);
  LAMBDALITE_TRY(bool inserted, StepToEnd(s));
  if (!inserted) {
    return Error::Make(ErrorCode::kConflict,
                       "queue: event " + event.request_id + " already exists");
  }
  return Status::Ok();
}

Status SqliteEventQueue::Enqueue(const Event& event) {
  if (event.request_id.empty()) {
    return Error::Make(ErrorCode::kInternal, "queue: Enqueue of an event without a request id");
  }
  return Write([&] { return InsertEvent(event); });
}

Status SqliteEventQueue::ClaimInTransaction(int64_t now_ms, int64_t lease_ms, int limit,
                                            std::vector<Event>* out) {
  out->clear();
  Statements& s = *stmts_;
  std::vector<StoredRow> rows;
  s.select_due.BindInt64(1, now_ms).BindInt64(2, limit);
  while (true) {
    LAMBDALITE_TRY(bool has_row, s.select_due.Step());
    if (!has_row) break;
    Result<StoredRow> row = ReadRow(s.select_due);
    if (!row.ok()) {
      s.select_due.Reset();
      return std::move(row).error();
    }
    rows.push_back(std::move(row).value());
  }
  const int64_t lease_until = now_ms + lease_ms;
  for (StoredRow& row : rows) {
    Event& e = row.event;
    // An expired lease: its holder died, probably mid-attempt (see event_queue_store.h).
    if (row.lease_until_ms != 0 && !e.outcome.has_value()) ++e.attempts;
    ++e.lease_generation;
    LAMBDALITE_RETURN_IF_ERROR(s.lease.BindInt64(1, row.seq)
                                   .BindInt64(2, lease_until)
                                   .BindInt64(3, e.lease_generation)
                                   .BindInt64(4, e.attempts)
                                   .Run());
    out->push_back(std::move(e));
  }
  return Status::Ok();
}

Result<std::vector<Event>> SqliteEventQueue::ClaimDue(int64_t now_ms, int64_t lease_ms, int limit) {
  std::vector<Event> out;
  if (limit <= 0) return out;
  {
    // Idle workers poll; a read-only peek spares them the write lock (which the function store
    // and other nodes share) when nothing is due. An event that becomes due right after the peek
    // is simply claimed by the next poll.
    std::lock_guard lock(db_mu_);
    Statement& peek = stmts_->any_due;
    LAMBDALITE_TRY(bool any, peek.BindInt64(1, now_ms).Step());
    peek.Reset();
    if (!any) return out;
  }
  LAMBDALITE_RETURN_IF_ERROR(
      Write([&] { return ClaimInTransaction(now_ms, lease_ms, limit, &out); }));
  return out;
}

Status SqliteEventQueue::Reschedule(const Event& event) {
  return Write([&]() -> Status {
    Statement& s = stmts_->reschedule;
    BindMutable(s, event);
    LAMBDALITE_TRY(bool updated, StepToEnd(s));
    if (!updated) return LeaseLost(event);
    return Status::Ok();
  });
}

Status SqliteEventQueue::FinishInTransaction(const FinishedEvent& finished) {
  Statements& s = *stmts_;
  const Event& event = finished.event;
  BindMutable(s.finish, event);
  s.finish.BindInt64(22, ConditionCode(finished.condition))
      .BindInt64(23, finished.finished_ms)
      .BindInt64(24, finished.delivered ? 1 : 0);
  LAMBDALITE_TRY(bool updated, s.finish.Step());
  if (!updated) return LeaseLost(event);
  // The totals and pruning go by the stored identity, which the caller's copy merely repeats.
  domain::Scope scope{std::string(s.finish.ColumnText(0)), std::string(s.finish.ColumnText(1))};
  const std::string function_name(s.finish.ColumnText(2));
  LAMBDALITE_RETURN_IF_ERROR(s.finish.Run());

  const bool success = finished.condition == Condition::kSuccess;
  LAMBDALITE_RETURN_IF_ERROR(BindFunctionKey(s.add_totals, scope, function_name)
                                 .BindInt64(4, success ? 1 : 0)
                                 .BindInt64(5, success ? 0 : 1)
                                 .Run());
  const FunctionKey key(scope.account, scope.region, function_name);
  if (++finishes_[key] % std::max(1, retention_.prune_every) == 0) {
    LAMBDALITE_RETURN_IF_ERROR(BindFunctionKey(s.prune, scope, function_name)
                                   .BindInt64(4, std::max(0, retention_.keep_finished_per_function))
                                   .Run());
  }
  return Status::Ok();
}

Status SqliteEventQueue::Finish(const FinishedEvent& finished) {
  return Write([&] { return FinishInTransaction(finished); });
}

Result<int> SqliteEventQueue::RenewLeases(const std::vector<LeaseRef>& leases, int64_t until_ms) {
  int renewed = 0;
  if (leases.empty()) return renewed;
  LAMBDALITE_RETURN_IF_ERROR(Write([&]() -> Status {
    renewed = 0;  // a retried transaction starts over
    Statement& s = stmts_->renew;
    for (const LeaseRef& lease : leases) {
      s.BindText(1, lease.request_id).BindInt64(2, lease.lease_generation).BindInt64(3, until_ms);
      LAMBDALITE_TRY(bool updated, StepToEnd(s));
      if (updated) ++renewed;
    }
    return Status::Ok();
  }));
  return renewed;
}

// ---------------------------------------------------------------------------------------------
// Reads

Result<std::optional<int64_t>> SqliteEventQueue::NextVisibleAt() {
  std::lock_guard lock(db_mu_);
  Statement& s = stmts_->next_due;
  LAMBDALITE_TRY(bool has_row, s.Step());
  std::optional<int64_t> next;
  if (has_row && !s.ColumnIsNull(0)) next = s.ColumnInt64(0);
  s.Reset();
  return next;
}

Result<QueueCounts> SqliteEventQueue::Counts(const domain::Scope& scope,
                                             const std::string& function_name) {
  std::lock_guard lock(db_mu_);
  Statements& s = *stmts_;
  QueueCounts counts;
  // One snapshot for both queries.
  LAMBDALITE_RETURN_IF_ERROR(db_->BeginRead());
  auto read = [&]() -> Status {
    LAMBDALITE_TRY(bool pending, BindFunctionKey(s.count_pending, scope, function_name).Step());
    if (pending) {
      counts.queued = s.count_pending.ColumnInt64(0);
      counts.in_flight = s.count_pending.ColumnInt64(1);
    }
    s.count_pending.Reset();
    LAMBDALITE_TRY(bool totals, BindFunctionKey(s.select_totals, scope, function_name).Step());
    if (totals) {
      counts.succeeded = s.select_totals.ColumnInt64(0);
      counts.failed = s.select_totals.ColumnInt64(1);
    }
    s.select_totals.Reset();
    return Status::Ok();
  };
  Status st = read();
  if (!st.ok()) {
    db_->Rollback();
    return std::move(st).error();
  }
  LAMBDALITE_RETURN_IF_ERROR(db_->Commit());
  return counts;
}

Result<std::vector<FinishedEvent>> SqliteEventQueue::Recent(const domain::Scope& scope,
                                                            const std::string& function_name,
                                                            int limit) {
  std::vector<FinishedEvent> out;
  if (limit <= 0) return out;
  std::lock_guard lock(db_mu_);
  Statement& s = stmts_->recent;
  BindFunctionKey(s, scope, function_name).BindInt64(4, limit);
  while (true) {
    LAMBDALITE_TRY(bool has_row, s.Step());
    if (!has_row) break;
    Result<StoredRow> row = ReadRow(s);
    if (!row.ok()) {
      s.Reset();
      return std::move(row).error();
    }
    StoredRow& r = row.value();
    out.push_back(FinishedEvent{std::move(r.event), r.condition.value_or(Condition::kSuccess),
                                r.finished_ms, r.delivered});
  }
  return out;
}

}  // namespace lambdalite::queue
