#pragma once

// In-memory CodeStore: the fake for tests. Same ids and errors as FsCodeStore; blobs are not
// local files, so LocalPath is always empty.

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/result.h"
#include "storage/store.h"

namespace lambdalite::storage::memory {

class MemoryCodeStore final : public CodeStore {
 public:
  Result<std::string> Put(const std::string& bytes) override;
  Result<std::string> Get(const std::string& blob_id) override;
  std::string LocalPath(const std::string& blob_id) override;
  Result<std::vector<std::string>> List() override;
  Status Remove(const std::string& blob_id) override;

  // Number of distinct blobs held, for tests.
  size_t size();

 private:
  std::mutex mu_;
  std::map<std::string, std::string> blobs_;
};

}  // namespace lambdalite::storage::memory
