#include "executor/environment_pool.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <optional>
#include <regex>
#include <sstream>
#include <thread>

#include "common/crypto.h"
#include "common/file.h"
#include "common/ids.h"
#include "executor/process_sandbox.h"
#include "executor/test_support.h"

namespace lambdalite::executor {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using testing::MakeRequest;
using testing::MakeVersion;

ProcessSandboxOptions SandboxOptions(int max_processes = 1024) {
  ProcessSandboxOptions options;
  options.uid_base = 981000;
  options.uid_count = 1000;
  options.lock_dir = "/run/lambdalite-test/uids";
  options.cgroup_name = "lambdalite-test";
  options.max_processes = max_processes;
  return options;
}

bool IsRoot() { return geteuid() == 0; }

// What a GET /next on 127.0.0.1:port from this process gets: "answered", "reset" (or closed
// without a byte), "connect failed", or "no answer" within 5 s (a long poll left waiting).
std::string PollNextFromHere(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "socket failed";
  const timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string outcome;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    outcome = "connect failed";
  } else {
    const std::string request =
        "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    (void)send(fd, request.data(), request.size(), MSG_NOSIGNAL);  // may meet the reset already
    char byte;
    const ssize_t n = recv(fd, &byte, 1, 0);
    if (n > 0) {
      outcome = "answered";
    } else if (n == 0 || errno == ECONNRESET) {
      outcome = "reset";
    } else {
      outcome = "no answer";
    }
  }
  close(fd);
  return outcome;
}

class EnvironmentPoolTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { sandbox_ = new ProcessSandbox(SandboxOptions()); }
  void EchoThroughRuntimeClient(const std::string& client_path, const std::string& runtime,
                                const std::string& file, const std::string& source,
                                const std::string& handler);
  static void TearDownTestSuite() {
    delete sandbox_;
    sandbox_ = nullptr;
  }

  void SetUp() override {
    // Open up the parent, so that only the pool's own 0700 on the data dir protects it.
    chmod(data_root_.path().c_str(), 0755);
    ASSERT_TRUE(server_.Start().ok());
    zip_ = work_.path() + "/scripted.zip";
    ASSERT_TRUE(testing::WriteZip(zip_, {{"bootstrap", testing::ScriptedBootstrap(), 0755},
                                         {"data.txt", "some data\n", 0644}}));
    MakePool(*sandbox_);
  }

  void TearDown() override {
    pool_.reset();
    server_.Stop();
  }

  void MakePool(Sandbox& sandbox, EnvironmentPoolOptions options = {}) {
    pool_.reset();
    options.data_dir = data_dir_;
    pool_ = std::make_unique<EnvironmentPool>(server_, sandbox, RuntimeRegistry::Default(), clock_,
                                              options);
  }

  // The scripted provided.al2023 function.
  std::shared_ptr<domain::FunctionVersion> Scripted(int timeout_s = 3, int memory_mb = 128,
                                                    std::map<std::string, std::string> env = {}) {
    return MakeVersion("provided.al2023", "handler.unused", timeout_s, memory_mb, std::move(env));
  }

  InvokeRequest Request(std::shared_ptr<const domain::FunctionVersion> version,
                        const json::value& event, const std::string& function = "fn") {
    return MakeRequest(function, std::move(version), zip_, json::serialize(event));
  }

  InvocationResult MustInvoke(const InvokeRequest& request) {
    auto result = pool_->Invoke(request);
    EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
    return result.ok() ? std::move(result).value() : InvocationResult{};
  }

  json::value InvokeJson(std::shared_ptr<const domain::FunctionVersion> version,
                         const json::value& event, const std::string& function = "fn") {
    InvocationResult result = MustInvoke(Request(std::move(version), event, function));
    EXPECT_EQ(result.function_error, "") << result.payload;
    return json::parse(result.payload);
  }

  static ProcessSandbox* sandbox_;
  testing::TempDir work_;
  testing::TempDir data_root_;
  const std::string data_dir_ = data_root_.path() + "/data";
  std::string zip_;
  FakeClock clock_;
  testing::NotFoundHandler main_handler_;
  http::Server server_{main_handler_, "127.0.0.1", 0, 4};
  std::unique_ptr<EnvironmentPool> pool_;
};

ProcessSandbox* EnvironmentPoolTest::sandbox_ = nullptr;

TEST_F(EnvironmentPoolTest, EchoRoundTrip) {
  auto version = Scripted();
  InvokeRequest request = Request(version, {{"hello", "world"}, {"n", 1}});
  request.tail_log = true;
  InvocationResult result = MustInvoke(request);
  EXPECT_EQ(result.function_error, "");
  EXPECT_EQ(json::parse(result.payload), json::parse(R"({"hello":"world","n":1})"));
  EXPECT_EQ(result.executed_version, "$LATEST");
  EXPECT_FALSE(result.timed_out);

  std::string log;
  ASSERT_TRUE(Base64Decode(result.log_result, &log));
  EXPECT_EQ(log.rfind("START RequestId: " + request.request_id + " Version: $LATEST\n", 0), 0u)
      << log;
  EXPECT_NE(log.find("END RequestId: " + request.request_id +
                     "\nREPORT RequestId: " + request.request_id + "\tDuration: "),
            std::string::npos);
  EXPECT_NE(log.find("\tMemory Size: 128 MB\tMax Memory Used: "), std::string::npos);
  EXPECT_NE(log.find("\tInit Duration: "), std::string::npos);  // cold start

  // Warm: no Init Duration.
  request = Request(version, {{"again", true}});
  request.tail_log = true;
  result = MustInvoke(request);
  ASSERT_TRUE(Base64Decode(result.log_result, &log));
  EXPECT_EQ(log.find("Init Duration"), std::string::npos);
}

TEST_F(EnvironmentPoolTest, FunctionErrorIsPassedThroughUntouched) {
  InvokeRequest request = Request(Scripted(), {{"action", "error"}});
  InvocationResult result = MustInvoke(request);
  EXPECT_EQ(result.function_error, "Unhandled");
  EXPECT_EQ(result.payload, R"({"errorMessage": "boom", "errorType": "TestError", "requestId": ")" +
                                request.request_id + R"("})");
  // The environment survives a function error.
  EXPECT_EQ(pool_->ListEnvironments().size(), 1u);
}

TEST_F(EnvironmentPoolTest, TimeoutKillsTheEnvironment) {
  auto version = Scripted(/*timeout_s=*/1);
  InvokeRequest request = Request(version, {{"action", "sleep"}, {"seconds", 10}});
  const auto start = std::chrono::steady_clock::now();
  InvocationResult result = MustInvoke(request);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_TRUE(result.timed_out);
  EXPECT_EQ(result.function_error, "Unhandled");
  EXPECT_EQ(result.payload, R"({"errorType":"Sandbox.Timedout","errorMessage":"RequestId: )" +
                                request.request_id +
                                R"( Error: Task timed out after 1.00 seconds"})");
  pool_->WaitForCleanup();
  EXPECT_TRUE(pool_->ListEnvironments().empty());
  // The next invocation gets a fresh environment.
  EXPECT_EQ(InvokeJson(version, {{"ok", true}}), json::parse(R"({"ok":true})"));
}

TEST_F(EnvironmentPoolTest, RuntimeExitIsRuntimeExitError) {
  InvokeRequest request = Request(Scripted(), {{"action", "exit"}, {"code", 3}});
  InvocationResult result = MustInvoke(request);
  EXPECT_EQ(result.function_error, "Unhandled");
  EXPECT_EQ(result.payload, R"({"errorType":"Runtime.ExitError","errorMessage":"RequestId: )" +
                                request.request_id +
                                R"( Error: Runtime exited with error: exit status 3"})");

  request = Request(Scripted(), {{"action", "exit"}, {"code", 0}});
  result = MustInvoke(request);
  EXPECT_EQ(result.payload, R"({"errorType":"Runtime.ExitError","errorMessage":"RequestId: )" +
                                request.request_id +
                                R"( Error: Runtime exited without providing a reason"})");
}

TEST_F(EnvironmentPoolTest, InitFailures) {
  // The runtime reports an init error: its body is the payload.
  InvokeRequest request = Request(Scripted(3, 128, {{"INIT_ERROR", "1"}}), {});
  InvocationResult result = MustInvoke(request);
  EXPECT_EQ(result.function_error, "Unhandled");
  EXPECT_EQ(json::parse(result.payload),
            json::parse(R"({"errorMessage":"init failed","errorType":"InitTest","requestId":"",)"
                        R"("stackTrace":[]})"));

  // The runtime exits during init.
  request = Request(Scripted(3, 128, {{"INIT_EXIT", "127"}}), {});
  result = MustInvoke(request);
  EXPECT_EQ(result.payload, R"({"errorType":"Runtime.ExitError","errorMessage":"RequestId: )" +
                                request.request_id +
                                R"( Error: Runtime exited with error: exit status 127"})");

  // No bootstrap at all.
  const std::string empty_zip = work_.path() + "/empty.zip";
  ASSERT_TRUE(testing::WriteZip(empty_zip, {{"readme.txt", "nothing", 0644}}));
  request = MakeRequest("fn", Scripted(), empty_zip, "{}");
  result = MustInvoke(request);
  EXPECT_EQ(result.payload,
            R"({"errorType":"Runtime.InvalidEntrypoint","errorMessage":"RequestId: )" +
                request.request_id +
                R"( Error: fork/exec /var/task/bootstrap: no such file or directory"})");
}

TEST_F(EnvironmentPoolTest, MissingExecWrapperIsExitStatus127) {
  // AWS_LAMBDA_EXEC_WRAPPER applies to managed runtimes; a missing wrapper is AWS's I13 answer.
  auto version = MakeVersion("python3.12", "handler.handler", 3, 128,
                             {{"AWS_LAMBDA_EXEC_WRAPPER", "/var/task/no-such-wrapper"}});
  InvokeRequest request = MakeRequest("fn", version, zip_, "{}");
  InvocationResult result = MustInvoke(request);
  EXPECT_EQ(result.function_error, "Unhandled");
  EXPECT_EQ(result.payload, R"({"errorType":"Runtime.ExitError","errorMessage":"RequestId: )" +
                                request.request_id +
                                R"( Error: Runtime exited with error: exit status 127"})");
}

TEST_F(EnvironmentPoolTest, SlowInitGetsTheFunctionTimeout) {
  EnvironmentPoolOptions options;
  options.init_timeout = std::chrono::milliseconds(200);
  MakePool(*sandbox_, options);
  // Init takes 0.6 s: longer than the init limit, shorter than limit + timeout.
  EXPECT_EQ(InvokeJson(Scripted(2, 128, {{"INIT_SLEEP", "0.6"}}), {{"a", 1}}),
            json::parse(R"({"a":1})"));
}

TEST_F(EnvironmentPoolTest, ResponseTooLargeKeepsTheEnvironment) {
  auto version = Scripted();
  const json::value first = InvokeJson(version, {{"action", "whoami"}});
  InvokeRequest request = Request(version, {{"action", "big"}, {"n", 7 * 1024 * 1024}});
  InvocationResult result = MustInvoke(request);
  EXPECT_EQ(result.function_error, "Unhandled");
  EXPECT_EQ(result.payload,
            R"({"errorMessage":"Response payload size exceeded maximum allowed payload size )"
            R"((6291556 bytes).","errorType":"Function.ResponseSizeTooLarge"})");
  // Exactly 6 MiB (a JSON string: n + 2 quotes) succeeds, in the same environment.
  result = MustInvoke(Request(version, {{"action", "big"}, {"n", 6 * 1024 * 1024 - 2}}));
  EXPECT_EQ(result.function_error, "");
  EXPECT_EQ(result.payload.size(), 6u * 1024 * 1024);
  const json::value again = InvokeJson(version, {{"action", "whoami"}});
  EXPECT_EQ(again.at("token"), first.at("token"));
}

TEST_F(EnvironmentPoolTest, EnvironmentVariablesInsideTheSandbox) {
  auto version =
      Scripted(3, 256, {{"MY_VAR", "my value"}, {"AWS_REGION", "hacked"}, {"TZ", ":Europe/Paris"}});
  InvokeRequest request = Request(version, {{"action", "env"}});
  InvocationResult result = MustInvoke(request);
  ASSERT_EQ(result.function_error, "") << result.payload;
  const json::object env = json::parse(result.payload).as_object();
  auto var = [&](const char* name) -> std::string {
    auto it = env.find(name);
    return it == env.end() ? "<unset>" : std::string(it->value().as_string());
  };
  const auto environments = pool_->ListEnvironments();
  ASSERT_EQ(environments.size(), 1u);
  EXPECT_EQ(var("AWS_LAMBDA_RUNTIME_API"), "127.0.0.1:" + std::to_string(environments[0].port));
  EXPECT_EQ(var("AWS_LAMBDA_FUNCTION_NAME"), "fn");
  EXPECT_EQ(var("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), "256");
  EXPECT_EQ(var("AWS_LAMBDA_FUNCTION_VERSION"), "$LATEST");
  EXPECT_EQ(var("AWS_LAMBDA_LOG_GROUP_NAME"), "/aws/lambda/fn");
  EXPECT_EQ(var("AWS_LAMBDA_LOG_STREAM_NAME"), environments[0].log_stream);
  EXPECT_EQ(var("AWS_LAMBDA_INITIALIZATION_TYPE"), "on-demand");
  EXPECT_EQ(var("AWS_REGION"), "us-east-1");  // reserved: the function cannot override it
  EXPECT_EQ(var("AWS_DEFAULT_REGION"), "us-east-1");
  EXPECT_EQ(var("AWS_EXECUTION_ENV"), "<unset>");  // not for provided.*
  EXPECT_EQ(var("_HANDLER"), "handler.unused");
  if (IsRoot()) {
    EXPECT_EQ(var("LAMBDA_TASK_ROOT"), "/var/task");
    EXPECT_EQ(var("LAMBDA_RUNTIME_DIR"), "/var/runtime");
    EXPECT_EQ(var("LD_LIBRARY_PATH"),
              "/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:"
              "/var/task/lib:/opt/lib");
  } else {
    // No mount namespace: the sandbox points the runtime at the host directories instead.
    EXPECT_EQ(var("LAMBDA_TASK_ROOT").rfind(data_dir_ + "/executor/code/", 0), 0u);
    EXPECT_EQ(var("LAMBDA_RUNTIME_DIR"), DefaultRuntimesDir());
  }
  EXPECT_EQ(var("LANG"), "en_US.UTF-8");
  EXPECT_EQ(var("TZ"), ":Europe/Paris");  // unreserved: overridable
  EXPECT_EQ(var("PATH"), "/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin");
  EXPECT_EQ(var("AWS_ACCESS_KEY_ID"), "123456789012");
  EXPECT_NE(var("AWS_SECRET_ACCESS_KEY"), "<unset>");
  EXPECT_NE(var("AWS_SESSION_TOKEN"), "<unset>");
  EXPECT_EQ(var("MY_VAR"), "my value");
  EXPECT_EQ(var("HOME"), "<unset>");  // nothing leaks from the server's environment
}

TEST_F(EnvironmentPoolTest, InvocationHeaders) {
  auto version = Scripted(7);
  InvokeRequest request = Request(version, {{"action", "headers"}});
  request.client_context = Base64Encode(R"({"custom":{"k":"v"}})");
  request.invoked_function_arn += ":$LATEST";
  const int64_t now = clock_.NowMillis();
  InvocationResult result = MustInvoke(request);
  const json::object headers = json::parse(result.payload).as_object();
  EXPECT_EQ(headers.at("Lambda-Runtime-Aws-Request-Id").as_string(), request.request_id);
  EXPECT_EQ(headers.at("Lambda-Runtime-Invoked-Function-Arn").as_string(),
            request.invoked_function_arn);
  EXPECT_EQ(headers.at("Lambda-Runtime-Client-Context").as_string(), R"({"custom":{"k":"v"}})");
  const int64_t deadline =
      std::stoll(std::string(headers.at("Lambda-Runtime-Deadline-Ms").as_string()));
  EXPECT_GE(deadline, now + 6000);
  EXPECT_LE(deadline, now + 7000);
  // X-Ray's format: the epoch seconds of the invocation, 96 and 64 random bits.
  const std::string trace(headers.at("Lambda-Runtime-Trace-Id").as_string());
  char seconds[16];
  std::snprintf(seconds, sizeof seconds, "%08llx", static_cast<unsigned long long>(now / 1000));
  EXPECT_EQ(trace.rfind(std::string("Root=1-") + seconds + "-", 0), 0u) << trace;
  EXPECT_TRUE(std::regex_match(
      trace, std::regex("Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0")))
      << trace;
  // Unique per invocation.
  const json::object again = json::parse(MustInvoke(request).payload).as_object();
  EXPECT_NE(std::string(again.at("Lambda-Runtime-Trace-Id").as_string()), trace);
}

// The recursion lineage counted by the service rides in the trace id (domain/recursion.h), so
// the SDKs inside the function forward it with the calls the function makes.
TEST_F(EnvironmentPoolTest, TraceIdCarriesTheLineage) {
  auto version = Scripted(7);
  InvokeRequest request = Request(version, {{"action", "headers"}});
  request.lineage = "0badf00d:3|12345678:1";
  const json::object headers = json::parse(MustInvoke(request).payload).as_object();
  const std::string trace(headers.at("Lambda-Runtime-Trace-Id").as_string());
  EXPECT_TRUE(std::regex_match(trace, std::regex("Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]"
                                                 "{16};Sampled=0;Lineage=0badf00d:3\\|12345678:1")))
      << trace;
}

TEST_F(EnvironmentPoolTest, WarmEnvironmentIsReused) {
  auto version = Scripted();
  const json::value a = InvokeJson(version, {{"action", "whoami"}});
  const json::value b = InvokeJson(version, {{"action", "whoami"}});
  EXPECT_EQ(a.at("token"), b.at("token"));  // same process
  EXPECT_EQ(a.at("count").as_int64(), 1);
  EXPECT_EQ(b.at("count").as_int64(), 2);
  const auto environments = pool_->ListEnvironments();
  ASSERT_EQ(environments.size(), 1u);
  EXPECT_EQ(environments[0].state, "idle");
  EXPECT_EQ(environments[0].invocations, 2);

  // Another function, or another revision, never shares it.
  const json::value other = InvokeJson(version, {{"action", "whoami"}}, "other-fn");
  EXPECT_NE(other.at("token"), a.at("token"));
  auto updated = Scripted();
  updated->revision_id = "rev-2";
  const json::value c = InvokeJson(updated, {{"action", "whoami"}});
  EXPECT_NE(c.at("token"), a.at("token"));
  pool_->WaitForCleanup();
  // The old revision's idle environment went away with the update.
  EXPECT_EQ(pool_->ListEnvironments().size(), 2u);
}

// What TryInvokeAsync's `done` receives, once it is called.
class AsyncOutcome {
 public:
  Invoker::Done Callback() {
    return [state = state_](Result<InvocationResult> result) {
      std::lock_guard lock(state->mu);
      ++state->calls;
      state->result.emplace(std::move(result));
      state->cv.notify_all();
    };
  }
  // Waits up to `limit` for the call; false if it did not come.
  bool Wait(std::chrono::milliseconds limit = std::chrono::milliseconds(10'000)) {
    std::unique_lock lock(state_->mu);
    return state_->cv.wait_for(lock, limit, [&] { return state_->result.has_value(); });
  }
  const Result<InvocationResult>& result() const { return *state_->result; }
  int calls() const {
    std::lock_guard lock(state_->mu);
    return state_->calls;
  }

 private:
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    std::optional<Result<InvocationResult>> result;
    int calls = 0;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

TEST_F(EnvironmentPoolTest, AsyncInvokeTakesOnlyWarmEnvironments) {
  auto version = Scripted();
  // Nothing is warm yet: declined, with the request and the callback left as they were.
  InvokeRequest cold = Request(version, {{"action", "whoami"}});
  AsyncOutcome declined;
  Invoker::Done declined_done = declined.Callback();
  EXPECT_FALSE(pool_->TryInvokeAsync(cold, declined_done));
  EXPECT_TRUE(declined_done);
  EXPECT_EQ(json::parse(cold.payload), json::parse(R"({"action":"whoami"})"));
  EXPECT_TRUE(pool_->ListEnvironments().empty());

  const json::value first = InvokeJson(version, {{"action", "whoami"}});
  InvokeRequest warm = Request(version, {{"action", "whoami"}});
  warm.tail_log = true;
  const std::string request_id = warm.request_id;
  AsyncOutcome outcome;
  Invoker::Done done = outcome.Callback();
  ASSERT_TRUE(pool_->TryInvokeAsync(warm, done));
  ASSERT_TRUE(outcome.Wait());
  ASSERT_TRUE(outcome.result().ok()) << outcome.result().error().message;
  const InvocationResult& result = outcome.result().value();
  EXPECT_EQ(result.function_error, "") << result.payload;
  const json::value second = json::parse(result.payload);
  EXPECT_EQ(second.at("token"), first.at("token"));  // the same process
  EXPECT_EQ(second.at("count").as_int64(), 2);
  EXPECT_EQ(result.executed_version, "$LATEST");
  std::string log;
  ASSERT_TRUE(Base64Decode(result.log_result, &log));
  EXPECT_EQ(log.rfind("START RequestId: " + request_id + " Version: $LATEST\n", 0), 0u) << log;
  EXPECT_NE(log.find("REPORT RequestId: " + request_id + "\tDuration: "), std::string::npos);
  EXPECT_EQ(log.find("Init Duration"), std::string::npos);
  EXPECT_EQ(outcome.calls(), 1);

  const auto environments = pool_->ListEnvironments();
  ASSERT_EQ(environments.size(), 1u);
  EXPECT_EQ(environments[0].state, "idle");
  EXPECT_EQ(environments[0].invocations, 2);
  // The warm one is taken by nobody else while it runs: a throttled function is declined.
  InvokeRequest throttled = Request(version, {});
  throttled.reserved_concurrency = 0;
  Invoker::Done unused = AsyncOutcome().Callback();
  EXPECT_FALSE(pool_->TryInvokeAsync(throttled, unused));
}

TEST_F(EnvironmentPoolTest, AsyncInvokeEndsInTimeoutsCrashesAndFunctionErrors) {
  auto version = Scripted(/*timeout_s=*/1);
  InvokeJson(version, {});  // warm

  InvokeRequest failing = Request(version, {{"action", "error"}});
  AsyncOutcome error;
  Invoker::Done error_done = error.Callback();
  ASSERT_TRUE(pool_->TryInvokeAsync(failing, error_done));
  ASSERT_TRUE(error.Wait());
  ASSERT_TRUE(error.result().ok());
  EXPECT_EQ(error.result()->function_error, "Unhandled");
  EXPECT_NE(error.result()->payload.find(R"("errorType": "TestError")"), std::string::npos);

  InvokeRequest sleeping = Request(version, {{"action", "sleep"}, {"seconds", 10}});
  const std::string sleeping_id = sleeping.request_id;
  AsyncOutcome timeout;
  Invoker::Done timeout_done = timeout.Callback();
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(pool_->TryInvokeAsync(sleeping, timeout_done));
  ASSERT_TRUE(timeout.Wait());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  ASSERT_TRUE(timeout.result().ok());
  EXPECT_TRUE(timeout.result()->timed_out);
  EXPECT_EQ(timeout.result()->payload,
            R"({"errorType":"Sandbox.Timedout","errorMessage":"RequestId: )" + sleeping_id +
                R"( Error: Task timed out after 1.00 seconds"})");
  pool_->WaitForCleanup();
  EXPECT_TRUE(pool_->ListEnvironments().empty());  // a timed-out environment is discarded

  InvokeJson(version, {});  // warm again
  InvokeRequest exiting = Request(version, {{"action", "exit"}, {"code", 3}});
  const std::string exiting_id = exiting.request_id;
  AsyncOutcome exit;
  Invoker::Done exit_done = exit.Callback();
  ASSERT_TRUE(pool_->TryInvokeAsync(exiting, exit_done));
  ASSERT_TRUE(exit.Wait());
  ASSERT_TRUE(exit.result().ok());
  EXPECT_EQ(exit.result()->payload,
            R"({"errorType":"Runtime.ExitError","errorMessage":"RequestId: )" + exiting_id +
                R"( Error: Runtime exited with error: exit status 3"})");
  EXPECT_EQ(exit.calls(), 1);
}

TEST_F(EnvironmentPoolTest, ShutdownEndsAsyncInvocations) {
  auto version = Scripted(/*timeout_s=*/30);
  InvokeJson(version, {});
  InvokeRequest sleeping = Request(version, {{"action", "sleep"}, {"seconds", 20}});
  AsyncOutcome outcome;
  Invoker::Done done = outcome.Callback();
  ASSERT_TRUE(pool_->TryInvokeAsync(sleeping, done));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const auto start = std::chrono::steady_clock::now();
  pool_->Shutdown();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  ASSERT_TRUE(outcome.Wait(std::chrono::milliseconds(0)));  // ended before Shutdown returned
  ASSERT_TRUE(outcome.result().ok());
  EXPECT_EQ(outcome.result()->function_error, "Unhandled");
  EXPECT_NE(outcome.result()->payload.find("Runtime.ExitError"), std::string::npos);
}

TEST_F(EnvironmentPoolTest, ConcurrentInvocationsScaleOut) {
  auto version = Scripted(5);
  auto slow = std::async(std::launch::async, [&] {
    return InvokeJson(version, {{"action", "sleep"}, {"seconds", 1}});
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const json::value quick = InvokeJson(version, {{"action", "whoami"}});
  EXPECT_EQ(quick.at("count").as_int64(), 1);  // a second environment
  slow.get();
  EXPECT_EQ(pool_->ListEnvironments().size(), 2u);
}

TEST_F(EnvironmentPoolTest, ReservedConcurrencyThrottles) {
  auto version = Scripted(5);
  InvokeRequest zero = Request(version, {});
  zero.reserved_concurrency = 0;
  auto throttled = pool_->Invoke(zero);
  ASSERT_FALSE(throttled.ok());
  EXPECT_EQ(throttled.error().code, ErrorCode::kTooManyRequests);
  EXPECT_EQ(throttled.error().message, "Rate Exceeded.");
  EXPECT_EQ(throttled.error().detail, "ReservedFunctionConcurrentInvocationLimitExceeded");

  InvokeRequest slow = Request(version, {{"action", "sleep"}, {"seconds", 1}});
  slow.reserved_concurrency = 1;
  auto running = std::async(std::launch::async, [&] { return pool_->Invoke(slow); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  InvokeRequest second = Request(version, {});
  second.reserved_concurrency = 1;
  throttled = pool_->Invoke(second);
  ASSERT_FALSE(throttled.ok());
  EXPECT_EQ(throttled.error().detail, "ReservedFunctionConcurrentInvocationLimitExceeded");
  EXPECT_TRUE(running.get().ok());
  // Once the first one is done, the function may run again.
  second.request_id = NewUuid();
  EXPECT_TRUE(pool_->Invoke(second).ok());
}

TEST_F(EnvironmentPoolTest, UnreservedConcurrencyThrottles) {
  auto version = Scripted(5);
  InvokeRequest first = Request(version, {{"action", "sleep"}, {"seconds", 1}});
  first.unreserved_concurrency = 1;
  auto running = std::async(std::launch::async, [&] { return pool_->Invoke(first); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  InvokeRequest other = Request(version, {}, "another-function");
  other.unreserved_concurrency = 1;
  auto throttled = pool_->Invoke(other);
  ASSERT_FALSE(throttled.ok());
  EXPECT_EQ(throttled.error().code, ErrorCode::kTooManyRequests);
  EXPECT_EQ(throttled.error().message, "Rate Exceeded.");
  EXPECT_EQ(throttled.error().detail, "ConcurrentInvocationLimitExceeded");
  EXPECT_TRUE(running.get().ok());
}

TEST_F(EnvironmentPoolTest, RetireFunctionReplacesEnvironments) {
  auto version = Scripted(5);
  const json::value a = InvokeJson(version, {{"action", "whoami"}});
  pool_->RetireFunction(domain::Scope{"123456789012", "us-east-1"}, "fn");
  pool_->WaitForCleanup();
  EXPECT_TRUE(pool_->ListEnvironments().empty());
  const json::value b = InvokeJson(version, {{"action", "whoami"}});
  EXPECT_NE(a.at("token"), b.at("token"));

  // A busy environment finishes its invocation, then goes.
  auto running = std::async(std::launch::async, [&] {
    return InvokeJson(version, {{"action", "sleep"}, {"seconds", 0.5}});
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  pool_->RetireFunction(domain::Scope{"123456789012", "us-east-1"}, "fn");
  EXPECT_EQ(running.get(), json::parse(R"({"slept":0.5})"));
  pool_->WaitForCleanup();
  EXPECT_TRUE(pool_->ListEnvironments().empty());
  pool_->RetireFunction(domain::Scope{"123456789012", "us-east-1"}, "fn");  // idempotent
}

TEST_F(EnvironmentPoolTest, IdleEnvironmentsAreReapedAfterKeepAlive) {
  EnvironmentPoolOptions options;
  options.idle_keep_alive = std::chrono::seconds(60);
  options.reap_interval = std::chrono::hours(1);  // only explicit reaping in this test
  MakePool(*sandbox_, options);
  InvokeJson(Scripted(), {});
  clock_.Advance(59'000);
  EXPECT_EQ(pool_->ReapIdle(), 0);
  clock_.Advance(2'000);
  EXPECT_EQ(pool_->ReapIdle(), 1);
  pool_->WaitForCleanup();
  EXPECT_TRUE(pool_->ListEnvironments().empty());
}

TEST_F(EnvironmentPoolTest, LogsAreWrittenPerEnvironmentStream) {
  auto version = Scripted();
  InvokeRequest request =
      Request(version, {{"action", "print"}, {"lines", json::array{"first line", "second line"}}});
  request.tail_log = true;
  InvocationResult result = MustInvoke(request);
  std::string tail;
  ASSERT_TRUE(Base64Decode(result.log_result, &tail));
  EXPECT_NE(tail.find("START RequestId: " + request.request_id +
                      " Version: $LATEST\nfirst line\nsecond line\nto stderr\nEND RequestId: " +
                      request.request_id + "\n"),
            std::string::npos)
      << tail;

  const auto environments = pool_->ListEnvironments();
  ASSERT_EQ(environments.size(), 1u);
  const std::string path =
      LogFilePath(data_dir_, "123456789012", "us-east-1", "fn", environments[0].log_stream);
  pool_.reset();  // flushes the log sink
  const std::string file = ReadFileOrEmpty(path);
  EXPECT_NE(file.find("Z init done\n"), std::string::npos) << file;
  EXPECT_NE(file.find("Z START RequestId: " + request.request_id), std::string::npos);
  EXPECT_NE(file.find("Z first line\n"), std::string::npos);
  EXPECT_NE(file.find("Z REPORT RequestId: " + request.request_id + "\tDuration: "),
            std::string::npos);
}

TEST_F(EnvironmentPoolTest, UnsupportedRuntimeIsUnavailable) {
  auto result = pool_->Invoke(MakeRequest("fn", MakeVersion("java21", "x::y"), zip_, "{}"));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
}

// ---- Isolation (needs root) ----------------------------------------------------------------

TEST_F(EnvironmentPoolTest, RuntimeApiServesOnlyTheEnvironmentsOwnUid) {
  if (!IsRoot()) GTEST_SKIP() << "without root every environment runs as the server's uid";
  // On the host's network, where the Runtime API listens on the host's loopback.
  ProcessSandboxOptions options = SandboxOptions();
  options.network = SandboxNetwork::kHost;
  ProcessSandbox host_network(options);
  MakePool(host_network);
  auto version = Scripted();
  const json::value first = InvokeJson(version, {{"action", "whoami"}});
  const auto environments = pool_->ListEnvironments();
  ASSERT_EQ(environments.size(), 1u);
  // This process (root) is not the environment's uid: its connection is reset unanswered, and
  // the idle environment, long-polling on its own connection, does not notice.
  EXPECT_EQ(PollNextFromHere(environments[0].port), "reset");
  const json::value again = InvokeJson(version, {{"action", "whoami"}});
  EXPECT_EQ(again.at("token"), first.at("token"));
  EXPECT_EQ(pool_->ListEnvironments().size(), 1u);
  pool_.reset();  // before `host_network` goes
}

// In a network namespace of its own the environment reaches its Runtime API at AWS's address and
// nothing on the host's loopback: not a service listening there (the control plane, say), not
// another environment's endpoint; and no host process reaches its Runtime API.
TEST_F(EnvironmentPoolTest, OwnNetworkNamespaceHidesTheHostLoopback) {
  if (sandbox_->network() == SandboxNetwork::kHost) {
    GTEST_SKIP() << "this host gives environments no network namespace";
  }
  const int service = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(service, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(service, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(listen(service, 8), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(getsockname(service, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const int64_t service_port = ntohs(address.sin_port);

  const json::value who = InvokeJson(Scripted(), {{"action", "env"}}, "first");
  (void)who;
  json::array ops = {
      json::array{"connect", "127.0.0.1", service_port},  // 0: a host service
      json::array{"connect", "127.0.0.1", 9001},          // 1: its own Runtime API
      json::array{"interfaces"},                          // 2
  };
  const json::value probes = InvokeJson(Scripted(), {{"action", "try"}, {"ops", ops}}, "second");
  const json::array& r = probes.as_array();
  EXPECT_EQ(r[0].at("ok"), json::value(false)) << json::serialize(r[0]);
  EXPECT_EQ(r[1].at("ok"), json::value(true)) << json::serialize(r[1]);
  const json::array& interfaces = r[2].at("value").as_array();
  EXPECT_NE(std::find(interfaces.begin(), interfaces.end(), json::value("lo")), interfaces.end());
  EXPECT_EQ(std::find(interfaces.begin(), interfaces.end(), json::value("eth0")), interfaces.end());
  if (sandbox_->network() == SandboxNetwork::kNat) {
    EXPECT_NE(std::find(interfaces.begin(), interfaces.end(), json::value("tap0")),
              interfaces.end());
  }
  for (const EnvironmentInfo& e : pool_->ListEnvironments()) {
    EXPECT_EQ(e.port, kPrivateRuntimeApiPort);
  }
  close(service);
}

TEST_F(EnvironmentPoolTest, SandboxIsolation) {
  if (!IsRoot()) GTEST_SKIP() << "sandbox isolation needs root";
  const json::value who = InvokeJson(Scripted(), {{"action", "whoami"}});
  EXPECT_GE(who.at("uid").as_int64(), 981000);
  EXPECT_EQ(who.at("euid"), who.at("uid"));
  EXPECT_EQ(who.at("gid"), who.at("uid"));
  EXPECT_EQ(who.at("groups"), json::array());
  EXPECT_EQ(who.at("pid").as_int64(), 2);
  EXPECT_EQ(who.at("ppid").as_int64(), 1);
  EXPECT_EQ(who.at("cwd").as_string(), "/var/task");

  const std::string scratch = "/tmp/lambdalite-probe-" + NewUuid();
  json::array ops = {
      json::array{"read", "/var/task/data.txt"},               // 0: own code readable
      json::array{"write", "/var/task/new.txt"},               // 1: read-only
      json::array{"mounts", "/var/task"},                      // 2
      json::array{"listdir", data_dir_},                       // 3: the data dir
      json::array{"read", data_dir_ + "/executor"},            // 4
      json::array{"kill", static_cast<int64_t>(getpid()), 0},  // 5: the server: invisible
      json::array{"kill", 1, SIGKILL},                         // 6: the sandbox's init
      json::array{"listdir", "/proc"},                         // 7
      json::array{"write", scratch},                           // 8: private /tmp
      json::array{"statvfs", "/tmp"},                          // 9
      json::array{"read", "/etc/shadow"},                      // 10
  };
  const json::value probes = InvokeJson(Scripted(), {{"action", "try"}, {"ops", ops}});
  const json::array& r = probes.as_array();
  ASSERT_EQ(r.size(), ops.size());
  EXPECT_EQ(r[0].at("ok"), true);
  EXPECT_EQ(r[0].at("value").as_int64(), 10);
  EXPECT_EQ(r[1].at("ok"), false);
  const int64_t write_errno = r[1].at("errno").as_int64();
  EXPECT_TRUE(write_errno == EROFS || write_errno == EACCES) << write_errno;
  const json::array& mounts = r[2].at("value").as_array();
  ASSERT_FALSE(mounts.empty());
  EXPECT_NE(std::string(mounts[0].as_string()).find(" ro,"), std::string::npos) << mounts[0];
  EXPECT_EQ(r[3].at("ok"), false);
  EXPECT_EQ(r[3].at("errno").as_int64(), EACCES);
  EXPECT_EQ(r[4].at("ok"), false);
  EXPECT_EQ(r[5].at("ok"), false);
  EXPECT_EQ(r[5].at("errno").as_int64(), ESRCH);
  EXPECT_EQ(r[6].at("ok"), false);
  EXPECT_EQ(r[6].at("errno").as_int64(), EPERM);
  std::vector<std::string> pids;
  for (const auto& entry : r[7].at("value").as_array()) {
    const std::string name(entry.as_string());
    if (std::all_of(name.begin(), name.end(), ::isdigit)) pids.push_back(name);
  }
  EXPECT_EQ(pids, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(r[8].at("ok"), true);
  EXPECT_EQ(r[9].at("value").as_int64(), 512 * 1024 * 1024);
  EXPECT_EQ(r[10].at("ok"), false);
  EXPECT_FALSE(fs::exists(scratch));  // the sandbox's /tmp is not the host's
}

TEST_F(EnvironmentPoolTest, MemoryLimitKillsTheRuntime) {
  if (!IsRoot() || !sandbox_->has_cgroups()) GTEST_SKIP() << "needs root and cgroups";
  InvokeRequest request = Request(Scripted(10, 128), {{"action", "alloc"}, {"mb", 400}});
  request.tail_log = true;
  InvocationResult result = MustInvoke(request);
  EXPECT_EQ(result.function_error, "Unhandled");
  EXPECT_EQ(result.payload, R"({"errorType":"Runtime.OutOfMemory","errorMessage":"RequestId: )" +
                                request.request_id +
                                R"( Error: Runtime exited with error: signal: killed"})");
  std::string tail;
  ASSERT_TRUE(Base64Decode(result.log_result, &tail));
  EXPECT_NE(tail.find("Max Memory Used: 128 MB"), std::string::npos) << tail;
  // A function within its limit works.
  EXPECT_EQ(InvokeJson(Scripted(10, 256), {{"action", "alloc"}, {"mb", 50}}), json::value(50));
}

TEST_F(EnvironmentPoolTest, ForkBombIsContained) {
  if (!IsRoot()) GTEST_SKIP() << "needs root";
  ProcessSandbox small(SandboxOptions(/*max_processes=*/64));
  MakePool(small);
  const json::value bomb = InvokeJson(Scripted(20), {{"action", "forkbomb"}, {"max", 100000}});
  const int64_t forked = bomb.at("forked").as_int64();
  EXPECT_GT(forked, 10);
  EXPECT_LT(forked, 64);
  // The server is unaffected: it can still start processes and serve other functions.
  EXPECT_EQ(std::system("true"), 0);
  EXPECT_EQ(InvokeJson(Scripted(), {{"x", 1}}, "innocent"), json::parse(R"({"x":1})"));

  const auto environments = pool_->ListEnvironments();
  std::string bomb_env;
  for (const auto& e : environments) {
    if (e.function_name == "fn") bomb_env = e.id;
  }
  ASSERT_FALSE(bomb_env.empty());
  const std::string cgroup = "/sys/fs/cgroup/pids/lambdalite-test/" + bomb_env;
  if (small.has_cgroups() && fs::exists("/sys/fs/cgroup/pids")) {
    EXPECT_TRUE(fs::exists(cgroup));
  }
  pool_->RetireFunction(domain::Scope{"123456789012", "us-east-1"}, "fn");
  pool_->WaitForCleanup();
  EXPECT_FALSE(fs::exists(cgroup));  // every process is gone, so the cgroup could be removed
  pool_.reset();                     // before `small` goes
}

// ---- Real runtime clients (when present) and latency -------------------------------------

struct Latency {
  double cold_ms = 0;
  double p50_ms = 0;
  double p99_ms = 0;
};

Latency Measure(EnvironmentPool& pool, const std::function<InvokeRequest()>& make, int n) {
  Latency latency;
  auto timed = [&] {
    InvokeRequest request = make();
    const auto start = std::chrono::steady_clock::now();
    auto result = pool.Invoke(request);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    EXPECT_TRUE(result.ok());
    if (result.ok()) {
      EXPECT_EQ(result->function_error, "") << result->payload;
    }
    return ms;
  };
  latency.cold_ms = timed();
  std::vector<double> samples;
  for (int i = 0; i < n; ++i) samples.push_back(timed());
  std::sort(samples.begin(), samples.end());
  latency.p50_ms = samples[samples.size() / 2];
  latency.p99_ms = samples[samples.size() * 99 / 100];
  return latency;
}

TEST_F(EnvironmentPoolTest, WarmLatencyOfTheScriptedRuntime) {
  auto version = Scripted();
  Latency latency = Measure(
      *pool_,
      [&] {
        return Request(version, {{"k", "v"}});
      },
      300);
  std::printf(
      "[ latency ] scripted provided.al2023 echo: cold %.1f ms, warm p50 %.3f ms, p99 "
      "%.3f ms\n",
      latency.cold_ms, latency.p50_ms, latency.p99_ms);
  // Printed, never asserted: tests do not fail on timing.
  EXPECT_GT(latency.p50_ms, 0.0);
}

// Echoes a payload through one of lambdalite's runtime clients; prints cold and warm latency.
void EnvironmentPoolTest::EchoThroughRuntimeClient(const std::string& client_path,
                                                   const std::string& runtime,
                                                   const std::string& file,
                                                   const std::string& source,
                                                   const std::string& handler) {
  const std::string client = DefaultRuntimesDir() + "/" + client_path;
  if (!fs::exists(client)) GTEST_SKIP() << client << " is not there yet";
  const std::string zip = work_.path() + "/" + runtime + ".zip";
  ASSERT_TRUE(testing::WriteZip(zip, {{file, source, 0644}}));
  auto version = MakeVersion(runtime, handler);
  const std::string payload = R"({"hello":")" + runtime + R"("})";
  auto make = [&] { return MakeRequest("echo", version, zip, payload); };
  const auto start = std::chrono::steady_clock::now();
  InvocationResult result = MustInvoke(make());
  const double cold_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(result.function_error, "") << result.payload;
  EXPECT_EQ(json::parse(result.payload), json::parse(payload));
  Latency latency = Measure(*pool_, make, 300);
  std::printf("[ latency ] %s runtime client echo: cold %.1f ms, warm p50 %.3f ms, p99 %.3f ms\n",
              runtime.c_str(), cold_ms, latency.p50_ms, latency.p99_ms);
}

TEST_F(EnvironmentPoolTest, PythonRuntimeClientEcho) {
  EchoThroughRuntimeClient("python/bootstrap.py", "python3.12", "handler.py",
                           "def handler(event, context):\n    return event\n", "handler.handler");
}

TEST_F(EnvironmentPoolTest, LayersAreExtractedInOrderIntoAReadOnlyOpt) {
  if (!IsRoot()) GTEST_SKIP() << "needs root for the /opt mount";
  const std::string client = DefaultRuntimesDir() + "/python/bootstrap.py";
  if (!fs::exists(client)) GTEST_SKIP() << client << " is not there";
  const std::string code = work_.path() + "/layered.zip";
  ASSERT_TRUE(testing::WriteZip(
      code, {{"handler.py",
              "import os, layered_mod\n"
              "def handler(event, context):\n"
              "    try:\n"
              "        open('/opt/probe', 'w').close()\n"
              "        writable = True\n"
              "    except OSError:\n"
              "        writable = False\n"
              "    return {'shared': open('/opt/shared.txt').read(), 'mod': layered_mod.X,\n"
              "            'writable': writable}\n",
              0644}}));
  const std::string first = work_.path() + "/layer1.zip";
  const std::string second = work_.path() + "/layer2.zip";
  ASSERT_TRUE(testing::WriteZip(
      first, {{"shared.txt", "first", 0644}, {"python/layered_mod.py", "X = 'one'\n", 0644}}));
  ASSERT_TRUE(testing::WriteZip(second, {{"shared.txt", "second", 0644}}));
  auto version = MakeVersion("python3.12", "handler.handler");
  InvokeRequest request = MakeRequest("layered", version, code, "{}");
  request.layer_paths = {first, second};
  InvocationResult result = MustInvoke(request);
  ASSERT_EQ(result.function_error, "") << result.payload;
  EXPECT_EQ(json::parse(result.payload),
            json::parse(R"({"shared":"second","mod":"one","writable":false})"));
  // The same package with the layers the other way round is another environment and tree.
  request = MakeRequest("layered2", version, code, "{}");
  request.layer_paths = {second, first};
  result = MustInvoke(request);
  ASSERT_EQ(result.function_error, "") << result.payload;
  EXPECT_EQ(json::parse(result.payload).at("shared"), "first");
}

TEST_F(EnvironmentPoolTest, NodeRuntimeClientEcho) {
  EchoThroughRuntimeClient("node/bootstrap.mjs", "nodejs20.x", "index.mjs",
                           "export const handler = async (event) => event;\n", "index.handler");
}

TEST_F(EnvironmentPoolTest, PrestartedRuntimeServesTheNextColdStart) {
  if (!sandbox_->CanDefer()) GTEST_SKIP() << "the sandbox cannot defer starts here";
  const std::string client = DefaultRuntimesDir() + "/python/bootstrap.py";
  if (!fs::exists(client)) GTEST_SKIP() << client << " is not there";
  EnvironmentPoolOptions options;
  options.idle_keep_alive = std::chrono::seconds(60);
  options.reap_interval = std::chrono::hours(1);  // only explicit reaping in this test
  MakePool(*sandbox_, options);
  const std::string zip = work_.path() + "/inspect.zip";
  ASSERT_TRUE(testing::WriteZip(
      zip, {{"handler.py",
             "import os\n"
             "def handler(event, context):\n"
             "    return {'name': os.environ['AWS_LAMBDA_FUNCTION_NAME'],\n"
             "            'greeting': os.environ.get('GREETING'), 'cwd': os.getcwd(),\n"
             "            'prestarted': os.environ.get('_LAMBDALITE_PRESTARTED')}\n",
             0644}}));
  auto invoke = [&](const std::string& function, std::map<std::string, std::string> env) {
    auto version = MakeVersion("python3.12", "handler.handler", 3, 128, std::move(env));
    InvocationResult result = MustInvoke(MakeRequest(function, version, zip, "{}"));
    EXPECT_EQ(result.function_error, "") << result.payload;
    return json::parse(result.payload);
  };
  auto wait_for_prestarted = [&](int count) {
    for (int i = 0; i < 500 && pool_->CountPrestarted() != count; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return pool_->CountPrestarted();
  };

  // No python cold start yet: nothing is pre-started.
  EXPECT_EQ(pool_->CountPrestarted(), 0);
  EXPECT_EQ(invoke("first", {}).at("name"), "first");
  ASSERT_EQ(wait_for_prestarted(1), 1);

  // The next cold start takes it (and a replacement follows); the function sees its own
  // environment, not the pre-started one's.
  json::value second = invoke("second", {{"GREETING", "hi"}});
  EXPECT_EQ(
      second,
      json::parse(R"({"name":"second","greeting":"hi","cwd":"/var/task","prestarted":null})"));
  ASSERT_EQ(wait_for_prestarted(1), 1);
  EXPECT_EQ(pool_->ListEnvironments().size(), 2u);  // pre-started runtimes are not listed

  // A variable that changes how the interpreter starts: started on demand, the spare stays.
  json::value third = invoke("third", {{"PYTHONDONTWRITEBYTECODE", "1"}});
  EXPECT_EQ(third.at("name"), "third");
  EXPECT_EQ(pool_->CountPrestarted(), 1);

  // Unused for the keep-alive, the spare goes with the idle environments.
  clock_.Advance(61'000);
  EXPECT_EQ(pool_->ReapIdle(), 3);
  EXPECT_EQ(pool_->CountPrestarted(), 0);
  pool_->WaitForCleanup();
}

TEST_F(EnvironmentPoolTest, NoPrestartedRuntimesWhenDisabled) {
  EnvironmentPoolOptions options;
  options.prestarted_per_runtime = 0;
  MakePool(*sandbox_, options);
  const std::string zip = work_.path() + "/echo.zip";
  ASSERT_TRUE(testing::WriteZip(
      zip, {{"handler.py", "def handler(event, context):\n    return event\n", 0644}}));
  auto version = MakeVersion("python3.12", "handler.handler");
  MustInvoke(MakeRequest("echo", version, zip, "{}"));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(pool_->CountPrestarted(), 0);
}

}  // namespace
}  // namespace lambdalite::executor

namespace lambdalite::executor {
namespace {

// What the pool reported for provisioned configs, waited for without sleeping.
class ProgressLog {
 public:
  ProvisionedProgress Callback() {
    return [this](const domain::Scope&, const std::string&, const std::string& qualifier,
                  const std::string& version, int allocated, bool failed) {
      std::lock_guard lock(mu_);
      last_ = {qualifier, version, allocated, failed};
      cv_.notify_all();
    };
  }
  struct Entry {
    std::string qualifier;
    std::string version;
    int allocated = -1;
    bool failed = false;
  };
  // Waits (up to 20 s: real runtimes start) until `done` holds for the last report.
  template <typename Pred>
  Entry WaitFor(Pred done) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(20), [&] { return done(last_); });
    return last_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  Entry last_;
};

class ProvisionedPoolTest : public EnvironmentPoolTest {
 protected:
  ProvisionRequest Provision(std::shared_ptr<const domain::FunctionVersion> version, int count) {
    ProvisionRequest request;
    request.scope = domain::Scope{"123456789012", "us-east-1"};
    request.function_name = "fn";
    request.qualifier = "live";
    request.version = std::move(version);
    request.code_path = zip_;
    request.count = count;
    return request;
  }
  std::shared_ptr<domain::FunctionVersion> Version1(std::map<std::string, std::string> env = {}) {
    auto version = Scripted(3, 128, std::move(env));
    version->version = "1";
    return version;
  }
  ProgressLog progress_;
};

TEST_F(ProvisionedPoolTest, EnvironmentsStartInTheBackgroundAndServeFirst) {
  pool_->SetProvisionedProgress(progress_.Callback());
  auto version = Version1();
  pool_->Provision(Provision(version, 2));
  auto ready = progress_.WaitFor([](const auto& e) { return e.allocated == 2; });
  EXPECT_EQ(ready.qualifier, "live");
  EXPECT_EQ(ready.version, "1");
  EXPECT_FALSE(ready.failed);
  EXPECT_EQ(pool_->CountProvisioned(), 2);
  EXPECT_EQ(pool_->ListEnvironments().size(), 2u);

  // Warm, with the provisioned initialization type and no Init Duration, not limited by the
  // function's on-demand concurrency (all of the reservation is provisioned).
  InvokeRequest request = Request(version, {{"action", "env"}});
  request.tail_log = true;
  request.reserved_concurrency = 2;
  request.provisioned_concurrency = 2;
  InvocationResult result = MustInvoke(request);
  ASSERT_EQ(result.function_error, "") << result.payload;
  EXPECT_EQ(json::parse(result.payload).at("AWS_LAMBDA_INITIALIZATION_TYPE"),
            "provisioned-concurrency");
  std::string log;
  ASSERT_TRUE(Base64Decode(result.log_result, &log));
  EXPECT_EQ(log.find("Init Duration"), std::string::npos) << log;
  EXPECT_EQ(pool_->ListEnvironments().size(), 2u) << "no on-demand environment was started";

  // On-demand invocations of another version get what the provisioned ones leave: nothing.
  InvokeRequest on_demand = Request(Scripted(), {});
  on_demand.reserved_concurrency = 2;
  on_demand.provisioned_concurrency = 2;
  auto refused = pool_->Invoke(on_demand);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().detail, "ReservedFunctionConcurrentInvocationLimitExceeded");

  // Never reaped for idleness, untouched by a code update of the function.
  clock_.Advance(24LL * 3600 * 1000);
  pool_->ReapIdle();
  pool_->RetireFunction(domain::Scope{"123456789012", "us-east-1"}, "fn");
  EXPECT_EQ(pool_->CountProvisioned(), 2);

  // Shrink, then release.
  pool_->Provision(Provision(version, 1));
  EXPECT_EQ(pool_->CountProvisioned(), 1);
  EXPECT_EQ(progress_.WaitFor([](const auto& e) { return e.allocated == 1; }).allocated, 1);
  pool_->Provision(Provision(version, 0));
  EXPECT_EQ(pool_->CountProvisioned(), 0);
  pool_->WaitForCleanup();
}

TEST_F(ProvisionedPoolTest, InitFailureIsReportedAndNothingIsRetried) {
  pool_->SetProvisionedProgress(progress_.Callback());
  pool_->Provision(Provision(Version1({{"INIT_ERROR", "1"}}), 1));
  auto failed = progress_.WaitFor([](const auto& e) { return e.failed; });
  EXPECT_TRUE(failed.failed);
  EXPECT_EQ(failed.allocated, 0);
  EXPECT_EQ(pool_->CountProvisioned(), 0);
}

TEST_F(ProvisionedPoolTest, AMovedAliasReplacesTheEnvironments) {
  pool_->SetProvisionedProgress(progress_.Callback());
  pool_->Provision(Provision(Version1(), 1));
  progress_.WaitFor([](const auto& e) { return e.allocated == 1; });
  auto version2 = Scripted();
  version2->version = "2";
  version2->revision_id = "rev-2";
  pool_->Provision(Provision(version2, 1));
  auto moved =
      progress_.WaitFor([](const auto& e) { return e.version == "2" && e.allocated == 1; });
  EXPECT_EQ(moved.version, "2");
  pool_->WaitForCleanup();
  const auto environments = pool_->ListEnvironments();
  ASSERT_EQ(environments.size(), 1u);
  EXPECT_EQ(environments[0].version, "2");
}

}  // namespace
}  // namespace lambdalite::executor
