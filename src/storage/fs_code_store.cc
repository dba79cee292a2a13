#include "storage/fs_code_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <system_error>

#include "common/crypto.h"

namespace lambdalite::storage {
namespace {

// Temporary files are named "<id>.zip<kTempMarker><random>", so Open can tell them from blobs.
constexpr std::string_view kTempMarker = ".tmp-";
// A temporary file untouched for this long belongs to no running Put.
constexpr std::chrono::minutes kStaleTempAge{10};

Error IoError(int err, const std::string& what) {
  ErrorCode code = ErrorCode::kInternal;
  switch (err) {
    case ENOSPC:
    case EDQUOT:
    case EIO:
    case EAGAIN:
    case EINTR:
    case EMFILE:
    case ENFILE:
    case ENOMEM:
      code = ErrorCode::kUnavailable;
      break;
    default:
      break;
  }
  return Error::Make(code, "code store: " + what + ": " + std::strerror(err));
}

// Owns a file descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now, reporting the error: on some file systems close is where a write error shows.
  int Close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

Status FsyncDirectory(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return IoError(errno, "open directory " + dir);
  if (::fsync(fd.get()) != 0) return IoError(errno, "fsync directory " + dir);
  return Status::Ok();
}

// Creates `dir` (its parent must exist) and, if it was created, fsyncs the parent so the new
// entry is durable.
Status MakeDirectory(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0755) == 0) {
    return FsyncDirectory(std::filesystem::path(dir).parent_path().string());
  }
  if (errno == EEXIST) return Status::Ok();
  return IoError(errno, "create directory " + dir);
}

Status WriteAll(int fd, const std::string& bytes, const std::string& path) {
  size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError(errno, "write " + path);
    }
    written += static_cast<size_t>(n);
  }
  return Status::Ok();
}

}  // namespace

bool IsValidBlobId(const std::string& blob_id) {
  if (blob_id.size() != 64) return false;
  for (char c : blob_id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Result<std::unique_ptr<FsCodeStore>> FsCodeStore::Open(const std::string& data_dir) {
  if (data_dir.empty()) {
    return Error::Make(ErrorCode::kInternal, "code store: empty data directory");
  }
  std::error_code ec;
  std::filesystem::path data = std::filesystem::absolute(data_dir, ec);
  if (ec) return IoError(ec.value(), "resolve " + data_dir);
  // The data directory's ancestors are the operator's; only what this store creates is fsynced.
  if (!std::filesystem::exists(data, ec)) {
    std::filesystem::create_directories(data.parent_path(), ec);
    if (ec) return IoError(ec.value(), "create directory " + data.parent_path().string());
    LAMBDALITE_RETURN_IF_ERROR(MakeDirectory(data.string()));
  }
  std::string root = (data / "code").string();
  LAMBDALITE_RETURN_IF_ERROR(MakeDirectory(root));

  // Remove temporary files a crash left behind. Blobs are renamed into place only when complete,
  // so a temporary file is never the sole copy of anything. Recent ones are spared: they may
  // belong to a Put still running in another store object over the same directory.
  namespace fs = std::filesystem;
  const fs::file_time_type cutoff = fs::file_time_type::clock::now() - kStaleTempAge;
  const fs::directory_iterator end;
  for (fs::directory_iterator shard(root, ec); !ec && shard != end; shard.increment(ec)) {
    if (!shard->is_directory(ec)) continue;
    for (fs::directory_iterator file(shard->path(), ec); !ec && file != end; file.increment(ec)) {
      if (file->path().filename().string().find(kTempMarker) == std::string::npos) continue;
      std::error_code ignored;  // a file that vanished or cannot be removed is not fatal
      if (fs::last_write_time(file->path(), ignored) < cutoff) fs::remove(file->path(), ignored);
    }
  }
  if (ec) return IoError(ec.value(), "scan " + root);
  return std::unique_ptr<FsCodeStore>(new FsCodeStore(std::move(root)));
}

std::string FsCodeStore::ShardDir(const std::string& blob_id) const {
  return root_ + "/" + blob_id.substr(0, 2);
}

std::string FsCodeStore::BlobPath(const std::string& blob_id) const {
  return ShardDir(blob_id) + "/" + blob_id + ".zip";
}

Result<std::string> FsCodeStore::Put(const std::string& bytes) {
  const std::string id = HexEncode(Sha256(bytes));
  const std::string shard = ShardDir(id);
  const std::string path = BlobPath(id);

  // The shard directory may have been created by a concurrent Put that has not fsynced its
  // parent yet, and a blob found in place may still await its directory fsync; syncing both
  // directories on every Put (even one that writes nothing) makes "durable when Put returns"
  // hold without tracking who created what.
  LAMBDALITE_RETURN_IF_ERROR(MakeDirectory(shard));
  LAMBDALITE_RETURN_IF_ERROR(FsyncDirectory(root_));

  struct stat existing {};
  if (::stat(path.c_str(), &existing) == 0 && S_ISREG(existing.st_mode) &&
      static_cast<uint64_t>(existing.st_size) == bytes.size()) {
    LAMBDALITE_RETURN_IF_ERROR(FsyncDirectory(shard));
    return id;
  }

  const std::string temp = path + std::string(kTempMarker) + HexEncode(RandomBytes(8));
  Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (fd.get() < 0) return IoError(errno, "create " + temp);
  auto fail = [&](Error error) -> Result<std::string> {
    ::unlink(temp.c_str());
    return error;
  };
  Status written = WriteAll(fd.get(), bytes, temp);
  if (!written.ok()) return fail(std::move(written).error());
  // The contents must be durable before the name points at them, or a crash could leave a
  // complete-looking name over missing data.
  if (::fsync(fd.get()) != 0) return fail(IoError(errno, "fsync " + temp));
  if (fd.Close() != 0) return fail(IoError(errno, "close " + temp));
  if (::rename(temp.c_str(), path.c_str()) != 0) return fail(IoError(errno, "rename " + temp));
  LAMBDALITE_RETURN_IF_ERROR(FsyncDirectory(shard));
  return id;
}

Result<std::string> FsCodeStore::Get(const std::string& blob_id) {
  if (!IsValidBlobId(blob_id)) {
    return Error::Make(ErrorCode::kNotFound, "code blob " + blob_id + " not found");
  }
  const std::string path = BlobPath(blob_id);
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) {
      return Error::Make(ErrorCode::kNotFound, "code blob " + blob_id + " not found");
    }
    return IoError(errno, "open " + path);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return IoError(errno, "stat " + path);
  // Blobs are immutable once renamed into place, so the size from fstat is the size to read.
  std::string out;
  out.resize(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::read(fd.get(), out.data() + got, out.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError(errno, "read " + path);
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  out.resize(got);
  return out;
}

std::string FsCodeStore::LocalPath(const std::string& blob_id) {
  if (!IsValidBlobId(blob_id)) return {};
  std::string path = BlobPath(blob_id);
  {
    std::shared_lock lock(present_mu_);
    if (present_.count(blob_id) != 0) return path;
  }
  // Looked at under the exclusive lock so a concurrent Remove cannot leave a removed blob
  // remembered as present.
  std::unique_lock lock(present_mu_);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return {};
  present_.insert(blob_id);
  return path;
}

Result<std::vector<std::string>> FsCodeStore::List() {
  namespace fs = std::filesystem;
  std::vector<std::string> ids;
  std::error_code ec;
  const fs::directory_iterator end;
  for (fs::directory_iterator shard(root_, ec); !ec && shard != end; shard.increment(ec)) {
    std::error_code entry_ec;
    if (!shard->is_directory(entry_ec)) continue;
    for (fs::directory_iterator file(shard->path(), entry_ec); !entry_ec && file != end;
         file.increment(entry_ec)) {
      const std::string name = file->path().filename().string();
      if (name.size() != 64 + 4 || !name.ends_with(".zip")) continue;
      std::string id = name.substr(0, 64);
      if (IsValidBlobId(id) && id.compare(0, 2, shard->path().filename().string()) == 0) {
        ids.push_back(std::move(id));
      }
    }
    if (entry_ec) return IoError(entry_ec.value(), "scan " + shard->path().string());
  }
  if (ec) return IoError(ec.value(), "scan " + root_);
  return ids;
}

Status FsCodeStore::Remove(const std::string& blob_id) {
  if (!IsValidBlobId(blob_id)) return Status::Ok();
  const std::string path = BlobPath(blob_id);
  std::unique_lock lock(present_mu_);  // see LocalPath
  present_.erase(blob_id);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return IoError(errno, "remove " + path);
  return Status::Ok();
}

}  // namespace lambdalite::storage
