#include "service/code_package.h"

#include <gtest/gtest.h>
#include <zip.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/temp_dir_testing.h"
#include "service/zip_testing.h"

namespace lambdalite::service {
namespace {

namespace fs = std::filesystem;

constexpr uint32_t kFile = 0100644;
constexpr uint32_t kExec = 0100755;
constexpr uint32_t kLink = 0120777;
constexpr uint32_t kDir = 040755;

using lambdalite::testing::MakeUnixZip;
using ZipEntry = lambdalite::testing::ZipEntry;

void Put16(std::string& out, uint16_t v) {
  for (int i = 0; i < 2; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}
void Put32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}
void Put64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

// Stored, empty entries whose headers declare `sizes` (zip64 extra fields), as fuzz/gen_corpus.py
// makes the zip64_huge seed: the declared size of an archive is only a claim.
std::string ZipDeclaring(const std::vector<uint64_t>& sizes) {
  std::string local_part, central;
  for (size_t i = 0; i < sizes.size(); ++i) {
    const std::string name = "big" + std::to_string(i);
    std::string extra;
    Put16(extra, 1);
    Put16(extra, 16);
    Put64(extra, sizes[i]);
    Put64(extra, 0);
    const auto offset = static_cast<uint32_t>(local_part.size());
    Put32(local_part, 0x04034b50);
    Put16(local_part, 45);
    Put16(local_part, 0);
    Put16(local_part, 0);  // stored
    Put16(local_part, 0);
    Put16(local_part, 0x21);
    Put32(local_part, 0);  // crc32 of ""
    Put32(local_part, 0xffffffff);
    Put32(local_part, 0xffffffff);
    Put16(local_part, static_cast<uint16_t>(name.size()));
    Put16(local_part, static_cast<uint16_t>(extra.size()));
    local_part += name + extra;
    Put32(central, 0x02014b50);
    Put16(central, (3 << 8) | 45);
    Put16(central, 45);
    Put16(central, 0);
    Put16(central, 0);
    Put16(central, 0);
    Put16(central, 0x21);
    Put32(central, 0);
    Put32(central, 0xffffffff);
    Put32(central, 0xffffffff);
    Put16(central, static_cast<uint16_t>(name.size()));
    Put16(central, static_cast<uint16_t>(extra.size()));
    Put16(central, 0);
    Put16(central, 0);
    Put16(central, 0);
    Put32(central, kFile << 16);
    Put32(central, offset);
    central += name + extra;
  }
  std::string out = local_part + central;
  Put32(out, 0x06054b50);
  Put16(out, 0);
  Put16(out, 0);
  Put16(out, static_cast<uint16_t>(sizes.size()));
  Put16(out, static_cast<uint16_t>(sizes.size()));
  Put32(out, static_cast<uint32_t>(central.size()));
  Put32(out, static_cast<uint32_t>(local_part.size()));
  Put16(out, 0);
  return out;
}

const char kUnzippable[] =
    "Could not unzip uploaded file. Please check your file, then try to upload again.";

// Extracts `zip` into <tmp>/root and reports what ExtractZip said; <tmp> holds nothing else
// afterwards unless an entry escaped.
class ExtractZipTest : public ::testing::Test {
 protected:
  Status Extract(const std::string& zip, const ExtractLimits& limits = {}) {
    {
      std::ofstream out(zip_path_, std::ios::binary);
      out << zip;
    }
    fs::remove_all(root_);
    fs::create_directories(root_);
    Status status = ExtractZip(zip_path_, root_, limits);
    fs::remove(zip_path_);
    return status;
  }
  // Nothing beside root/ (an entry that climbed one level would be here).
  std::vector<std::string> Escaped() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_.path())) {
      if (e.path() != fs::path(root_)) out.push_back(e.path().filename().string());
    }
    return out;
  }

  testing_support::TempDir dir_{"code_package_"};
  const std::string root_ = dir_.File("root");
  const std::string zip_path_ = dir_.File("package.zip");
};

TEST_F(ExtractZipTest, ExtractsFilesDirectoriesExecutablesAndLinksInside) {
  Status s = Extract(MakeUnixZip({{"bin/", "", kDir},
                                  {"bin/bootstrap", "#!/bin/sh\n", kExec},
                                  {"lib/a/b.txt", "b", kFile},
                                  {"lib/link.txt", "a/b.txt", kLink},
                                  {"lib/a/up.txt", "../link.txt", kLink}}));
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_TRUE((fs::status(root_ + "/bin/bootstrap").permissions() & fs::perms::owner_exec) !=
              fs::perms::none);
  EXPECT_TRUE((fs::status(root_ + "/lib/a/b.txt").permissions() & fs::perms::owner_exec) ==
              fs::perms::none);
  EXPECT_EQ(fs::read_symlink(root_ + "/lib/link.txt"), "a/b.txt");
  std::ifstream in(root_ + "/lib/a/up.txt");
  std::string text;
  in >> text;
  EXPECT_EQ(text, "b");
}

TEST_F(ExtractZipTest, RefusesNamesClimbingOut) {
  for (const char* name : {"../escape.txt", "a/../../escape.txt", "./../escape.txt"}) {
    Status s = Extract(testing::MakeZipOf({{name, "x"}}));
    ASSERT_FALSE(s.ok()) << name;
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidParameter);
    EXPECT_EQ(s.error().message, kUnzippable);
    EXPECT_TRUE(Escaped().empty()) << name;
  }
}

TEST_F(ExtractZipTest, RefusesAbsoluteNames) {
  const std::string outside = dir_.File("absolute.txt");
  Status s = Extract(testing::MakeZipOf({{outside, "x"}}));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, kUnzippable);
  EXPECT_FALSE(fs::exists(outside));
}

TEST_F(ExtractZipTest, RefusesAFileNamedLikeTheRoot) {
  EXPECT_FALSE(Extract(testing::MakeZipOf({{".", "x"}})).ok());
  EXPECT_TRUE(Extract(MakeUnixZip({{"./", "", kDir}, {"a.txt", "a", kFile}})).ok());
}

TEST_F(ExtractZipTest, RefusesLinksPointingOutside) {
  for (const char* target : {"/etc/passwd", "/", "../../x", "../../../etc/passwd", "sub/../../x"}) {
    Status s = Extract(MakeUnixZip({{"sub/link", target, kLink}}));
    ASSERT_FALSE(s.ok()) << target;
    EXPECT_EQ(s.error().message, kUnzippable) << target;
    EXPECT_FALSE(fs::exists(fs::symlink_status(root_ + "/sub/link"))) << target;
  }
}

// "self" -> "." is harmless, but the kernel resolves "self/.." through the link to the root's
// parent while the lexical reading of "out -> self/.." stays inside: a target must be in normal
// form.
TEST_F(ExtractZipTest, RefusesLinkTargetsNotInNormalForm) {
  Status s = Extract(MakeUnixZip({{"self", ".", kLink}, {"out", "self/..", kLink}}));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, kUnzippable);
  EXPECT_FALSE(fs::exists(fs::symlink_status(root_ + "/out")));
  EXPECT_TRUE(
      Extract(MakeUnixZip({{"self", ".", kLink}, {"dir/", "", kDir}, {"dir/up", "../self", kLink}}))
          .ok());
}

TEST_F(ExtractZipTest, RefusesEntriesBelowALink) {
  Status s = Extract(MakeUnixZip({{"dir", ".", kLink}, {"dir/f.txt", "x", kFile}}));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, kUnzippable);
  s = Extract(MakeUnixZip({{"dir/f.txt", "x", kFile}, {"dir", "sub", kLink}}));
  ASSERT_FALSE(s.ok());
}

// Layers are extracted one after the other into the same /opt tree: a link an earlier layer left
// must not carry a later layer's entries. With "s" -> "." the lexical check of "s/l" -> "../x"
// (root/x) would pass while the kernel resolves it from the root itself, to its parent.
TEST_F(ExtractZipTest, RefusesEntriesBelowALinkAlreadyOnDisk) {
  ASSERT_TRUE(Extract(MakeUnixZip({{"s", ".", kLink}})).ok());
  auto again = [&](const std::string& zip) {
    {
      std::ofstream out(zip_path_, std::ios::binary);
      out << zip;
    }
    return ExtractZip(zip_path_, root_);
  };
  Status s = again(MakeUnixZip({{"s/l", "../x", kLink}}));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, kUnzippable);
  EXPECT_FALSE(fs::exists(fs::symlink_status(root_ + "/l")));
  EXPECT_FALSE(again(MakeUnixZip({{"s/f.txt", "x", kFile}})).ok());
  EXPECT_FALSE(again(MakeUnixZip({{"s/d/", "", kDir}})).ok());
  EXPECT_TRUE(Escaped().empty() || Escaped() == std::vector<std::string>{"package.zip"});
}

// A later layer's file replaces an earlier layer's link of the same name, not its target.
TEST_F(ExtractZipTest, AFileReplacesALinkAlreadyOnDisk) {
  ASSERT_TRUE(Extract(MakeUnixZip({{"b.txt", "old", kFile}, {"a.txt", "b.txt", kLink}})).ok());
  {
    std::ofstream out(zip_path_, std::ios::binary);
    out << MakeUnixZip({{"a.txt", "new", kFile}});
  }
  ASSERT_TRUE(ExtractZip(zip_path_, root_).ok());
  EXPECT_FALSE(fs::is_symlink(fs::symlink_status(root_ + "/a.txt")));
  std::string a, b;
  std::ifstream(root_ + "/a.txt") >> a;
  std::ifstream(root_ + "/b.txt") >> b;
  EXPECT_EQ(a, "new");
  EXPECT_EQ(b, "old");
}

// A bomb declares a small size: the bound is on what inflating really produces.
TEST_F(ExtractZipTest, BoundsTheBytesWritten) {
  ExtractLimits limits;
  limits.max_bytes = 1 << 20;
  Status s = Extract(testing::MakeZipOf({{"zeros.bin", std::string(2 << 20, '\0')}}), limits);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidParameter);
  EXPECT_EQ(s.error().message, "Unzipped size must be smaller than 1048576 bytes");
  std::error_code ec;
  EXPECT_LE(fs::file_size(root_ + "/zeros.bin", ec), static_cast<uintmax_t>(1 << 20));
  // Overlapping entries (the same name twice) count twice.
  s = Extract(
      testing::MakeZipOf({{"a", std::string(600 << 10, 'a')}, {"b", std::string(600 << 10, 'b')}}),
      limits);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(Extract(testing::MakeZipOf({{"a", std::string(600 << 10, 'a')}}), limits).ok());
}

TEST_F(ExtractZipTest, BoundsTheEntries) {
  ExtractLimits limits;
  limits.max_entries = 2;
  Status s = Extract(testing::MakeZipOf({{"a", "1"}, {"b", "2"}, {"c", "3"}}), limits);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "The package has more than 2 entries");
}

// Found by zip_fuzz: std::filesystem threw out of ExtractZip when an entry's directory was a
// file of the archive.
TEST_F(ExtractZipTest, AnswersConflictingEntriesWithoutThrowing) {
  Status s = Status::Ok();
  EXPECT_NO_THROW(s = Extract(testing::MakeZipOf({{"a", "1"}, {"a/b", "2"}})));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, kUnzippable);
  EXPECT_NO_THROW(s = Extract(MakeUnixZip({{"a", "1", kFile}, {"a/", "", kDir}})));
  EXPECT_FALSE(s.ok());
}

TEST(InspectZipTest, SumsDeclaredSizes) {
  auto summary = InspectZip(testing::MakeZipOf({{"a", "12345"}, {"b", "678"}}));
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->entries, 2);
  EXPECT_EQ(summary->unzipped_bytes, 8);
}

// A zip64 size of 2^64 - 1 read as int64 was -1, so the archive passed the 250 MB quota with a
// negative total; two sizes of 2^63 overflowed the signed sum.
TEST(InspectZipTest, HugeDeclaredSizesDoNotWrapBelowTheQuota) {
  for (const auto& sizes : std::vector<std::vector<uint64_t>>{
           {UINT64_MAX}, {uint64_t{1} << 63, uint64_t{1} << 63}, {kMaxUnzippedBytes, 1}}) {
    auto summary = InspectZip(ZipDeclaring(sizes));
    ASSERT_FALSE(summary.ok());
    EXPECT_EQ(summary.error().code, ErrorCode::kInvalidParameter);
    EXPECT_EQ(summary.error().message, "Unzipped size must be smaller than 262144000 bytes");
  }
  auto at_quota = InspectZip(ZipDeclaring({kMaxUnzippedBytes}));
  ASSERT_TRUE(at_quota.ok()) << at_quota.error().message;
  EXPECT_EQ(at_quota->unzipped_bytes, kMaxUnzippedBytes);
}

}  // namespace
}  // namespace lambdalite::service
