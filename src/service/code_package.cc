#include "service/code_package.h"

#include <zip.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

namespace lambdalite::service {
namespace {

Error Unzippable() {
  return Error::Make(ErrorCode::kInvalidParameter,
                     "Could not unzip uploaded file. Please check your file, then try to upload "
                     "again.");
}

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};

}  // namespace

Result<ZipSummary> InspectZip(const std::string& bytes) {
  if (static_cast<int64_t>(bytes.size()) > kMaxZippedBytes) {
    return Error::Make(ErrorCode::kRequestTooLarge, "Zipped size must be smaller than " +
                                                        std::to_string(kMaxZippedBytes) + " bytes");
  }
  if (bytes.empty()) return Unzippable();
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &err);
  if (src == nullptr) return Unzippable();
  zip_t* raw = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &err);
  if (raw == nullptr) {
    zip_source_free(src);
    zip_error_fini(&err);
    return Unzippable();
  }
  std::unique_ptr<zip_t, ZipCloser> archive(raw);
  ZipSummary summary;
  zip_int64_t n = zip_get_num_entries(raw, 0);
  if (n < 0) return Unzippable();
  summary.entries = n;
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    if (zip_stat_index(raw, static_cast<zip_uint64_t>(i), 0, &st) != 0) return Unzippable();
    if (st.valid & ZIP_STAT_SIZE) summary.unzipped_bytes += static_cast<int64_t>(st.size);
  }
  if (summary.unzipped_bytes > kMaxUnzippedBytes) {
    return Error::Make(
        ErrorCode::kInvalidParameter,
        "Unzipped size must be smaller than " + std::to_string(kMaxUnzippedBytes) + " bytes");
  }
  return summary;
}

Status ExtractZip(const std::string& zip_path, const std::string& dir) {
  namespace fs = std::filesystem;
  int errorp = 0;
  zip_t* raw = zip_open(zip_path.c_str(), ZIP_RDONLY, &errorp);
  if (raw == nullptr) return Unzippable();
  std::unique_ptr<zip_t, ZipCloser> archive(raw);
  const fs::path root = fs::weakly_canonical(dir);
  zip_int64_t n = zip_get_num_entries(raw, 0);
  std::vector<char> buf(1 << 16);
  std::vector<std::pair<fs::path, std::string>> links;
  for (zip_int64_t i = 0; i < n; ++i) {
    const char* name = zip_get_name(raw, static_cast<zip_uint64_t>(i), 0);
    if (name == nullptr) return Unzippable();
    fs::path target = (root / name).lexically_normal();
    // Refuse "../" tricks: every entry must stay under the root.
    auto rel = target.lexically_relative(root);
    if (rel.empty() || *rel.begin() == "..") return Unzippable();
    std::string sname(name);
    if (!sname.empty() && sname.back() == '/') {
      fs::create_directories(target);
      continue;
    }
    fs::create_directories(target.parent_path());
    zip_uint8_t link_os = 0;
    zip_uint32_t link_attr = 0;
    if (zip_file_get_external_attributes(raw, static_cast<zip_uint64_t>(i), 0, &link_os,
                                         &link_attr) == 0 &&
        link_os == ZIP_OPSYS_UNIX && ((link_attr >> 16) & 0170000) == 0120000) {
      // A symbolic link (zip -y): its content is the link target. Links are created only after
      // every regular file is written, so no later entry can be written through one and land
      // outside `dir` (extraction runs with the server's privileges).
      zip_file_t* lf = zip_fopen_index(raw, static_cast<zip_uint64_t>(i), 0);
      if (lf == nullptr) return Unzippable();
      std::string link_target;
      zip_int64_t n_read;
      while ((n_read = zip_fread(lf, buf.data(), buf.size())) > 0) {
        link_target.append(buf.data(), static_cast<size_t>(n_read));
      }
      zip_fclose(lf);
      if (n_read < 0 || link_target.empty()) return Unzippable();
      links.emplace_back(target, link_target);
      continue;
    }
    zip_file_t* zf = zip_fopen_index(raw, static_cast<zip_uint64_t>(i), 0);
    if (zf == nullptr) return Unzippable();
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    zip_int64_t got;
    while ((got = zip_fread(zf, buf.data(), buf.size())) > 0) {
      out.write(buf.data(), got);
    }
    zip_fclose(zf);
    if (got < 0 || !out) return Unzippable();
    // Keep the executable bit (a custom runtime's bootstrap needs it).
    zip_uint8_t opsys = 0;
    zip_uint32_t attributes = 0;
    if (zip_file_get_external_attributes(raw, static_cast<zip_uint64_t>(i), 0, &opsys,
                                         &attributes) == 0 &&
        opsys == ZIP_OPSYS_UNIX) {
      auto mode = static_cast<fs::perms>((attributes >> 16) & 0777);
      if ((mode & fs::perms::owner_exec) != fs::perms::none) {
        fs::permissions(target, fs::perms::owner_all | fs::perms::group_read |
                                    fs::perms::group_exec | fs::perms::others_read |
                                    fs::perms::others_exec);
      }
    }
  }
  for (const auto& [path, link_target] : links) {
    std::error_code ec;
    fs::remove(path, ec);
    fs::create_symlink(link_target, path, ec);
    if (ec) return Unzippable();
  }
  return Status::Ok();
}

}  // namespace lambdalite::service
