#include "service/response_prelude.h"

#include <gtest/gtest.h>

namespace lambdalite::service {
namespace {

const std::string kDelimiter(8, '\0');

TEST(PreludeSplitterTest, SplitsMetadataFromBodyInOneChunk) {
  PreludeSplitter splitter;
  std::string body;
  EXPECT_EQ(splitter.Feed(R"({"statusCode":201})" + kDelimiter + "hello", &body),
            PreludeSplitter::State::kBody);
  EXPECT_EQ(splitter.metadata(), R"({"statusCode":201})");
  EXPECT_EQ(body, "hello");
  EXPECT_EQ(splitter.Feed(std::string("\0x", 2), &body), PreludeSplitter::State::kBody);
  EXPECT_EQ(body, std::string("hello\0x", 7));
}

TEST(PreludeSplitterTest, DelimiterMayStraddleChunks) {
  PreludeSplitter splitter;
  std::string body;
  EXPECT_EQ(splitter.Feed(std::string("{}\0\0\0", 5), &body), PreludeSplitter::State::kPrelude);
  EXPECT_EQ(splitter.Feed(std::string("\0\0\0\0", 4), &body), PreludeSplitter::State::kPrelude);
  EXPECT_EQ(splitter.Feed(std::string("\0b", 2), &body), PreludeSplitter::State::kBody);
  EXPECT_EQ(splitter.metadata(), "{}");
  EXPECT_EQ(body, "b");
}

TEST(PreludeSplitterTest, FewerThanEightNulsAreMetadata) {
  PreludeSplitter splitter;
  std::string body;
  splitter.Feed(std::string("a\0\0b", 4) + kDelimiter, &body);
  EXPECT_EQ(splitter.state(), PreludeSplitter::State::kBody);
  EXPECT_EQ(splitter.metadata(), std::string("a\0\0b", 4));
  EXPECT_EQ(body, "");
}

TEST(PreludeSplitterTest, OversizedPreludeIsInvalid) {
  PreludeSplitter splitter;
  std::string body;
  EXPECT_EQ(splitter.Feed(std::string(kMaxPreludeBytes + 10, 'x'), &body),
            PreludeSplitter::State::kInvalid);
  EXPECT_EQ(body.size(), 9u);
}

}  // namespace
}  // namespace lambdalite::service
