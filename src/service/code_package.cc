#include "service/code_package.h"

#include <zip.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <set>
#include <vector>

namespace lambdalite::service {
namespace {

Error Unzippable() {
  return Error::Make(ErrorCode::kInvalidParameter,
                     "Could not unzip uploaded file. Please check your file, then try to upload "
                     "again.");
}

Error TooLargeUnzipped(int64_t limit) {
  return Error::Make(ErrorCode::kInvalidParameter,
                     "Unzipped size must be smaller than " + std::to_string(limit) + " bytes");
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
  // Declared sizes are untrusted 64-bit values (a zip64 entry may declare 2^64 - 1): add them
  // unsigned and stop at the quota, so neither a huge size nor a sum of them wraps below it.
  uint64_t unzipped = 0;
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    if (zip_stat_index(raw, static_cast<zip_uint64_t>(i), 0, &st) != 0) return Unzippable();
    if ((st.valid & ZIP_STAT_SIZE) == 0) continue;
    if (st.size > static_cast<uint64_t>(kMaxUnzippedBytes) - unzipped) {
      return TooLargeUnzipped(kMaxUnzippedBytes);
    }
    unzipped += st.size;
  }
  summary.unzipped_bytes = static_cast<int64_t>(unzipped);
  return summary;
}

namespace {

namespace fs = std::filesystem;

// Whether `path` (lexically normal, relative) stays inside the directory it is relative to.
bool StaysInside(const fs::path& relative) {
  return !relative.empty() && !relative.is_absolute() && *relative.begin() != "..";
}

// A symbolic link target the kernel resolves to where it lexically points: relative, and with
// ".." only as leading components (what lexically_normal leaves), so no ".." is resolved through
// another link.
bool IsNormalRelativeTarget(const std::string& target) {
  if (target.empty() || target.front() == '/') return false;
  if (target.find('\0') != std::string::npos) return false;
  fs::path normal = fs::path(target).lexically_normal();
  std::string text = normal.string();
  std::string given = target;
  while (given.size() > 1 && given.back() == '/') given.pop_back();
  while (text.size() > 1 && text.back() == '/') text.pop_back();
  return text == given;
}

// Whether a directory on the way from `root` to `relative` is a symbolic link already on disk: the
// executor extracts every layer into one /opt tree, so an earlier layer's link must not carry a
// later layer's entries (or give its links another parent than the one they were checked from).
bool BelowLinkOnDisk(const fs::path& root, const fs::path& relative) {
  fs::path at = root;
  for (const fs::path& part : relative.parent_path()) {
    at /= part;
    std::error_code ec;
    if (fs::is_symlink(fs::symlink_status(at, ec))) return true;
  }
  return false;
}

struct Entry {
  zip_uint64_t index;
  fs::path relative;  // lexically normal, inside the root
  bool directory;
  bool link;
  bool executable;
};

Status ReadEntry(zip_t* archive, zip_uint64_t index, std::vector<char>& buf, int64_t* budget,
                 int64_t limit, const std::function<bool(const char*, size_t)>& sink) {
  zip_file_t* file = zip_fopen_index(archive, index, 0);
  if (file == nullptr) return Unzippable();
  zip_int64_t got;
  while ((got = zip_fread(file, buf.data(), buf.size())) > 0) {
    *budget -= got;
    if (*budget < 0) {
      zip_fclose(file);
      return TooLargeUnzipped(limit);
    }
    if (!sink(buf.data(), static_cast<size_t>(got))) {
      zip_fclose(file);
      return Unzippable();
    }
  }
  zip_fclose(file);
  if (got < 0) return Unzippable();
  return Status::Ok();
}

}  // namespace

Status ExtractZip(const std::string& zip_path, const std::string& dir,
                  const ExtractLimits& limits) {
  int errorp = 0;
  zip_t* raw = zip_open(zip_path.c_str(), ZIP_RDONLY, &errorp);
  if (raw == nullptr) return Unzippable();
  std::unique_ptr<zip_t, ZipCloser> archive(raw);
  std::error_code ec;
  const fs::path root = fs::weakly_canonical(dir, ec);
  if (ec) return Unzippable();
  const zip_int64_t n = zip_get_num_entries(raw, 0);
  if (n < 0) return Unzippable();
  if (n > limits.max_entries) {
    return Error::Make(
        ErrorCode::kInvalidParameter,
        "The package has more than " + std::to_string(limits.max_entries) + " entries");
  }

  // Pass 1: names and kinds, all checked before anything is written.
  std::vector<Entry> entries;
  entries.reserve(static_cast<size_t>(n));
  std::set<fs::path> links;
  for (zip_int64_t i = 0; i < n; ++i) {
    const auto index = static_cast<zip_uint64_t>(i);
    const char* name = zip_get_name(raw, index, 0);
    if (name == nullptr) return Unzippable();
    const std::string sname(name);
    const fs::path relative = (root / sname).lexically_normal().lexically_relative(root);
    // Refuse "../" tricks and absolute names: every entry must stay under the root.
    if (!StaysInside(relative)) return Unzippable();
    Entry entry{index, relative, !sname.empty() && sname.back() == '/', false, false};
    if (relative == ".") {
      if (!entry.directory) return Unzippable();  // a file named like the root itself
      continue;
    }
    zip_uint8_t opsys = 0;
    zip_uint32_t attributes = 0;
    if (zip_file_get_external_attributes(raw, index, 0, &opsys, &attributes) == 0 &&
        opsys == ZIP_OPSYS_UNIX) {
      const zip_uint32_t mode = attributes >> 16;
      entry.link = !entry.directory && (mode & 0170000) == 0120000;
      entry.executable = (mode & 0100) != 0;
    }
    if (entry.link) links.insert(relative);
    entries.push_back(std::move(entry));
  }
  // Nothing may be written below a link of the archive (its directories must be real ones).
  for (const Entry& entry : entries) {
    for (fs::path parent = entry.relative.parent_path(); !parent.empty();
         parent = parent.parent_path()) {
      if (links.count(parent) != 0) return Unzippable();
    }
  }

  // Pass 2: directories and files; links last.
  int64_t budget = limits.max_bytes;
  std::vector<char> buf(1 << 16);
  std::vector<std::pair<fs::path, std::string>> link_targets;
  for (const Entry& entry : entries) {
    const fs::path target = root / entry.relative;
    if (BelowLinkOnDisk(root, entry.relative)) return Unzippable();
    if (entry.directory) {
      fs::create_directories(target, ec);
      if (ec) return Unzippable();
      continue;
    }
    fs::create_directories(target.parent_path(), ec);
    if (ec) return Unzippable();
    if (entry.link) {
      // A symbolic link (zip -y): its content is the link target.
      std::string link_target;
      auto append = [&](const char* data, size_t size) {
        link_target.append(data, size);
        return link_target.size() <= 4096;  // PATH_MAX
      };
      LAMBDALITE_RETURN_IF_ERROR(
          ReadEntry(raw, entry.index, buf, &budget, limits.max_bytes, append));
      if (!IsNormalRelativeTarget(link_target)) return Unzippable();
      const fs::path resolved =
          (target.parent_path() / link_target).lexically_normal().lexically_relative(root);
      if (!StaysInside(resolved)) return Unzippable();
      link_targets.emplace_back(target, std::move(link_target));
      continue;
    }
    // A file replaces a link of the same name (an earlier layer's) rather than writing through it.
    if (fs::is_symlink(fs::symlink_status(target, ec))) fs::remove(target, ec);
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    if (!out) return Unzippable();
    auto write = [&](const char* data, size_t size) {
      out.write(data, static_cast<std::streamsize>(size));
      return static_cast<bool>(out);
    };
    LAMBDALITE_RETURN_IF_ERROR(ReadEntry(raw, entry.index, buf, &budget, limits.max_bytes, write));
    out.close();
    if (!out) return Unzippable();
    // Keep the executable bit (a custom runtime's bootstrap needs it).
    if (entry.executable) {
      fs::permissions(target,
                      fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                          fs::perms::others_read | fs::perms::others_exec,
                      ec);
      if (ec) return Unzippable();
    }
  }
  for (const auto& [path, link_target] : link_targets) {
    fs::remove(path, ec);  // a file entry of the same name; a non-empty directory stays and fails
    fs::create_symlink(link_target, path, ec);
    if (ec) return Unzippable();
  }
  return Status::Ok();
}

}  // namespace lambdalite::service
