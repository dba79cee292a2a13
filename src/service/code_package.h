#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"

namespace lambdalite::service {

// AWS Lambda deployment package quotas (documented limits).
inline constexpr int64_t kMaxZippedBytes = 52'428'800;     // direct upload, 50 MB
inline constexpr int64_t kMaxUnzippedBytes = 262'144'000;  // 250 MB

struct ZipSummary {
  int64_t entries = 0;
  int64_t unzipped_bytes = 0;
};

// Checks that `bytes` is a readable zip archive within AWS's size quotas, without extracting it.
// Errors use AWS's wording: kInvalidParameter "Could not unzip uploaded file. ..." for a corrupt
// archive, kRequestTooLarge for the zipped limit, kInvalidParameter for the unzipped limit.
Result<ZipSummary> InspectZip(const std::string& bytes);

// Extracts every regular file of the archive below `dir` (which must exist), refusing entries
// that would escape it. Used by the executor to lay out /var/task.
Status ExtractZip(const std::string& zip_path, const std::string& dir);

}  // namespace lambdalite::service
