// Zip archives built in memory with libzip, for unit tests of code that takes a function or
// layer package. Test-only: link the test with libzip.
#pragma once

#include <zip.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace lambdalite::testing {

struct ZipEntry {
  std::string name;
  std::string content;  // a link's target for a link
  // Unix mode (S_IFREG/S_IFDIR/S_IFLNK | permissions) stored as the entry's external attributes,
  // as `zip -y` does; 0 stores none (what most Windows tools write).
  uint32_t mode = 0;
};

// A zip holding `entries` in the given order.
inline std::string MakeUnixZip(const std::vector<ZipEntry>& entries) {
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* src = zip_source_buffer_create(nullptr, 0, 0, &err);
  zip_source_keep(src);
  zip_t* z = zip_open_from_source(src, ZIP_TRUNCATE, &err);
  for (const ZipEntry& e : entries) {
    zip_int64_t index;
    if ((e.mode & 0170000) == 040000) {
      index = zip_dir_add(z, e.name.c_str(), 0);
    } else {
      // zip_close reads the buffers, so they must outlive it: `entries` does.
      zip_source_t* file = zip_source_buffer(z, e.content.data(), e.content.size(), 0);
      index = zip_file_add(z, e.name.c_str(), file, ZIP_FL_OVERWRITE);
    }
    if (e.mode != 0) {
      zip_file_set_external_attributes(z, static_cast<zip_uint64_t>(index), 0, ZIP_OPSYS_UNIX,
                                       e.mode << 16);
    }
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

// A zip holding `files` (path, content) in the given order; every entry is a regular file.
inline std::string MakeZipOf(const std::vector<std::pair<std::string, std::string>>& files) {
  std::vector<ZipEntry> entries;
  for (const auto& [path, content] : files) entries.push_back({path, content, 0});
  return MakeUnixZip(entries);
}

// A minimal valid function package: index.py holding `content`.
inline std::string MakeZip(const std::string& content = "def handler(e, c): return e") {
  return MakeZipOf({{"index.py", content}});
}

}  // namespace lambdalite::testing
