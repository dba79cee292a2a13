#include "storage/memory/memory_code_store.h"

#include "common/crypto.h"

namespace lambdalite::storage::memory {

Result<std::string> MemoryCodeStore::Put(const std::string& bytes) {
  std::string id = HexEncode(Sha256(bytes));
  std::lock_guard lock(mu_);
  blobs_.try_emplace(id, bytes);
  return id;
}

Result<std::string> MemoryCodeStore::Get(const std::string& blob_id) {
  std::lock_guard lock(mu_);
  auto it = blobs_.find(blob_id);
  if (it == blobs_.end()) {
    return Error::Make(ErrorCode::kNotFound, "code blob " + blob_id + " not found");
  }
  return it->second;
}

std::string MemoryCodeStore::LocalPath(const std::string& /*blob_id*/) { return {}; }

Result<std::vector<std::string>> MemoryCodeStore::List() {
  std::lock_guard lock(mu_);
  std::vector<std::string> ids;
  ids.reserve(blobs_.size());
  for (const auto& [id, bytes] : blobs_) ids.push_back(id);
  return ids;
}

Status MemoryCodeStore::Remove(const std::string& blob_id) {
  std::lock_guard lock(mu_);
  blobs_.erase(blob_id);
  return Status::Ok();
}

size_t MemoryCodeStore::size() {
  std::lock_guard lock(mu_);
  return blobs_.size();
}

}  // namespace lambdalite::storage::memory
