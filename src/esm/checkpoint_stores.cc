#include "esm/checkpoint_stores.h"

#include <string_view>

namespace lambdalite::esm {
namespace {

constexpr std::string_view kComponent = "esm_checkpoints";
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE esm_checkpoints (
  uuid TEXT NOT NULL,
  shard_id TEXT NOT NULL,
  sequence_number TEXT NOT NULL,
  PRIMARY KEY (uuid, shard_id)
) WITHOUT ROWID;
)sql";
constexpr std::string_view kMigrations[] = {kSchemaV1};

}  // namespace

Result<std::unique_ptr<SqliteCheckpointStore>> SqliteCheckpointStore::Open(
    const std::string& path) {
  LAMBDALITE_TRY(std::unique_ptr<storage::sqlite::Database> db,
                 storage::sqlite::Database::Open(path));
  LAMBDALITE_TRY([[maybe_unused]] int version, db->Migrate(kComponent, kMigrations));
  std::unique_ptr<SqliteCheckpointStore> store(new SqliteCheckpointStore(std::move(db)));
  LAMBDALITE_TRY(store->get_, store->db_->Prepare("SELECT sequence_number FROM esm_checkpoints "
                                                  "WHERE uuid = ?1 AND shard_id = ?2"));
  LAMBDALITE_TRY(store->put_, store->db_->Prepare(
                                  "INSERT INTO esm_checkpoints (uuid, shard_id, sequence_number) "
                                  "VALUES (?1, ?2, ?3) ON CONFLICT (uuid, shard_id) "
                                  "DO UPDATE SET sequence_number = excluded.sequence_number"));
  LAMBDALITE_TRY(store->delete_,
                 store->db_->Prepare("DELETE FROM esm_checkpoints WHERE uuid = ?1"));
  return store;
}

Result<std::optional<std::string>> SqliteCheckpointStore::Get(const std::string& uuid,
                                                              const std::string& shard_id) {
  std::lock_guard lock(mu_);
  get_.BindText(1, uuid).BindText(2, shard_id);
  LAMBDALITE_TRY(bool row, get_.Step());
  if (!row) return std::optional<std::string>();
  std::optional<std::string> value(std::string(get_.ColumnText(0)));
  get_.Reset();
  return value;
}

Status SqliteCheckpointStore::Put(const std::string& uuid, const std::string& shard_id,
                                  const std::string& sequence_number) {
  std::lock_guard lock(mu_);
  put_.BindText(1, uuid).BindText(2, shard_id).BindText(3, sequence_number);
  return put_.Run();
}

Status SqliteCheckpointStore::DeleteMapping(const std::string& uuid) {
  std::lock_guard lock(mu_);
  delete_.BindText(1, uuid);
  return delete_.Run();
}

}  // namespace lambdalite::esm
