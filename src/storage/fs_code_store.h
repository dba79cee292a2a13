#pragma once

// CodeStore on the local file system.
//
// Layout: <data_dir>/code/<first 2 hex digits>/<sha256 hex>.zip. The two-digit fan-out keeps
// directories small. A blob is written to a temporary file in its final directory, fsynced,
// renamed into place and the directory fsynced, so a blob is either absent or complete and
// durable, never torn, even across kill -9 or power loss. Temporary files left by a crash are
// removed by Open once they are more than ten minutes old.
//
// Blob ids are validated (64 lower-case hex digits) before they are turned into paths, so an id
// from a request can never name a file outside the store.

#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/result.h"
#include "storage/store.h"

namespace lambdalite::storage {

class FsCodeStore final : public CodeStore {
 public:
  // Creates <data_dir>/code (and data_dir) if needed and removes stale temporary files. Several
  // FsCodeStore objects (or processes) may share one data_dir.
  static Result<std::unique_ptr<FsCodeStore>> Open(const std::string& data_dir);

  // Idempotent: storing bytes that are already present (same id, same size) writes nothing.
  // Concurrent Puts of the same bytes are safe. Failures: kUnavailable for I/O errors that may
  // clear (disk full, EIO), kInternal otherwise.
  Result<std::string> Put(const std::string& bytes) override;
  // kNotFound when absent or when `blob_id` is not a valid id.
  Result<std::string> Get(const std::string& blob_id) override;
  // The blob's path when it is present; empty when it is absent or the id is invalid. Once seen
  // present a blob is remembered (until Remove) and later calls (one per Invoke) touch no disk.
  std::string LocalPath(const std::string& blob_id) override;
  // The ids of the "<id>.zip" files of every shard; temporary files are not blobs.
  Result<std::vector<std::string>> List() override;
  // Unlinks the blob. The shard directory is not fsynced: a removal a crash undoes only brings back
  // a blob nothing refers to, which the collector removes again.
  Status Remove(const std::string& blob_id) override;

  // <data_dir>/code
  const std::string& root() const { return root_; }

 private:
  explicit FsCodeStore(std::string root) : root_(std::move(root)) {}
  std::string ShardDir(const std::string& blob_id) const;
  std::string BlobPath(const std::string& blob_id) const;

  std::string root_;
  std::shared_mutex present_mu_;
  std::unordered_set<std::string> present_;  // blob ids seen on disk
};

// True for a well-formed blob id: 64 lower-case hex digits.
bool IsValidBlobId(const std::string& blob_id);

}  // namespace lambdalite::storage
