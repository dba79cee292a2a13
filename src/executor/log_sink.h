#pragma once

// Function logs, framed the way CloudWatch Logs shows them:
//
//   START RequestId: <id> Version: <version>
//   <each line the function wrote to stdout/stderr>
//   END RequestId: <id>
//   REPORT RequestId: <id>\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\t
//          Max Memory Used: 40 MB\tInit Duration: 123.45 ms\t
//
// Each execution environment writes one log stream (named like AWS's, "YYYY/MM/DD/[$LATEST]<32
// hex>") to the file LogFilePath(...), one record per line, each prefixed with an ISO-8601 UTC
// timestamp. Writing is asynchronous (LogSink's thread), so the invocation path never waits on
// the disk; nothing is fsync'ed. The writer gathers what arrives within LogSink::kWriteDelay into
// one pass, so a busy server wakes it a few hundred times a second, not twice per invocation.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "common/clock.h"

namespace lambdalite::executor {

// "2024/01/31/[$LATEST]0123456789abcdef0123456789abcdef": AWS's log stream name of an environment
// created at `epoch_ms` running `version`, with `unique_hex` (32 hex digits) making it unique.
// A function that logs to a custom log group (one several functions may share) has its name in
// the stream's: pass it as `function_name` for "2024/01/31/my-function[$LATEST]<hex>".
std::string LogStreamName(int64_t epoch_ms, const std::string& version,
                          const std::string& unique_hex, std::string_view function_name = {});

// "<data_dir>/logs/<account>/<region>/<function>/<stream>.log". The stream name's slashes make the
// date directories: ".../2024/01/31/[$LATEST]<hex>.log". "" when a value is not a safe path
// component (common/file.h): such a log is not written. (Before issue 14 the layout had no
// account level, "<data_dir>/logs/<region>/<function>/"; `lambdalite logs` still reads it.)
std::string LogFilePath(const std::string& data_dir, const std::string& account,
                        const std::string& region, const std::string& function_name,
                        const std::string& stream_name);

// Appends text to files from a background thread. Thread-safe. Files stay open between appends
// (closed by Close or after a minute without writes), so appending costs no open/close.
class LogSink {
 public:
  // How long queued text may wait for more before the writer takes it. Every invocation appends
  // (START, then END and REPORT); waking the writer for each append cost two thread switches per
  // invocation, on the same few cores the runtimes and the HTTP threads need.
  static constexpr std::chrono::milliseconds kWriteDelay{5};
  // Queued bytes from which the writer starts at once instead of waiting out kWriteDelay.
  static constexpr size_t kEagerWriteBytes = 256 * 1024;

  // Queued bytes beyond this are dropped (and the drop logged once): a function flooding its logs
  // must not exhaust the server's memory.
  explicit LogSink(size_t max_pending_bytes = 64 * 1024 * 1024);
  // Writes everything queued, then closes every file.
  ~LogSink();
  LogSink(const LogSink&) = delete;
  LogSink& operator=(const LogSink&) = delete;

  // Queues `text` for appending to `path` (directories are created as needed). Never blocks on
  // I/O. An empty `path` (LogFilePath refused a value) is ignored. Appends to one path are written
  // in call order, within about kWriteDelay.
  void Append(const std::string& path, std::string text);
  // Closes `path` once what is queued for it is written.
  void Close(const std::string& path);
  // Blocks until everything queued before the call is written. For tests and shutdown.
  void Flush();

  // Total bytes dropped because the queue was full.
  uint64_t dropped_bytes() const;

 private:
  struct Item {
    std::string path;
    std::string text;
    bool close = false;
  };
  struct OpenFile {
    int fd = -1;
    int64_t last_write_ms = 0;
  };

  void Run();
  // Writes (and closes) what `batch` asks for; returns the bytes of text it held.
  size_t WriteBatch(std::deque<Item>& batch);
  void WriteText(const std::string& path, const std::string& text);
  void CloseFile(const std::string& path);
  void CloseIdle(int64_t now_ms);
  // Wakes the writer if it needs waking for what was just queued. mu_ held.
  void NotifyQueuedLocked(bool was_empty);

  const size_t max_pending_bytes_;

  mutable std::mutex mu_;
  std::condition_variable cv_;       // wakes the writer
  std::condition_variable idle_cv_;  // wakes Flush
  std::deque<Item> queue_;
  size_t pending_bytes_ = 0;
  uint64_t enqueued_ = 0;  // items ever queued
  uint64_t written_ = 0;   // items ever processed
  uint64_t dropped_bytes_ = 0;
  int flush_waiters_ = 0;  // Flush calls waiting: the writer skips kWriteDelay for them
  bool stopping_ = false;

  // Writer thread only.
  std::unordered_map<std::string, OpenFile> files_;

  std::thread thread_;
};

// What the REPORT line of one invocation says.
struct InvocationReport {
  std::string request_id;
  double duration_ms = 0;
  int64_t billed_duration_ms = 0;
  int memory_size_mb = 0;
  int64_t max_memory_used_mb = 0;
  std::optional<double> init_duration_ms;  // cold starts only
  std::string status;                      // "" (success or function error), "timeout", "error"
  std::string error_type;                  // with status "error": e.g. "Runtime.ExitError"
};

// What the INIT_START record of an environment says.
struct InitStartReport {
  std::string runtime_version;      // "python:3.12.v1"
  std::string runtime_version_arn;  // as GetFunction's RuntimeVersionConfig
  std::string function_name;
  std::string function_version;
  std::string instance_id;          // the environment's log stream name
  int64_t instance_max_memory = 0;  // bytes: MemorySize
};

// How the platform's own records are written: the function's LoggingConfig.
struct PlatformLogFormat {
  // LogFormat JSON: each record is one {"time","type":"platform.*","record"} object, and an
  // invocation is framed by platform.start and platform.report alone (no END).
  bool json = false;
  // JSON only: SystemLogLevel WARN leaves out the INFO records (initStart, start, report).
  bool info_records = true;
};

// The log stream of one execution environment. Thread-safe (output arrives from the sandbox's
// thread while the invocation thread frames START/END).
class EnvironmentLog {
 public:
  // How much of an invocation's text is kept for LogResult (AWS returns the last 4 KB).
  static constexpr size_t kTailBytes = 4096;

  // `sink` and `clock` must outlive this object. `function_arn` (unqualified) is named by JSON
  // platform.start records.
  EnvironmentLog(LogSink& sink, std::string file_path, const Clock& clock,
                 PlatformLogFormat format = {}, std::string function_arn = {});
  // Writes a pending partial line and closes the file.
  ~EnvironmentLog();
  EnvironmentLog(const EnvironmentLog&) = delete;
  EnvironmentLog& operator=(const EnvironmentLog&) = delete;

  // Raw bytes from the runtime's stdout/stderr. Complete lines become records; a trailing partial
  // line waits for its end (or for the end of the invocation).
  void Output(std::string_view bytes);
  // A notice the platform writes as a text line of its own (e.g. "... Task timed out after 3.00
  // seconds"). JSON records carry the same facts in platform.report's status and errorType, so
  // under JSON this writes nothing.
  void PlatformNotice(std::string_view line);

  // The environment's init phase starts: writes INIT_START (platform.initStart).
  void InitStart(const InitStartReport& init);
  // Starts framing an invocation: writes START (platform.start).
  void Start(const std::string& request_id, const std::string& version);
  // Writes END and REPORT (platform.report) and returns the invocation's text (START through
  // REPORT, without the timestamps), cut to its last kTailBytes.
  std::string End(const InvocationReport& report);

  const std::string& file_path() const { return path_; }

 private:
  void RecordLocked(std::string_view line, int64_t now_ms);
  // Appends "<ISO-8601 time with milliseconds>Z " to pending_.
  void AppendTimestampLocked(int64_t now_ms);
  void FlushPendingLocked();

  // Writes a platform.<type> record whose record object is `record_json`.
  void JsonRecordLocked(std::string_view type, std::string_view record_json, int64_t now_ms);

  LogSink& sink_;
  const std::string path_;
  const Clock& clock_;
  const PlatformLogFormat format_;
  const std::string function_arn_;

  std::mutex mu_;
  std::string partial_;  // output after the last newline
  std::string pending_;  // formatted records not yet handed to the sink
  bool in_invocation_ = false;
  std::string tail_;   // the current invocation's text, bounded
  std::string stamp_;  // "YYYY-MM-DDThh:mm:ss" of stamp_second_
  int64_t stamp_second_ = 0;
};

// The REPORT line (without trailing newline), as AWS formats it.
std::string FormatReportLine(const InvocationReport& report);
// The platform.report record object, as AWS's JSON system logs have it.
std::string FormatReportRecord(const InvocationReport& report);

}  // namespace lambdalite::executor
