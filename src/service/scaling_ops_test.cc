// Lambda Managed Instances rules of FunctionService: capacity provider configs on functions
// (function_service.cc, capacity_provider_ops.cc) and function scaling configs (scaling_ops.cc).
#include <gtest/gtest.h>

#include "service/function_service.h"
#include "service/zip_testing.h"
#include "storage/memory/memory_code_store.h"
#include "storage/memory/memory_store.h"

namespace lambdalite::service {
namespace {

using domain::Scope;
using lambdalite::testing::MakeZip;

constexpr char kCp[] = "arn:aws:lambda:us-east-1:123456789012:capacity-provider:cp";

class ScalingServiceTest : public ::testing::Test {
 protected:
  ScalingServiceTest() { Reset(); }

  void Reset() {
    service_ = std::make_unique<FunctionService>(store_, code_, nullptr, clock_);
    ASSERT_TRUE(service_->Load().ok());
  }

  CreateFunctionInput Input(const std::string& name, bool managed) {
    CreateFunctionInput in;
    in.name = name;
    in.config.runtime = "python3.12";
    in.config.handler = "index.handler";
    in.config.role = "arn:aws:iam::123456789012:role/r";
    if (managed) in.config.capacity_provider = domain::FunctionCapacityProviderConfig{kCp};
    in.code.zip_file = MakeZip();
    in.publish = true;
    return in;
  }

  void CreateProvider() {
    domain::CapacityProvider p;
    ASSERT_TRUE(service_->CreateCapacityProvider(scope_, "cp", p).ok());
  }

  Scope scope_{"123456789012", "us-east-1"};
  FakeClock clock_;
  storage::memory::MemoryFunctionStore store_;
  storage::memory::MemoryCodeStore code_;
  std::unique_ptr<FunctionService> service_;
};

TEST_F(ScalingServiceTest, AFunctionNeedsItsProviderAndKeepsItFromDeletion) {
  auto missing = service_->CreateFunction(scope_, Input("mi", true));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().message, std::string("Capacity provider not found: ") + kCp);
  CreateProvider();
  ASSERT_TRUE(service_->CreateFunction(scope_, Input("mi", true)).ok());
  auto listed = service_->ListFunctionVersionsByCapacityProvider(scope_, "cp", std::nullopt, 50);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->items,
            std::vector<std::string>{"arn:aws:lambda:us-east-1:123456789012:function:mi:1"});
  auto refused = service_->DeleteCapacityProvider(scope_, "cp");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  ASSERT_TRUE(service_->DeleteFunction(scope_, "mi", std::nullopt).ok());
  EXPECT_TRUE(service_->DeleteCapacityProvider(scope_, "cp").ok());
}

TEST_F(ScalingServiceTest, ADefaultFunctionCannotBecomeManaged) {
  CreateProvider();
  ASSERT_TRUE(service_->CreateFunction(scope_, Input("plain", false)).ok());
  auto updated = service_->UpdateFunctionConfiguration(
      scope_, "plain", std::nullopt, [](domain::FunctionConfig& c) -> Status {
        c.capacity_provider = domain::FunctionCapacityProviderConfig{kCp};
        return Status::Ok();
      });
  ASSERT_FALSE(updated.ok());
  EXPECT_EQ(updated.error().code, ErrorCode::kInvalidParameter);
  EXPECT_EQ(updated.error().message,
            "CapacityProviderConfig isn't supported for Lambda Default functions.");
}

TEST_F(ScalingServiceTest, ScalingConfigIsPerManagedVersionAndSurvivesReload) {
  CreateProvider();
  ASSERT_TRUE(service_->CreateFunction(scope_, Input("mi", true)).ok());
  ASSERT_TRUE(service_->CreateFunction(scope_, Input("plain", false)).ok());
  auto got = service_->GetFunctionScalingConfig(scope_, "mi", "1");
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->config.has_value());
  auto inverted = service_->PutFunctionScalingConfig(scope_, "mi", "1", {5, 4});
  ASSERT_FALSE(inverted.ok());
  EXPECT_EQ(inverted.error().code, ErrorCode::kInvalidParameter);
  auto put = service_->PutFunctionScalingConfig(scope_, "mi", "1", {1, 4});
  ASSERT_TRUE(put.ok()) << put.error().message;
  EXPECT_EQ(*put, "Active");
  auto plain = service_->PutFunctionScalingConfig(scope_, "plain", "1", {1, 4});
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.error().code, ErrorCode::kAccessDenied);
  auto absent = service_->PutFunctionScalingConfig(scope_, "mi", "2", {});
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.error().message,
            "Function not found: arn:aws:lambda:us-east-1:123456789012:function:mi:2");
  Reset();
  got = service_->GetFunctionScalingConfig(scope_, "mi", "1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->function_arn, "arn:aws:lambda:us-east-1:123456789012:function:mi:1");
  ASSERT_TRUE(got->config.has_value());
  EXPECT_EQ(*got->config, (domain::FunctionScalingConfig{1, 4}));
}

TEST_F(ScalingServiceTest, LatestPublishedIsRepublishedInPlaceAndSurvivesReload) {
  CreateProvider();
  ASSERT_TRUE(service_->CreateFunction(scope_, Input("mi", true)).ok());
  auto first = service_->PublishVersion(scope_, "mi", std::nullopt, std::nullopt, std::nullopt,
                                        /*to_latest_published=*/true);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->version->version, "$LATEST.PUBLISHED");
  auto same =
      service_->PublishVersion(scope_, "mi", std::nullopt, std::nullopt, std::nullopt, true);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->version->revision_id, first->version->revision_id);
  auto versions = service_->ListVersions(scope_, "mi", std::nullopt, 50);
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions->items.size(), 2u);  // $LATEST and 1 (CreateFunction published), no more
  ASSERT_TRUE(service_->PutFunctionScalingConfig(scope_, "mi", "$LATEST.PUBLISHED", {0, 2}).ok());
  Reset();
  auto got = service_->GetFunction(scope_, "mi", std::string("$LATEST.PUBLISHED"));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->version->revision_id, first->version->revision_id);
  auto scaling = service_->GetFunctionScalingConfig(scope_, "mi", "$LATEST.PUBLISHED");
  ASSERT_TRUE(scaling.ok());
  EXPECT_EQ(scaling->config, (domain::FunctionScalingConfig{0, 2}));
}

}  // namespace
}  // namespace lambdalite::service
