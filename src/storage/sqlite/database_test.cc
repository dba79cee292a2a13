#include "storage/sqlite/database.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace lambdalite::storage::sqlite {
namespace {

class DatabaseTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = testing::TempDir() + "lambdalite_db_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/test.db";
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::unique_ptr<Database> OpenOk(Database::Options options = {}) {
    auto db = Database::Open(path_, options);
    EXPECT_TRUE(db.ok()) << db.error().message;
    return db.ok() ? std::move(db).value() : nullptr;
  }

  // Runs a single-value query and returns the value as text.
  static std::string QueryText(Database& db, std::string_view sql) {
    auto stmt = db.Prepare(sql);
    EXPECT_TRUE(stmt.ok()) << stmt.error().message;
    if (!stmt.ok()) return "<error>";
    auto row = stmt->Step();
    EXPECT_TRUE(row.ok() && *row);
    std::string out(stmt->ColumnText(0));
    stmt->Reset();
    return out;
  }

  std::string dir_;
  std::string path_;
};

TEST_F(DatabaseTest, OpenConfiguresDurableConnection) {
  auto db = OpenOk();
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(QueryText(*db, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(QueryText(*db, "PRAGMA synchronous"), "2");  // FULL
  EXPECT_EQ(QueryText(*db, "PRAGMA foreign_keys"), "1");
  EXPECT_EQ(QueryText(*db, "PRAGMA busy_timeout"), "5000");
  EXPECT_TRUE(std::filesystem::exists(path_));
}

TEST_F(DatabaseTest, OpenFailsForUnreachablePath) {
  auto db = Database::Open(dir_ + "/missing/dir/test.db");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code, ErrorCode::kInternal);
}

TEST_F(DatabaseTest, StatementsBindStepAndAreReusable) {
  auto db = OpenOk();
  ASSERT_TRUE(db->Exec("CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER, v TEXT)").ok());
  auto insert = db->Prepare("INSERT INTO t (k, n, v) VALUES (?1, ?2, ?3)");
  ASSERT_TRUE(insert.ok()) << insert.error().message;
  const std::string with_nul = std::string("a\0b", 3);
  ASSERT_TRUE(insert->BindText(1, "min")
                  .BindInt64(2, std::numeric_limits<int64_t>::min())
                  .BindText(3, with_nul)
                  .Run()
                  .ok());
  // Reused without re-preparing.
  ASSERT_TRUE(insert->BindText(1, "max")
                  .BindInt64(2, std::numeric_limits<int64_t>::max())
                  .BindNull(3)
                  .Run()
                  .ok());

  auto select = db->Prepare("SELECT k, n, v FROM t ORDER BY k");
  ASSERT_TRUE(select.ok());
  std::vector<std::string> keys;
  for (int pass = 0; pass < 2; ++pass) {  // the statement resets itself after the last row
    keys.clear();
    while (true) {
      auto row = select->Step();
      ASSERT_TRUE(row.ok()) << row.error().message;
      if (!*row) break;
      keys.emplace_back(select->ColumnText(0));
      if (keys.back() == "min") {
        EXPECT_EQ(select->ColumnInt64(1), std::numeric_limits<int64_t>::min());
        EXPECT_EQ(select->ColumnText(2), with_nul);
      } else {
        EXPECT_EQ(select->ColumnInt64(1), std::numeric_limits<int64_t>::max());
        EXPECT_TRUE(select->ColumnIsNull(2));
      }
    }
    EXPECT_EQ(keys, (std::vector<std::string>{"max", "min"}));
  }
}

TEST_F(DatabaseTest, ErrorsAreMappedAndStatementsRecover) {
  auto db = OpenOk();
  ASSERT_TRUE(db->Exec("CREATE TABLE t (k TEXT PRIMARY KEY)").ok());
  auto insert = db->Prepare("INSERT INTO t (k) VALUES (?1)");
  ASSERT_TRUE(insert.ok());
  ASSERT_TRUE(insert->BindText(1, "a").Run().ok());
  Status dup = insert->BindText(1, "a").Run();
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::kInternal);
  EXPECT_NE(dup.error().message.find("UNIQUE"), std::string::npos) << dup.error().message;
  // After a failure the statement is usable again.
  EXPECT_TRUE(insert->BindText(1, "b").Run().ok());

  // A bind to a parameter that does not exist is reported by the run.
  Status bad_bind = insert->BindText(7, "x").Run();
  ASSERT_FALSE(bad_bind.ok());
  EXPECT_EQ(bad_bind.error().code, ErrorCode::kInternal);
  EXPECT_TRUE(insert->BindText(1, "c").Run().ok());

  auto bad_sql = db->Prepare("SELEKT 1");
  ASSERT_FALSE(bad_sql.ok());
  EXPECT_EQ(bad_sql.error().code, ErrorCode::kInternal);
  auto two = db->Prepare("SELECT 1; SELECT 2");
  ASSERT_FALSE(two.ok());
  EXPECT_TRUE(db->Prepare("SELECT 1;  \n").ok());
  EXPECT_FALSE(db->Exec("NOT SQL").ok());
}

TEST_F(DatabaseTest, TransactionCommitsOrRollsBack) {
  auto db = OpenOk();
  ASSERT_TRUE(db->Exec("CREATE TABLE t (k TEXT PRIMARY KEY)").ok());
  Status failed = db->Transaction([&]() -> Status {
    EXPECT_TRUE(db->InTransaction());
    EXPECT_TRUE(db->Exec("INSERT INTO t VALUES ('lost')").ok());
    return Error::Make(ErrorCode::kUnavailable, "body failed");
  });
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().message, "body failed");
  EXPECT_FALSE(db->InTransaction());
  EXPECT_EQ(QueryText(*db, "SELECT COUNT(*) FROM t"), "0");

  ASSERT_TRUE(db->Transaction([&] { return db->Exec("INSERT INTO t VALUES ('kept')"); }).ok());
  db.reset();
  auto reopened = OpenOk();
  EXPECT_EQ(QueryText(*reopened, "SELECT k FROM t"), "kept");
}

TEST_F(DatabaseTest, SavepointsUndoOnlyTheirPart) {
  auto db = OpenOk();
  ASSERT_TRUE(db->Exec("CREATE TABLE t (k TEXT PRIMARY KEY)").ok());
  ASSERT_TRUE(db->Begin().ok());
  ASSERT_TRUE(db->Exec("INSERT INTO t VALUES ('a')").ok());
  ASSERT_TRUE(db->Savepoint().ok());
  ASSERT_TRUE(db->Exec("INSERT INTO t VALUES ('b')").ok());
  ASSERT_TRUE(db->RollbackToSavepoint().ok());
  ASSERT_TRUE(db->Savepoint().ok());
  ASSERT_TRUE(db->Exec("INSERT INTO t VALUES ('c')").ok());
  ASSERT_TRUE(db->ReleaseSavepoint().ok());
  ASSERT_TRUE(db->Commit().ok());
  EXPECT_EQ(QueryText(*db, "SELECT group_concat(k, ',') FROM (SELECT k FROM t ORDER BY k)"), "a,c");
  db->Rollback();  // no transaction: a no-op
}

TEST_F(DatabaseTest, WriterBlockedByAnotherConnectionIsUnavailable) {
  auto holder = OpenOk();
  ASSERT_TRUE(holder->Exec("CREATE TABLE t (k TEXT)").ok());
  ASSERT_TRUE(holder->Begin().ok());
  ASSERT_TRUE(holder->Exec("INSERT INTO t VALUES ('x')").ok());

  Database::Options impatient;
  impatient.busy_timeout_ms = 20;
  auto waiter = OpenOk(impatient);
  Status st = waiter->Begin();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUnavailable) << st.error().message;
  // Readers are not blocked by the writer (WAL), and see the last committed state.
  EXPECT_EQ(QueryText(*waiter, "SELECT COUNT(*) FROM t"), "0");

  ASSERT_TRUE(holder->Commit().ok());
  EXPECT_TRUE(waiter->Begin().ok());
  EXPECT_TRUE(waiter->Commit().ok());
}

TEST_F(DatabaseTest, MigrateAppliesEachStepOnce) {
  constexpr std::string_view kTwo[] = {
      "CREATE TABLE one (a TEXT)",
      "CREATE TABLE two (b TEXT); INSERT INTO two VALUES ('seed')",
  };
  {
    auto db = OpenOk();
    auto v = db->Migrate("comp", kTwo);
    ASSERT_TRUE(v.ok()) << v.error().message;
    EXPECT_EQ(*v, 2);
    auto again = db->Migrate("comp", kTwo);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, 2);
    EXPECT_EQ(QueryText(*db, "SELECT COUNT(*) FROM two"), "1");  // step 2 ran once
  }
  // A newer binary adds a step; only that one runs.
  constexpr std::string_view kThree[] = {kTwo[0], kTwo[1], "ALTER TABLE one ADD COLUMN c TEXT"};
  auto db = OpenOk();
  auto v = db->Migrate("comp", kThree);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(*v, 3);
  EXPECT_EQ(QueryText(*db, "SELECT COUNT(*) FROM two"), "1");
  EXPECT_EQ(QueryText(*db, "SELECT COUNT(*) FROM schema_migrations WHERE component = 'comp'"), "3");

  // An older binary refuses the newer schema.
  auto old = db->Migrate("comp", kTwo);
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.error().code, ErrorCode::kInternal);
  EXPECT_NE(old.error().message.find("newer"), std::string::npos) << old.error().message;
}

TEST_F(DatabaseTest, ComponentsMigrateIndependently) {
  auto db = OpenOk();
  auto before = db->SchemaVersion("queue");
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(*before, 0);  // no bookkeeping table yet
  constexpr std::string_view kA[] = {"CREATE TABLE a (x)"};
  constexpr std::string_view kB[] = {"CREATE TABLE b (x)", "CREATE TABLE b2 (x)"};
  ASSERT_TRUE(db->Migrate("a", kA).ok());
  ASSERT_TRUE(db->Migrate("b", kB).ok());
  EXPECT_EQ(*db->SchemaVersion("a"), 1);
  EXPECT_EQ(*db->SchemaVersion("b"), 2);
  EXPECT_EQ(*db->SchemaVersion("queue"), 0);
}

TEST_F(DatabaseTest, FailedMigrationStepChangesNothing) {
  auto db = OpenOk();
  constexpr std::string_view kSteps[] = {"CREATE TABLE ok (x)",
                                         "CREATE TABLE half (x); CREATE TABEL broken (x)"};
  auto v = db->Migrate("comp", kSteps);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(*db->SchemaVersion("comp"), 1);
  EXPECT_EQ(QueryText(*db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'half'"), "0");
  EXPECT_EQ(QueryText(*db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'ok'"), "1");
}

}  // namespace
}  // namespace lambdalite::storage::sqlite
