#include "executor/runtime_registry.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace lambdalite::executor {
namespace {

TEST(RuntimeRegistryTest, OverrideVariableName) {
  EXPECT_EQ(RuntimeRegistry::OverrideVariable("python3.12"), "LAMBDALITE_RUNTIME_PYTHON3_12");
  EXPECT_EQ(RuntimeRegistry::OverrideVariable("provided.al2023"),
            "LAMBDALITE_RUNTIME_PROVIDED_AL2023");
}

TEST(RuntimeRegistryTest, DefaultMappingPrefersTheExactPythonAndHonoursOverrides) {
  const std::map<std::string, std::string> env = {
      {"LAMBDALITE_RUNTIME_NODEJS20_X", "/opt/node20/bin/node"}};
  auto registry = RuntimeRegistry::Default(
      [&](const char* name) -> const char* {
        auto it = env.find(name);
        return it == env.end() ? nullptr : it->second.c_str();
      },
      [](const std::string& path) { return path == "/usr/bin/python3.11"; });

  const RuntimeCommand* py311 = registry.Find("python3.11");
  ASSERT_NE(py311, nullptr);
  EXPECT_EQ(py311->argv,
            (std::vector<std::string>{"/usr/bin/python3.11", "/var/runtime/python/bootstrap.py"}));
  EXPECT_TRUE(py311->managed);

  const RuntimeCommand* py314 = registry.Find("python3.14");
  ASSERT_NE(py314, nullptr);
  EXPECT_EQ(py314->argv[0], "/usr/bin/python3");

  const RuntimeCommand* node20 = registry.Find("nodejs20.x");
  ASSERT_NE(node20, nullptr);
  EXPECT_EQ(node20->argv,
            (std::vector<std::string>{"/opt/node20/bin/node", "/var/runtime/node/bootstrap.mjs"}));

  const RuntimeCommand* provided = registry.Find("provided.al2023");
  ASSERT_NE(provided, nullptr);
  EXPECT_EQ(provided->argv, (std::vector<std::string>{"/var/task/bootstrap"}));
  EXPECT_FALSE(provided->managed);

  EXPECT_EQ(registry.Find("java21"), nullptr);
}

TEST(RuntimeRegistryTest, RuntimesWithoutAClientRunOnlyWhenConfigured) {
  const std::map<std::string, std::string> env = {
      {"LAMBDALITE_RUNTIME_JAVA21", "/opt/java21/bootstrap"}};
  auto registry = RuntimeRegistry::Default([&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
  const RuntimeCommand* java21 = registry.Find("java21");
  ASSERT_NE(java21, nullptr);
  EXPECT_EQ(java21->argv, (std::vector<std::string>{"/opt/java21/bootstrap"}));
  EXPECT_TRUE(java21->managed);
  EXPECT_FALSE(java21->prestart);
  EXPECT_EQ(registry.Find("java17"), nullptr);
  EXPECT_EQ(registry.Find("ruby3.3"), nullptr);
  EXPECT_EQ(registry.Find("dotnet8"), nullptr);
  // Not a runtime AWS accepts: never registered.
  EXPECT_EQ(registry.Find("go1.x"), nullptr);
}

}  // namespace
}  // namespace lambdalite::executor
