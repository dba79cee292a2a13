#pragma once

// Test support: runs a moto_server (the AWS emulator of the moto project) for integration tests.
// Header-only so test executables in any folder can use it without a library of their own.

#include <fcntl.h>
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

#include "aws/http_client.h"

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

}  // namespace lambdalite::aws::testing
