// Event source mapping rules of FunctionService (esm_ops.cc): the answers of the control plane,
// the states and revisions the pollers settle, the checker hook, tags and reloading from the store.
#include <gtest/gtest.h>

#include <atomic>

#include "service/function_service.h"
#include "service/zip_testing.h"
#include "storage/memory/memory_code_store.h"
#include "storage/memory/memory_store.h"

namespace lambdalite::service {
namespace {

using domain::MappingState;
using domain::Scope;
using lambdalite::testing::MakeZip;

constexpr char kQueue[] = "arn:aws:sqs:us-east-1:123456789012:q";
constexpr char kStream[] = "arn:aws:kinesis:us-east-1:123456789012:stream/s";

class EsmServiceTest : public ::testing::Test {
 protected:
  EsmServiceTest() {
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
    service_->SetEventSourceMappingListener([this] { ++changes_; });
  }

  Result<EventSourceMappingView> CreateSqs(const std::string& function = "fn",
                                           std::optional<bool> enabled = std::nullopt) {
    domain::EventSourceMappingInput in;
    in.event_source_arn = kQueue;
    in.enabled = enabled;
    return service_->CreateEventSourceMapping(scope_, function, in, {{"k", "v"}});
  }

  Scope scope_{"123456789012", "us-east-1"};
  FakeClock clock_;
  storage::memory::MemoryFunctionStore store_;
  storage::memory::MemoryCodeStore code_;
  std::unique_ptr<FunctionService> service_;
  std::atomic<int> changes_{0};
};

TEST_F(EsmServiceTest, CreateAnswersCreatingAndFunctionArnForms) {
  auto created = CreateSqs();
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(created->mapping.state, MappingState::kCreating);
  EXPECT_EQ(created->mapping.function_arn, "arn:aws:lambda:us-east-1:123456789012:function:fn");
  EXPECT_EQ(created->arn,
            "arn:aws:lambda:us-east-1:123456789012:event-source-mapping:" + created->mapping.uuid);
  EXPECT_EQ(created->mapping.revision, 1u);
  EXPECT_EQ(changes_.load(), 1);
  for (const char* q : {"$LATEST", "1", "live"}) {  // ES2..ES4
    auto r = CreateSqs(std::string("fn:") + q);
    ASSERT_TRUE(r.ok()) << q;
    EXPECT_EQ(r->mapping.function_arn,
              std::string("arn:aws:lambda:us-east-1:123456789012:function:fn:") + q);
  }
  auto full = CreateSqs("arn:aws:lambda:us-east-1:123456789012:function:fn:1");
  ASSERT_FALSE(full.ok());  // same queue and function ARN as fn:1: ES29
  EXPECT_EQ(full.error().code, ErrorCode::kConflict);
  auto disabled = service_->CreateEventSourceMapping(
      scope_, "fn",
      [] {
        domain::EventSourceMappingInput in;
        in.event_source_arn = "arn:aws:sqs:us-east-1:123456789012:other";
        in.enabled = false;
        return in;
      }(),
      {});
  ASSERT_TRUE(disabled.ok());
  EXPECT_EQ(disabled->mapping.state, MappingState::kDisabled);  // ES8
}

TEST_F(EsmServiceTest, CreateRefusals) {
  auto missing = CreateSqs("doesnotexist");  // ES27
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kInvalidParameter);
  EXPECT_EQ(missing.error().message, "Function does not exist");
  EXPECT_FALSE(CreateSqs("fn:7").ok());
  ASSERT_TRUE(CreateSqs().ok());
  auto dup = CreateSqs();  // ES29
  ASSERT_FALSE(dup.ok());
  auto first =
      service_->ListEventSourceMappings(scope_, std::nullopt, std::nullopt, std::nullopt, 100);
  EXPECT_EQ(dup.error().message,
            std::string("An event source mapping with SQS arn (\" ") + kQueue +
                " \") and function (\" fn \") already exists. Please update or delete the "
                "existing mapping with UUID " +
                first->items.at(0).mapping.uuid);
  domain::EventSourceMappingInput bad_filter;
  bad_filter.event_source_arn = "arn:aws:sqs:us-east-1:123456789012:q2";
  bad_filter.filter_patterns = std::vector<std::string>{"simple string"};
  auto filtered = service_->CreateEventSourceMapping(scope_, "fn", bad_filter, {});
  ASSERT_FALSE(filtered.ok());  // ES37
  EXPECT_EQ(filtered.error().message, "Invalid filter pattern definition.");
}

TEST_F(EsmServiceTest, StreamDuplicateWording) {
  domain::EventSourceMappingInput in;
  in.event_source_arn = kStream;
  in.starting_position = "LATEST";
  auto first = service_->CreateEventSourceMapping(scope_, "fn", in, {});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->last_processing_result, "No records processed");
  auto dup = service_->CreateEventSourceMapping(scope_, "fn", in, {});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().message, std::string("The event source arn (\" ") + kStream +
                                     " \") and function (\" fn \") provided mapping already "
                                     "exists. Please update or delete the existing mapping "
                                     "with UUID " +
                                     first->mapping.uuid);
}

TEST_F(EsmServiceTest, CheckerErrorIsReturnedUnchangedAndNothingStored) {
  int calls = 0;
  service_->SetEventSourceChecker([&](const Scope& scope, const domain::EventSourceMapping& m) {
    ++calls;
    EXPECT_EQ(scope, scope_);
    EXPECT_EQ(m.event_source_arn, kQueue);
    EXPECT_EQ(m.function_name, "fn");
    EXPECT_EQ(m.uuid.size(), 36u);  // as it would be stored
    EXPECT_EQ(m.batch_size, 10);
    return Status(Error::Make(ErrorCode::kInvalidParameter, "Error occurred while ReceiveMessage.",
                              "SomeDetail"));
  });
  auto r = CreateSqs();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidParameter);
  EXPECT_EQ(r.error().message, "Error occurred while ReceiveMessage.");
  EXPECT_EQ(r.error().detail, "SomeDetail");
  EXPECT_TRUE(service_->ListAllEventSourceMappings().empty());
  EXPECT_EQ(changes_.load(), 0);
  Reload();
  EXPECT_TRUE(service_->ListAllEventSourceMappings().empty());
}

TEST_F(EsmServiceTest, SettleRules) {
  auto created = CreateSqs();
  ASSERT_TRUE(created.ok());
  const std::string uuid = created->mapping.uuid;
  service_->SettleEventSourceMapping(scope_, uuid, 0);  // an older revision: ignored
  EXPECT_EQ(service_->GetEventSourceMapping(scope_, uuid)->mapping.state, MappingState::kCreating);
  service_->SettleEventSourceMapping(scope_, uuid, 1);
  EXPECT_EQ(service_->GetEventSourceMapping(scope_, uuid)->mapping.state, MappingState::kEnabled);

  domain::EventSourceMappingInput disable;
  disable.enabled = false;
  auto updated = service_->UpdateEventSourceMapping(scope_, uuid, std::nullopt, disable);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->mapping.state, MappingState::kDisabling);
  EXPECT_EQ(updated->mapping.revision, 2u);
  domain::EventSourceMappingInput batch;
  batch.batch_size = 5;
  updated = service_->UpdateEventSourceMapping(scope_, uuid, std::nullopt, batch);
  EXPECT_EQ(updated->mapping.state, MappingState::kUpdating);
  EXPECT_EQ(updated->mapping.revision, 3u);
  service_->SettleEventSourceMapping(scope_, uuid, 2);  // superseded
  EXPECT_EQ(service_->GetEventSourceMapping(scope_, uuid)->mapping.state, MappingState::kUpdating);
  service_->SettleEventSourceMapping(scope_, uuid, 3);  // Updating and not enabled: Disabled
  EXPECT_EQ(service_->GetEventSourceMapping(scope_, uuid)->mapping.state, MappingState::kDisabled);

  domain::EventSourceMappingInput enable;
  enable.enabled = true;
  updated = service_->UpdateEventSourceMapping(scope_, uuid, std::nullopt, enable);
  EXPECT_EQ(updated->mapping.state, MappingState::kEnabling);  // ES9
  service_->SettleEventSourceMapping(scope_, uuid, 4);
  EXPECT_EQ(service_->GetEventSourceMapping(scope_, uuid)->mapping.state, MappingState::kEnabled);

  // Settled states survive a restart.
  Reload();
  auto reloaded = service_->GetEventSourceMapping(scope_, uuid);
  ASSERT_TRUE(reloaded.ok());
  EXPECT_EQ(reloaded->mapping.state, MappingState::kEnabled);
  EXPECT_EQ(reloaded->mapping.revision, 4u);
  EXPECT_EQ(reloaded->mapping.batch_size, 5);

  auto deleting = service_->DeleteEventSourceMapping(scope_, uuid);
  ASSERT_TRUE(deleting.ok());
  EXPECT_EQ(deleting->mapping.state, MappingState::kDeleting);  // ES12
  EXPECT_EQ(service_->GetEventSourceMapping(scope_, uuid)->mapping.state, MappingState::kDeleting);
  auto in_use = service_->UpdateEventSourceMapping(scope_, uuid, std::nullopt, batch);
  ASSERT_FALSE(in_use.ok());
  EXPECT_EQ(in_use.error().detail, "ResourceInUseException");
  service_->SettleEventSourceMapping(scope_, uuid, 5);
  auto gone = service_->GetEventSourceMapping(scope_, uuid);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(gone.error().message, "The resource you requested does not exist.");  // ES23
  // Its tags went with it.
  auto tags = service_->ListTags(scope_, deleting->arn);
  ASSERT_FALSE(tags.ok());
  EXPECT_EQ(tags.error().message, "Event source mapping not found: " + deleting->arn);  // ET3
  Reload();
  EXPECT_FALSE(service_->GetEventSourceMapping(scope_, uuid).ok());
}

TEST_F(EsmServiceTest, FailRules) {
  auto created = CreateSqs();
  const std::string uuid = created->mapping.uuid;
  service_->FailEventSourceMapping(scope_, uuid, 0, "old");  // ignored
  EXPECT_EQ(service_->GetEventSourceMapping(scope_, uuid)->mapping.state, MappingState::kCreating);
  service_->FailEventSourceMapping(scope_, uuid, 1, "PROBLEM: queue gone");
  auto failed = service_->GetEventSourceMapping(scope_, uuid);
  EXPECT_EQ(failed->mapping.state, MappingState::kDisabled);
  EXPECT_EQ(failed->mapping.state_transition_reason, "PROBLEM: queue gone");
  Reload();
  EXPECT_EQ(service_->GetEventSourceMapping(scope_, uuid)->mapping.state, MappingState::kDisabled);
  auto deleting = service_->DeleteEventSourceMapping(scope_, uuid);
  service_->FailEventSourceMapping(scope_, uuid, deleting->mapping.revision, "whatever");
  EXPECT_FALSE(service_->GetEventSourceMapping(scope_, uuid).ok());
}

TEST_F(EsmServiceTest, LastProcessingResultIsMemoryOnly) {
  domain::EventSourceMappingInput in;
  in.event_source_arn = kStream;
  in.starting_position = "TRIM_HORIZON";
  auto created = service_->CreateEventSourceMapping(scope_, "fn", in, {});
  const std::string uuid = created->mapping.uuid;
  service_->SetEventSourceMappingResult(scope_, uuid, "OK");
  EXPECT_EQ(service_->GetEventSourceMapping(scope_, uuid)->last_processing_result, "OK");
  Reload();
  EXPECT_EQ(service_->GetEventSourceMapping(scope_, uuid)->last_processing_result,
            "No records processed");
}

TEST_F(EsmServiceTest, ListFiltersAndPages) {
  ASSERT_TRUE(CreateSqs().ok());
  ASSERT_TRUE(CreateSqs("fn:live").ok());
  domain::EventSourceMappingInput in;
  in.event_source_arn = kStream;
  in.starting_position = "LATEST";
  ASSERT_TRUE(service_->CreateEventSourceMapping(scope_, "fn", in, {}).ok());
  auto list = [&](std::optional<std::string> arn, std::optional<std::string> fn) {
    return service_->ListEventSourceMappings(scope_, arn, fn, std::nullopt, 100)->items.size();
  };
  EXPECT_EQ(list(std::nullopt, std::nullopt), 3u);
  EXPECT_EQ(list(std::string(kQueue), std::nullopt), 2u);
  EXPECT_EQ(list(std::nullopt, std::string("fn")), 3u);
  EXPECT_EQ(list(std::nullopt, std::string("fn:live")), 1u);
  EXPECT_EQ(list(std::nullopt, std::string("doesnotexist")), 0u);  // ES20: no error
  auto page =
      service_->ListEventSourceMappings(scope_, std::nullopt, std::nullopt, std::nullopt, 2);
  ASSERT_EQ(page->items.size(), 2u);
  ASSERT_TRUE(page->next_marker);
  auto rest =
      service_->ListEventSourceMappings(scope_, std::nullopt, std::nullopt, page->next_marker, 2);
  EXPECT_EQ(rest->items.size(), 1u);
  EXPECT_FALSE(rest->next_marker);
}

TEST_F(EsmServiceTest, MappingsOutliveTheirFunctionAndKeepTags) {
  auto created = CreateSqs();
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(service_->TagResource(scope_, created->arn, {{"team", "a"}}).ok());
  ASSERT_TRUE(service_->DeleteFunction(scope_, "fn", std::nullopt).ok());
  Reload();
  auto kept = service_->GetEventSourceMapping(scope_, created->mapping.uuid);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->mapping.function_arn, "arn:aws:lambda:us-east-1:123456789012:function:fn");
  auto tags = service_->ListTags(scope_, created->arn);
  ASSERT_TRUE(tags.ok());
  EXPECT_EQ(tags.value(), (std::map<std::string, std::string>{{"k", "v"}, {"team", "a"}}));
}

TEST_F(EsmServiceTest, UpdateUnknownAndFunctionChange) {
  auto missing = service_->UpdateEventSourceMapping(scope_, "00000000-0000-4000-8000-000000000000",
                                                    std::nullopt, {});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);  // ES25
  auto created = CreateSqs();
  auto moved =
      service_->UpdateEventSourceMapping(scope_, created->mapping.uuid, std::string("fn:1"), {});
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved->mapping.state, MappingState::kUpdating);  // ES10
  EXPECT_EQ(moved->mapping.function_arn, "arn:aws:lambda:us-east-1:123456789012:function:fn:1");
  EXPECT_EQ(moved->mapping.qualifier, "1");
  EXPECT_EQ(moved->mapping.uuid, created->mapping.uuid);
  domain::EventSourceMappingInput too_big;
  too_big.batch_size = 11;
  auto refused =
      service_->UpdateEventSourceMapping(scope_, created->mapping.uuid, std::nullopt, too_big);
  ASSERT_FALSE(refused.ok());  // ES31 on Update
  EXPECT_EQ(service_->GetEventSourceMapping(scope_, created->mapping.uuid)->mapping.revision, 2u);
}

}  // namespace
}  // namespace lambdalite::service
