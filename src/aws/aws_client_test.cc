#include "aws/aws_client.h"

#include <gtest/gtest.h>

namespace lambdalite::aws {
namespace {

ClientResponse Response(int status, std::string body, HeaderList headers = {}) {
  ClientResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

TEST(ServiceErrorTest, S3Xml) {
  ServiceError e = ParseServiceError(Response(
      404,
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchBucket</Code>"
      "<Message>The specified bucket does not exist</Message><BucketName>b</BucketName></Error>"));
  EXPECT_EQ(e.status, 404);
  EXPECT_EQ(e.code, "NoSuchBucket");
  EXPECT_EQ(e.message, "The specified bucket does not exist");
}

TEST(ServiceErrorTest, QueryXmlWithEntities) {
  ServiceError e = ParseServiceError(Response(
      400,
      "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameter</Code>"
      "<Message>Invalid parameter: &quot;TopicArn&quot; &amp; &lt;x&gt; &#39;&#x263A;</Message>"
      "</Error></ErrorResponse>"));
  EXPECT_EQ(e.code, "InvalidParameter");
  EXPECT_EQ(e.message, "Invalid parameter: \"TopicArn\" & <x> '\xE2\x98\xBA");
}

TEST(ServiceErrorTest, Json) {
  ServiceError e = ParseServiceError(Response(
      400,
      R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The queue does not exist."})"));
  EXPECT_EQ(e.code, "QueueDoesNotExist");
  EXPECT_EQ(e.message, "The queue does not exist.");
  ServiceError h = ParseServiceError(
      Response(400, R"({"Message":"bad"})",
               {{"x-amzn-ErrorType", "ResourceNotFoundException:http://internal.amazon.com/"}}));
  EXPECT_EQ(h.code, "ResourceNotFoundException");
  EXPECT_EQ(h.message, "bad");
}

TEST(ServiceErrorTest, Unparseable) {
  ServiceError e = ParseServiceError(Response(503, "Service Unavailable"));
  EXPECT_EQ(e.status, 503);
  EXPECT_EQ(e.code, "");
  EXPECT_EQ(e.message, "");
}

TEST(XmlTest, ElementText) {
  EXPECT_EQ(XmlElementText("<a><b>x</b><b>y</b></a>", "b"), "x");
  EXPECT_EQ(XmlElementText("<a><Message/></a>", "Message"), "");
  EXPECT_FALSE(XmlElementText("<a></a>", "b"));
  EXPECT_FALSE(XmlElementText("<a><b>unterminated", "b"));
  EXPECT_EQ(XmlElementText("<b>&unknown; & &amp</b>", "b"), "&unknown; & &amp");
}

TEST(FormEncodeTest, Encodes) {
  EXPECT_EQ(FormEncode({{"Action", "Publish"}, {"Message", "a b&c=d/é"}}),
            "Action=Publish&Message=a%20b%26c%3Dd%2F%C3%A9");
}

TEST(AwsClientTest, EndpointAndRequest) {
  Config config;
  config.region = "eu-west-1";
  config.endpoint_url = "http://localhost:4566";
  HttpClient http;
  AwsClient sqs(&http, config, "sqs");
  EXPECT_EQ(sqs.endpoint(), "http://localhost:4566");
  EXPECT_EQ(sqs.region(), "eu-west-1");
  AwsClient sns(&http, Config{}, "sns", "ap-south-1");
  EXPECT_EQ(sns.endpoint(), "https://sns.ap-south-1.amazonaws.com");
  ClientRequest r = sns.NewRequest("POST", "/?x=1");
  EXPECT_EQ(r.url, "https://sns.ap-south-1.amazonaws.com/?x=1");
  EXPECT_EQ(r.method, "POST");
}

}  // namespace
}  // namespace lambdalite::aws
