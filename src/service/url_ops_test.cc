// Function URL config rules of FunctionService (url_ops.cc): answers, alias and function deletion,
// the id index the data plane uses, and reloading from the store.
#include <gtest/gtest.h>

#include "service/function_service.h"
#include "service/zip_testing.h"
#include "storage/memory/memory_code_store.h"
#include "storage/memory/memory_store.h"

namespace lambdalite::service {
namespace {

using domain::Scope;
using lambdalite::testing::MakeZip;

class UrlServiceTest : public ::testing::Test {
 protected:
  UrlServiceTest() {
    Reload();
    CreateFunctionInput in;
    in.name = "fn";
    in.config.runtime = "python3.12";
    in.config.handler = "index.handler";
    in.config.role = "arn:aws:iam::123456789012:role/r";
    in.code.zip_file = MakeZip();
    in.publish = true;
    EXPECT_TRUE(service_->CreateFunction(scope_, std::move(in)).ok());
    AliasInput alias;
    alias.function_version = "1";
    EXPECT_TRUE(service_->CreateAlias(scope_, "fn", "live", alias).ok());
  }

  void Reload() {
    service_ = std::make_unique<FunctionService>(store_, code_, nullptr, clock_);
    ASSERT_TRUE(service_->Load().ok());
  }

  Result<FunctionUrlView> Create(const std::optional<std::string>& q, std::string auth = "NONE") {
    FunctionUrlInput in;
    in.auth_type = std::move(auth);
    return service_->CreateFunctionUrlConfig(scope_, "fn", q, in);
  }

  Scope scope_{"123456789012", "us-east-1"};
  FakeClock clock_;
  storage::memory::MemoryFunctionStore store_;
  storage::memory::MemoryCodeStore code_;
  std::unique_ptr<FunctionService> service_;
};

TEST_F(UrlServiceTest, CreateGetUpdateDelete) {
  auto created = Create(std::nullopt);
  ASSERT_TRUE(created.ok());
  EXPECT_TRUE(domain::IsUrlId(created->config.url_id));
  EXPECT_EQ(created->function_arn, "arn:aws:lambda:us-east-1:123456789012:function:fn");
  EXPECT_FALSE(created->config.invoke_mode.has_value());
  auto dup = Create(std::nullopt);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::kConflict);
  EXPECT_EQ(dup.error().message,
            "Failed to create function url config for [functionArn = "
            "arn:aws:lambda:us-east-1:123456789012:function:fn]. Error message:  "
            "FunctionUrlConfig exists for this Lambda function");

  clock_.Advance(5);
  FunctionUrlInput update;
  update.invoke_mode = "RESPONSE_STREAM";
  auto updated = service_->UpdateFunctionUrlConfig(scope_, "fn", std::nullopt, update);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->config.auth_type, "NONE");
  EXPECT_EQ(updated->config.invoke_mode, "RESPONSE_STREAM");
  EXPECT_EQ(updated->config.url_id, created->config.url_id);
  EXPECT_GT(updated->config.last_modified_ms, updated->config.creation_ms);

  ASSERT_TRUE(service_->DeleteFunctionUrlConfig(scope_, "fn", std::nullopt).ok());
  auto gone = service_->GetFunctionUrlConfig(scope_, "fn", std::nullopt);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().message, "The resource you requested does not exist.");
  EXPECT_FALSE(service_->ResolveFunctionUrl(created->config.url_id).has_value());
}

TEST_F(UrlServiceTest, MissingThingsAnswerByOperation) {
  FunctionUrlInput in;
  in.auth_type = "NONE";
  struct Case {
    std::string name;
    std::optional<std::string> q;
  };
  for (const Case& c : std::vector<Case>{{"nope", std::nullopt}, {"fn", "v1"}, {"fn:1", {}}}) {
    auto create = service_->CreateFunctionUrlConfig(scope_, c.name, c.q, in);
    ASSERT_FALSE(create.ok());
    EXPECT_EQ(create.error().message, "Function does not exist") << c.name;
    auto get = service_->GetFunctionUrlConfig(scope_, c.name, c.q);
    ASSERT_FALSE(get.ok());
    EXPECT_EQ(get.error().message, "The resource you requested does not exist.") << c.name;
    auto del = service_->DeleteFunctionUrlConfig(scope_, c.name, c.q);
    EXPECT_EQ(del.error().message, "The resource you requested does not exist.") << c.name;
  }
  auto list = service_->ListFunctionUrlConfigs(scope_, "nope", std::nullopt, 50);
  EXPECT_EQ(list.error().message, "Function does not exist");
}

TEST_F(UrlServiceTest, AliasConfigsAndTheirDeletion) {
  auto base = Create(std::nullopt);
  auto alias = Create("live", "AWS_IAM");
  ASSERT_TRUE(base.ok() && alias.ok());
  EXPECT_EQ(alias->function_arn, "arn:aws:lambda:us-east-1:123456789012:function:fn:live");
  auto target = service_->ResolveFunctionUrl(alias->config.url_id);
  ASSERT_TRUE(target.has_value());
  EXPECT_EQ(target->function_name, "fn");
  EXPECT_EQ(target->config.qualifier, "live");
  auto list = service_->ListFunctionUrlConfigs(scope_, "fn", std::nullopt, 50);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->items.size(), 2u);

  ASSERT_TRUE(service_->DeleteAlias(scope_, "fn", "live").ok());
  EXPECT_FALSE(service_->ResolveFunctionUrl(alias->config.url_id).has_value());
  Reload();  // the alias's record went with it
  EXPECT_FALSE(service_->ResolveFunctionUrl(alias->config.url_id).has_value());
  ASSERT_TRUE(service_->ResolveFunctionUrl(base->config.url_id).has_value());

  ASSERT_TRUE(service_->DeleteFunction(scope_, "fn", std::nullopt).ok());
  EXPECT_FALSE(service_->ResolveFunctionUrl(base->config.url_id).has_value());
  Reload();
  EXPECT_FALSE(service_->ResolveFunctionUrl(base->config.url_id).has_value());
}

TEST_F(UrlServiceTest, ReloadKeepsIdsAndPolicy) {
  auto base = Create(std::nullopt);
  ASSERT_TRUE(base.ok());
  AddPermissionInput perm;
  perm.statement_id = "url";
  perm.action = "lambda:InvokeFunctionUrl";
  perm.principal = "*";
  perm.conditions.function_url_auth_type = "NONE";
  ASSERT_TRUE(service_->AddPermission(scope_, "fn", std::nullopt, perm).ok());
  Reload();
  auto target = service_->ResolveFunctionUrl(base->config.url_id);
  ASSERT_TRUE(target.has_value());
  EXPECT_EQ(target->config, base->config);
  ASSERT_EQ(target->statements.size(), 1u);
  EXPECT_EQ(target->statements[0].action, "lambda:InvokeFunctionUrl");
}

}  // namespace
}  // namespace lambdalite::service
