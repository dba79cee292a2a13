#include "aws/sigv4.h"

#include <gtest/gtest.h>

#include "common/crypto.h"
#include "common/time_format.h"

namespace lambdalite::aws {
namespace {

int64_t Millis(const std::string& amz_date) {
  int64_t ms = 0;
  EXPECT_TRUE(ParseAmzDate(amz_date, &ms));
  return ms;
}

// ---- The AWS Signature Version 4 test suite (AWS General Reference, "Signature Version 4 Test
// Suite"): credential scope AKIDEXAMPLE/20150830/us-east-1/service/aws4_request.

SigningParams SuiteParams() {
  SigningParams p;
  p.credentials = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  p.region = "us-east-1";
  p.service = "service";
  p.time_ms = Millis("20150830T123600Z");
  return p;
}

ClientRequest Req(std::string method, std::string url, HeaderList headers = {},
                  std::string body = {}) {
  ClientRequest r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

std::string SuiteAuthorization(const std::string& signed_headers, const std::string& signature) {
  return "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
         "SignedHeaders=" +
         signed_headers + ", Signature=" + signature;
}

std::string Authorization(const ClientRequest& request, const SigningParams& params) {
  auto parts = ComputeSignature(request, params);
  EXPECT_TRUE(parts.ok());
  return parts.ok() ? parts->authorization : "";
}

// The worked example in the test suite's documentation page, step by step.
TEST(SigV4SuiteTest, GetVanillaQueryOrderKeyCaseStepByStep) {
  auto parts = ComputeSignature(
      Req("GET", "https://example.amazonaws.com/?Param2=value2&Param1=value1"), SuiteParams());
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->canonical_request,
            "GET\n"
            "/\n"
            "Param1=value1&Param2=value2\n"
            "host:example.amazonaws.com\n"
            "x-amz-date:20150830T123600Z\n"
            "\n"
            "host;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(HexEncode(Sha256(parts->canonical_request)),
            "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0");
  EXPECT_EQ(parts->string_to_sign,
            "AWS4-HMAC-SHA256\n"
            "20150830T123600Z\n"
            "20150830/us-east-1/service/aws4_request\n"
            "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0");
  EXPECT_EQ(parts->authorization,
            SuiteAuthorization("host;x-amz-date",
                               "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"));
}

TEST(SigV4SuiteTest, GetVanilla) {
  EXPECT_EQ(Authorization(Req("GET", "https://example.amazonaws.com/"), SuiteParams()),
            SuiteAuthorization("host;x-amz-date",
                               "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
}

TEST(SigV4SuiteTest, GetVanillaEmptyQueryKey) {
  EXPECT_EQ(
      Authorization(Req("GET", "https://example.amazonaws.com/?Param1=value1"), SuiteParams()),
      SuiteAuthorization("host;x-amz-date",
                         "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"));
}

TEST(SigV4SuiteTest, GetVanillaQueryUnreserved) {
  const std::string unreserved =
      "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  EXPECT_EQ(
      Authorization(Req("GET", "https://example.amazonaws.com/?" + unreserved + "=" + unreserved),
                    SuiteParams()),
      SuiteAuthorization("host;x-amz-date",
                         "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"));
}

TEST(SigV4SuiteTest, GetVanillaUtf8Query) {
  EXPECT_EQ(
      Authorization(Req("GET", "https://example.amazonaws.com/?%E1%88%B4=bar"), SuiteParams()),
      SuiteAuthorization("host;x-amz-date",
                         "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"));
}

TEST(SigV4SuiteTest, GetUnreserved) {
  EXPECT_EQ(Authorization(Req("GET",
                              "https://example.amazonaws.com/"
                              "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"),
                          SuiteParams()),
            SuiteAuthorization("host;x-amz-date",
                               "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"));
}

// The suite's request line is the raw "GET /ሴ", encoded once in its canonical request: that is
// single encoding of the wire path "/%E1%88%B4".
TEST(SigV4SuiteTest, GetUtf8) {
  SigningParams params = SuiteParams();
  params.options.double_encode_path = false;
  auto parts = ComputeSignature(Req("GET", "https://example.amazonaws.com/%E1%88%B4"), params);
  ASSERT_TRUE(parts.ok());
  EXPECT_NE(parts->canonical_request.find("\n/%E1%88%B4\n"), std::string::npos);
  EXPECT_EQ(parts->authorization,
            SuiteAuthorization("host;x-amz-date",
                               "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"));
}

// Not a suite file, but its canonical request is get-vanilla's once the dot segments are removed,
// so it must carry get-vanilla's signature.
TEST(SigV4SuiteTest, RelativePathNormalizesToVanilla) {
  EXPECT_EQ(Authorization(Req("GET", "https://example.amazonaws.com/example1/example2/../.."),
                          SuiteParams()),
            SuiteAuthorization("host;x-amz-date",
                               "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
}

TEST(SigV4SuiteTest, GetHeaderKeyDuplicate) {
  HeaderList h = {{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}};
  auto parts = ComputeSignature(Req("GET", "https://example.amazonaws.com/", h), SuiteParams());
  ASSERT_TRUE(parts.ok());
  EXPECT_NE(parts->canonical_request.find("my-header1:value2,value2,value1\n"), std::string::npos);
  EXPECT_EQ(parts->authorization,
            SuiteAuthorization("host;my-header1;x-amz-date",
                               "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"));
}

TEST(SigV4SuiteTest, GetHeaderValueOrder) {
  HeaderList h = {{"My-Header1", "value4"},
                  {"My-Header1", "value1"},
                  {"My-Header1", "value3"},
                  {"My-Header1", "value2"}};
  EXPECT_EQ(Authorization(Req("GET", "https://example.amazonaws.com/", h), SuiteParams()),
            SuiteAuthorization("host;my-header1;x-amz-date",
                               "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"));
}

TEST(SigV4SuiteTest, GetHeaderValueTrim) {
  HeaderList h = {{"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""}};
  auto parts = ComputeSignature(Req("GET", "https://example.amazonaws.com/", h), SuiteParams());
  ASSERT_TRUE(parts.ok());
  EXPECT_NE(parts->canonical_request.find("my-header2:\"a b c\"\n"), std::string::npos);
  EXPECT_EQ(parts->authorization,
            SuiteAuthorization("host;my-header1;my-header2;x-amz-date",
                               "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"));
}

TEST(SigV4SuiteTest, PostVanillaAndHeaderKeyCase) {
  const std::string expected = SuiteAuthorization(
      "host;x-amz-date", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
  EXPECT_EQ(Authorization(Req("POST", "https://example.amazonaws.com/"), SuiteParams()), expected);
  // post-header-key-case: header names are case-insensitive.
  EXPECT_EQ(Authorization(Req("POST", "https://example.amazonaws.com/",
                              {{"HOST", "example.amazonaws.com"}, {"x-AMZ-date", "ignored"}}),
                          SuiteParams()),
            expected);
}

TEST(SigV4SuiteTest, PostHeaderValueCase) {
  EXPECT_EQ(Authorization(Req("POST", "https://example.amazonaws.com/", {{"My-Header1", "VALUE1"}}),
                          SuiteParams()),
            SuiteAuthorization("host;my-header1;x-amz-date",
                               "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"));
}

TEST(SigV4SuiteTest, PostVanillaQuery) {
  EXPECT_EQ(
      Authorization(Req("POST", "https://example.amazonaws.com/?Param1=value1"), SuiteParams()),
      SuiteAuthorization("host;x-amz-date",
                         "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"));
}

// Query "@#$%^=" and "+=/,?><`\";:\|][{}", sent percent-encoded.
TEST(SigV4SuiteTest, PostVanillaQueryNonunreserved) {
  auto parts =
      ComputeSignature(Req("POST",
                           "https://example.amazonaws.com/"
                           "?%40%23%24%25%5E=&%2B=%2F%2C%3F%3E%3C%60%22%3B%3A%5C%7C%5D%5B%7B%7D"),
                       SuiteParams());
  ASSERT_TRUE(parts.ok());
  EXPECT_NE(parts->canonical_request.find(
                "\n%2B=%2F%2C%3F%3E%3C%60%22%3B%3A%5C%7C%5D%5B%7B%7D&%40%23%24%25%5E=\n"),
            std::string::npos);
  EXPECT_EQ(parts->authorization,
            SuiteAuthorization("host;x-amz-date",
                               "66c82657c86e26fb25238d0e69f011edc4c6df5ae71119d7cb98ed9b87393c1e"));
}

TEST(SigV4SuiteTest, PostXWwwFormUrlencoded) {
  EXPECT_EQ(
      Authorization(Req("POST", "https://example.amazonaws.com/",
                        {{"Content-Type", "application/x-www-form-urlencoded"}}, "Param1=value1"),
                    SuiteParams()),
      SuiteAuthorization("content-type;host;x-amz-date",
                         "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"));
  EXPECT_EQ(Authorization(Req("POST", "https://example.amazonaws.com/",
                              {{"Content-Type", "application/x-www-form-urlencoded; charset=utf8"}},
                              "Param1=value1"),
                          SuiteParams()),
            SuiteAuthorization("content-type;host;x-amz-date",
                               "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe"));
}

// ---- The S3 API Reference examples ("Signature Calculations for the Authorization Header:
// Transferring Payload in a Single Chunk"): AKIAIOSFODNN7EXAMPLE at 20130524T000000Z.

SigningParams S3Params() {
  SigningParams p;
  p.credentials = {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
  p.region = "us-east-1";
  p.service = "s3";
  p.time_ms = Millis("20130524T000000Z");
  p.options = SigningOptions::ForService("s3");
  return p;
}

constexpr char kEmptySha256[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(SigV4S3Test, GetObject) {
  auto parts = ComputeSignature(
      Req("GET", "https://examplebucket.s3.amazonaws.com/test.txt", {{"Range", "bytes=0-9"}}),
      S3Params());
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->canonical_request, std::string("GET\n/test.txt\n\n") +
                                          "host:examplebucket.s3.amazonaws.com\n"
                                          "range:bytes=0-9\n"
                                          "x-amz-content-sha256:" +
                                          kEmptySha256 +
                                          "\n"
                                          "x-amz-date:20130524T000000Z\n\n"
                                          "host;range;x-amz-content-sha256;x-amz-date\n" +
                                          kEmptySha256);
  EXPECT_EQ(parts->string_to_sign,
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(parts->signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4S3Test, PutObject) {
  auto parts = ComputeSignature(Req("PUT", "https://examplebucket.s3.amazonaws.com/test$file.text",
                                    {{"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                                     {"x-amz-storage-class", "REDUCED_REDUNDANCY"}},
                                    "Welcome to Amazon S3."),
                                S3Params());
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->canonical_request.substr(0, 22), "PUT\n/test%24file.text\n");
  EXPECT_EQ(parts->signed_headers, "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class");
  EXPECT_NE(parts->canonical_request.find(
                "x-amz-content-sha256:"
                "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072\n"),
            std::string::npos);
  EXPECT_EQ(parts->string_to_sign.substr(parts->string_to_sign.rfind('\n') + 1),
            "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d");
  EXPECT_EQ(parts->signature, "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4S3Test, GetBucketLifecycle) {
  auto parts =
      ComputeSignature(Req("GET", "https://examplebucket.s3.amazonaws.com/?lifecycle"), S3Params());
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->canonical_request.substr(0, 17), "GET\n/\nlifecycle=\n");
  EXPECT_EQ(parts->signature, "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(SigV4S3Test, ListObjects) {
  auto parts = ComputeSignature(
      Req("GET", "https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J"), S3Params());
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->signature, "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

// ---- Canonicalization details.

TEST(SigV4Test, S3PathIsEncodedOnceAndNotNormalized) {
  SigningOptions s3 = SigningOptions::ForService("s3");
  EXPECT_EQ(CanonicalUri("/bucket/my%20key/a%2Fb", s3), "/bucket/my%20key/a%2Fb");
  EXPECT_EQ(CanonicalUri("/bucket/a/./b/../c", s3), "/bucket/a/./b/../c");
  // Whatever escaping the caller chose, the canonical form is the same.
  EXPECT_EQ(CanonicalUri("/bucket/test$file.text", s3), "/bucket/test%24file.text");
  EXPECT_EQ(CanonicalUri("/bucket/test%24file.text", s3), "/bucket/test%24file.text");
  EXPECT_EQ(CanonicalUri("/bucket/%e1%88%b4", s3), "/bucket/%E1%88%B4");
  EXPECT_EQ(CanonicalUri("/bucket//double", s3), "/bucket//double");
}

TEST(SigV4Test, OtherServicesDoubleEncodeAndNormalize) {
  SigningOptions other = SigningOptions::ForService("sqs");
  EXPECT_EQ(CanonicalUri("/my%20key/a%2Fb", other), "/my%2520key/a%252Fb");
  EXPECT_EQ(CanonicalUri("/a/./b/../c", other), "/a/c");
  EXPECT_EQ(CanonicalUri("/a/b/..", other), "/a/");
  EXPECT_EQ(CanonicalUri("", other), "/");
  EXPECT_EQ(CanonicalUri("/2015-03-31/functions/my-fn/invocations", other),
            "/2015-03-31/functions/my-fn/invocations");
}

TEST(SigV4Test, CanonicalQueryString) {
  EXPECT_EQ(CanonicalQueryString(""), "");
  EXPECT_EQ(CanonicalQueryString("b=2&a=1&a=0"), "a=0&a=1&b=2");
  EXPECT_EQ(CanonicalQueryString("versionId=abc%2Fdef&acl"), "acl=&versionId=abc%2Fdef");
  EXPECT_EQ(CanonicalQueryString("x=a+b&y=a%20b"), "x=a%2Bb&y=a%20b");
  EXPECT_EQ(CanonicalQueryString("k=%zz"), "k=%25zz");  // a stray '%' is a literal
}

TEST(SigV4Test, UriEncode) {
  EXPECT_EQ(UriEncode("a b/c~d*e", false), "a%20b%2Fc~d%2Ae");
  EXPECT_EQ(UriEncode("a b/c", true), "a%20b/c");
  EXPECT_EQ(UriEncode("\xE1\x88\xB4", false), "%E1%88%B4");
}

TEST(SigV4Test, SignRequestAddsHeaders) {
  SigningParams params = S3Params();
  params.credentials.session_token = "TOKEN/with+chars";
  ClientRequest req = Req("GET", "http://127.0.0.1:4566/bucket/key");
  ASSERT_TRUE(SignRequest(params, &req).ok());
  EXPECT_EQ(FindHeader(req.headers, "host"), "127.0.0.1:4566");
  EXPECT_EQ(FindHeader(req.headers, "x-amz-date"), "20130524T000000Z");
  EXPECT_EQ(FindHeader(req.headers, "x-amz-security-token"), "TOKEN/with+chars");
  EXPECT_EQ(FindHeader(req.headers, "x-amz-content-sha256"), kEmptySha256);
  auto authz = FindHeader(req.headers, "authorization");
  ASSERT_TRUE(authz.has_value());
  EXPECT_NE(authz->find("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"),
            std::string::npos);
  // Signing is deterministic and agrees with ComputeSignature on the unsigned request.
  auto parts = ComputeSignature(Req("GET", "http://127.0.0.1:4566/bucket/key"), params);
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(*authz, parts->authorization);
}

TEST(SigV4Test, DefaultPortIsNotInHost) {
  ClientRequest req = Req("GET", "https://example.amazonaws.com:443/");
  ASSERT_TRUE(SignRequest(SuiteParams(), &req).ok());
  EXPECT_EQ(FindHeader(req.headers, "host"), "example.amazonaws.com");
  EXPECT_EQ(FindHeader(req.headers, "authorization"),
            SuiteAuthorization("host;x-amz-date",
                               "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
}

TEST(SigV4Test, UnsignedHeadersAreLeftOut) {
  auto parts = ComputeSignature(Req("GET", "https://example.amazonaws.com/",
                                    {{"User-Agent", "x"},
                                     {"Content-Length", "0"},
                                     {"X-Amzn-Trace-Id", "Root=1"},
                                     {"Authorization", "old"}}),
                                SuiteParams());
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->signed_headers, "host;x-amz-date");
}

TEST(SigV4Test, MalformedUrlFails) {
  ClientRequest req = Req("GET", "not a url");
  Status st = SignRequest(SuiteParams(), &req);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInternal);
}

// ---- Incoming credential scopes.

TEST(CredentialScopeTest, ParsesAuthorizationHeader) {
  auto scope = ParseAuthorizationScope(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/lambda/aws4_request, "
      "SignedHeaders=host;x-amz-date, "
      "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3");
  ASSERT_TRUE(scope.has_value());
  EXPECT_EQ(scope->access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(scope->date, "20150830");
  EXPECT_EQ(scope->region, "us-east-1");
  EXPECT_EQ(scope->service, "lambda");
}

TEST(CredentialScopeTest, AcceptsCompactAndReorderedForms) {
  auto compact = ParseAuthorizationScope(
      "AWS4-HMAC-SHA256 Credential=123456789012/20240131/eu-west-2/lambda/aws4_request,"
      "SignedHeaders=host,Signature=00");
  ASSERT_TRUE(compact.has_value());
  EXPECT_EQ(compact->access_key_id, "123456789012");
  EXPECT_EQ(compact->region, "eu-west-2");
  auto reordered = ParseAuthorizationScope(
      "  AWS4-HMAC-SHA256 SignedHeaders=host, Signature=00,  "
      "Credential=AKID/20240131/ap-south-1/lambda/aws4_request  ");
  ASSERT_TRUE(reordered.has_value());
  EXPECT_EQ(reordered->region, "ap-south-1");
}

TEST(CredentialScopeTest, RejectsMalformed) {
  EXPECT_FALSE(ParseAuthorizationScope(""));
  EXPECT_FALSE(ParseAuthorizationScope("AWS AKID:signature"));
  EXPECT_FALSE(ParseAuthorizationScope("AWS4-HMAC-SHA256"));
  EXPECT_FALSE(ParseAuthorizationScope("AWS4-HMAC-SHA256Credential=A/20240131/r/s/aws4_request"));
  EXPECT_FALSE(ParseAuthorizationScope("AWS4-HMAC-SHA256 SignedHeaders=host, Signature=00"));
  EXPECT_FALSE(ParseAuthorizationScope(
      "AWS4-HMAC-SHA256 Credential=AKID/20240131/us-east-1/lambda/aws5_request"));
  EXPECT_FALSE(ParseAuthorizationScope(
      "AWS4-HMAC-SHA256 Credential=AKID/2024013/us-east-1/lambda/aws4_request"));
  EXPECT_FALSE(
      ParseAuthorizationScope("AWS4-HMAC-SHA256 Credential=AKID/20240131/us-east-1/aws4_request"));
  EXPECT_FALSE(
      ParseAuthorizationScope("AWS4-HMAC-SHA256 Credential=/20240131/us-east-1/l/aws4_request"));
}

TEST(CredentialScopeTest, ParseCredentialFromPresignedUrl) {
  auto scope = ParseCredential("AKID/20240131/us-west-2/lambda/aws4_request");
  ASSERT_TRUE(scope.has_value());
  EXPECT_EQ(scope->region, "us-west-2");
}

TEST(CredentialScopeTest, AccountFromAccessKey) {
  EXPECT_EQ(AccountFromAccessKey("123456789012"), "123456789012");
  EXPECT_EQ(AccountFromAccessKey("000000000000"), "000000000000");
  EXPECT_FALSE(AccountFromAccessKey("AKIDEXAMPLE"));
  EXPECT_FALSE(AccountFromAccessKey("test"));
  EXPECT_FALSE(AccountFromAccessKey("12345678901"));
  EXPECT_FALSE(AccountFromAccessKey("1234567890123"));
  EXPECT_FALSE(AccountFromAccessKey("12345678901a"));
  EXPECT_FALSE(AccountFromAccessKey(""));
}

}  // namespace
}  // namespace lambdalite::aws
