#pragma once

// A thin RAII layer over one SQLite connection, shared by every store that lives in the
// lambdalite database file (functions today, the event queue later). It owns the connection
// settings that make commits durable, the migration bookkeeping, and the mapping of SQLite result
// codes to the storage error taxonomy, so each store only writes SQL.
//
// Thread-safety: a Database and its Statements are NOT thread-safe. The owner serializes all use
// of one connection (e.g. with a mutex). Several Database objects (in one process or several)
// may open the same file: WAL lets readers run alongside the single writer, and a writer that
// finds the write lock taken waits up to busy_timeout before failing with kUnavailable.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/error.h"
#include "common/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace lambdalite::storage::sqlite {

// Converts an SQLite result code into an Error. Lock contention and resource exhaustion (BUSY,
// LOCKED, FULL, IOERR, NOMEM, PROTOCOL) are kUnavailable: the operation was rolled back and may
// succeed if retried. Everything else (constraint violations, corruption, misuse) is kInternal.
// `db` may be null; when given, its error message is included.
Error SqliteError(sqlite3* db, int rc, std::string_view context);

// A prepared statement, compiled once and reused. Move-only; finalized on destruction.
//
// Usage: Bind*, then either Run() (no result rows) or Step() in a loop while it yields true. The
// statement resets itself when it finishes or fails, so it is immediately reusable; call Reset()
// only when abandoning a query before its last row. Parameter indexes are 1-based, column indexes
// 0-based (as in SQLite).
class Statement {
 public:
  Statement() = default;
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Binding never fails on its own: the first binding error is reported by the next Step/Run.
  // Text is copied, so the argument need not outlive the call.
  Statement& BindText(int index, std::string_view value);
  Statement& BindInt64(int index, int64_t value);
  Statement& BindNull(int index);

  // Advances to the next row: true when a row is available, false when the statement is done.
  Result<bool> Step();
  // Executes a statement that returns no rows (extra rows are ignored).
  Status Run();
  // Resets the statement and clears its bindings.
  void Reset();

  // Column accessors for the current row. The text view is valid until the next Step or Reset.
  std::string_view ColumnText(int column) const;
  int64_t ColumnInt64(int column) const;
  bool ColumnIsNull(int column) const;

  bool valid() const { return stmt_ != nullptr; }

 private:
  friend class Database;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  void Record(int rc);

  sqlite3_stmt* stmt_ = nullptr;
  int bind_error_ = 0;  // first failed bind since the last reset (an SQLite result code)
};

class Database {
 public:
  struct Options {
    // How long a writer waits for another connection's write lock before kUnavailable.
    int busy_timeout_ms = 5000;
    // FULL fsyncs the WAL on every commit, so a committed transaction survives power loss.
    // Tests and benchmarks of CPU cost may turn it off; production never does.
    bool durable = true;
  };

  // Opens (creating if needed) the database at `path` and configures the connection: WAL journal,
  // synchronous=FULL (or NORMAL when !durable), busy timeout, foreign key enforcement, extended
  // result codes. When the file is new, its directory is fsynced so the file itself survives a
  // crash. ":memory:" opens a private in-memory database (no WAL), for tests.
  static Result<std::unique_ptr<Database>> Open(const std::string& path, const Options& options);
  static Result<std::unique_ptr<Database>> Open(const std::string& path) {
    return Open(path, Options{});
  }

  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // Runs one or more semicolon-separated statements without parameters (DDL, pragmas).
  Status Exec(std::string_view sql);
  // Compiles a single statement for repeated use. Keep the Statement and reuse it: preparing is
  // far more expensive than running a small statement.
  Result<Statement> Prepare(std::string_view sql);

  // Explicit transaction control. Begin takes the write lock up front (BEGIN IMMEDIATE) so a
  // transaction never fails half-way on lock upgrade; BeginRead opens a deferred (snapshot)
  // transaction for consistent multi-statement reads. Rollback is a no-op when no transaction is
  // open (SQLite itself rolls back on some errors), and it never fails in a way a caller can act
  // on. A failed Commit leaves the transaction open: roll it back.
  Status Begin();
  Status BeginRead();
  Status Commit();
  void Rollback();
  bool InTransaction() const;

  // Nested undo points inside a transaction. RollbackToSavepoint undoes everything since the
  // innermost Savepoint() and discards it; ReleaseSavepoint keeps the changes and discards it.
  Status Savepoint();
  Status ReleaseSavepoint();
  Status RollbackToSavepoint();

  // Runs `body` in a write transaction (Begin ... Commit). If `body` or the commit fails,
  // everything is rolled back and that error is returned.
  Status Transaction(const std::function<Status()>& body);

  // Brings the schema of `component` up to date. `steps[i]` migrates from version i to i+1 (a
  // script for Exec). The applied version of each component is recorded in the table
  // schema_migrations(component, version, applied_at), so several stores can share one file and
  // evolve independently. Each step runs in its own transaction together with its bookkeeping
  // row. A database whose version is newer than steps.size() is refused with kInternal (a
  // downgrade would misread data). Returns the resulting version.
  Result<int> Migrate(std::string_view component, std::span<const std::string_view> steps);
  // The recorded schema version of `component`; 0 when it was never migrated.
  Result<int> SchemaVersion(std::string_view component);

  const std::string& path() const { return path_; }
  // The raw connection, for what this wrapper does not cover. Same thread-safety rules apply.
  sqlite3* handle() const { return db_.get(); }

 private:
  struct Closer {
    void operator()(sqlite3* db) const;
  };

  Database(std::string path, sqlite3* db);
  Status Configure(const Options& options);
  Status PrepareControlStatements();
  // Runs one of the cached control statements, reporting failures as `what`.
  Status RunControl(Statement& stmt, std::string_view what);

  std::string path_;
  // Declared first so it is destroyed last, after every statement below is finalized.
  std::unique_ptr<sqlite3, Closer> db_;
  Statement begin_;
  Statement begin_read_;
  Statement commit_;
  Statement rollback_;
  Statement savepoint_;
  Statement release_;
  Statement rollback_to_;
};

}  // namespace lambdalite::storage::sqlite
