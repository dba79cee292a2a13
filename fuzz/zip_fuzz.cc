// Fuzzes the deployment-package code (service/code_package.h): InspectZip on the uploaded bytes,
// then ExtractZip of the same bytes (whatever InspectZip said, so the extraction's own defences
// are tested) into a fresh directory, with small limits so that bombs are cheap to detect.
// After every extraction, successful or not:
//  - nothing was created beside the extraction directory (no "../" escape);
//  - every symbolic link below it is relative and resolves inside it;
//  - the files hold no more than the byte limit.
//
// Input: a zip archive (see fuzz/gen_corpus.py for the seeds: zip-slip names, absolute names,
// links out and in, a small bomb, executables, nested directories). Input that holds the marker
// "LAYER2" is two archives extracted one after the other into the same directory, as the executor
// lays out layers in /opt.

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

#include "service/code_package.h"

namespace {

namespace fs = std::filesystem;
using namespace lambdalite;

constexpr int64_t kMaxBytes = 1 << 20;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "zip_fuzz: %s\n", what);
    std::abort();
  }
}

struct Dirs {
  fs::path base;  // holds only `zip` and `root`
  fs::path zip;
  fs::path root;
};

const Dirs& WorkDirs() {
  static const Dirs dirs = [] {
    const fs::path base =
        fs::temp_directory_path() / ("lambdalite-zip-fuzz-" + std::to_string(getpid()));
    fs::remove_all(base);
    fs::create_directories(base);
    std::atexit([] { fs::remove_all(WorkDirs().base); });
    return Dirs{base, base / "package.zip", base / "root"};
  }();
  return dirs;
}

void CheckTree(const Dirs& dirs) {
  for (const auto& entry : fs::directory_iterator(dirs.base)) {
    Check(entry.path() == dirs.zip || entry.path() == dirs.root,
          "an entry was written outside the extraction directory");
  }
  std::error_code ec;
  int64_t bytes = 0;
  for (auto it = fs::recursive_directory_iterator(dirs.root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::file_status status = it->symlink_status();
    if (fs::is_symlink(status)) {
      const fs::path target = fs::read_symlink(it->path());
      Check(target.is_relative(), "absolute symbolic link extracted");
      const fs::path resolved =
          (it->path().parent_path() / target).lexically_normal().lexically_relative(dirs.root);
      Check(!resolved.empty() && *resolved.begin() != "..", "symbolic link out of the root");
      // The kernel's resolution must agree with the lexical one.
      const fs::path real = fs::weakly_canonical(it->path(), ec);
      if (!ec) {
        const fs::path rel = real.lexically_relative(fs::weakly_canonical(dirs.root));
        Check(!rel.empty() && *rel.begin() != "..", "symbolic link resolves out of the root");
      }
      ec.clear();
    } else if (fs::is_regular_file(status)) {
      bytes += static_cast<int64_t>(it->file_size());
    }
  }
  Check(bytes <= kMaxBytes, "extracted more than the byte limit");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Dirs& dirs = WorkDirs();
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  auto summary = service::InspectZip(bytes);
  if (summary.ok()) {
    Check(summary->entries >= 0 && summary->unzipped_bytes >= 0, "negative summary");
    Check(summary->unzipped_bytes <= service::kMaxUnzippedBytes, "summary over the quota");
  }

  std::error_code ec;
  fs::remove_all(dirs.root, ec);
  fs::create_directories(dirs.root);
  service::ExtractLimits limits;
  limits.max_bytes = kMaxBytes / 2;  // two layers: kMaxBytes in all
  limits.max_entries = 1000;
  constexpr std::string_view kMarker = "LAYER2";
  const size_t split = std::string_view(bytes).find(kMarker);
  const std::string first = bytes.substr(0, split);
  const std::string second =
      split == std::string::npos ? std::string() : bytes.substr(split + kMarker.size());
  for (const std::string* part : {&first, &second}) {
    if (part == &second && split == std::string::npos) break;
    {
      std::ofstream out(dirs.zip, std::ios::binary | std::ios::trunc);
      out.write(part->data(), static_cast<std::streamsize>(part->size()));
    }
    (void)service::ExtractZip(dirs.zip.string(), dirs.root.string(), limits);
  }
  CheckTree(dirs);
  fs::remove_all(dirs.root, ec);
  return 0;
}
