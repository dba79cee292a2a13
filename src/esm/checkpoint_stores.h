#pragma once

// CheckpointStore implementations: SQLite (the server's, one file in the data directory) and
// memory (tests).

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "common/result.h"
#include "esm/poller.h"
#include "storage/sqlite/database.h"

namespace lambdalite::esm {

// Positions in a table esm_checkpoints(uuid, shard_id, sequence_number) of its own database file
// (e.g. <data>/esm-checkpoints.db): WAL with synchronous=FULL, so a Put survives a crash once it
// returns. A separate file keeps the per-batch writes of the pollers away from the function
// store's group committer.
class SqliteCheckpointStore final : public CheckpointStore {
 public:
  static Result<std::unique_ptr<SqliteCheckpointStore>> Open(const std::string& path);

  Result<std::optional<std::string>> Get(const std::string& uuid,
                                         const std::string& shard_id) override;
  Status Put(const std::string& uuid, const std::string& shard_id,
             const std::string& sequence_number) override;
  Status DeleteMapping(const std::string& uuid) override;

 private:
  explicit SqliteCheckpointStore(std::unique_ptr<storage::sqlite::Database> db)
      : db_(std::move(db)) {}

  std::mutex mu_;
  std::unique_ptr<storage::sqlite::Database> db_;
  storage::sqlite::Statement get_;
  storage::sqlite::Statement put_;
  storage::sqlite::Statement delete_;
};

class MemoryCheckpointStore final : public CheckpointStore {
 public:
  Result<std::optional<std::string>> Get(const std::string& uuid,
                                         const std::string& shard_id) override {
    std::lock_guard lock(mu_);
    auto it = positions_.find({uuid, shard_id});
    if (it == positions_.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
  Status Put(const std::string& uuid, const std::string& shard_id,
             const std::string& sequence_number) override {
    std::lock_guard lock(mu_);
    positions_[{uuid, shard_id}] = sequence_number;
    return Status();
  }
  Status DeleteMapping(const std::string& uuid) override {
    std::lock_guard lock(mu_);
    for (auto it = positions_.begin(); it != positions_.end();) {
      it = it->first.first == uuid ? positions_.erase(it) : std::next(it);
    }
    return Status();
  }

 private:
  std::mutex mu_;
  std::map<std::pair<std::string, std::string>, std::string> positions_;
};

}  // namespace lambdalite::esm
