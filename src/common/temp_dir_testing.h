#pragma once

// Test-only: a scratch directory for one test. Header-only so that every folder's GoogleTest
// binary can use it without linking a test library.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace lambdalite::testing_support {

// A fresh directory under GoogleTest's temp dir, named `<prefix>XXXXXX`, removed with everything
// in it on destruction. A failed mkdtemp fails the test (path() is then the unfilled pattern).
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "lambdalite_") {
    std::string pattern = ::testing::TempDir() + prefix + "XXXXXX";
    char* made = ::mkdtemp(pattern.data());
    EXPECT_NE(made, nullptr) << "mkdtemp " << pattern;
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace lambdalite::testing_support
