// Layer rules of FunctionService (layer_ops.cc) over the memory stores: version numbering,
// deletion, permissions, reload, and how functions resolve their Layers.
#include <gtest/gtest.h>

#include "service/function_service.h"
#include "service/zip_testing.h"
#include "storage/memory/memory_code_store.h"
#include "storage/memory/memory_store.h"

namespace lambdalite::service {
namespace {

using domain::Scope;

std::string ZipOf(const std::string& name, const std::string& content) {
  return testing::MakeZipOf({{name, content}});
}

class LayerServiceTest : public ::testing::Test {
 protected:
  LayerServiceTest() { Reset(); }
  void Reset() {
    service_ = std::make_unique<FunctionService>(store_, code_, nullptr, clock_);
    ASSERT_TRUE(service_->Load().ok());
  }
  Result<domain::LayerVersion> Publish(const std::string& name, const Scope& scope) {
    PublishLayerInput in;
    in.layer_name = name;
    in.content.zip_file = ZipOf("python/m.py", "X = 1\n");
    return service_->PublishLayerVersion(scope, std::move(in));
  }
  Result<FunctionView> Create(const std::string& name, std::vector<std::string> layers) {
    CreateFunctionInput in;
    in.name = name;
    in.config.runtime = "python3.12";
    in.config.handler = "index.handler";
    in.config.role = "arn:aws:iam::123456789012:role/r";
    in.config.layers = std::move(layers);
    in.code.zip_file = ZipOf("index.py", "def handler(e, c): return e");
    return service_->CreateFunction(scope_, std::move(in));
  }

  Scope scope_{"123456789012", "us-east-1"};
  Scope other_{"210987654321", "us-east-1"};
  FakeClock clock_;
  storage::memory::MemoryFunctionStore store_;
  storage::memory::MemoryCodeStore code_;
  std::unique_ptr<FunctionService> service_;
};

TEST_F(LayerServiceTest, VersionNumbersNeverComeBackEvenAfterReload) {
  ASSERT_EQ(Publish("l", scope_)->version, 1);
  ASSERT_EQ(Publish("l", scope_)->version, 2);
  ASSERT_TRUE(service_->DeleteLayerVersion(scope_, "l", 1).ok());
  ASSERT_TRUE(service_->DeleteLayerVersion(scope_, "l", 2).ok());
  ASSERT_TRUE(service_->DeleteLayerVersion(scope_, "l", 2).ok());  // idempotent
  Reset();
  EXPECT_EQ(service_->ListLayerVersions(scope_, "l", {}, {}, {}, 50)->items.size(), 0u);
  EXPECT_EQ(Publish("l", scope_)->version, 3);
  EXPECT_EQ(service_->GetLayerVersion(scope_, "l", 3)->created_ms, clock_.NowMillis());
  EXPECT_EQ(service_->GetLayerVersion(scope_, "l", 1).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_->GetLayerVersion(scope_, "l", 0).error().message,
            "Layer Version Cannot be less than 1");
}

TEST_F(LayerServiceTest, FunctionsKeepADeletedLayerAndItsSize) {
  auto v = Publish("l", scope_);
  ASSERT_TRUE(v.ok());
  const std::string arn = domain::LayerVersionArn(scope_, "l", 1);
  auto fn = Create("fn", {arn});
  ASSERT_TRUE(fn.ok()) << fn.error().message;
  ASSERT_EQ(fn->version->config.layer_code.size(), 1u);
  EXPECT_EQ(fn->version->config.layer_code[0].size, v->code.size);
  ASSERT_TRUE(service_->DeleteLayerVersion(scope_, "l", 1).ok());
  // A new reference is refused; the existing one stays through other updates.
  EXPECT_EQ(Create("fn2", {arn}).error().message, "Layer version " + arn + " does not exist.");
  auto updated = service_->UpdateFunctionConfiguration(scope_, "fn", std::nullopt,
                                                       [](domain::FunctionConfig& c) {
                                                         c.description = "x";
                                                         return Status::Ok();
                                                       });
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ(updated->version->config.layer_code[0].blob_id, v->code.blob_id);
}

TEST_F(LayerServiceTest, AnotherAccountsLayerNeedsAGrant) {
  ASSERT_TRUE(Publish("shared", other_).ok());
  const std::string arn = domain::LayerVersionArn(other_, "shared", 1);
  auto denied = Create("fn", {arn});
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, ErrorCode::kAccessDenied);
  AddLayerPermissionInput grant{"me", "lambda:GetLayerVersion", scope_.account, std::nullopt,
                                std::nullopt};
  auto added = service_->AddLayerVersionPermission(other_, "shared", 1, grant);
  ASSERT_TRUE(added.ok()) << added.error().message;
  EXPECT_TRUE(Create("fn", {arn}).ok());
  EXPECT_TRUE(service_->GetLayerVersionByArn(scope_, arn).ok());
  // The policy, with its revision, survives a reload.
  Reset();
  EXPECT_EQ(service_->GetLayerVersionPolicy(other_, "shared", 1)->revision_id, added->revision_id);
}

TEST_F(LayerServiceTest, ListLayersShowsTheNewestMatchingVersion) {
  PublishLayerInput in;
  in.layer_name = "l";
  in.content.zip_file = ZipOf("a", "1");
  in.compatible_runtimes = std::vector<std::string>{"python3.12"};
  ASSERT_TRUE(service_->PublishLayerVersion(scope_, in).ok());
  in.compatible_runtimes = std::vector<std::string>{"nodejs20.x"};
  ASSERT_TRUE(service_->PublishLayerVersion(scope_, in).ok());
  auto all = service_->ListLayers(scope_, {}, {}, {}, 50);
  ASSERT_EQ(all->items.size(), 1u);
  EXPECT_EQ(all->items[0].version, 2);
  auto py = service_->ListLayers(scope_, std::string("python3.12"), {}, {}, 50);
  EXPECT_EQ(py->items[0].version, 1);
  EXPECT_TRUE(service_->ListLayers(scope_, std::string("java21"), {}, {}, 50)->items.empty());
}

}  // namespace
}  // namespace lambdalite::service
