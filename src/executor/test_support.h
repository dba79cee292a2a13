#pragma once

// Helpers shared by the executor tests: deployment packages, function versions, a blocking HTTP
// client and a scripted runtime ("provided.al2023" bootstrap written in Python).

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/function.h"
#include "executor/invoker.h"
#include "http/handler.h"

namespace lambdalite::executor::testing {

struct ZipEntry {
  std::string name;
  std::string content;
  int mode = 0644;  // unix permission bits recorded in the archive
};

// Writes a zip archive; returns false on failure.
bool WriteZip(const std::string& path, const std::vector<ZipEntry>& entries);

// A Python script speaking the Runtime API, used as /var/task/bootstrap. The event's "action"
// selects the behaviour: echo (default), error, sleep, exit, whoami, env, headers, print, alloc,
// big, try (file/kill probes), forkbomb. INIT_ERROR / INIT_EXIT / INIT_SLEEP variables make the
// init phase fail, exit or take long.
const std::string& ScriptedBootstrap();

// A $LATEST version with the given runtime configuration.
std::shared_ptr<domain::FunctionVersion> MakeVersion(const std::string& runtime,
                                                     const std::string& handler, int timeout_s = 3,
                                                     int memory_mb = 128,
                                                     std::map<std::string, std::string> env = {},
                                                     const std::string& revision = "rev-1");

// An invoke request for `function` in account 123456789012, us-east-1.
InvokeRequest MakeRequest(const std::string& function,
                          std::shared_ptr<const domain::FunctionVersion> version,
                          const std::string& code_path, std::string payload);

// A mkdtemp directory under /var/tmp (visible inside sandboxes, unlike /tmp), removed on
// destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-cased names
  std::string body;
};

// One HTTP/1.1 request on a fresh connection to 127.0.0.1:port ("Connection: close"). When
// `declared_length` is set, it is sent as Content-Length instead of body.size() (the body is
// still sent; the server may answer before reading it).
std::optional<HttpReply> HttpCall(uint16_t port, const std::string& method,
                                  const std::string& target, const std::string& body = "",
                                  const std::vector<http::Header>& headers = {},
                                  std::optional<size_t> declared_length = std::nullopt);

// A RequestHandler that answers 404 to everything: the main listener of test servers.
class NotFoundHandler final : public http::RequestHandler {
 public:
  http::HttpResponse Handle(const http::HttpRequest& request) override;
  size_t BodyLimit(const std::string& method, const std::string& target) const override;
  http::HttpResponse OnBodyTooLarge(const std::string& method, const std::string& target) override;
};

}  // namespace lambdalite::executor::testing
