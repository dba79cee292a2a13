#pragma once

#include <string>
#include <vector>

#include "common/result.h"

namespace lambdalite::app {

// Server settings. Each comes from a command-line flag, else an environment variable, else the
// default: --host/LAMBDALITE_HOST, --port/LAMBDALITE_PORT, --data-dir/LAMBDALITE_DATA_DIR,
// --account/LAMBDALITE_ACCOUNT, --region/LAMBDALITE_REGION, --port-file/LAMBDALITE_PORT_FILE,
// --io-threads/LAMBDALITE_IO_THREADS, --prestarted-runtimes/LAMBDALITE_PRESTARTED_RUNTIMES,
// --concurrency-limit/LAMBDALITE_CONCURRENCY_LIMIT, --idle-keep-alive/LAMBDALITE_IDLE_KEEP_ALIVE,
// --auth-keys/LAMBDALITE_AUTH_KEYS, --function-network/LAMBDALITE_FUNCTION_NETWORK,
// --blob-grace-seconds/LAMBDALITE_BLOB_GRACE_SECONDS,
// --user-namespaces/LAMBDALITE_USER_NAMESPACES.
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
  // The account's ConcurrentExecutions (per account and region): what GetAccountSettings
  // reports, what reserved concurrency is carved from, and where invocations are throttled.
  int concurrency_limit = 1000;
  // Seconds an execution environment is kept warm without an invocation before it is reaped.
  int idle_keep_alive_seconds = 300;
  // Seconds a code package or layer content that nothing refers to any more is kept before it is
  // deleted (service/blob_collector.h). The default outlives the 10-minute Code.Location URLs;
  // shorter values are for tests.
  int blob_grace_seconds = 900;
  // When set, the keys file (auth/sigv4_verifier.h: "ACCESS_KEY_ID SECRET ACCOUNT_ID" per line,
  // '#' comments): every Lambda API request must be SigV4-signed by one of its keys and acts for
  // that key's account. Empty: no verification (the emulator's zero-config mode).
  std::string auth_keys_file;
  // How functions reach the network: "nat" (the default: a network namespace of its own per
  // environment, outbound access through slirp4netns, nothing of the host's loopback), "none"
  // (its own namespace with the Runtime API only) or "host" (the host's network, loopback
  // included). See executor/process_sandbox.h.
  std::string function_network = "nat";
  // --user-namespaces allow|deny: whether functions may create user namespaces (and, inside
  // them, other namespaces and mounts), which the sandbox's seccomp filter refuses by default.
  bool allow_user_namespaces = false;
};

// Whether `host` (a --host value) only accepts connections from this machine.
bool IsLoopbackHost(const std::string& host);

// Parses `lambdalite serve [flags]` arguments (argv after "serve").
Result<Config> ParseServeArgs(const std::vector<std::string>& args);

std::string UsageText();

}  // namespace lambdalite::app
