#include <gtest/gtest.h>

#include <vector>

#include "common/crypto.h"
#include "common/ids.h"
#include "common/result.h"
#include "common/time_format.h"

namespace lambdalite {
namespace {

TEST(CryptoTest, Sha256KnownVector) {
  EXPECT_EQ(HexEncode(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(CryptoTest, Base64RoundTrip) {
  for (const std::string& s :
       std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
    std::string back;
    ASSERT_TRUE(Base64Decode(Base64Encode(s), &back));
    EXPECT_EQ(back, s);
  }
  std::string out;
  EXPECT_FALSE(Base64Decode("abc", &out));
  EXPECT_FALSE(Base64Decode("ab!d", &out));
}

TEST(IdsTest, UuidShape) {
  std::string u = NewUuid();
  ASSERT_EQ(u.size(), 36u);
  EXPECT_EQ(u[14], '4');
  EXPECT_NE(NewUuid(), u);
}

TEST(TimeFormatTest, LambdaTimestamp) {
  EXPECT_EQ(FormatLambdaTimestamp(1700000000123), "2023-11-14T22:13:20.123+0000");
  EXPECT_EQ(FormatIso8601Millis(1700000000123), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(FormatIso8601Millis(1700000000007), "2023-11-14T22:13:20.007Z");
  EXPECT_EQ(FormatAmzDate(1700000000123), "20231114T221320Z");
  int64_t ms = 0;
  ASSERT_TRUE(ParseAmzDate("20231114T221320Z", &ms));
  EXPECT_EQ(ms, 1700000000000);
}

Result<int> Half(int x) {
  if (x % 2) return Error::Make(ErrorCode::kInvalidParameter, "odd");
  return x / 2;
}
Result<int> Quarter(int x) {
  LAMBDALITE_TRY(int h, Half(x));
  return Half(h);
}

TEST(ResultTest, TryPropagates) {
  EXPECT_EQ(Quarter(8).value(), 2);
  EXPECT_EQ(Quarter(6).error().message, "odd");
}

}  // namespace
}  // namespace lambdalite
