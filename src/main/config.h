#pragma once

#include <string>
#include <vector>

#include "common/result.h"

namespace lambdalite::app {

// Server settings. Each comes from a command-line flag, else an environment variable, else the
// default: --host/LAMBDALITE_HOST, --port/LAMBDALITE_PORT, --data-dir/LAMBDALITE_DATA_DIR,
// --account/LAMBDALITE_ACCOUNT, --region/LAMBDALITE_REGION, --port-file/LAMBDALITE_PORT_FILE,
// --io-threads/LAMBDALITE_IO_THREADS, --prestarted-runtimes/LAMBDALITE_PRESTARTED_RUNTIMES.
struct Config {
  std::string host = "127.0.0.1";
  int port = 9001;
  std::string data_dir = ".lambdalite";
  std::string account = "123456789012";
  std::string region = "us-east-1";
  std::string port_file;  // when set, the bound port is written here once serving
  int io_threads = 0;     // 0: automatic
  // Runtime processes kept started ahead of need per runtime in use (see environment_pool.h).
  int prestarted_runtimes = 1;
};

// Parses `lambdalite serve [flags]` arguments (argv after "serve").
Result<Config> ParseServeArgs(const std::vector<std::string>& args);

std::string UsageText();

}  // namespace lambdalite::app
