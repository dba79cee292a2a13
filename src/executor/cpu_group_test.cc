#include "executor/cpu_group.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/file.h"
#include "common/temp_dir_testing.h"

namespace lambdalite::executor {
namespace {

namespace fs = std::filesystem;
using testing_support::TempDir;

// A fake cgroup root (plain directories: writing cgroup.procs just creates a file) and fake
// /proc files, so the decisions can be checked without moving the test process anywhere.
class CpuGroupTest : public ::testing::Test {
 protected:
  CpuGroupTest() {
    paths_.cgroup_root = dir_.File("cgroup");
    paths_.self_cgroup = dir_.File("self_cgroup");
    paths_.autogroup_switch = dir_.File("autogroup");
    fs::create_directories(paths_.cgroup_root + "/cpu,cpuacct");
    fs::create_symlink("cpu,cpuacct", paths_.cgroup_root + "/cpu");
    Write(paths_.autogroup_switch, "1\n");
  }

  // What the kernel shows in a cgroup directory it has created: the group's cgroup.procs.
  static void MakeGroup(const std::string& dir) {
    fs::create_directories(dir);
    Write(dir + "/cgroup.procs", "");
  }
  static void Write(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
  }

  TempDir dir_;
  CpuGroupPaths paths_;
};

TEST_F(CpuGroupTest, ServerInTheRootCpuCgroupJoinsTheSharedGroup) {
  Write(paths_.self_cgroup, "4:memory:/some/where\n2:cpu,cpuacct:/\n1:name=systemd:/\n");
  MakeGroup(paths_.cgroup_root + "/cpu/lambdalite");
  auto joined = JoinSharedCpuGroup("lambdalite", paths_);
  ASSERT_TRUE(joined.ok()) << joined.error().message;
  EXPECT_EQ(*joined, paths_.cgroup_root + "/cpu/lambdalite");
  EXPECT_EQ(ReadFileOrEmpty(*joined + "/cgroup.procs"), std::to_string(getpid()));
  // Joining again (a restarted server) reuses the group.
  EXPECT_TRUE(JoinSharedCpuGroup("lambdalite", paths_).ok());
}

TEST_F(CpuGroupTest, FindsTheHierarchyByItsControllerList) {
  fs::remove(paths_.cgroup_root + "/cpu");
  Write(paths_.self_cgroup, "2:cpu,cpuacct:/\n");
  MakeGroup(paths_.cgroup_root + "/cpu,cpuacct/lambdalite");
  auto joined = JoinSharedCpuGroup("lambdalite", paths_);
  ASSERT_TRUE(joined.ok()) << joined.error().message;
  EXPECT_EQ(*joined, paths_.cgroup_root + "/cpu,cpuacct/lambdalite");
}

TEST_F(CpuGroupTest, LeavesAServerAlreadyInACpuCgroupAlone) {
  Write(paths_.self_cgroup, "2:cpu,cpuacct:/system.slice/lambdalite.service\n");
  auto joined = JoinSharedCpuGroup("lambdalite", paths_);
  ASSERT_TRUE(joined.ok());
  EXPECT_EQ(*joined, "");
  EXPECT_FALSE(fs::exists(paths_.cgroup_root + "/cpu/lambdalite"));
}

TEST_F(CpuGroupTest, NothingToDoWithoutAutogroups) {
  Write(paths_.self_cgroup, "2:cpu,cpuacct:/\n");
  Write(paths_.autogroup_switch, "0\n");
  auto joined = JoinSharedCpuGroup("lambdalite", paths_);
  ASSERT_TRUE(joined.ok());
  EXPECT_EQ(*joined, "");
  fs::remove(paths_.autogroup_switch);  // a kernel without the feature
  joined = JoinSharedCpuGroup("lambdalite", paths_);
  ASSERT_TRUE(joined.ok());
  EXPECT_EQ(*joined, "");
  EXPECT_FALSE(fs::exists(paths_.cgroup_root + "/cpu/lambdalite"));
}

TEST_F(CpuGroupTest, LeavesCgroupV2Alone) {
  Write(paths_.self_cgroup, "0::/\n");
  auto joined = JoinSharedCpuGroup("lambdalite", paths_);
  ASSERT_TRUE(joined.ok());
  EXPECT_EQ(*joined, "");
}

TEST_F(CpuGroupTest, ReportsAHierarchyItCannotUse) {
  fs::remove(paths_.cgroup_root + "/cpu");
  fs::remove(paths_.cgroup_root + "/cpu,cpuacct");
  Write(paths_.self_cgroup, "2:cpu,cpuacct:/\n");
  auto joined = JoinSharedCpuGroup("lambdalite", paths_);
  ASSERT_FALSE(joined.ok());
  EXPECT_EQ(joined.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace lambdalite::executor
