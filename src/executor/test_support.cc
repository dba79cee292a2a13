#include "executor/test_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zip.h>

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "common/ids.h"

namespace lambdalite::executor::testing {

bool WriteZip(const std::string& path, const std::vector<ZipEntry>& entries) {
  int error = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  if (archive == nullptr) return false;
  for (const ZipEntry& entry : entries) {
    // The buffers stay alive until zip_close, which is when libzip reads them.
    zip_source_t* source =
        zip_source_buffer(archive, entry.content.data(), entry.content.size(), 0);
    if (source == nullptr) {
      zip_discard(archive);
      return false;
    }
    zip_int64_t index = zip_file_add(archive, entry.name.c_str(), source, ZIP_FL_OVERWRITE);
    if (index < 0) {
      zip_source_free(source);
      zip_discard(archive);
      return false;
    }
    const zip_uint32_t attributes = static_cast<zip_uint32_t>(0100000 | entry.mode) << 16;
    zip_file_set_external_attributes(archive, static_cast<zip_uint64_t>(index), 0, ZIP_OPSYS_UNIX,
                                     attributes);
  }
  return zip_close(archive) == 0;
}

const std::string& ScriptedBootstrap() {
  static const std::string kScript = R"PY(#!/usr/bin/python3
import errno, http.client, json, os, socket, sys, time

API = os.environ["AWS_LAMBDA_RUNTIME_API"]
HOST, PORT = API.split(":")
TOKEN = os.urandom(8).hex()
COUNT = 0
conn = http.client.HTTPConnection(HOST, int(PORT))

def call(method, path, body=None, headers=None):
    global conn
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        data = r.read()
        return r.status, {k: v for k, v in r.getheaders()}, data
    except (OSError, http.client.HTTPException):
        conn.close()
        conn = http.client.HTTPConnection(HOST, int(PORT))
        return None, {}, b""

if os.environ.get("INIT_ERROR"):
    call("POST", "/2018-06-01/runtime/init/error",
         json.dumps({"errorMessage": "init failed", "errorType": "InitTest", "requestId": "",
                     "stackTrace": []}),
         {"Lambda-Runtime-Function-Error-Type": "InitTest"})
    sys.exit(1)
if os.environ.get("INIT_EXIT"):
    sys.exit(int(os.environ["INIT_EXIT"]))
if os.environ.get("INIT_SLEEP"):
    time.sleep(float(os.environ["INIT_SLEEP"]))
print("init done", flush=True)

def probe(op):
    try:
        kind = op[0]
        if kind == "read":
            with open(op[1], "rb") as f:
                return {"ok": True, "value": len(f.read())}
        if kind == "write":
            with open(op[1], "w") as f:
                f.write("x")
            return {"ok": True}
        if kind == "listdir":
            return {"ok": True, "value": sorted(os.listdir(op[1]))}
        if kind == "kill":
            os.kill(op[1], op[2])
            return {"ok": True}
        if kind == "mounts":
            with open("/proc/self/mounts") as f:
                return {"ok": True, "value": [l for l in f.read().splitlines() if op[1] in l]}
        if kind == "connect":
            import socket
            with socket.create_connection((op[1], op[2]), timeout=2):
                return {"ok": True}
        if kind == "interfaces":
            import socket
            return {"ok": True, "value": sorted(n for _, n in socket.if_nameindex())}
        if kind == "statvfs":
            st = os.statvfs(op[1])
            return {"ok": True, "value": st.f_blocks * st.f_frsize}
        return {"ok": False, "error": "unknown probe"}
    except OSError as e:
        return {"ok": False, "errno": e.errno, "error": str(e)}

def handle(event, headers):
    action = event.get("action", "echo") if isinstance(event, dict) else "echo"
    if action == "echo":
        return event
    if action == "sleep":
        time.sleep(event["seconds"])
        return {"slept": event["seconds"]}
    if action == "exit":
        sys.stdout.flush()
        os._exit(event["code"])
    if action == "whoami":
        return {"token": TOKEN, "count": COUNT, "uid": os.getuid(), "euid": os.geteuid(),
                "gid": os.getgid(), "groups": os.getgroups(), "pid": os.getpid(),
                "ppid": os.getppid(), "hostname": socket.gethostname(), "cwd": os.getcwd()}
    if action == "env":
        return dict(os.environ)
    if action == "headers":
        return headers
    if action == "print":
        for line in event["lines"]:
            print(line, flush=True)
        sys.stderr.write("to stderr\n")
        sys.stderr.flush()
        return "printed"
    if action == "alloc":
        blocks = [b"x" * (1 << 20) for _ in range(event["mb"])]
        return len(blocks)
    if action == "big":
        return "x" * event["n"]
    if action == "try":
        return [probe(op) for op in event["ops"]]
    if action == "forkbomb":
        forked = 0
        while forked < event.get("max", 100000):
            try:
                pid = os.fork()
            except OSError:
                break
            if pid == 0:
                time.sleep(120)
                os._exit(0)
            forked += 1
        return {"forked": forked}
    return {"unknown": action}

while True:
    status, headers, body = call("GET", "/2018-06-01/runtime/invocation/next")
    if status != 200:
        time.sleep(0.01)
        continue
    rid = headers["Lambda-Runtime-Aws-Request-Id"]
    COUNT += 1
    event = json.loads(body)
    if isinstance(event, dict) and event.get("action") == "error":
        call("POST", "/2018-06-01/runtime/invocation/%s/error" % rid,
             json.dumps({"errorMessage": "boom", "errorType": "TestError", "requestId": rid}),
             {"Lambda-Runtime-Function-Error-Type": "TestError"})
        continue
    result = handle(event, headers)
    call("POST", "/2018-06-01/runtime/invocation/%s/response" % rid, json.dumps(result),
         {"Content-Type": "application/json"})
)PY";
  return kScript;
}

std::shared_ptr<domain::FunctionVersion> MakeVersion(const std::string& runtime,
                                                     const std::string& handler, int timeout_s,
                                                     int memory_mb,
                                                     std::map<std::string, std::string> env,
                                                     const std::string& revision) {
  auto version = std::make_shared<domain::FunctionVersion>();
  version->version = "$LATEST";
  version->config.runtime = runtime;
  version->config.handler = handler;
  version->config.timeout = timeout_s;
  version->config.memory_size = memory_mb;
  if (!env.empty()) version->config.environment = std::move(env);
  version->revision_id = revision;
  return version;
}

InvokeRequest MakeRequest(const std::string& function,
                          std::shared_ptr<const domain::FunctionVersion> version,
                          const std::string& code_path, std::string payload) {
  InvokeRequest request;
  request.scope = domain::Scope{"123456789012", "us-east-1"};
  request.function_name = function;
  request.version = std::move(version);
  request.code_path = code_path;
  request.invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:" + function;
  request.request_id = NewUuid();
  request.payload = std::move(payload);
  return request;
}

TempDir::TempDir() {
  char pattern[] = "/var/tmp/lambdalite-executor-test-XXXXXX";
  if (mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::optional<HttpReply> HttpCall(uint16_t port, const std::string& method,
                                  const std::string& target, const std::string& body,
                                  const std::vector<http::Header>& headers,
                                  std::optional<size_t> declared_length) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return std::nullopt;
  }
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  request += "Content-Length: " + std::to_string(declared_length.value_or(body.size())) + "\r\n";
  request += "Connection: close\r\n";
  for (const http::Header& h : headers) request += h.name + ": " + h.value + "\r\n";
  request += "\r\n";
  request += body;
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may answer (and close) before reading the body
    sent += static_cast<size_t>(n);
  }
  std::string raw;
  char buf[65536];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    raw.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  const size_t header_end = raw.find("\r\n\r\n");
  if (header_end == std::string::npos) return std::nullopt;
  HttpReply reply;
  const std::string head = raw.substr(0, header_end);
  reply.status = std::atoi(head.substr(head.find(' ') + 1, 3).c_str());
  size_t pos = head.find("\r\n");
  while (pos != std::string::npos && pos < head.size()) {
    const size_t next = head.find("\r\n", pos + 2);
    const std::string line =
        head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
    const size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      size_t value_start = colon + 1;
      while (value_start < line.size() && line[value_start] == ' ') ++value_start;
      reply.headers[name] = line.substr(value_start);
    }
    pos = next;
  }
  reply.body = raw.substr(header_end + 4);
  return reply;
}

http::HttpResponse NotFoundHandler::Handle(const http::HttpRequest& /*request*/) {
  http::HttpResponse response;
  response.status = 404;
  return response;
}

size_t NotFoundHandler::BodyLimit(const std::string& /*method*/,
                                  const std::string& /*target*/) const {
  return 1024;
}

http::HttpResponse NotFoundHandler::OnBodyTooLarge(const std::string& /*method*/,
                                                   const std::string& /*target*/) {
  http::HttpResponse response;
  response.status = 413;
  return response;
}

}  // namespace lambdalite::executor::testing
