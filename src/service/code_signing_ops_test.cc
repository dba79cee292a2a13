// Rules of code_signing_ops.cc, runtime_management_ops.cc and the tag dispatch of tag_ops.cc.
#include <gtest/gtest.h>

#include "service/function_service.h"
#include "service/zip_testing.h"
#include "storage/memory/memory_code_store.h"
#include "storage/memory/memory_store.h"

namespace lambdalite::service {
namespace {

using domain::Scope;
using lambdalite::testing::MakeZip;

class CodeSigningOpsTest : public ::testing::Test {
 protected:
  CodeSigningOpsTest() { Reset(); }
  void Reset() {
    service_ = std::make_unique<FunctionService>(store_, code_, nullptr, clock_);
    ASSERT_TRUE(service_->Load().ok());
  }
  Result<FunctionView> Create(const std::string& name,
                              std::optional<std::string> csc = std::nullopt) {
    CreateFunctionInput in;
    in.name = name;
    in.config.runtime = "python3.12";
    in.config.handler = "index.handler";
    in.config.role = "arn:aws:iam::123456789012:role/r";
    in.code.zip_file = MakeZip();
    in.code_signing_config_arn = std::move(csc);
    return service_->CreateFunction(scope_, std::move(in));
  }
  std::string NewConfig(const std::string& policy) {
    CodeSigningConfigInput in;
    in.signing_profile_version_arns =
        std::vector<std::string>{"arn:aws:signer:us-east-1:123456789012:/signing-profiles/p"};
    in.untrusted_artifact_on_deployment = policy;
    auto c = service_->CreateCodeSigningConfig(scope_, in);
    EXPECT_TRUE(c.ok());
    return domain::CodeSigningConfigArn(scope_, c->id);
  }

  Scope scope_{"123456789012", "us-east-1"};
  FakeClock clock_;
  storage::memory::MemoryFunctionStore store_;
  storage::memory::MemoryCodeStore code_;
  std::unique_ptr<FunctionService> service_;
};

TEST_F(CodeSigningOpsTest, EnforceRefusesEveryDeploymentWarnLetsItThrough) {
  std::string enforce = NewConfig("Enforce");
  auto refused = Create("f1", enforce);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidParameter);
  EXPECT_EQ(refused.error().detail, "CodeVerificationFailedException");
  EXPECT_FALSE(service_->GetFunction(scope_, "f1", std::nullopt).ok());

  std::string warn = NewConfig("Warn");
  ASSERT_TRUE(Create("f2", warn).ok());
  UpdateCodeInput update;
  update.code.zip_file = MakeZip();
  EXPECT_TRUE(service_->UpdateFunctionCode(scope_, "f2", update).ok());
  ASSERT_TRUE(service_->PutFunctionCodeSigningConfig(scope_, "f2", enforce).ok());
  auto blocked = service_->UpdateFunctionCode(scope_, "f2", update);
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.error().detail, "CodeVerificationFailedException");
}

TEST_F(CodeSigningOpsTest, ConfigNotFoundHasNoType) {
  auto got = service_->GetCodeSigningConfig(
      scope_, "arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-0123456789abcdefg");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(got.error().omit_type);
  // A config of another scope is not found either.
  std::string arn = NewConfig("Warn");
  EXPECT_FALSE(service_->GetCodeSigningConfig(Scope{"123456789012", "eu-west-1"}, arn).ok());
}

TEST_F(CodeSigningOpsTest, BindingsAndConfigsSurviveReload) {
  std::string arn = NewConfig("Warn");
  ASSERT_TRUE(Create("f", arn).ok());
  ASSERT_TRUE(service_->TagResource(scope_, arn, {{"k", "v"}}).ok());
  domain::RuntimeManagementConfig manual{"Manual", "arn:aws:lambda:us-east-1::runtime:abc"};
  ASSERT_TRUE(service_->PutRuntimeManagementConfig(scope_, "f", std::nullopt, manual).ok());
  Reset();
  auto bound = service_->GetFunctionCodeSigningConfig(scope_, "f");
  ASSERT_TRUE(bound.ok());
  ASSERT_TRUE(bound->has_value());
  EXPECT_EQ((*bound)->code_signing_config_arn, arn);
  auto tags = service_->ListTags(scope_, arn);
  ASSERT_TRUE(tags.ok());
  EXPECT_EQ(tags->at("k"), "v");
  auto rm = service_->GetRuntimeManagementConfig(scope_, "f", std::nullopt);
  ASSERT_TRUE(rm.ok());
  EXPECT_EQ(rm->config, manual);
  auto view = service_->GetFunction(scope_, "f", std::nullopt);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->runtime_version_arn, manual.runtime_version_arn);
  // In use: refused; once the function is gone, deletable.
  EXPECT_EQ(service_->DeleteCodeSigningConfig(scope_, arn).error().code, ErrorCode::kConflict);
  ASSERT_TRUE(service_->DeleteFunction(scope_, "f", std::nullopt).ok());
  EXPECT_TRUE(service_->DeleteCodeSigningConfig(scope_, arn).ok());
  Reset();
  EXPECT_FALSE(service_->GetCodeSigningConfig(scope_, arn).ok());
}

TEST_F(CodeSigningOpsTest, RuntimeManagementRules) {
  ASSERT_TRUE(Create("f").ok());
  auto manual = service_->PutRuntimeManagementConfig(scope_, "f", std::nullopt,
                                                     domain::RuntimeManagementConfig{"Manual", {}});
  ASSERT_FALSE(manual.ok());
  EXPECT_EQ(manual.error().code, ErrorCode::kInvalidParameter);
  auto missing = service_->GetRuntimeManagementConfig(scope_, "f", "3");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message,
            "Function not found: arn:aws:lambda:us-east-1:123456789012:function:f:3");
  auto autom = service_->PutRuntimeManagementConfig(
      scope_, "f", std::string("$LATEST"),
      domain::RuntimeManagementConfig{"Auto", "arn:aws:lambda:us-east-1::runtime:abc"});
  ASSERT_TRUE(autom.ok());
  EXPECT_FALSE(autom->config.runtime_version_arn);  // only Manual keeps the ARN
  EXPECT_EQ(autom->function_arn, "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST");
}

TEST_F(CodeSigningOpsTest, TagHandlerPlugsInAKindAndMissingKindsAreNotFound) {
  const std::string cp = "arn:aws:lambda:us-east-1:123456789012:capacity-provider:cp1";
  auto none = service_->ListTags(scope_, cp);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message, "Capacity provider not found: " + cp);
  const std::string esm =
      "arn:aws:lambda:us-east-1:123456789012:event-source-mapping:"
      "0a1b2c3d-0000-1111-2222-333344445555";
  EXPECT_EQ(service_->TagResource(scope_, esm, {{"a", "b"}}).error().message,
            "Event source mapping not found: " + esm);

  // A family registers its resources; writes go through its persist function.
  std::map<std::string, std::string> cp1_tags;
  int persisted = 0;
  TagHandler handler;
  handler.find = [&](const Scope&, const std::string& id) {
    return id == "cp1" ? &cp1_tags : nullptr;
  };
  handler.persist = [&](const Scope&, const std::string& id, storage::WriteBatch&) {
    EXPECT_EQ(id, "cp1");
    ++persisted;
  };
  service_->SetTagHandler(domain::TaggableKind::kCapacityProvider, handler);
  ASSERT_TRUE(service_->TagResource(scope_, cp, {{"a", "1"}, {"b", "2"}}).ok());
  ASSERT_TRUE(service_->UntagResource(scope_, cp, {"a"}).ok());
  EXPECT_EQ(cp1_tags, (std::map<std::string, std::string>{{"b", "2"}}));
  EXPECT_EQ(persisted, 2);
  EXPECT_EQ(service_->ListTags(scope_, cp)->at("b"), "2");
  EXPECT_FALSE(
      service_->ListTags(scope_, "arn:aws:lambda:us-east-1:123456789012:capacity-provider:cp2")
          .ok());
}

}  // namespace
}  // namespace lambdalite::service
