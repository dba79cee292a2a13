// FunctionMappingSource (esm_wiring.h): the pollers' view of the control plane.
#include "main/esm_wiring.h"

#include <gtest/gtest.h>

#include "service/zip_testing.h"
#include "storage/memory/memory_code_store.h"
#include "storage/memory/memory_store.h"

namespace lambdalite::app {
namespace {

TEST(FunctionMappingSourceTest, ListsSettlesFailsAndNotifies) {
  FakeClock clock;
  storage::memory::MemoryFunctionStore store;
  storage::memory::MemoryCodeStore code;
  service::FunctionService functions(store, code, nullptr, clock);
  ASSERT_TRUE(functions.Load().ok());
  const domain::Scope scope{"123456789012", "us-east-1"};
  service::CreateFunctionInput fn;
  fn.name = "fn";
  fn.config.runtime = "python3.12";
  fn.config.handler = "index.handler";
  fn.config.role = "arn:aws:iam::123456789012:role/r";
  fn.code.zip_file = lambdalite::testing::MakeZip();
  ASSERT_TRUE(functions.CreateFunction(scope, std::move(fn)).ok());

  FunctionMappingSource source(functions);
  int changes = 0;
  source.SetChangeListener([&] { ++changes; });
  domain::EventSourceMappingInput in;
  in.event_source_arn = "arn:aws:sqs:us-east-1:123456789012:q";
  auto created = functions.CreateEventSourceMapping(scope, "fn", in, {});
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(changes, 1);

  auto listed = source.List();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].scope, scope);
  EXPECT_EQ(listed[0].mapping.state, domain::MappingState::kCreating);
  source.Settle(scope, listed[0].mapping.uuid, listed[0].mapping.revision);
  EXPECT_EQ(source.List()[0].mapping.state, domain::MappingState::kEnabled);
  EXPECT_EQ(changes, 2);
  source.SetLastProcessingResult(scope, listed[0].mapping.uuid, "OK");
  EXPECT_EQ(functions.GetEventSourceMapping(scope, listed[0].mapping.uuid)->last_processing_result,
            "OK");
  source.Fail(scope, listed[0].mapping.uuid, listed[0].mapping.revision, "PROBLEM: gone");
  EXPECT_EQ(source.List()[0].mapping.state, domain::MappingState::kDisabled);
  EXPECT_EQ(source.List()[0].mapping.state_transition_reason, "PROBLEM: gone");

  auto deleting = functions.DeleteEventSourceMapping(scope, listed[0].mapping.uuid);
  ASSERT_TRUE(deleting.ok());
  ASSERT_EQ(source.List().size(), 1u);  // Deleting ones are listed
  source.Settle(scope, deleting->mapping.uuid, deleting->mapping.revision);
  EXPECT_TRUE(source.List().empty());
}

}  // namespace
}  // namespace lambdalite::app
