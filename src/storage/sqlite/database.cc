#include "storage/sqlite/database.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "common/log.h"

namespace lambdalite::storage::sqlite {
namespace {

constexpr std::string_view kCreateMigrationsTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  component  TEXT    NOT NULL,
  version    INTEGER NOT NULL,
  applied_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  PRIMARY KEY (component, version)
))sql";

// A short, single-line prefix of a statement's SQL, to say which statement failed.
std::string SqlSnippet(sqlite3_stmt* stmt) {
  const char* sql = stmt != nullptr ? sqlite3_sql(stmt) : nullptr;
  if (sql == nullptr) return "statement";
  std::string out;
  bool space = false;
  for (const char* p = sql; *p != '\0' && out.size() < 60; ++p) {
    const bool is_space = *p == ' ' || *p == '\n' || *p == '\t' || *p == '\r';
    if (is_space) {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(*p);
  }
  return out;
}

bool IsInMemoryPath(const std::string& path) {
  return path.empty() || path == ":memory:" || path.starts_with("file::memory:");
}

// Makes the directory entry of a newly created file durable: without it, a power loss could
// forget the database file even though SQLite fsynced its contents.
Status SyncParentDirectory(const std::string& path) {
  std::filesystem::path parent = std::filesystem::absolute(path).parent_path();
  int fd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return Error::Make(ErrorCode::kInternal, "sqlite: cannot open directory " + parent.string() +
                                                 ": " + std::strerror(errno));
  }
  int rc = ::fsync(fd);
  int saved = errno;
  ::close(fd);
  if (rc != 0) {
    return Error::Make(ErrorCode::kUnavailable, "sqlite: cannot fsync directory " +
                                                    parent.string() + ": " + std::strerror(saved));
  }
  return Status::Ok();
}

}  // namespace

Error SqliteError(sqlite3* db, int rc, std::string_view context) {
  ErrorCode code = ErrorCode::kInternal;
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_NOMEM:
    case SQLITE_PROTOCOL:
      code = ErrorCode::kUnavailable;
      break;
    default:
      break;
  }
  // The connection's message is more specific (e.g. names the violated constraint), but only
  // describes `rc` if it is still the connection's most recent error.
  const char* text = (db != nullptr && sqlite3_extended_errcode(db) == rc) ? sqlite3_errmsg(db)
                                                                           : sqlite3_errstr(rc);
  return Error::Make(
      code, "sqlite: " + std::string(context) + ": " + text + " (" + std::to_string(rc) + ")");
}

// ---------------------------------------------------------------------------------------------
// Statement

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)),
      bind_error_(std::exchange(other.bind_error_, 0)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    bind_error_ = std::exchange(other.bind_error_, 0);
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::Record(int rc) {
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
}

Statement& Statement::BindText(int index, std::string_view value) {
  // SQLITE_TRANSIENT makes SQLite copy the bytes, so callers may pass temporaries.
  Record(
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}

Statement& Statement::BindInt64(int index, int64_t value) {
  Record(sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

Statement& Statement::BindNull(int index) {
  Record(sqlite3_bind_null(stmt_, index));
  return *this;
}

Result<bool> Statement::Step() {
  if (bind_error_ != 0) {
    Error error = SqliteError(nullptr, bind_error_, "bind parameters of " + SqlSnippet(stmt_));
    Reset();
    return error;
  }
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) {
    Reset();
    return false;
  }
  Error error = SqliteError(sqlite3_db_handle(stmt_), rc, SqlSnippet(stmt_));
  Reset();
  return error;
}

Status Statement::Run() {
  while (true) {
    LAMBDALITE_TRY(bool row, Step());
    if (!row) return Status::Ok();
  }
}

void Statement::Reset() {
  // sqlite3_reset repeats the last step's error, which Step already reported.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_ = 0;
}

std::string_view Statement::ColumnText(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  // column_bytes must follow column_text: it reports the size of the converted value.
  int size = sqlite3_column_bytes(stmt_, column);
  return std::string_view(reinterpret_cast<const char*>(text), static_cast<size_t>(size));
}

int64_t Statement::ColumnInt64(int column) const { return sqlite3_column_int64(stmt_, column); }

bool Statement::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

// ---------------------------------------------------------------------------------------------
// Database

void Database::Closer::operator()(sqlite3* db) const {
  // close_v2 defers the close until every statement is finalized, so destruction order can never
  // leak the connection.
  sqlite3_close_v2(db);
}

Database::Database(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}

Database::~Database() = default;

Result<std::unique_ptr<Database>> Database::Open(const std::string& path, const Options& options) {
  const bool in_memory = IsInMemoryPath(path);
  std::error_code ec;
  const bool existed = in_memory || std::filesystem::exists(path, ec);

  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  // Even a failed open may allocate a handle, which then carries the error message.
  std::unique_ptr<Database> db(new Database(path, raw));
  if (rc != SQLITE_OK) {
    Error error = SqliteError(raw, rc, "open " + path);
    // A path that cannot be opened at all is a configuration problem, not a transient one.
    if ((rc & 0xff) == SQLITE_CANTOPEN) error.code = ErrorCode::kInternal;
    return error;
  }
  sqlite3_extended_result_codes(raw, 1);
  LAMBDALITE_RETURN_IF_ERROR(db->Configure(options));
  LAMBDALITE_RETURN_IF_ERROR(db->PrepareControlStatements());
  if (!existed) LAMBDALITE_RETURN_IF_ERROR(SyncParentDirectory(path));
  return db;
}

Status Database::Configure(const Options& options) {
  int rc = sqlite3_busy_timeout(db_.get(), options.busy_timeout_ms);
  if (rc != SQLITE_OK) return SqliteError(db_.get(), rc, "busy_timeout");

  if (!IsInMemoryPath(path_)) {
    LAMBDALITE_TRY(Statement journal, Prepare("PRAGMA journal_mode=WAL"));
    LAMBDALITE_TRY(bool row, journal.Step());
    std::string mode = row ? std::string(journal.ColumnText(0)) : std::string();
    journal.Reset();
    if (mode != "wal") {
      return Error::Make(ErrorCode::kInternal, "sqlite: cannot enable WAL journal for " + path_ +
                                                   " (got '" + mode + "')");
    }
  }
  LAMBDALITE_RETURN_IF_ERROR(
      Exec(options.durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
  LAMBDALITE_RETURN_IF_ERROR(Exec("PRAGMA foreign_keys=ON"));

  // Pragmas silently do nothing when a feature is compiled out; check the one we rely on.
  LAMBDALITE_TRY(Statement check, Prepare("PRAGMA foreign_keys"));
  LAMBDALITE_TRY(bool row, check.Step());
  const bool enabled = row && check.ColumnInt64(0) == 1;
  check.Reset();
  if (!enabled) {
    return Error::Make(ErrorCode::kInternal, "sqlite: foreign keys are not supported");
  }
  return Status::Ok();
}

Status Database::PrepareControlStatements() {
  LAMBDALITE_TRY(begin_, Prepare("BEGIN IMMEDIATE"));
  LAMBDALITE_TRY(begin_read_, Prepare("BEGIN DEFERRED"));
  LAMBDALITE_TRY(commit_, Prepare("COMMIT"));
  LAMBDALITE_TRY(rollback_, Prepare("ROLLBACK"));
  LAMBDALITE_TRY(savepoint_, Prepare("SAVEPOINT lambdalite_sp"));
  LAMBDALITE_TRY(release_, Prepare("RELEASE lambdalite_sp"));
  LAMBDALITE_TRY(rollback_to_, Prepare("ROLLBACK TO lambdalite_sp"));
  return Status::Ok();
}

Status Database::Exec(std::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string detail = message != nullptr ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  Error error = SqliteError(nullptr, rc, "exec");
  error.message = "sqlite: exec: " + detail + " (" + std::to_string(rc) + ")";
  return error;
}

Result<Statement> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  // PERSISTENT: these statements live as long as the connection, so let SQLite allocate them
  // outside its short-lived lookaside memory.
  int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &raw, &tail);
  Statement stmt(raw);
  if (rc != SQLITE_OK) return SqliteError(db_.get(), rc, "prepare");
  if (raw == nullptr) {
    return Error::Make(ErrorCode::kInternal, "sqlite: prepare: empty statement");
  }
  for (const char* p = tail; p != nullptr && p < sql.data() + sql.size(); ++p) {
    if (*p != ' ' && *p != '\n' && *p != '\t' && *p != '\r' && *p != ';') {
      return Error::Make(ErrorCode::kInternal,
                         "sqlite: prepare: more than one statement in " + SqlSnippet(raw));
    }
  }
  return stmt;
}

Status Database::RunControl(Statement& stmt, std::string_view what) {
  Status st = stmt.Run();
  if (st.ok()) return st;
  Error error = std::move(st).error();
  error.message = "sqlite: " + std::string(what) + ": " + error.message;
  return error;
}

Status Database::Begin() { return RunControl(begin_, "begin"); }
Status Database::BeginRead() { return RunControl(begin_read_, "begin read"); }
Status Database::Commit() { return RunControl(commit_, "commit"); }

void Database::Rollback() {
  if (!InTransaction()) return;
  Status st = RunControl(rollback_, "rollback");
  if (!st.ok()) LogWarn(st.error().message);
}

bool Database::InTransaction() const { return sqlite3_get_autocommit(db_.get()) == 0; }

Status Database::Savepoint() { return RunControl(savepoint_, "savepoint"); }
Status Database::ReleaseSavepoint() { return RunControl(release_, "release savepoint"); }

Status Database::RollbackToSavepoint() {
  // ROLLBACK TO keeps the savepoint on the stack; RELEASE then drops it (changing nothing).
  LAMBDALITE_RETURN_IF_ERROR(RunControl(rollback_to_, "rollback to savepoint"));
  return RunControl(release_, "release savepoint");
}

Status Database::Transaction(const std::function<Status()>& body) {
  LAMBDALITE_RETURN_IF_ERROR(Begin());
  Status st = body();
  if (st.ok()) st = Commit();
  if (!st.ok()) Rollback();
  return st;
}

Result<int> Database::SchemaVersion(std::string_view component) {
  LAMBDALITE_TRY(Statement exists, Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                                           "name = 'schema_migrations'"));
  LAMBDALITE_TRY(bool has_table, exists.Step());
  exists.Reset();
  if (!has_table) return 0;

  LAMBDALITE_TRY(Statement query, Prepare("SELECT COALESCE(MAX(version), 0) FROM "
                                          "schema_migrations WHERE component = ?1"));
  query.BindText(1, component);
  LAMBDALITE_TRY(bool row, query.Step());
  const int version = row ? static_cast<int>(query.ColumnInt64(0)) : 0;
  query.Reset();
  return version;
}

Result<int> Database::Migrate(std::string_view component, std::span<const std::string_view> steps) {
  LAMBDALITE_RETURN_IF_ERROR(Exec(kCreateMigrationsTable));
  const int target = static_cast<int>(steps.size());
  // One step per transaction, re-reading the version under the write lock each time, so two
  // processes opening the same new file cannot both apply a step.
  while (true) {
    int reached = -1;
    Status st = Transaction([&]() -> Status {
      LAMBDALITE_TRY(int current, SchemaVersion(component));
      if (current > target) {
        return Error::Make(ErrorCode::kInternal, "sqlite: schema of " + std::string(component) +
                                                     " in " + path_ + " is version " +
                                                     std::to_string(current) +
                                                     ", newer than this binary supports (" +
                                                     std::to_string(target) + ")");
      }
      if (current == target) {
        reached = current;
        return Status::Ok();
      }
      LAMBDALITE_RETURN_IF_ERROR(Exec(steps[static_cast<size_t>(current)]));
      LAMBDALITE_TRY(Statement record,
                     Prepare("INSERT INTO schema_migrations (component, version) VALUES (?1, ?2)"));
      record.BindText(1, component).BindInt64(2, current + 1);
      return record.Run();
    });
    if (!st.ok()) return std::move(st).error();
    if (reached >= 0) return reached;
  }
}

}  // namespace lambdalite::storage::sqlite
