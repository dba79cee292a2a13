#include "domain/event_source_mapping.h"

#include <gtest/gtest.h>

namespace lambdalite::domain {
namespace {

constexpr char kQueue[] = "arn:aws:sqs:us-east-1:111111111111:q";
constexpr char kFifo[] = "arn:aws:sqs:us-east-1:111111111111:q.fifo";
constexpr char kStream[] = "arn:aws:kinesis:us-east-1:111111111111:stream/s";
constexpr char kTable[] =
    "arn:aws:dynamodb:us-east-1:111111111111:table/t/stream/2024-01-01T00:00:00.000";

std::string Message(const Result<EventSourceMapping>& r) {
  return r.ok() ? std::string("ok") : r.error().message;
}

TEST(EventSourceMappingTest, KindFromArn) {
  EXPECT_EQ(EventSourceKindOf(kQueue), EventSourceKind::kSqs);
  EXPECT_EQ(EventSourceKindOf(kStream), EventSourceKind::kKinesis);
  EXPECT_EQ(EventSourceKindOf(kTable), EventSourceKind::kDynamoDbStreams);
  EXPECT_FALSE(EventSourceKindOf("arn:aws:dynamodb:us-east-1:111111111111:table/t"));
  EXPECT_FALSE(EventSourceKindOf("arn:aws:s3:::bucket"));
  EXPECT_FALSE(EventSourceKindOf("nonsense"));
  EXPECT_TRUE(IsFifoQueueArn(kFifo));
  EXPECT_FALSE(IsFifoQueueArn(kQueue));
}

TEST(EventSourceMappingTest, UuidAndArn) {
  std::string u = NewMappingUuid();
  ASSERT_EQ(u.size(), 36u);
  EXPECT_EQ(u[8], '-');
  EXPECT_EQ(u[14], '4');
  EXPECT_NE(u, NewMappingUuid());
  EXPECT_EQ(EventSourceMappingArn(Scope{"111111111111", "us-east-1"}, "x"),
            "arn:aws:lambda:us-east-1:111111111111:event-source-mapping:x");
}

TEST(EventSourceMappingTest, DefaultsPerKind) {
  EventSourceMappingInput in;
  in.event_source_arn = kQueue;
  auto sqs = NewEventSourceMapping(in);
  ASSERT_TRUE(sqs.ok());
  EXPECT_EQ(sqs.value().batch_size, 10);  // ES1
  EXPECT_EQ(sqs.value().state, MappingState::kCreating);
  EXPECT_EQ(sqs.value().state_transition_reason, "USER_INITIATED");
  in.event_source_arn = kStream;
  in.starting_position = "LATEST";
  auto kin = NewEventSourceMapping(in);
  ASSERT_TRUE(kin.ok());
  EXPECT_EQ(kin.value().batch_size, 100);
  EXPECT_EQ(kin.value().maximum_retry_attempts, -1);
  EXPECT_EQ(kin.value().maximum_record_age_seconds, -1);
  EXPECT_EQ(kin.value().parallelization_factor, 1);
  EXPECT_EQ(kin.value().state_transition_reason, "User action");
  in.enabled = false;
  EXPECT_EQ(NewEventSourceMapping(in).value().state, MappingState::kDisabled);  // ES8
}

TEST(EventSourceMappingTest, RefusalsWithAwsTexts) {
  EventSourceMappingInput in;
  EXPECT_EQ(Message(NewEventSourceMapping(in)), "Unrecognized event source.");  // ES26
  in.on_success_set = true;
  EXPECT_EQ(
      Message(NewEventSourceMapping(in)),
      "Unsupported DestinationConfig parameter for given event source mapping type.");  // ES28
  in = {};
  in.event_source_arn = kQueue;
  in.batch_size = 11;
  EXPECT_EQ(Message(NewEventSourceMapping(in)),
            "Maximum batch window in seconds must be greater than 0 if maximum batch size is "
            "greater than 10");  // ES31
  in.maximum_batching_window_seconds = 1;
  EXPECT_TRUE(NewEventSourceMapping(in).ok());
  in.event_source_arn = kFifo;
  EXPECT_EQ(Message(NewEventSourceMapping(in)), "Batching window is not supported for FIFO queues");
  in = {};
  in.event_source_arn = kQueue;
  in.starting_position = "LATEST";
  EXPECT_EQ(Message(NewEventSourceMapping(in)),
            "StartingPosition is not valid for SQS event sources.");
  in = {};
  in.event_source_arn = kStream;
  EXPECT_EQ(Message(NewEventSourceMapping(in)),
            "1 validation error detected: Value null at 'startingPosition' failed to satisfy "
            "constraint: Member must not be null.");  // ES34
  in.event_source_arn = kTable;
  in.starting_position = "AT_TIMESTAMP";
  EXPECT_EQ(Message(NewEventSourceMapping(in)),
            std::string("Unsupported starting position for arn type: ") + kTable);
  in.starting_position = "TRIM_HORIZON";
  in.maximum_concurrency = 2;
  in.scaling_config_set = true;
  EXPECT_EQ(Message(NewEventSourceMapping(in)),
            "Unsupported ScalingConfig parameter for given event source mapping type.");
  in.scaling_config_set = false;
  in.maximum_record_age_seconds = 59;
  EXPECT_FALSE(NewEventSourceMapping(in).ok());
  in.maximum_record_age_seconds = 60;
  EXPECT_TRUE(NewEventSourceMapping(in).ok());
  in.filter_patterns = std::vector<std::string>(6, "{}");
  EXPECT_FALSE(NewEventSourceMapping(in).ok());
}

TEST(EventSourceMappingTest, UpdateStatesAndSettling) {
  EventSourceMappingInput in;
  in.event_source_arn = kQueue;
  in.enabled = false;
  EventSourceMapping before = NewEventSourceMapping(in).value();
  EventSourceMappingInput enable;
  enable.enabled = true;
  EventSourceMapping after = UpdatedEventSourceMapping(before, enable).value();
  EXPECT_EQ(NextStateAfterUpdate(before, after), MappingState::kEnabling);  // ES9
  EventSourceMappingInput batch;
  batch.batch_size = 5;
  after = UpdatedEventSourceMapping(before, batch).value();
  EXPECT_EQ(NextStateAfterUpdate(before, after), MappingState::kUpdating);  // ES10
  batch.enabled = true;
  after = UpdatedEventSourceMapping(before, batch).value();
  EXPECT_EQ(NextStateAfterUpdate(before, after), MappingState::kUpdating);
  EventSourceMappingInput too_big;
  too_big.batch_size = 11;
  EXPECT_FALSE(UpdatedEventSourceMapping(before, too_big).ok());  // ES31 on Update

  EventSourceMapping m = after;
  m.state = MappingState::kCreating;
  m.enabled = true;
  EXPECT_EQ(SettledState(m), MappingState::kEnabled);
  m.enabled = false;
  EXPECT_EQ(SettledState(m), MappingState::kDisabled);
  m.state = MappingState::kDisabling;
  EXPECT_EQ(SettledState(m), MappingState::kDisabled);
  m.state = MappingState::kDeleting;
  EXPECT_FALSE(SettledState(m));
  m.state = MappingState::kEnabled;
  EXPECT_FALSE(SettledState(m));
}

}  // namespace
}  // namespace lambdalite::domain
