#include "main/config.h"

#include <cstdlib>
#include <functional>

#include "aws/sigv4.h"
#include "domain/names.h"

namespace lambdalite::app {
namespace {

// A whole number in [min, max], or an error naming the flag.
Result<int> ParseInt(const std::string& flag, const std::string& v, int min, int max) {
  try {
    size_t used = 0;
    int n = std::stoi(v, &used);
    if (used == v.size() && n >= min && n <= max) return n;
  } catch (...) {
  }
  return Error::Make(ErrorCode::kInvalidParameter,
                     "invalid value for " + flag + ": " + v + " (a whole number from " +
                         std::to_string(min) + " to " + std::to_string(max) + ")");
}

}  // namespace

std::string UsageText() {
  return "usage: lambdalite serve [--host ADDR] [--port N] [--data-dir DIR] [--account ID]\n"
         "                        [--region REGION] [--port-file FILE] [--io-threads N]\n"
         "                        [--prestarted-runtimes N] [--concurrency-limit N]\n"
         "                        [--idle-keep-alive SECONDS] [--auth-keys FILE]\n"
         "                        [--function-network nat|none|host]\n"
         "                        [--blob-grace-seconds SECONDS]\n"
         "                        [--user-namespaces deny|allow]\n"
         "       lambdalite logs FUNCTION [--account A] [--region R] [--data-dir DIR] [--follow]\n"
         "       lambdalite events FUNCTION [--endpoint URL] [--region R] [--account A]\n"
         "       lambdalite esm [--endpoint URL] [--region R] [--json]\n"
         "       lambdalite --version\n"
         "Environment: LAMBDALITE_HOST, LAMBDALITE_PORT, LAMBDALITE_DATA_DIR, LAMBDALITE_ACCOUNT,\n"
         "LAMBDALITE_REGION, LAMBDALITE_PORT_FILE, LAMBDALITE_IO_THREADS,\n"
         "LAMBDALITE_PRESTARTED_RUNTIMES, LAMBDALITE_CONCURRENCY_LIMIT, "
         "LAMBDALITE_IDLE_KEEP_ALIVE, LAMBDALITE_AUTH_KEYS, LAMBDALITE_FUNCTION_NETWORK,\n"
         "LAMBDALITE_BLOB_GRACE_SECONDS, LAMBDALITE_USER_NAMESPACES.\n"
         "--auth-keys FILE: verify SigV4 signatures; FILE has one key per line,\n"
         "  ACCESS_KEY_ID SECRET_ACCESS_KEY ACCOUNT_ID (whitespace separated, # comments).\n"
         "--function-network: nat (default; outbound access, not the host's loopback),\n"
         "  none (the Runtime API only) or host (the host's network, loopback included).\n"
         "--blob-grace-seconds N: a code package or layer content nothing refers to any more is\n"
         "  deleted after N seconds (default 900; below 600, Code.Location URLs may outlive it).\n"
         "--user-namespaces allow: let functions create user namespaces (default deny).\n"
         "Runtimes: LAMBDALITE_RUNTIME_<NAME>=INTERPRETER (e.g. LAMBDALITE_RUNTIME_PYTHON3_12).\n"
         "Outbound AWS calls use\n"
         "AWS_ENDPOINT_URL[_S3|_SQS|_SNS|_EVENTBRIDGE|_KINESIS|_DYNAMODB_STREAMS] and "
         "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY\n(destinations, S3 code, event source "
         "mapping pollers).\n"
         "LAMBDALITE_ASYNC_TIME_SCALE=N (testing aid) divides async retry delays and event ages by "
         "N.\n";
}

bool IsLoopbackHost(const std::string& host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

Result<Config> ParseServeArgs(const std::vector<std::string>& args) {
  Config c;
  struct Setting {
    const char* flag;
    const char* env;
    std::function<Status(const std::string&)> set;
  };
  const Setting settings[] = {
      {"--host", "LAMBDALITE_HOST",
       [&](const std::string& v) {
         c.host = v;
         return Status::Ok();
       }},
      {"--port", "LAMBDALITE_PORT",
       [&](const std::string& v) -> Status {
         LAMBDALITE_TRY(c.port, ParseInt("--port", v, 0, 65535));
         return Status::Ok();
       }},
      {"--data-dir", "LAMBDALITE_DATA_DIR",
       [&](const std::string& v) {
         c.data_dir = v;
         return Status::Ok();
       }},
      {"--account", "LAMBDALITE_ACCOUNT",
       [&](const std::string& v) -> Status {
         // The account names directories (logs): 12 digits, as AWS's account ids.
         if (!aws::AccountFromAccessKey(v)) {
           return Error::Make(ErrorCode::kInvalidParameter,
                              "invalid value for --account: " + v + " (12 digits)");
         }
         c.account = v;
         return Status::Ok();
       }},
      {"--region", "LAMBDALITE_REGION",
       [&](const std::string& v) -> Status {
         if (!domain::IsValidRegion(v)) {
           return Error::Make(ErrorCode::kInvalidParameter,
                              "invalid value for --region: " + v + " (an AWS region name)");
         }
         c.region = v;
         return Status::Ok();
       }},
      {"--port-file", "LAMBDALITE_PORT_FILE",
       [&](const std::string& v) {
         c.port_file = v;
         return Status::Ok();
       }},
      {"--io-threads", "LAMBDALITE_IO_THREADS",
       [&](const std::string& v) -> Status {
         LAMBDALITE_TRY(c.io_threads, ParseInt("--io-threads", v, 0, 1024));
         return Status::Ok();
       }},
      {"--prestarted-runtimes", "LAMBDALITE_PRESTARTED_RUNTIMES",
       [&](const std::string& v) -> Status {
         LAMBDALITE_TRY(c.prestarted_runtimes, ParseInt("--prestarted-runtimes", v, 0, 64));
         return Status::Ok();
       }},
      {"--concurrency-limit", "LAMBDALITE_CONCURRENCY_LIMIT",
       [&](const std::string& v) -> Status {
         LAMBDALITE_TRY(c.concurrency_limit, ParseInt("--concurrency-limit", v, 1, 1'000'000));
         return Status::Ok();
       }},
      {"--idle-keep-alive", "LAMBDALITE_IDLE_KEEP_ALIVE",
       [&](const std::string& v) -> Status {
         LAMBDALITE_TRY(c.idle_keep_alive_seconds,
                        ParseInt("--idle-keep-alive", v, 1, 7 * 24 * 3600));
         return Status::Ok();
       }},
      {"--blob-grace-seconds", "LAMBDALITE_BLOB_GRACE_SECONDS",
       [&](const std::string& v) -> Status {
         LAMBDALITE_TRY(c.blob_grace_seconds,
                        ParseInt("--blob-grace-seconds", v, 1, 30 * 24 * 3600));
         return Status::Ok();
       }},
      {"--auth-keys", "LAMBDALITE_AUTH_KEYS",
       [&](const std::string& v) {
         c.auth_keys_file = v;
         return Status::Ok();
       }},
      {"--function-network", "LAMBDALITE_FUNCTION_NETWORK",
       [&](const std::string& v) -> Status {
         if (v != "nat" && v != "none" && v != "host") {
           return Error::Make(
               ErrorCode::kInvalidParameter,
               "invalid value for --function-network: " + v + " (nat, none or host)");
         }
         c.function_network = v;
         return Status::Ok();
       }},
      {"--user-namespaces", "LAMBDALITE_USER_NAMESPACES",
       [&](const std::string& v) -> Status {
         if (v != "allow" && v != "deny") {
           return Error::Make(ErrorCode::kInvalidParameter,
                              "invalid value for --user-namespaces: " + v + " (allow or deny)");
         }
         c.allow_user_namespaces = v == "allow";
         return Status::Ok();
       }},
  };
  for (const auto& s : settings) {
    if (const char* v = std::getenv(s.env); v != nullptr && *v != '\0') {
      LAMBDALITE_RETURN_IF_ERROR(s.set(v));
    }
  }
  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i], value;
    bool has_value = false;
    if (auto eq = arg.find('='); eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    const Setting* match = nullptr;
    for (const auto& s : settings) {
      if (arg == s.flag) match = &s;
    }
    if (match == nullptr) {
      return Error::Make(ErrorCode::kInvalidParameter, "unknown argument: " + args[i]);
    }
    if (!has_value) {
      if (i + 1 >= args.size()) {
        return Error::Make(ErrorCode::kInvalidParameter,
                           std::string(match->flag) + " needs a value");
      }
      value = args[++i];
    }
    LAMBDALITE_RETURN_IF_ERROR(match->set(value));
  }
  return c;
}

}  // namespace lambdalite::app
