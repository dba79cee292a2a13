#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "common/crypto.h"
#include "common/file.h"
#include "common/ids.h"
#include "common/result.h"
#include "common/time_format.h"
#include "common/utf8.h"

namespace lambdalite {
namespace {

TEST(SafePathTest, RefusesComponentsThatLeaveTheirDirectory) {
  const std::string_view kBad[] = {"", ".", "..", "a/b", "/", "../x", std::string_view("a\0b", 3)};
  for (std::string_view bad : kBad) {
    EXPECT_FALSE(IsSafePathComponent(bad)) << bad;
    EXPECT_FALSE(JoinUnder("/data/logs", {"123456789012", bad}).has_value()) << bad;
  }
  for (const char* good : {"us-east-1", "my-function", "[$LATEST]0123abcd", "...", ".x", "a:b"}) {
    EXPECT_TRUE(IsSafePathComponent(good)) << good;
  }
  EXPECT_EQ(JoinUnder("/data/logs", {"123456789012", "us-east-1", "fn"}),
            "/data/logs/123456789012/us-east-1/fn");
}

TEST(SafePathTest, JoinUnderSegmentsChecksEverySegment) {
  EXPECT_EQ(JoinUnderSegments("/d", "2024/01/31/[$LATEST]ab.log"), "/d/2024/01/31/[$LATEST]ab.log");
  for (const char* bad : {"", "/abs", "a//b", "a/../b", "a/./b", "a/", "..", "x/.."}) {
    EXPECT_FALSE(JoinUnderSegments("/d", bad).has_value()) << bad;
  }
}

TEST(Utf8Test, ValidTextIsKeptAndEveryBadByteBecomesOneReplacement) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));  // é € 😀
  EXPECT_EQ(ToValidUtf8("caf\xC3\xA9"), "caf\xC3\xA9");
  // A stray byte, a truncated sequence, an overlong '/', a surrogate, above U+10FFFF.
  for (const char* bad : {"\xFF", "\xE2\x82", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80"}) {
    EXPECT_FALSE(IsValidUtf8(bad)) << bad;
    const std::string fixed = ToValidUtf8(std::string("a") + bad + "b");
    EXPECT_TRUE(IsValidUtf8(fixed));
    EXPECT_EQ(fixed.front(), 'a');
    EXPECT_EQ(fixed.back(), 'b');
  }
  EXPECT_EQ(ToValidUtf8("x\xFFy"), "x\xEF\xBF\xBDy");
  EXPECT_EQ(ValidUtf8Prefix("ok\xFFno"), 2u);
}

TEST(CryptoTest, Sha256KnownVector) {
  EXPECT_EQ(HexEncode(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // The allocation-free forms give the same bytes.
  const Sha256Digest raw = Sha256Raw("abc");
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(raw.data()), raw.size()), Sha256("abc"));
  char hex[64];
  HexEncodeTo(raw, hex);
  EXPECT_EQ(std::string(hex, sizeof hex), HexEncode(Sha256("abc")));
  EXPECT_EQ(HexEncode(Sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(HexEncode(Sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

// RFC 4231 test cases 1 (a short key) and 6 (a key longer than the block).
TEST(CryptoTest, HmacSha256KnownVectors) {
  const std::string key1(20, '\x0b');
  const std::string data1 = "Hi There";
  const std::string mac1 = "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7";
  EXPECT_EQ(HexEncode(HmacSha256(key1, data1)), mac1);
  EXPECT_EQ(HexEncode(HmacSha256Key(key1).Mac(data1)), mac1);

  const std::string key6(131, '\xaa');
  const std::string data6 = "Test Using Larger Than Block-Size Key - Hash Key First";
  const std::string mac6 = "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54";
  EXPECT_EQ(HexEncode(HmacSha256(key6, data6)), mac6);
  EXPECT_EQ(HexEncode(HmacSha256Key(key6).Mac(data6)), mac6);
}

TEST(CryptoTest, PreparedHmacKeyMatchesOneShot) {
  for (size_t key_size : {0, 1, 32, 63, 64, 65, 200}) {
    std::string key;
    for (size_t i = 0; i < key_size; ++i) key.push_back(static_cast<char>(i * 7 + 1));
    const HmacSha256Key prepared(key);
    for (const std::string& data :
         {std::string(), std::string("a"), std::string(64, 'x'), std::string(1000, '\xfe')}) {
      EXPECT_EQ(prepared.Mac(data), HmacSha256(key, data)) << key_size << " " << data.size();
      const Sha256Digest raw = prepared.MacRaw(data);
      EXPECT_EQ(std::string(reinterpret_cast<const char*>(raw.data()), raw.size()),
                HmacSha256(key, data));
      // Repeatable: a call leaves nothing behind for the next.
      EXPECT_EQ(prepared.Mac(data), HmacSha256(key, data)) << key_size << " " << data.size();
    }
  }
}

TEST(CryptoTest, PreparedHmacKeyIsSafeFromManyThreads) {
  const HmacSha256Key a(std::string(32, 'a'));
  const HmacSha256Key b(std::string(32, 'b'));
  const std::string want_a = HmacSha256(std::string(32, 'a'), "message");
  const std::string want_b = HmacSha256(std::string(32, 'b'), "message");
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (size_t t = 0; t < wrong.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        // Two keys used alternately on one thread share its scratch state.
        if (a.Mac("message") != want_a) ++wrong[t];
        if (b.Mac("message") != want_b) ++wrong[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int w : wrong) EXPECT_EQ(w, 0);
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
