// KinesisClient and DynamoDbStreamsClient against moto_server.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <thread>

#include "aws/aws_client.h"
#include "aws/dynamodb_streams_client.h"
#include "aws/kinesis_client.h"
#include "aws/moto_server_testing.h"
#include "common/crypto.h"

namespace lambdalite::aws {
namespace {

TEST(StreamArnTest, Parses) {
  EXPECT_EQ(KinesisStreamNameFromArn("arn:aws:kinesis:us-east-1:123456789012:stream/s1"), "s1");
  EXPECT_FALSE(KinesisStreamNameFromArn("arn:aws:sqs:us-east-1:123456789012:q"));
  EXPECT_FALSE(KinesisStreamNameFromArn("arn:aws:kinesis:us-east-1:123456789012:stream/"));
  EXPECT_TRUE(IsDynamoDbStreamArn(
      "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2024-01-01T00:00:00.000"));
  EXPECT_FALSE(IsDynamoDbStreamArn("arn:aws:dynamodb:us-east-1:123456789012:table/t"));
}

class KinesisClientTest : public testing::MotoServerTest {};

TEST_F(KinesisClientTest, PutThenReadInOrder) {
  KinesisClient kinesis(&http_, config_);
  ASSERT_TRUE(kinesis.CreateStream("ks1", 1).ok());
  const std::string arn = "arn:aws:kinesis:us-east-1:123456789012:stream/ks1";
  auto summary = kinesis.DescribeStreamSummary(arn);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->stream_name, "ks1");
  auto s1 = kinesis.PutRecord(arn, "one", "k");
  auto s2 = kinesis.PutRecord(arn, "two", "k");
  ASSERT_TRUE(s1.ok() && s2.ok());
  auto shards = kinesis.ListShards(arn);
  ASSERT_TRUE(shards.ok()) << shards.error().message;
  ASSERT_EQ(shards->size(), 1u);
  EXPECT_FALSE((*shards)[0].closed());
  auto it = kinesis.GetShardIterator(arn, (*shards)[0].shard_id, {"TRIM_HORIZON", "", 0});
  ASSERT_TRUE(it.ok()) << it.error().message;
  auto records = kinesis.GetRecords(arn, *it, 100);
  ASSERT_TRUE(records.ok()) << records.error().message;
  ASSERT_EQ(records->records.size(), 2u);
  std::string data;
  ASSERT_TRUE(Base64Decode(records->records[0].data_base64, &data));
  EXPECT_EQ(data, "one");
  EXPECT_EQ(records->records[1].sequence_number, *s2);
  EXPECT_EQ(records->records[0].partition_key, "k");
  EXPECT_GT(records->records[0].approximate_arrival_seconds, 1.6e9);
  EXPECT_FALSE(records->next_shard_iterator.empty());

  auto after =
      kinesis.GetShardIterator(arn, (*shards)[0].shard_id, {"AFTER_SEQUENCE_NUMBER", *s1, 0});
  ASSERT_TRUE(after.ok()) << after.error().message;
  auto rest = kinesis.GetRecords(arn, *after, 100);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->records.size(), 1u);
  EXPECT_EQ(rest->records[0].sequence_number, *s2);
}

TEST_F(KinesisClientTest, MissingStreamIsNotFound) {
  KinesisClient kinesis(&http_, config_);
  auto shards = kinesis.ListShards("arn:aws:kinesis:us-east-1:123456789012:stream/nope");
  ASSERT_FALSE(shards.ok());
  EXPECT_EQ(shards.error().code, ErrorCode::kNotFound) << shards.error().message;
}

class DynamoDbStreamsClientTest : public testing::MotoServerTest {};

TEST_F(DynamoDbStreamsClientTest, ReadsTableChanges) {
  AwsClient dynamodb(&http_, config_, "dynamodb");
  auto created = dynamodb.CallJson(
      "DynamoDB_20120810.CreateTable", "1.0",
      R"({"TableName":"t1","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],)"
      R"("AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],)"
      R"("BillingMode":"PAY_PER_REQUEST",)"
      R"("StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"}})");
  ASSERT_TRUE(created.ok());
  ASSERT_EQ(created->status, 200) << created->body;
  boost::json::value table = boost::json::parse(created->body);
  const std::string arn(table.at("TableDescription").at("LatestStreamArn").as_string());
  ASSERT_TRUE(IsDynamoDbStreamArn(arn)) << arn;
  auto put = dynamodb.CallJson("DynamoDB_20120810.PutItem", "1.0",
                               R"({"TableName":"t1","Item":{"id":{"S":"a"},"v":{"N":"1"}}})");
  ASSERT_TRUE(put.ok() && put->status == 200);

  DynamoDbStreamsClient streams(&http_, config_);
  auto description = streams.DescribeStream(arn);
  ASSERT_TRUE(description.ok()) << description.error().message;
  EXPECT_EQ(description->stream_view_type, "NEW_AND_OLD_IMAGES");
  ASSERT_GE(description->shards.size(), 1u);
  auto it = streams.GetShardIterator(arn, description->shards[0].shard_id, {"TRIM_HORIZON", "", 0});
  ASSERT_TRUE(it.ok()) << it.error().message;
  auto records = streams.GetRecords(arn, *it, 100);
  ASSERT_TRUE(records.ok()) << records.error().message;
  ASSERT_EQ(records->records.size(), 1u);
  EXPECT_FALSE(records->records[0].sequence_number.empty());
  boost::json::value record = boost::json::parse(records->records[0].json);
  EXPECT_EQ(record.at("eventName").as_string(), "INSERT");
  EXPECT_EQ(record.at("dynamodb").at("NewImage").at("id").at("S").as_string(), "a");

  auto missing = streams.DescribeStream(
      "arn:aws:dynamodb:us-east-1:123456789012:table/none/stream/2024-01-01T00:00:00.000");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound) << missing.error().message;
}

}  // namespace
}  // namespace lambdalite::aws
