#include "service/function_service.h"

#include <gtest/gtest.h>

#include <thread>

#include "service/invoke_service.h"
#include "service/zip_testing.h"
#include "storage/memory/memory_code_store.h"
#include "storage/memory/memory_store.h"

namespace lambdalite::service {
namespace {

using domain::Scope;
using lambdalite::testing::MakeZip;

class FunctionServiceTest : public ::testing::Test {
 protected:
  FunctionServiceTest() { Reset(); }

  void Reset() {
    service_ = std::make_unique<FunctionService>(store_, code_, nullptr, clock_, limits_);
    ASSERT_TRUE(service_->Load().ok());
  }

  Result<FunctionView> Create(const std::string& name, bool publish = false,
                              const std::string& code = "def handler(e, c): return e") {
    return CreateIn(scope_, name, publish, code);
  }

  Result<FunctionView> CreateIn(const Scope& scope, const std::string& name, bool publish = false,
                                const std::string& code = "def handler(e, c): return e") {
    CreateFunctionInput in;
    in.name = name;
    in.config.runtime = "python3.12";
    in.config.handler = "index.handler";
    in.config.role = "arn:aws:iam::123456789012:role/r";
    in.code.zip_file = MakeZip(code);
    in.publish = publish;
    return service_->CreateFunction(scope, std::move(in));
  }

  std::string Arn(const std::string& name) { return domain::FunctionArn(scope_, name); }

  // The unreserved pool of `scope`, as GetAccountSettings reports it and as GetFunction hands it
  // to an Invoke of a function without a reservation ("open", created here when missing).
  int Unreserved(const Scope& scope) {
    const int reported = service_->GetAccountSettings(scope).unreserved_concurrent_executions;
    if (!service_->GetFunction(scope, "open", std::nullopt).ok()) {
      EXPECT_TRUE(CreateIn(scope, "open").ok());
    }
    auto view = service_->GetFunction(scope, "open", std::nullopt);
    EXPECT_TRUE(view.ok());
    EXPECT_EQ(view->unreserved_concurrency, reported);
    return reported;
  }

  Scope scope_{"123456789012", "us-east-1"};
  ServiceLimits limits_;  // Reset() builds the service with these
  FakeClock clock_;
  storage::memory::MemoryFunctionStore store_;
  storage::memory::MemoryCodeStore code_;
  std::unique_ptr<FunctionService> service_;
};

TEST_F(FunctionServiceTest, CreateThenGetInEveryNameFormat) {
  auto created = Create("fn");
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(created->phase, Phase::kCreating);
  for (std::string name : {std::string("fn"), Arn("fn"), std::string("123456789012:function:fn"),
                           std::string("fn:$LATEST")}) {
    auto got = service_->GetFunction(scope_, name, std::nullopt);
    ASSERT_TRUE(got.ok()) << name;
    EXPECT_EQ(got->version->version, "$LATEST");
    EXPECT_EQ(got->phase, Phase::kSettled);
  }
  auto dup = Create("fn");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::kConflict);
  EXPECT_EQ(dup.error().message, "Function already exist: fn");
}

TEST_F(FunctionServiceTest, NotFoundMessages) {
  auto missing = service_->GetFunction(scope_, "nope", std::nullopt);
  EXPECT_EQ(missing.error().message, "Function not found: " + Arn("nope"));
  ASSERT_TRUE(Create("fn").ok());
  auto version = service_->GetFunction(scope_, "fn", std::string("1221"));
  EXPECT_EQ(version.error().message, "Function not found: " + Arn("fn") + ":1221");
  auto mismatch = service_->GetFunction(scope_, Arn("fn") + ":1", std::string("$LATEST"));
  EXPECT_EQ(mismatch.error().code, ErrorCode::kInvalidParameter);
  auto region = service_->GetFunction(scope_, "arn:aws:lambda:eu-west-1:123456789012:function:fn",
                                      std::nullopt);
  EXPECT_EQ(region.error().message,
            "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')");
}

TEST_F(FunctionServiceTest, BadZipIsRefusedAndChangesNothing) {
  CreateFunctionInput in;
  in.name = "bad";
  in.config.runtime = "python3.12";
  in.config.handler = "index.handler";
  in.code.zip_file = "this is not a zip file";
  auto r = service_->CreateFunction(scope_, std::move(in));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "Could not unzip uploaded file. Please check your file, then try to upload again.");
  EXPECT_FALSE(service_->GetFunction(scope_, "bad", std::nullopt).ok());
}

TEST_F(FunctionServiceTest, PublishIsIdempotentAndChecksShaAndRevision) {
  ASSERT_TRUE(Create("fn").ok());
  auto v1 = service_->PublishVersion(scope_, "fn", std::nullopt, std::nullopt, std::nullopt);
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->version->version, "1");
  auto again =
      service_->PublishVersion(scope_, "fn", std::nullopt, std::string("new desc"), std::nullopt);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->version->version, "1");
  EXPECT_EQ(again->version->revision_id, v1->version->revision_id);
  auto bad_sha =
      service_->PublishVersion(scope_, "fn", std::string("abc"), std::nullopt, std::nullopt);
  ASSERT_FALSE(bad_sha.ok());
  EXPECT_NE(bad_sha.error().message.find("CodeSHA256 (abc) is different"), std::string::npos);
  auto stale =
      service_->PublishVersion(scope_, "fn", std::nullopt, std::nullopt, std::string("stale"));
  EXPECT_EQ(stale.error().code, ErrorCode::kPreconditionFailed);
}

TEST_F(FunctionServiceTest, UpdatesChangeRevisionAndStaleRevisionIsRefused) {
  auto created = Create("fn");
  std::string rev = created->version->revision_id;
  auto updated =
      service_->UpdateFunctionConfiguration(scope_, "fn", rev, [](domain::FunctionConfig& c) {
        c.memory_size = 256;
        return Status::Ok();
      });
  ASSERT_TRUE(updated.ok());
  EXPECT_NE(updated->version->revision_id, rev);
  EXPECT_EQ(updated->phase, Phase::kUpdating);
  auto stale = service_->UpdateFunctionConfiguration(
      scope_, "fn", rev, [](domain::FunctionConfig&) { return Status::Ok(); });
  EXPECT_EQ(stale.error().code, ErrorCode::kPreconditionFailed);
}

TEST_F(FunctionServiceTest, AliasesResolveToTheirVersion) {
  ASSERT_TRUE(Create("fn", /*publish=*/true).ok());
  AliasInput in;
  in.function_version = "1";
  auto alias = service_->CreateAlias(scope_, "fn", "BLUE", in);
  ASSERT_TRUE(alias.ok());
  auto via = service_->GetFunction(scope_, "fn:BLUE", std::nullopt);
  ASSERT_TRUE(via.ok());
  EXPECT_EQ(via->version->version, "1");
  EXPECT_EQ(via->qualifier, "BLUE");
  EXPECT_EQ(service_->GetAlias(scope_, "fn", "GREEN").error().message,
            "Cannot find alias arn: " + Arn("fn") + ":GREEN");
  AliasInput bad;
  bad.function_version = "10";
  EXPECT_EQ(service_->CreateAlias(scope_, "fn", "X", bad).error().message,
            "Function not found: " + Arn("fn") + ":10");
  EXPECT_EQ(service_->CreateAlias(scope_, "fn", "BLUE", in).error().code, ErrorCode::kConflict);
  auto del = service_->DeleteFunction(scope_, "fn", std::string("1"));
  EXPECT_EQ(del.error().message,
            "Unable to delete version because the following aliases reference it: [BLUE]");
}

TEST_F(FunctionServiceTest, EventInvokeConfigRules) {
  ASSERT_TRUE(Create("fn", true).ok());
  ASSERT_TRUE(Create("other").ok());
  EventInvokeConfigInput none;
  EXPECT_EQ(
      service_->PutEventInvokeConfig(scope_, "doesnotexist", std::nullopt, none).error().message,
      "You must specify at least one of error handling or destination setting.");
  EventInvokeConfigInput retries;
  retries.maximum_retry_attempts = 1;
  EXPECT_EQ(
      service_->PutEventInvokeConfig(scope_, "doesnotexist", std::nullopt, retries).error().message,
      "The function doesn't exist.");
  EXPECT_EQ(service_->GetEventInvokeConfig(scope_, "doesnotexist", std::nullopt).error().message,
            "The function " + Arn("doesnotexist") + ":$LATEST doesn't have an EventInvokeConfig");

  auto put = service_->PutEventInvokeConfig(scope_, "fn", std::nullopt, retries);
  ASSERT_TRUE(put.ok());
  EXPECT_EQ(put->function_arn, Arn("fn") + ":$LATEST");
  auto v1 = service_->PutEventInvokeConfig(scope_, "fn:1", std::string("1"), retries);
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->function_arn, Arn("fn") + ":1");
  auto mismatch = service_->PutEventInvokeConfig(scope_, "fn:1", std::string("$LATEST"), retries);
  EXPECT_EQ(mismatch.error().message,
            "The derived qualifier from the function name does not match the specified "
            "qualifier.");

  // Put replaces, Update merges.
  EventInvokeConfigInput age;
  age.maximum_event_age_seconds = 60;
  auto replaced = service_->PutEventInvokeConfig(scope_, "fn", std::nullopt, age);
  EXPECT_FALSE(replaced->config.maximum_retry_attempts.has_value());
  auto merged = service_->UpdateEventInvokeConfig(scope_, "fn", std::nullopt, retries);
  EXPECT_EQ(merged->config.maximum_retry_attempts, 1);
  EXPECT_EQ(merged->config.maximum_event_age_seconds, 60);

  EventInvokeConfigInput self;
  self.has_destination_config = true;
  self.on_success = std::optional<std::string>(Arn("fn"));
  EXPECT_EQ(service_->PutEventInvokeConfig(scope_, "fn", std::nullopt, self).error().message,
            "You can't specify the function as a destination for itself.");
  EventInvokeConfigInput missing = self;
  missing.on_success = std::optional<std::string>(Arn("doesnotexist"));
  EXPECT_EQ(service_->PutEventInvokeConfig(scope_, "fn", std::nullopt, missing).error().message,
            "The destination ARN " + Arn("doesnotexist") + " is invalid.");
  EventInvokeConfigInput iam = self;
  iam.on_success = std::optional<std::string>("arn:aws:iam:us-east-1:123456789012:function:fn");
  EXPECT_EQ(service_->PutEventInvokeConfig(scope_, "fn", std::nullopt, iam).error().message,
            "The provided destination config DestinationConfig(onSuccess=OnSuccess(destination="
            "arn:aws:iam:us-east-1:123456789012:function:fn), onFailure=null) is invalid.");

  auto list = service_->ListEventInvokeConfigs(scope_, "fn", std::nullopt, 1);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->items.size(), 1u);
  ASSERT_TRUE(list->next_marker.has_value());
  auto rest = service_->ListEventInvokeConfigs(scope_, "fn", list->next_marker, 1);
  EXPECT_EQ(rest->items.size(), 1u);
  EXPECT_FALSE(rest->next_marker.has_value());

  ASSERT_TRUE(service_->DeleteEventInvokeConfig(scope_, "fn", std::nullopt).ok());
  EXPECT_EQ(service_->DeleteEventInvokeConfig(scope_, "fn", std::nullopt).error().code,
            ErrorCode::kNotFound);
}

TEST_F(FunctionServiceTest, StateSurvivesReload) {
  ASSERT_TRUE(Create("fn", true).ok());
  AliasInput in;
  in.function_version = "1";
  ASSERT_TRUE(service_->CreateAlias(scope_, "fn", "BLUE", in).ok());
  EventInvokeConfigInput eic;
  eic.maximum_retry_attempts = 0;
  ASSERT_TRUE(service_->PutEventInvokeConfig(scope_, "fn:BLUE", std::nullopt, eic).ok());
  ASSERT_TRUE(service_->TagResource(scope_, Arn("fn"), {{"team", "a"}}).ok());
  Reset();  // a new service over the same store: what a restart sees
  auto got = service_->GetFunction(scope_, "fn:BLUE", std::nullopt);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->tags.at("team"), "a");
  EXPECT_TRUE(service_->GetEventInvokeConfig(scope_, "fn", std::string("BLUE")).ok());
  auto v2 = service_->PublishVersion(scope_, "fn", std::nullopt, std::nullopt, std::nullopt);
  EXPECT_EQ(v2->version->version, "1");  // nothing changed: still idempotent after reload
}

TEST_F(FunctionServiceTest, FailedCommitLeavesNoTrace) {
  store_.SetFailure(Error::Make(ErrorCode::kUnavailable, "disk full"));
  EXPECT_FALSE(Create("fn").ok());
  store_.SetFailure(std::nullopt);
  EXPECT_FALSE(service_->GetFunction(scope_, "fn", std::nullopt).ok());
}

TEST_F(FunctionServiceTest, ReservedConcurrencyKeepsUnreservedMinimum) {
  ASSERT_TRUE(Create("a").ok());
  ASSERT_TRUE(service_->PutFunctionConcurrency(scope_, "a", 900).ok());
  EXPECT_EQ(service_->GetAccountSettings(scope_).unreserved_concurrent_executions, 100);
  auto over = service_->PutFunctionConcurrency(scope_, "a", 901);
  EXPECT_EQ(over.error().message,
            "Specified ReservedConcurrentExecutions for function decreases account's "
            "UnreservedConcurrentExecution below its minimum value of [100].");
  EXPECT_EQ(service_->PutFunctionConcurrency(scope_, "nope", 1).error().message,
            "Function not found: " + Arn("nope") + ":$LATEST");
}

TEST_F(FunctionServiceTest, UnreservedConcurrencyFollowsEveryReservation) {
  ASSERT_TRUE(Create("a").ok());
  ASSERT_TRUE(Create("b").ok());
  const Scope other{"123456789012", "eu-west-1"};
  EXPECT_EQ(Unreserved(scope_), 1000);
  ASSERT_TRUE(service_->PutFunctionConcurrency(scope_, "a", 300).ok());
  ASSERT_TRUE(service_->PutFunctionConcurrency(scope_, "b", 200).ok());
  EXPECT_EQ(Unreserved(scope_), 500);
  EXPECT_EQ(Unreserved(other), 1000);
  // A function's own reservation is replaced, not added to: 200 (b) + 700 leaves the minimum.
  EXPECT_FALSE(service_->PutFunctionConcurrency(scope_, "a", 701).ok());
  ASSERT_TRUE(service_->PutFunctionConcurrency(scope_, "a", 700).ok());
  EXPECT_EQ(Unreserved(scope_), 100);
  ASSERT_TRUE(service_->PutFunctionConcurrency(scope_, "a", 100).ok());
  EXPECT_EQ(Unreserved(scope_), 700);
  ASSERT_TRUE(service_->DeleteFunctionConcurrency(scope_, "b").ok());
  EXPECT_EQ(Unreserved(scope_), 900);
  Reset();  // what a restart sees
  EXPECT_EQ(Unreserved(scope_), 900);
  ASSERT_TRUE(service_->DeleteFunction(scope_, "a", std::nullopt).ok());
  EXPECT_EQ(Unreserved(scope_), 1000);
  EXPECT_EQ(service_->GetAccountSettings(scope_).unreserved_concurrent_executions, 1000);
}

TEST_F(FunctionServiceTest, SmallAccountsKeepAllTheirConcurrencyUnreserved) {
  EXPECT_EQ(ServiceLimits::WithAccountConcurrency(1000).min_unreserved_concurrency, 100);
  EXPECT_EQ(ServiceLimits::WithAccountConcurrency(5000).min_unreserved_concurrency, 100);
  EXPECT_EQ(ServiceLimits::WithAccountConcurrency(10).min_unreserved_concurrency, 10);
  limits_ = ServiceLimits::WithAccountConcurrency(10);
  Reset();
  ASSERT_TRUE(Create("fn").ok());
  EXPECT_EQ(service_->PutFunctionConcurrency(scope_, "fn", 1).error().message,
            "Specified ReservedConcurrentExecutions for function decreases account's "
            "UnreservedConcurrentExecution below its minimum value of [10].");
  EXPECT_EQ(service_->GetAccountSettings(scope_).concurrent_executions, 10);
}

TEST_F(FunctionServiceTest, ConcurrentWritersAllLand) {
  ASSERT_TRUE(Create("fn").ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        EventInvokeConfigInput in;
        in.maximum_retry_attempts = (t + i) % 3;
        ASSERT_TRUE(service_->PutEventInvokeConfig(scope_, "fn", std::nullopt, in).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  auto mem = service_->GetEventInvokeConfig(scope_, "fn", std::nullopt);
  Reset();
  auto durable = service_->GetEventInvokeConfig(scope_, "fn", std::nullopt);
  // Memory and store agree on the last write: commits happen in the order memory changed.
  EXPECT_EQ(mem->config.maximum_retry_attempts, durable->config.maximum_retry_attempts);
}

}  // namespace
}  // namespace lambdalite::service

namespace lambdalite::service {
namespace {

class PolicyServiceTest : public FunctionServiceTest {
 protected:
  AddPermissionInput Permission(const std::string& sid) {
    AddPermissionInput in;
    in.statement_id = sid;
    in.action = "lambda:InvokeFunction";
    in.principal = "s3.amazonaws.com";
    return in;
  }
};

TEST_F(PolicyServiceTest, PoliciesAreReloadedPerQualifier) {
  ASSERT_TRUE(Create("fn", /*publish=*/true).ok());
  AliasInput alias;
  alias.function_version = "1";
  ASSERT_TRUE(service_->CreateAlias(scope_, "fn", "live", alias).ok());
  ASSERT_TRUE(service_->AddPermission(scope_, "fn", std::nullopt, Permission("a")).ok());
  ASSERT_TRUE(service_->AddPermission(scope_, "fn", "1", Permission("a")).ok());
  ASSERT_TRUE(service_->AddPermission(scope_, "fn", "live", Permission("b")).ok());
  auto before_fn = service_->GetPolicy(scope_, "fn", std::nullopt);
  auto before_live = service_->GetPolicy(scope_, "fn:live", std::nullopt);
  ASSERT_TRUE(before_fn.ok() && before_live.ok());
  Reset();  // a new service over the same store: what Load() restores
  auto after_fn = service_->GetPolicy(scope_, "fn", "$LATEST");
  auto after_live = service_->GetPolicy(scope_, "fn", "live");
  ASSERT_TRUE(after_fn.ok() && after_live.ok());
  EXPECT_EQ(after_fn->document, before_fn->document);
  EXPECT_EQ(after_fn->revision_id, before_fn->revision_id);
  EXPECT_EQ(after_live->document, before_live->document);
  EXPECT_NE(after_live->document.find(":function:fn:live\""), std::string::npos);
  // Deleting the alias and the version takes their policies, durably.
  ASSERT_TRUE(service_->DeleteAlias(scope_, "fn", "live").ok());
  ASSERT_TRUE(service_->DeleteAlias(scope_, "fn", "live").ok());
  ASSERT_TRUE(service_->CreateAlias(scope_, "fn", "live", alias).ok());
  Reset();
  EXPECT_EQ(service_->GetPolicy(scope_, "fn", "live").error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(service_->GetPolicy(scope_, "fn", "1").ok());
}

TEST_F(PolicyServiceTest, EmptyPolicyIsRemovedFromTheStore) {
  ASSERT_TRUE(Create("fn").ok());
  ASSERT_TRUE(service_->AddPermission(scope_, "fn", std::nullopt, Permission("a")).ok());
  ASSERT_TRUE(service_->RemovePermission(scope_, "fn", "a", std::nullopt, std::nullopt).ok());
  EXPECT_TRUE(store_.LoadRecords()->empty());
}

TEST_F(PolicyServiceTest, LengthLimitChangesNothing) {
  ASSERT_TRUE(Create("fn").ok());
  AddPermissionInput big = Permission("big");
  big.conditions.source_arn = "arn:aws:s3:::" + std::string(20480, 'b');
  auto r = service_->AddPermission(scope_, "fn", std::nullopt, big);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidParameter);
  EXPECT_EQ(r.error().detail, "PolicyLengthExceededException");
  EXPECT_EQ(r.error().message.rfind("The final policy size (", 0), 0u);
  EXPECT_EQ(service_->GetPolicy(scope_, "fn", std::nullopt).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(store_.LoadRecords()->empty());
}

TEST_F(FunctionServiceTest, RuntimeAvailabilityIsCheckedOnCreateAndRuntimeChange) {
  service_->SetRuntimeAvailable([](const std::string& rt) { return rt.rfind("python", 0) == 0; });
  ASSERT_TRUE(Create("fn").ok());
  CreateFunctionInput in;
  in.name = "j";
  in.config.runtime = "java21";
  in.config.handler = "a::b";
  in.config.role = "arn:aws:iam::123456789012:role/r";
  in.code.zip_file = MakeZip("x");
  auto created = service_->CreateFunction(scope_, std::move(in));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code, ErrorCode::kInvalidParameter);
  auto changed = service_->UpdateFunctionConfiguration(scope_, "fn", std::nullopt,
                                                       [](domain::FunctionConfig& c) {
                                                         c.runtime = "ruby3.3";
                                                         return Status::Ok();
                                                       });
  ASSERT_FALSE(changed.ok());
  EXPECT_NE(changed.error().message.find("ruby3.3"), std::string::npos);
  EXPECT_TRUE(service_
                  ->UpdateFunctionConfiguration(scope_, "fn", std::nullopt,
                                                [](domain::FunctionConfig& c) {
                                                  c.timeout = 9;
                                                  return Status::Ok();
                                                })
                  .ok());
}

// Recursion config (recursion_ops.cc): per function, Terminate by default, durable, gone with
// the function; and the Invoke-side counting of the lineage (InvokeService::CountRecursion).
TEST_F(FunctionServiceTest, RecursionConfigDefaultsPersistsAndGoesWithTheFunction) {
  ASSERT_TRUE(Create("fn").ok());
  EXPECT_EQ(service_->GetFunctionRecursionConfig(scope_, "fn").value(),
            domain::RecursiveLoop::kTerminate);
  ASSERT_TRUE(
      service_->PutFunctionRecursionConfig(scope_, "fn", domain::RecursiveLoop::kAllow).ok());
  EXPECT_EQ(service_->GetFunction(scope_, "fn", std::nullopt)->recursive_loop,
            domain::RecursiveLoop::kAllow);
  Reset();
  EXPECT_EQ(service_->GetFunctionRecursionConfig(scope_, "fn").value(),
            domain::RecursiveLoop::kAllow);
  auto missing = service_->GetFunctionRecursionConfig(scope_, "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().message,
            "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope");
  ASSERT_TRUE(service_->DeleteFunction(scope_, "fn", std::nullopt).ok());
  ASSERT_TRUE(Create("fn").ok());
  EXPECT_EQ(service_->GetFunctionRecursionConfig(scope_, "fn").value(),
            domain::RecursiveLoop::kTerminate);
  Reset();
  EXPECT_EQ(service_->GetFunctionRecursionConfig(scope_, "fn").value(),
            domain::RecursiveLoop::kTerminate);
}

TEST(InvokeRecursionTest, CountRecursionStopsTheSeventeenthUnderTerminateOnly) {
  const Scope scope{"123456789012", "us-east-1"};
  InvokeTarget target;
  target.function_name = "fn";
  const std::string key = domain::LineageKey(scope, "fn");
  auto first = InvokeService::CountRecursion(scope, target, "");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, key + ":1");
  ASSERT_TRUE(InvokeService::CountRecursion(scope, target, key + ":15").ok());
  auto stopped = InvokeService::CountRecursion(scope, target, key + ":16|0badf00d:2");
  ASSERT_FALSE(stopped.ok());
  EXPECT_EQ(stopped.error().code, ErrorCode::kInvalidParameter);
  EXPECT_EQ(stopped.error().detail, "RecursiveInvocationException");
  // Another function's count does not stop this one.
  ASSERT_TRUE(InvokeService::CountRecursion(scope, target, "0badf00d:99").ok());
  target.recursive_loop = domain::RecursiveLoop::kAllow;
  auto allowed = InvokeService::CountRecursion(scope, target, key + ":16");
  ASSERT_TRUE(allowed.ok());
  EXPECT_EQ(*allowed, key + ":17");
}

}  // namespace
}  // namespace lambdalite::service
