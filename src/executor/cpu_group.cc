#include "executor/cpu_group.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "common/file.h"
namespace lambdalite::executor {

namespace {

bool IsDirectory(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The v1 line of /proc/self/cgroup for the cpu controller ("4:cpu,cpuacct:/path"): its
// controller list and path; false when there is none (cgroup v2 only, or no cpu controller).
bool FindCpuCgroup(const std::string& self_cgroup, std::string* controllers, std::string* path) {
  std::istringstream in(self_cgroup);
  std::string line;
  while (std::getline(in, line)) {
    const size_t first = line.find(':');
    const size_t second = first == std::string::npos ? first : line.find(':', first + 1);
    if (second == std::string::npos) continue;
    const std::string list = line.substr(first + 1, second - first - 1);
    std::istringstream names(list);
    std::string name;
    while (std::getline(names, name, ',')) {
      if (name == "cpu") {
        *controllers = list;
        *path = line.substr(second + 1);
        return true;
      }
    }
  }
  return false;
}

}  // namespace

Result<std::string> JoinSharedCpuGroup(const std::string& group_name, const CpuGroupPaths& paths) {
  const std::string autogroup = ReadFileOrEmpty(paths.autogroup_switch);
  if (autogroup.empty() || autogroup[0] == '0') return std::string();
  std::string controllers, current;
  if (!FindCpuCgroup(ReadFileOrEmpty(paths.self_cgroup), &controllers, &current))
    return std::string();
  if (current != "/") return std::string();  // already grouped: no autogroups here

  // "cpu" is usually a link to "cpu,cpuacct"; either names the hierarchy.
  std::string hierarchy = paths.cgroup_root + "/cpu";
  if (!IsDirectory(hierarchy)) hierarchy = paths.cgroup_root + "/" + controllers;
  if (!IsDirectory(hierarchy)) {
    return Error::Make(ErrorCode::kUnavailable,
                       "the cpu cgroup hierarchy is not mounted at " + paths.cgroup_root + "/cpu");
  }
  const std::string dir = hierarchy + "/" + group_name;
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return Error::Make(ErrorCode::kUnavailable,
                       "cannot create " + dir + ": " + std::string(std::strerror(errno)));
  }
  // A v1 cgroup.procs takes a whole thread group: every thread of the server moves.
  const std::string procs = dir + "/cgroup.procs";
  const std::string pid = std::to_string(getpid());
  const int fd = open(procs.c_str(), O_WRONLY | O_CLOEXEC);
  const bool written =
      fd >= 0 && write(fd, pid.data(), pid.size()) == static_cast<ssize_t>(pid.size());
  const int err = errno;
  if (fd >= 0) close(fd);
  if (!written) {
    return Error::Make(ErrorCode::kUnavailable,
                       "cannot join " + dir + ": " + std::string(std::strerror(err)));
  }
  return dir;
}

}  // namespace lambdalite::executor
