#pragma once

// Test support: runs a moto_server (the AWS emulator of the moto project) for integration tests,
// with the fixture and the signature check the AWS client tests share. Header-only so test
// executables in any folder can use it without a library of their own.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "aws/aws_client.h"
#include "aws/endpoints.h"
#include "aws/http_client.h"
#include "aws/sigv4.h"
#include "common/result.h"

namespace lambdalite::aws::testing {

// The absolute path of `program` in a PATH directory, or "" when it is not there.
inline std::string FindOnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return "";
  std::string_view dirs = path;
  while (!dirs.empty()) {
    size_t colon = dirs.find(':');
    std::string dir(dirs.substr(0, colon));
    dirs = colon == std::string_view::npos ? std::string_view() : dirs.substr(colon + 1);
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + program;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// A loopback port that was free a moment ago (the kernel picks it for a bind to port 0).
inline uint16_t PickFreePort() {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor acceptor(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

// One moto_server process on 127.0.0.1, leader of its own process group so that stopping it
// stops whatever it started too, and nothing else.
class MotoServer {
 public:
  // nullptr when moto_server is not on PATH or does not come up within a minute.
  static std::unique_ptr<MotoServer> Start() {
    const std::string binary = FindOnPath("moto_server");
    if (binary.empty()) return nullptr;
    std::unique_ptr<MotoServer> server(new MotoServer);
    server->port_ = PickFreePort();
    const std::string port = std::to_string(server->port_);
    pid_t pid = fork();
    if (pid < 0) return nullptr;
    if (pid == 0) {
      setpgid(0, 0);
      int devnull = open("/dev/null", O_RDWR);
      dup2(devnull, STDIN_FILENO);
      dup2(devnull, STDOUT_FILENO);
      dup2(devnull, STDERR_FILENO);
      execl(binary.c_str(), "moto_server", "-H", "127.0.0.1", "-p", port.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    setpgid(pid, pid);  // from the parent too, so the group exists before any kill
    server->pid_ = pid;
    if (!server->WaitUntilServing(std::chrono::seconds(60))) return nullptr;
    return server;
  }

  ~MotoServer() {
    if (pid_ <= 0) return;
    kill(-pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill(-pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }

  MotoServer(const MotoServer&) = delete;
  MotoServer& operator=(const MotoServer&) = delete;

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  MotoServer() = default;

  bool WaitUntilServing(std::chrono::seconds limit) {
    HttpClient http;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {  // exited: nothing left to kill
        pid_ = 0;
        return false;
      }
      ClientRequest probe;
      probe.url = endpoint() + "/moto-api/data.json";
      probe.timeout = std::chrono::seconds(2);
      auto answer = http.Send(probe);
      if (answer.ok() && answer->status > 0) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  pid_t pid_ = 0;
  uint16_t port_ = 0;
};

// A fixture whose tests share one moto_server (starting one takes seconds) and are skipped when
// moto_server is not installed. config_ sends every service to it, in us-east-1.
class MotoServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = MotoServer::Start().release(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  // Final, so that a fixture's own set-up (SetUpClients) never runs against a missing server.
  void SetUp() final {
    if (FindOnPath("moto_server").empty()) GTEST_SKIP() << "moto_server is not on PATH";
    ASSERT_NE(server_, nullptr) << "moto_server did not start";
    config_.region = "us-east-1";
    config_.endpoint_url = server_->endpoint();
    SetUpClients();
  }

  // The fixture's own set-up (its clients), once moto_server is known to be serving.
  virtual void SetUpClients() {}

  inline static MotoServer* server_ = nullptr;
  Config config_;
  HttpClient http_;
};

// moto checks SigV4 signatures (with botocore's verifier) once its allowance of unauthenticated
// requests is used up, which makes it an independent verifier of our signing. Enable() turns that
// check on; the destructor turns it off again, so that a failed test does not leave the shared
// server refusing the unsigned requests of the tests after it.
class MotoSignatureCheck {
 public:
  MotoSignatureCheck(HttpClient* http, const MotoServer& server)
      : http_(http), endpoint_(server.endpoint()) {}
  ~MotoSignatureCheck() { SetAllowance("inf"); }

  MotoSignatureCheck(const MotoSignatureCheck&) = delete;
  MotoSignatureCheck& operator=(const MotoSignatureCheck&) = delete;

  // Spends the allowance (three requests) on an IAM user `user_name` with a policy that allows
  // everything, and returns that user's key: from then on every request must be signed with it.
  Result<Credentials> Enable(const std::string& user_name) {
    if (!SetAllowance("3")) {
      return Error::Make(ErrorCode::kInternal, "moto did not accept /moto-api/reset-auth");
    }
    Config iam_config;
    iam_config.region = "us-east-1";
    iam_config.endpoint_url = endpoint_;
    const AwsClient iam(http_, iam_config, "iam");
    auto call =
        [&](const char* action,
            std::vector<std::pair<std::string, std::string>> params) -> Result<ClientResponse> {
      params.insert(params.begin(), {"UserName", user_name});
      LAMBDALITE_TRY(ClientResponse response, iam.CallQuery(action, "2010-05-08", params));
      if (response.status != 200) {
        return Error::Make(ErrorCode::kInternal, std::string("IAM ") + action + " answered " +
                                                     std::to_string(response.status) + ": " +
                                                     response.body);
      }
      return response;
    };
    LAMBDALITE_RETURN_IF_ERROR(call("CreateUser", {}));
    LAMBDALITE_TRY(ClientResponse key, call("CreateAccessKey", {}));
    LAMBDALITE_RETURN_IF_ERROR(call(
        "PutUserPolicy",
        {{"PolicyName", "all"},
         {"PolicyDocument",
          R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})"}}));
    Credentials credentials;
    credentials.access_key_id = XmlElementText(key.body, "AccessKeyId").value_or("");
    credentials.secret_access_key = XmlElementText(key.body, "SecretAccessKey").value_or("");
    if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
      return Error::Make(ErrorCode::kInternal, "no key in CreateAccessKey's answer: " + key.body);
    }
    return credentials;
  }

 private:
  // How many more requests moto lets through unauthenticated; "inf" turns the check off.
  bool SetAllowance(const std::string& count) {
    ClientRequest reset;
    reset.method = "POST";
    reset.url = endpoint_ + "/moto-api/reset-auth";
    reset.body = count;
    auto answer = http_->Send(reset);
    return answer.ok() && answer->status == 200;
  }

  HttpClient* http_;
  std::string endpoint_;
};

}  // namespace lambdalite::aws::testing
