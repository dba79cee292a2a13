// lambdalite: an AWS-Lambda-compatible function service.
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "common/log.h"
#include "main/app.h"
#include "main/config.h"
#include "main/esm_status.h"
#include "main/logs_command.h"

namespace {

// Waits for SIGTERM/SIGINT on a dedicated thread (signals blocked everywhere else), then stops
// the app gracefully.
int Serve(const lambdalite::app::Config& config) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto app = lambdalite::app::App::Start(config);
  if (!app.ok()) {
    lambdalite::LogError("cannot start: " + app.error().message);
    return 1;
  }
  std::cout << "lambdalite listening on http://" << config.host << ":" << (*app)->port()
            << std::endl;
  lambdalite::LogInfo("data directory: " + config.data_dir);

  std::thread waiter([&] {
    int sig = 0;
    sigwait(&set, &sig);
    lambdalite::LogInfo("signal " + std::to_string(sig) + ": shutting down");
    (*app)->Stop();
  });
  (*app)->Wait();
  waiter.join();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && (args[0] == "--version" || args[0] == "version")) {
    std::cout << "lambdalite " << LAMBDALITE_VERSION << std::endl;
    return 0;
  }
  if (!args.empty() && args[0] == "events") {
    return lambdalite::app::RunEventsCommand({args.begin() + 1, args.end()});
  }
  if (!args.empty() && args[0] == "esm") {
    return lambdalite::app::RunEsmCommand({args.begin() + 1, args.end()});
  }
  if (!args.empty() && args[0] == "logs") {
    return lambdalite::app::RunLogsCommand({args.begin() + 1, args.end()});
  }
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] != "serve") {
    std::cerr << lambdalite::app::UsageText();
    return args.empty() || args[0] == "--help" || args[0] == "-h" ? 0 : 2;
  }
  auto config = lambdalite::app::ParseServeArgs({args.begin() + 1, args.end()});
  if (!config.ok()) {
    std::cerr << "lambdalite: " << config.error().message << "\n" << lambdalite::app::UsageText();
    return 2;
  }
  return Serve(*config);
}
