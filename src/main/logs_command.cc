#include "main/logs_command.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include "aws/http_client.h"
#include "common/file.h"
#include "main/introspection_client.h"

namespace lambdalite::app {

namespace fs = std::filesystem;

namespace {

// Log files of one function:
// <data>/logs/<account>/<region>/<function>/<yyyy>/<mm>/<dd>/<stream>.log (log_sink.h), and for the
// default account also the layout before accounts had a level, <data>/logs/<region>/<function>/...,
// so logs written by an older lambdalite stay readable.
std::vector<fs::path> LogFiles(const std::vector<fs::path>& dirs) {
  std::vector<fs::path> files;
  for (const fs::path& dir : dirs) {
    std::error_code ec;
    if (!fs::exists(dir, ec)) continue;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (it->is_regular_file(ec) && it->path().extension() == ".log") {
        files.push_back(it->path());
      }
    }
  }
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
    std::error_code e1, e2;
    return fs::last_write_time(a, e1) < fs::last_write_time(b, e2);
  });
  return files;
}

}  // namespace

int RunLogsCommand(const std::vector<std::string>& args) {
  const char* usage =
      "usage: lambdalite logs FUNCTION [--account A] [--region R] [--data-dir DIR] [--follow]\n";
  std::string function, region, data_dir, account;
  bool follow = false;
  if (const char* v = std::getenv("LAMBDALITE_REGION")) region = v;
  if (const char* v = std::getenv("LAMBDALITE_DATA_DIR")) data_dir = v;
  if (const char* v = std::getenv("LAMBDALITE_ACCOUNT")) account = v;
  if (region.empty()) region = "us-east-1";
  const std::string default_account = account.empty() ? "123456789012" : account;
  if (data_dir.empty()) data_dir = ".lambdalite";
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--follow" || a == "-f") {
      follow = true;
    } else if ((a == "--region" || a == "--data-dir" || a == "--account") && i + 1 < args.size()) {
      (a == "--region" ? region : a == "--account" ? account : data_dir) = args[++i];
    } else if (!a.empty() && a[0] != '-' && function.empty()) {
      function = a;
    } else {
      std::cerr << usage;
      return 2;
    }
  }
  if (account.empty()) account = default_account;
  const std::string logs = (fs::path(data_dir) / "logs").string();
  auto dir = JoinUnder(logs, {account, region, function});
  if (function.empty() || !dir) {
    std::cerr << usage;
    return 2;
  }
  std::vector<fs::path> dirs{*dir};
  if (account == default_account) dirs.push_back(*JoinUnder(logs, {region, function}));
  std::map<fs::path, std::uintmax_t> printed;  // bytes already shown per file
  while (true) {
    for (const auto& file : LogFiles(dirs)) {
      std::ifstream in(file, std::ios::binary);
      in.seekg(static_cast<std::streamoff>(printed[file]));
      std::string chunk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      // Only whole lines: a record being appended right now is printed on the next pass.
      size_t end = chunk.rfind('\n');
      if (end == std::string::npos) continue;
      std::cout.write(chunk.data(), static_cast<std::streamsize>(end + 1));
      printed[file] += end + 1;
    }
    std::cout.flush();
    if (!follow) return 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

int RunEventsCommand(const std::vector<std::string>& args) {
  const char* usage =
      "usage: lambdalite events FUNCTION [--endpoint URL] [--region R] [--account A]\n";
  std::string function, endpoint = "http://127.0.0.1:9001", query, region;
  if (const char* port = std::getenv("LAMBDALITE_PORT")) {
    endpoint = std::string("http://127.0.0.1:") + port;
  }
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--endpoint" && i + 1 < args.size()) {
      endpoint = args[++i];
    } else if ((a == "--region" || a == "--account") && i + 1 < args.size()) {
      if (a == "--region") region = args[i + 1];
      query += "&" + a.substr(2) + "=" + args[++i];
    } else if (!a.empty() && a[0] != '-' && function.empty()) {
      function = a;
    } else {
      std::cerr << usage;
      return 2;
    }
  }
  if (function.empty()) {
    std::cerr << usage;
    return 2;
  }
  // With --auth-keys the server answers only signed requests; the account is then the key's
  // (--account is ignored by the server).
  auto resp =
      GetIntrospection(endpoint + "/_lambdalite/async?function=" + function + query, region);
  if (!resp.ok()) {
    std::cerr << "lambdalite events: " << resp.error().message << "\n";
    return 1;
  }
  std::cout << resp->body << std::endl;
  return resp->status == 200 ? 0 : 1;
}

}  // namespace lambdalite::app
