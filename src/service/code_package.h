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

// Bounds on what one extraction may write, whatever the archive's headers declare (a zip bomb
// declares small sizes, or overlapping entries, and inflates to far more).
struct ExtractLimits {
  int64_t max_bytes = kMaxUnzippedBytes;  // total bytes of the files written
  int64_t max_entries = 200'000;          // entries of the archive (files, directories, links)
};

// Extracts the archive below `dir` (which must exist) for the executor's /var/task: regular
// files (keeping the owner's executable bit), directories, and symbolic links. Refuses the whole
// archive (kInvalidParameter "Could not unzip uploaded file. ...") when
//  - an entry's name would land outside `dir` ("../" segments, an absolute path) or is `dir`
//    itself;
//  - a symbolic link's target is absolute, or is not in normal form (a ".." after another
//    component: the kernel resolves "link/.." through the link, not lexically), or climbs out of
//    `dir` from the link's own directory;
//  - an entry lies below a symbolic link of the archive, or below one already in `dir` (the
//    executor extracts every layer into one /opt tree), since it would be written through it;
//  - more than `limits.max_entries` entries, or more than `limits.max_bytes` bytes of content
//    (kInvalidParameter "Unzipped size must be smaller than ... bytes", counted while inflating);
//  - the archive or an entry is corrupt, or a file cannot be written.
// Links are created after every file, so nothing is ever written through one; a file replaces a
// link of the same name already in `dir`. On failure, part of
// the archive may already be below `dir`: the caller discards it. Never throws.
Status ExtractZip(const std::string& zip_path, const std::string& dir,
                  const ExtractLimits& limits = {});

}  // namespace lambdalite::service
