#include "api/function_url_http.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace lambdalite::api {
namespace {

namespace json = boost::json;

http::HttpRequest Request(std::string method, std::vector<http::Header> headers,
                          std::string body = {}) {
  http::HttpRequest r;
  r.method = std::move(method);
  r.headers = std::move(headers);
  r.body = std::move(body);
  r.remote_address = "127.0.0.1";
  return r;
}

UrlEventContext Context(std::string target) {
  UrlEventContext c;
  c.url_id = "0123456789abcdefghijklmnopqrstuv";
  c.region = "us-east-1";
  c.target = std::move(target);
  c.request_id = "req-1";
  c.time_ms = 1583348638390;
  c.forwarded_port = "8080";
  return c;
}

json::object Event(const http::HttpRequest& r, const UrlEventContext& c) {
  return json::parse(BuildUrlEvent(r, c)).as_object();
}

TEST(FunctionUrlEventTest, CarriesEveryPayload20Field) {
  auto r = Request("POST",
                   {{"Host", "x"},
                    {"User-Agent", "agent"},
                    {"X-Multi", "a"},
                    {"x-multi", "b"},
                    {"Cookie", "c1=1; c2=2"},
                    {"Content-Type", "application/json"}},
                   R"({"k":1})");
  json::object e = Event(r, Context("/my/path?p1=v1&p1=v2&p2=a%20b"));
  EXPECT_EQ(e["version"], "2.0");
  EXPECT_EQ(e["routeKey"], "$default");
  EXPECT_EQ(e["rawPath"], "/my/path");
  EXPECT_EQ(e["rawQueryString"], "p1=v1&p1=v2&p2=a%20b");
  EXPECT_EQ(e["cookies"], (json::array{"c1=1", "c2=2"}));
  const json::object& h = e["headers"].as_object();
  EXPECT_EQ(h.at("x-multi"), "a,b");
  EXPECT_EQ(h.at("user-agent"), "agent");
  EXPECT_FALSE(h.contains("cookie"));
  EXPECT_EQ(h.at("x-forwarded-for"), "127.0.0.1");
  EXPECT_EQ(h.at("x-forwarded-port"), "8080");
  EXPECT_EQ(e["queryStringParameters"], (json::object{{"p1", "v1,v2"}, {"p2", "a b"}}));
  const json::object& rc = e["requestContext"].as_object();
  EXPECT_EQ(rc.at("accountId"), "anonymous");
  EXPECT_EQ(rc.at("apiId"), "0123456789abcdefghijklmnopqrstuv");
  EXPECT_EQ(rc.at("domainName"), "0123456789abcdefghijklmnopqrstuv.lambda-url.us-east-1.localhost");
  EXPECT_EQ(rc.at("domainPrefix"), "0123456789abcdefghijklmnopqrstuv");
  EXPECT_EQ(rc.at("http"), (json::object{{"method", "POST"},
                                         {"path", "/my/path"},
                                         {"protocol", "HTTP/1.1"},
                                         {"sourceIp", "127.0.0.1"},
                                         {"userAgent", "agent"}}));
  EXPECT_EQ(rc.at("requestId"), "req-1");
  EXPECT_EQ(rc.at("time"), "04/Mar/2020:19:03:58 +0000");
  EXPECT_EQ(rc.at("timeEpoch"), 1583348638390);
  EXPECT_FALSE(rc.contains("authorizer"));
  EXPECT_EQ(e["body"], R"({"k":1})");
  EXPECT_EQ(e["isBase64Encoded"], false);
}

TEST(FunctionUrlEventTest, OptionalMembersAndBinaryBodies) {
  json::object e = Event(Request("GET", {}), Context("/"));
  EXPECT_FALSE(e.contains("cookies"));
  EXPECT_FALSE(e.contains("queryStringParameters"));
  EXPECT_FALSE(e.contains("body"));
  EXPECT_EQ(e["isBase64Encoded"], false);
  EXPECT_EQ(e["rawQueryString"], "");

  json::object b = Event(
      Request("PUT", {{"Content-Type", "application/octet-stream"}}, std::string("\x00\xff", 2)),
      Context("/bin"));
  EXPECT_EQ(b["body"], "AP8=");
  EXPECT_EQ(b["isBase64Encoded"], true);

  UrlEventContext iam = Context("/");
  iam.account_id = "111111111111";
  iam.access_key_id = "AKIDEXAMPLE";
  json::object i = Event(Request("GET", {}), iam);
  EXPECT_EQ(i["requestContext"].at("accountId"), "111111111111");
  EXPECT_EQ(i["requestContext"].at("authorizer").at("iam").at("accessKey"), "AKIDEXAMPLE");
}

// Found by fuzz/function_url_fuzz.cc: request bytes that are not UTF-8 made the event invalid
// JSON. Texts get U+FFFD for them; a "text" body that is not UTF-8 goes as base64.
TEST(FunctionUrlEventTest, BytesThatAreNotUtf8KeepTheEventValidJson) {
  const std::string bad("\xff\xfe", 2);
  const std::string event =
      BuildUrlEvent(Request("POST", {{"X-Odd", "v" + bad}, {"Content-Type", "text/plain"}},
                            "caf" + bad),
                    Context("/p" + bad + "?k" + bad + "=x"));
  boost::system::error_code ec;
  json::value v = json::parse(event, ec);
  ASSERT_FALSE(ec) << event;
  json::object& e = v.as_object();
  EXPECT_EQ(e["rawPath"], "/p\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(e["headers"].at("x-odd"), "v\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(e["isBase64Encoded"], true);
  EXPECT_EQ(e["body"], "Y2Fm//4=");
}

TEST(FunctionUrlEventTest, TextContentTypes) {
  struct Case {
    const char* type;
    bool text;
  };
  for (const Case& c : std::vector<Case>{{"text/plain", true},
                                         {"text/html; charset=utf-8", true},
                                         {"application/json", true},
                                         {"application/vnd.api+json", true},
                                         {"application/xml", true},
                                         {"application/javascript", true},
                                         {"application/x-www-form-urlencoded", true},
                                         {"application/octet-stream", false},
                                         {"image/png", false}}) {
    EXPECT_EQ(IsTextContentType(c.type), c.text) << c.type;
  }
}

std::string HeaderOf(const http::HttpResponse& r, std::string_view name) {
  for (const auto& h : r.headers) {
    if (h.name == name) return h.value;
  }
  return "<absent>";
}

TEST(FunctionUrlResultTest, MapsResultsAsAws) {
  struct Case {
    const char* name;
    const char* payload;
    bool error;
    int status;
    const char* body;
    const char* content_type;
  };
  const std::vector<Case> cases = {
      {"UI1 dict", R"({"hello": "world"})", false, 200, R"({"hello":"world"})", "application/json"},
      {"UI2 http response", R"({"statusCode": 200, "body": "body123"})", false, 200, "body123",
       "application/json"},
      {"UI5 string", R"("hello")", false, 200, "hello", "application/json"},
      {"list", R"(["hello", 3, true])", false, 200, R"(["hello",3,true])", "application/json"},
      {"integer", "3", false, 200, "3", "application/json"},
      {"boolean", "true", false, 200, "true", "application/json"},
      {"UI7 error", R"({"errorMessage":"x"})", true, 502, "Internal Server Error",
       "application/json"},
      {"string status", R"({"statusCode": "418", "body": "i'm a teapot"})", false, 418,
       "i'm a teapot", "application/json"},
      {"custom type", R"({"statusCode": 201, "headers": {"Content-Type": "text/plain"},
        "body": "made"})",
       false, 201, "made", "text/plain"},
      {"base64", R"({"statusCode": 200, "body": "AP8=", "isBase64Encoded": true})", false, 200,
       "\x00\xff", "application/json"},
      {"bad status", R"({"statusCode": "teapot"})", false, 502, "Internal Server Error",
       "application/json"},
      {"no body", R"({"statusCode": 204})", false, 204, "", "application/json"},
  };
  for (const Case& c : cases) {
    http::HttpResponse r = MapUrlResult(c.payload, c.error);
    EXPECT_EQ(r.status, c.status) << c.name;
    EXPECT_EQ(r.body, std::string(c.body, c.name == std::string("base64") ? 2 : strlen(c.body)))
        << c.name;
    EXPECT_EQ(HeaderOf(r, "Content-Type"), c.content_type) << c.name;
  }
  http::HttpResponse r = MapUrlResult(
      R"({"statusCode": 200, "headers": {"X-A": "1", "X-N": 2}, "cookies": ["a=1", "b=2"]})",
      false);
  EXPECT_EQ(HeaderOf(r, "X-A"), "1");
  EXPECT_EQ(HeaderOf(r, "X-N"), "2");
  int set_cookies = 0;
  for (const auto& h : r.headers) set_cookies += h.name == "Set-Cookie";
  EXPECT_EQ(set_cookies, 2);
}

TEST(FunctionUrlCorsTest, PreflightAndResponseHeaders) {
  domain::UrlCors cors;
  cors.allow_origins = std::vector<std::string>{"https://a.example"};
  cors.allow_methods = std::vector<std::string>{"GET", "POST"};
  cors.allow_headers = std::vector<std::string>{"x-custom"};
  cors.expose_headers = std::vector<std::string>{"x-exposed"};
  cors.max_age = 300;
  cors.allow_credentials = true;
  auto pre = Request("OPTIONS",
                     {{"Origin", "https://a.example"}, {"Access-Control-Request-Method", "POST"}});
  ASSERT_TRUE(IsPreflight(pre));
  http::HttpResponse p = PreflightResponse(cors, pre);
  EXPECT_EQ(p.status, 200);
  EXPECT_EQ(HeaderOf(p, "Access-Control-Allow-Origin"), "https://a.example");
  EXPECT_EQ(HeaderOf(p, "Access-Control-Allow-Methods"), "GET,POST");
  EXPECT_EQ(HeaderOf(p, "Access-Control-Allow-Headers"), "x-custom");
  EXPECT_EQ(HeaderOf(p, "Access-Control-Max-Age"), "300");
  EXPECT_EQ(HeaderOf(p, "Access-Control-Allow-Credentials"), "true");

  auto other = Request("OPTIONS",
                       {{"Origin", "https://b.example"}, {"Access-Control-Request-Method", "GET"}});
  EXPECT_EQ(HeaderOf(PreflightResponse(cors, other), "Access-Control-Allow-Origin"), "<absent>");

  http::HttpResponse r;
  r.SetHeader("Access-Control-Allow-Origin", "https://evil.example");
  AddCorsHeaders(cors, Request("GET", {{"Origin", "https://a.example"}}), r);
  EXPECT_EQ(HeaderOf(r, "Access-Control-Allow-Origin"), "https://a.example");
  EXPECT_EQ(HeaderOf(r, "Access-Control-Expose-Headers"), "x-exposed");
  EXPECT_EQ(HeaderOf(r, "Access-Control-Allow-Credentials"), "true");

  domain::UrlCors any;
  any.allow_origins = std::vector<std::string>{"*"};
  http::HttpResponse a;
  AddCorsHeaders(any, Request("GET", {{"Origin", "https://z.example"}}), a);
  EXPECT_EQ(HeaderOf(a, "Access-Control-Allow-Origin"), "*");
}

}  // namespace
}  // namespace lambdalite::api
