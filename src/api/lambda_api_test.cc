#include "api/lambda_api.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "api/shapes.h"

namespace lambdalite::api {
namespace {

namespace json = boost::json;

http::HttpRequest Post(std::string target, std::string body) {
  http::HttpRequest request;
  request.method = "POST";
  request.target = std::move(target);
  request.body = std::move(body);
  request.headers.push_back({"Host", "localhost"});
  return request;
}

const std::string* Header(const http::HttpResponse& response, std::string_view name) {
  for (const auto& h : response.headers) {
    if (h.name == name) return &h.value;
  }
  return nullptr;
}

// An operation with both paths: the asynchronous one answers what it accepts, the other the
// rest, and LambdaApi renders both the same way.
class LambdaApiAsyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    api_.Register("Invoke",
                  [this](const RequestContext& ctx, const json::object&) -> Result<Reply> {
                    ++sync_calls_;
                    sync_request_id_ = ctx.request_id;
                    Reply r;
                    r.status = 200;
                    r.raw_body = "sync";
                    return r;
                  });
    api_.RegisterAsync(
        "Invoke", [this](const RequestContext& ctx, const json::object& in, AsyncReplyDone done) {
          const auto* payload = in.if_contains("Payload");
          const std::string text = payload ? std::string(payload->as_string()) : "";
          if (text == "decline") return false;
          async_request_id_ = ctx.request_id;
          if (text == "fail") {
            done(Error::Make(ErrorCode::kNotFound, "Function not found: x"));
            return true;
          }
          pending_ = std::move(done);
          return true;
        });
  }

  LambdaApi api_{ApiOptions{}};
  int sync_calls_ = 0;
  std::string sync_request_id_, async_request_id_;
  std::optional<AsyncReplyDone> pending_;
};

TEST_F(LambdaApiAsyncTest, AcceptedRequestsAnswerThroughDone) {
  std::optional<http::HttpResponse> answer;
  ASSERT_TRUE(api_.HandleAsync(Post("/2015-03-31/functions/fn/invocations", "later"),
                               [&](http::HttpResponse r) { answer = std::move(r); }));
  ASSERT_TRUE(pending_.has_value());
  EXPECT_FALSE(answer.has_value());
  Reply reply;
  reply.status = 200;
  reply.raw_body = "{\"ok\":true}";
  reply.headers.push_back({"X-Amz-Executed-Version", "$LATEST"});
  (*pending_)(std::move(reply));
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->body, "{\"ok\":true}");
  ASSERT_NE(Header(*answer, "X-Amz-Executed-Version"), nullptr);
  ASSERT_NE(Header(*answer, "x-amzn-RequestId"), nullptr);
  EXPECT_EQ(*Header(*answer, "x-amzn-RequestId"), async_request_id_);
  EXPECT_EQ(sync_calls_, 0);
}

TEST_F(LambdaApiAsyncTest, ErrorsAreRenderedAsAwsErrors) {
  std::optional<http::HttpResponse> answer;
  ASSERT_TRUE(api_.HandleAsync(Post("/2015-03-31/functions/fn/invocations", "fail"),
                               [&](http::HttpResponse r) { answer = std::move(r); }));
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status, 404);
  ASSERT_NE(Header(*answer, "x-amzn-ErrorType"), nullptr);
  EXPECT_EQ(*Header(*answer, "x-amzn-ErrorType"), "ResourceNotFoundException");
  EXPECT_NE(answer->body.find("Function not found: x"), std::string::npos);
}

TEST_F(LambdaApiAsyncTest, DeclinedAndOtherRequestsGoToHandle) {
  auto unused = [](http::HttpResponse) { FAIL() << "declined requests must not answer"; };
  // The operation declines.
  const http::HttpRequest declined = Post("/2015-03-31/functions/fn/invocations", "decline");
  EXPECT_FALSE(api_.HandleAsync(declined, unused));
  EXPECT_EQ(api_.Handle(declined).body, "sync");
  EXPECT_EQ(sync_calls_, 1);
  // Operations without an asynchronous path, unknown paths, and internal paths.
  http::HttpRequest get;
  get.method = "GET";
  get.target = "/2015-03-31/functions/fn";
  EXPECT_FALSE(api_.HandleAsync(get, unused));
  EXPECT_FALSE(api_.HandleAsync(Post("/2015-03-31/functions", "{}"), unused));
  EXPECT_FALSE(api_.HandleAsync(Post("/no/such/path", ""), unused));
  // Input the model rejects is left to Handle, which answers the validation error.
  EXPECT_FALSE(api_.HandleAsync(
      Post("/2015-03-31/functions/fn/invocations?Qualifier=%20bad%20", "x"), unused));
  EXPECT_FALSE(pending_.has_value());
}

// Typed operations: the handler gets the generated input shape and answers with the output shape.
TEST(LambdaApiTypedTest, DecodesTheInputShapeAndRendersTheOutputShape) {
  LambdaApi api{ApiOptions{}};
  std::string seen_name;
  api.RegisterTyped<shapes::GetFunctionConcurrencyRequest>(
      "GetFunctionConcurrency",
      [&](const RequestContext&, const shapes::GetFunctionConcurrencyRequest& in)
          -> Result<shapes::GetFunctionConcurrencyResponse> {
        seen_name = in.FunctionName;
        shapes::GetFunctionConcurrencyResponse out;
        if (in.FunctionName == "reserved") out.ReservedConcurrentExecutions = 5;
        return out;
      });
  http::HttpRequest get;
  get.method = "GET";
  get.target = "/2019-09-30/functions/reserved/concurrency";
  http::HttpResponse resp = api.Handle(get);
  EXPECT_EQ(seen_name, "reserved");
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body, R"({"ReservedConcurrentExecutions":5})");
  get.target = "/2019-09-30/functions/other/concurrency";
  EXPECT_EQ(api.Handle(get).body, "{}");  // absent optionals are omitted
}

TEST(LambdaApiTypedTest, AnInputThatDoesNotDecodeIsAnsweredBeforeTheHandler) {
  LambdaApi api{ApiOptions{}};
  int calls = 0;
  api.RegisterTyped<shapes::UpdateFunctionCodeRequest>(
      "UpdateFunctionCode",
      [&](const RequestContext&, const shapes::UpdateFunctionCodeRequest&) -> Result<Reply> {
        ++calls;
        return Reply{};
      });
  http::HttpRequest put = Post("/2015-03-31/functions/f/code", R"({"ZipFile":"%%%"})");
  put.method = "PUT";
  http::HttpResponse resp = api.Handle(put);
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(resp.status, 400);
  ASSERT_NE(Header(resp, "x-amzn-ErrorType"), nullptr);
  EXPECT_EQ(*Header(resp, "x-amzn-ErrorType"), "InvalidParameterValueException");
}

TEST(LambdaApiTypedTest, HeaderStatusAndPayloadMembersGoWhereTheModelSays) {
  LambdaApi api{ApiOptions{}};
  api.RegisterTyped<shapes::InvocationRequest>(
      "Invoke",
      [](const RequestContext&,
         shapes::InvocationRequest&& in) -> Result<shapes::InvocationResponse> {
        shapes::InvocationResponse out;
        out.StatusCode = 200;
        out.Payload = std::move(in.Payload);  // echo
        out.ExecutedVersion = in.Qualifier.value_or("$LATEST");
        return out;
      });
  http::HttpResponse resp = api.Handle(Post("/2015-03-31/functions/fn/invocations", "[1,2]"));
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body, "[1,2]");
  ASSERT_NE(Header(resp, "X-Amz-Executed-Version"), nullptr);
  EXPECT_EQ(*Header(resp, "X-Amz-Executed-Version"), "$LATEST");
}

}  // namespace
}  // namespace lambdalite::api
