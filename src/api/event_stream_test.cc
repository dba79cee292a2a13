#include "api/event_stream.h"

#include <gtest/gtest.h>

namespace lambdalite::api {
namespace {

TEST(EventStreamTest, Crc32MatchesTheIeeeCheckValue) {
  EXPECT_EQ(Crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(Crc32(""), 0u);
  EXPECT_EQ(Crc32("6789", Crc32("12345")), 0xCBF43926u);
}

// The smallest message of the event stream specification's test suite: no headers, no payload.
TEST(EventStreamTest, EmptyMessageMatchesTheSpecificationVector) {
  const std::string message = EncodeEventMessage({}, "");
  const std::string expected("\x00\x00\x00\x10\x00\x00\x00\x00\x05\xc2\x48\xeb\x7d\x98\xc8\xff",
                             16);
  EXPECT_EQ(message, expected);
}

TEST(EventStreamTest, PayloadChunkRoundTrips) {
  const std::string message = EncodePayloadChunk(std::string("a\0b", 3));
  DecodedEvent event;
  size_t consumed = 0;
  ASSERT_TRUE(DecodeEventMessage(message, &event, &consumed));
  EXPECT_EQ(consumed, message.size());
  ASSERT_EQ(event.headers.size(), 3u);
  EXPECT_EQ(event.headers[0], (std::pair<std::string, std::string>{":event-type", "PayloadChunk"}));
  EXPECT_EQ(event.headers[1],
            (std::pair<std::string, std::string>{":content-type", "application/octet-stream"}));
  EXPECT_EQ(event.headers[2], (std::pair<std::string, std::string>{":message-type", "event"}));
  EXPECT_EQ(event.payload, std::string("a\0b", 3));
}

TEST(EventStreamTest, InvokeCompleteCarriesOnlyTheMembersThatAreSet) {
  DecodedEvent event;
  size_t consumed = 0;
  ASSERT_TRUE(DecodeEventMessage(EncodeInvokeComplete("", "", ""), &event, &consumed));
  EXPECT_EQ(event.payload, "{}");
  EXPECT_EQ(event.headers[0].second, "InvokeComplete");
  EXPECT_EQ(event.headers[1].second, "application/json");
  ASSERT_TRUE(DecodeEventMessage(EncodeInvokeComplete("Unhandled", "{\"a\":1}", "TG9n"), &event,
                                 &consumed));
  EXPECT_EQ(event.payload,
            R"({"ErrorCode":"Unhandled","ErrorDetails":"{\"a\":1}","LogResult":"TG9n"})");
}

TEST(EventStreamTest, CorruptedMessagesAreRefused) {
  std::string message = EncodePayloadChunk("hello");
  DecodedEvent event;
  size_t consumed = 0;
  std::string bad = message;
  bad[bad.size() - 6] ^= 1;  // payload byte: message CRC fails
  EXPECT_FALSE(DecodeEventMessage(bad, &event, &consumed));
  bad = message;
  bad[1] ^= 1;  // length: prelude CRC fails
  EXPECT_FALSE(DecodeEventMessage(bad, &event, &consumed));
  EXPECT_FALSE(DecodeEventMessage(message.substr(0, 10), &event, &consumed));
}

}  // namespace
}  // namespace lambdalite::api
