// Zip archives built in memory with libzip, for unit tests of code that takes a function or
// layer package. Test-only: link the test with libzip.
#pragma once

#include <zip.h>

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace lambdalite::testing {

// A zip holding `files` (path, content) in the given order; every entry is a regular file.
inline std::string MakeZipOf(const std::vector<std::pair<std::string, std::string>>& files) {
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* src = zip_source_buffer_create(nullptr, 0, 0, &err);
  zip_source_keep(src);
  zip_t* z = zip_open_from_source(src, ZIP_TRUNCATE, &err);
  for (const auto& [path, content] : files) {
    // zip_close reads the buffers, so they must outlive it: `files` does.
    zip_source_t* file = zip_source_buffer(z, content.data(), content.size(), 0);
    zip_file_add(z, path.c_str(), file, ZIP_FL_OVERWRITE);
  }
  zip_close(z);
  zip_source_open(src);
  zip_source_seek(src, 0, SEEK_END);
  zip_int64_t size = zip_source_tell(src);
  zip_source_seek(src, 0, SEEK_SET);
  std::string out(static_cast<size_t>(size), '\0');
  zip_source_read(src, out.data(), static_cast<zip_uint64_t>(size));
  zip_source_close(src);
  zip_source_free(src);
  return out;
}

// A minimal valid function package: index.py holding `content`.
inline std::string MakeZip(const std::string& content = "def handler(e, c): return e") {
  return MakeZipOf({{"index.py", content}});
}

}  // namespace lambdalite::testing
