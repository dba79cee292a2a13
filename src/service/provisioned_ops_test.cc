// Provisioned concurrency rules of FunctionService (provisioned_ops.cc), with a recording
// listener in place of the executor.
#include <gtest/gtest.h>

#include <mutex>
#include <tuple>

#include "service/function_service.h"
#include "service/zip_testing.h"
#include "storage/memory/memory_code_store.h"
#include "storage/memory/memory_store.h"

namespace lambdalite::service {
namespace {

using domain::Scope;
using lambdalite::testing::MakeZip;

class RecordingListener final : public ProvisionedConcurrencyListener {
 public:
  struct Call {
    std::string function;
    std::string qualifier;
    std::string version;  // "" when released
    int count;
  };
  void Provision(const Scope&, const std::string& function, const std::string& qualifier,
                 VersionPtr version, int count) override {
    std::lock_guard lock(mu);
    calls.push_back({function, qualifier, version ? version->version : "", count});
  }
  Call Last() {
    std::lock_guard lock(mu);
    return calls.back();
  }
  std::mutex mu;
  std::vector<Call> calls;
};

class ProvisionedServiceTest : public ::testing::Test {
 protected:
  ProvisionedServiceTest() { Reset(); }

  void Reset() {
    service_ = std::make_unique<FunctionService>(store_, code_, nullptr, clock_);
    service_->SetProvisionedListener(&listener_);
    ASSERT_TRUE(service_->Load().ok());
    CreateFunctionInput in;
    in.name = "fn";
    in.config.runtime = "python3.12";
    in.config.handler = "index.handler";
    in.config.role = "arn:aws:iam::123456789012:role/r";
    in.code.zip_file = MakeZip();
    in.publish = true;
    if (!service_->GetFunction(scope_, "fn", std::nullopt).ok()) {
      ASSERT_TRUE(service_->CreateFunction(scope_, std::move(in)).ok());
    }
  }

  Result<ProvisionedConfigView> Put(const std::string& q, int n) {
    return service_->PutProvisionedConcurrencyConfig(scope_, "fn", q, n);
  }
  Result<ProvisionedConfigView> Get(const std::string& q) {
    return service_->GetProvisionedConcurrencyConfig(scope_, "fn", q);
  }
  int Unreserved() { return service_->GetAccountSettings(scope_).unreserved_concurrent_executions; }

  Scope scope_{"123456789012", "us-east-1"};
  FakeClock clock_;
  storage::memory::MemoryFunctionStore store_;
  storage::memory::MemoryCodeStore code_;
  RecordingListener listener_;
  std::unique_ptr<FunctionService> service_;
};

TEST_F(ProvisionedServiceTest, PutIsInProgressUntilTheExecutorReportsEveryEnvironment) {
  auto put = Put("1", 2);
  ASSERT_TRUE(put.ok()) << put.error().message;
  EXPECT_EQ(put->config.status, "IN_PROGRESS");
  EXPECT_EQ(put->config.allocated, 0);
  EXPECT_EQ(put->config.last_modified_ms, clock_.NowMillis());
  auto call = listener_.Last();
  EXPECT_EQ(std::tie(call.qualifier, call.version, call.count), std::make_tuple("1", "1", 2));
  service_->ReportProvisioned(scope_, "fn", "1", "1", 1, false);
  EXPECT_EQ(Get("1")->config.status, "IN_PROGRESS");
  EXPECT_EQ(Get("1")->config.allocated, 1);
  service_->ReportProvisioned(scope_, "fn", "1", "2", 2, false);  // another version: ignored
  EXPECT_EQ(Get("1")->config.allocated, 1);
  service_->ReportProvisioned(scope_, "fn", "1", "1", 2, false);
  EXPECT_EQ(Get("1")->config.status, "READY");
  EXPECT_EQ(Get("1")->config.available, 2);
}

TEST_F(ProvisionedServiceTest, InitFailureIsFailedWithItsReason) {
  ASSERT_TRUE(Put("1", 1).ok());
  service_->ReportProvisioned(scope_, "fn", "1", "1", 0, true);
  auto got = Get("1");
  EXPECT_EQ(got->config.status, "FAILED");
  EXPECT_EQ(got->config.status_reason, "FUNCTION_ERROR_INIT_FAILURE");
}

TEST_F(ProvisionedServiceTest, ErrorsAndTheirWording) {
  auto latest = Put("$LATEST", 1);
  EXPECT_EQ(latest.error().message,
            "Provisioned Concurrency Configs cannot be applied to unpublished function versions.");
  EXPECT_EQ(Get("$LATEST").error().message,
            "The function resource provided must be an alias or a published version.");
  auto missing = Get("1");
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().detail, "ProvisionedConcurrencyConfigNotFoundException");
  EXPECT_EQ(Get("7").error().message,
            "Function not found: arn:aws:lambda:us-east-1:123456789012:function:fn:7");
  EXPECT_EQ(Get("nope").error().message,
            "Cannot find alias arn: arn:aws:lambda:us-east-1:123456789012:function:fn:nope");
  auto too_many = Put("1", 1001);
  EXPECT_EQ(too_many.error().message,
            "Specified ConcurrentExecutions for function is greater than account's unreserved "
            "concurrency [1000].");
  EXPECT_TRUE(too_many.error().omit_type);
  auto minimum = Put("1", 901);
  EXPECT_EQ(minimum.error().message,
            "Specified ConcurrentExecutions for function decreases account's "
            "UnreservedConcurrentExecution below its minimum value of [100].");
  EXPECT_TRUE(listener_.calls.empty()) << "a refused Put asks nothing of the executor";
}

TEST_F(ProvisionedServiceTest, CarvedFromTheReservationOrTheUnreservedPool) {
  ASSERT_TRUE(Put("1", 3).ok());
  EXPECT_EQ(Unreserved(), 997);
  auto view = service_->GetFunction(scope_, "fn", std::string("1"));
  EXPECT_EQ(view->provisioned_concurrency, 3);
  auto low = service_->PutFunctionConcurrency(scope_, "fn", 2);
  EXPECT_EQ(low.error().message,
            " ReservedConcurrentExecutions  2 should not be lower than function's total "
            "provisioned concurrency [3].");
  ASSERT_TRUE(service_->PutFunctionConcurrency(scope_, "fn", 3).ok());
  EXPECT_EQ(Unreserved(), 997);  // the reservation holds the provisioned concurrency now
  auto over = Put("1", 4);
  EXPECT_EQ(over.error().message,
            "Requested Provisioned Concurrency should not be greater than the "
            "reservedConcurrentExecution for function");
  EXPECT_FALSE(over.error().omit_type);
  ASSERT_TRUE(service_->DeleteFunctionConcurrency(scope_, "fn").ok());
  EXPECT_EQ(Unreserved(), 997);
  ASSERT_TRUE(service_->DeleteProvisionedConcurrencyConfig(scope_, "fn", std::string("1")).ok());
  EXPECT_EQ(Unreserved(), 1000);
}

TEST_F(ProvisionedServiceTest, AliasConflictMoveAndDelete) {
  AliasInput alias;
  alias.function_version = "1";
  ASSERT_TRUE(service_->CreateAlias(scope_, "fn", "live", alias).ok());
  ASSERT_TRUE(Put("1", 1).ok());
  auto conflict = Put("live", 1);
  EXPECT_EQ(conflict.error().code, ErrorCode::kConflict);
  ASSERT_TRUE(service_->DeleteProvisionedConcurrencyConfig(scope_, "fn", std::string("1")).ok());
  EXPECT_EQ(listener_.Last().count, 0);
  ASSERT_TRUE(Put("live", 1).ok());
  service_->ReportProvisioned(scope_, "fn", "live", "1", 1, false);
  ASSERT_TRUE(service_->PublishVersion(scope_, "fn", std::nullopt, std::nullopt, std::nullopt)
                  .ok());  // nothing changed: still version 1
  UpdateCodeInput code;
  code.code.zip_file = MakeZip();
  code.publish = true;
  ASSERT_TRUE(service_->UpdateFunctionCode(scope_, "fn", code).ok());  // version 2
  EXPECT_EQ(Get("live")->config.status, "READY") << "a new version changes nothing";
  AliasInput move;
  move.function_version = "2";
  ASSERT_TRUE(service_->UpdateAlias(scope_, "fn", "live", move).ok());
  EXPECT_EQ(Get("live")->config.status, "IN_PROGRESS");
  auto call = listener_.Last();
  EXPECT_EQ(std::tie(call.qualifier, call.version, call.count), std::make_tuple("live", "2", 1));
  ASSERT_TRUE(service_->DeleteAlias(scope_, "fn", "live").ok());
  call = listener_.Last();
  EXPECT_EQ(std::tie(call.qualifier, call.count), std::make_tuple("live", 0));
  EXPECT_EQ(Unreserved(), 1000);
}

TEST_F(ProvisionedServiceTest, ConfigsAreReloadedInProgressAndStartedAgain) {
  ASSERT_TRUE(Put("1", 2).ok());
  service_->ReportProvisioned(scope_, "fn", "1", "1", 2, false);
  listener_.calls.clear();
  Reset();
  auto got = Get("1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->config.requested, 2);
  EXPECT_EQ(got->config.status, "IN_PROGRESS");
  EXPECT_EQ(Unreserved(), 998);
  EXPECT_TRUE(listener_.calls.empty());
  service_->StartProvisioned();
  auto call = listener_.Last();
  EXPECT_EQ(std::tie(call.qualifier, call.version, call.count), std::make_tuple("1", "1", 2));
  // The function goes: so do its configs.
  ASSERT_TRUE(service_->DeleteFunction(scope_, "fn", std::nullopt).ok());
  EXPECT_EQ(listener_.Last().count, 0);
  Reset();
  EXPECT_TRUE(
      service_->ListProvisionedConcurrencyConfigs(scope_, "fn", std::nullopt, 50)->items.empty());
}

}  // namespace
}  // namespace lambdalite::service
