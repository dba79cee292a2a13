#include "executor/log_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/json/serialize.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <utility>
#include <vector>

#include "common/file.h"
#include "common/log.h"
#include "common/time_format.h"

namespace lambdalite::executor {

namespace {

constexpr int64_t kCloseIdleAfterMs = 60'000;

// A JSON string literal: quoted and escaped.
std::string Quoted(std::string_view text) { return boost::json::serialize(text); }

// Milliseconds as AWS's JSON system logs print them: up to three decimals, no trailing zeros
// ("1233.96", "2.052", "3000").
std::string JsonMillis(double ms) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", ms);
  std::string text(buf);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

int64_t SteadyMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string LogStreamName(int64_t epoch_ms, const std::string& version,
                          const std::string& unique_hex, std::string_view function_name) {
  std::time_t t = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char date[48];
  std::snprintf(date, sizeof date, "%04d/%02d/%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  std::string name(date);
  name.append(1, '/').append(function_name);
  return name + "[" + version + "]" + unique_hex;
}

std::string LogFilePath(const std::string& data_dir, const std::string& account,
                        const std::string& region, const std::string& function_name,
                        const std::string& stream_name) {
  auto dir = JoinUnder(data_dir + "/logs", {account, region, function_name});
  if (!dir) return {};
  auto path = JoinUnderSegments(*dir, stream_name + ".log");
  return path ? *path : std::string();
}

// ---- LogSink -------------------------------------------------------------------------------

LogSink::LogSink(size_t max_pending_bytes)
    : max_pending_bytes_(max_pending_bytes), thread_([this] { Run(); }) {}

LogSink::~LogSink() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
  for (auto& [path, file] : files_) close(file.fd);
}

void LogSink::Append(const std::string& path, std::string text) {
  if (text.empty() || path.empty()) return;
  {
    std::lock_guard lock(mu_);
    if (pending_bytes_ + text.size() > max_pending_bytes_) {
      if (dropped_bytes_ == 0) {
        LogWarn("logs: the log writer is behind; dropping function log output");
      }
      dropped_bytes_ += text.size();
      return;
    }
    const bool was_empty = queue_.empty();
    pending_bytes_ += text.size();
    queue_.push_back(Item{path, std::move(text), false});
    ++enqueued_;
    NotifyQueuedLocked(was_empty);
  }
}

void LogSink::Close(const std::string& path) {
  if (path.empty()) return;
  std::lock_guard lock(mu_);
  const bool was_empty = queue_.empty();
  queue_.push_back(Item{path, std::string(), true});
  ++enqueued_;
  NotifyQueuedLocked(was_empty);
}

void LogSink::NotifyQueuedLocked(bool was_empty) {
  // A non-empty queue means the writer is already awake or waiting out kWriteDelay for this
  // batch, and will take the new item with it; only the first item of a batch (or a batch big
  // enough to write at once) needs a wake-up. Notifying under the lock keeps the check and the
  // writer's wait consistent.
  if (was_empty || pending_bytes_ >= kEagerWriteBytes) cv_.notify_one();
}

void LogSink::Flush() {
  std::unique_lock lock(mu_);
  const uint64_t target = enqueued_;
  if (written_ >= target) return;
  ++flush_waiters_;
  cv_.notify_one();  // cut kWriteDelay short
  idle_cv_.wait(lock, [&] { return written_ >= target; });
  --flush_waiters_;
}

uint64_t LogSink::dropped_bytes() const {
  std::lock_guard lock(mu_);
  return dropped_bytes_;
}

void LogSink::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait_for(lock, std::chrono::seconds(10), [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) {
      if (stopping_) return;
      lock.unlock();
      CloseIdle(SteadyMillis());
      lock.lock();
      continue;
    }
    // Let the rest of a burst join this pass (see kWriteDelay).
    cv_.wait_for(lock, kWriteDelay, [&] {
      return stopping_ || flush_waiters_ > 0 || pending_bytes_ >= kEagerWriteBytes;
    });
    std::deque<Item> batch;
    batch.swap(queue_);
    lock.unlock();
    const size_t bytes = WriteBatch(batch);
    lock.lock();
    pending_bytes_ -= bytes;
    written_ += batch.size();
    idle_cv_.notify_all();
  }
}

size_t LogSink::WriteBatch(std::deque<Item>& batch) {
  // One write per file per pass: an invocation appends two records (START, then END and
  // REPORT), and a busy environment several invocations' worth within kWriteDelay. Texts for a
  // file keep their order; a close first writes what came before it.
  std::vector<std::pair<const std::string*, std::string>> runs;  // path, gathered text
  std::unordered_map<std::string_view, size_t> run_of;           // path -> index in runs
  size_t bytes = 0;
  auto write_run = [&](size_t i) {
    WriteText(*runs[i].first, runs[i].second);
    runs[i].second.clear();
  };
  for (Item& item : batch) {
    bytes += item.text.size();
    auto found = run_of.find(item.path);
    if (item.close) {
      if (found != run_of.end()) {
        write_run(found->second);
        run_of.erase(found);
      }
      CloseFile(item.path);
      continue;
    }
    if (found == run_of.end()) {
      run_of.emplace(item.path, runs.size());
      runs.emplace_back(&item.path, std::move(item.text));
    } else {
      runs[found->second].second += item.text;
    }
  }
  for (const auto& [path, index] : run_of) write_run(index);
  return bytes;
}

void LogSink::CloseFile(const std::string& path) {
  auto it = files_.find(path);
  if (it == files_.end()) return;
  close(it->second.fd);
  files_.erase(it);
}

void LogSink::WriteText(const std::string& path, const std::string& text) {
  if (text.empty()) return;
  auto it = files_.find(path);
  if (it == files_.end()) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) {
      LogWarn("logs: cannot open " + path + ": " + std::strerror(errno));
      return;
    }
    it = files_.emplace(path, OpenFile{fd, 0}).first;
  }
  const char* p = text.data();
  size_t left = text.size();
  while (left > 0) {
    ssize_t n = write(it->second.fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      LogWarn("logs: cannot write " + path + ": " + std::strerror(errno));
      break;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  it->second.last_write_ms = SteadyMillis();
}

void LogSink::CloseIdle(int64_t now_ms) {
  for (auto it = files_.begin(); it != files_.end();) {
    if (now_ms - it->second.last_write_ms > kCloseIdleAfterMs) {
      close(it->second.fd);
      it = files_.erase(it);
    } else {
      ++it;
    }
  }
}

// ---- EnvironmentLog ------------------------------------------------------------------------

std::string FormatReportLine(const InvocationReport& report) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "\tDuration: %.2f ms\tBilled Duration: %lld ms\tMemory Size: %d MB\t"
                "Max Memory Used: %lld MB\t",
                report.duration_ms, static_cast<long long>(report.billed_duration_ms),
                report.memory_size_mb, static_cast<long long>(report.max_memory_used_mb));
  std::string line = "REPORT RequestId: " + report.request_id + buf;
  if (report.init_duration_ms) {
    std::snprintf(buf, sizeof buf, "Init Duration: %.2f ms\t", *report.init_duration_ms);
    line += buf;
  }
  if (!report.status.empty()) line += "Status: " + report.status + "\t";
  if (!report.error_type.empty()) line += "Error Type: " + report.error_type + "\t";
  return line;
}

std::string FormatReportRecord(const InvocationReport& report) {
  std::string record = "{\"requestId\":" + Quoted(report.request_id) + ",\"metrics\":{";
  record += "\"durationMs\":" + JsonMillis(report.duration_ms);
  record += ",\"billedDurationMs\":" + std::to_string(report.billed_duration_ms);
  record += ",\"memorySizeMB\":" + std::to_string(report.memory_size_mb);
  record += ",\"maxMemoryUsedMB\":" + std::to_string(report.max_memory_used_mb);
  if (report.init_duration_ms) {
    record += ",\"initDurationMs\":" + JsonMillis(*report.init_duration_ms);
  }
  // The text REPORT names no status for a success (nor for a function error, which the runtime
  // reported normally); the JSON record always has one.
  record += "},\"status\":" + Quoted(report.status.empty() ? "success" : report.status);
  if (!report.error_type.empty()) record += ",\"errorType\":" + Quoted(report.error_type);
  record += '}';
  return record;
}

EnvironmentLog::EnvironmentLog(LogSink& sink, std::string file_path, const Clock& clock,
                               PlatformLogFormat format, std::string function_arn)
    : sink_(sink),
      path_(std::move(file_path)),
      clock_(clock),
      format_(format),
      function_arn_(std::move(function_arn)) {}

EnvironmentLog::~EnvironmentLog() {
  {
    std::lock_guard lock(mu_);
    if (!partial_.empty()) {
      RecordLocked(partial_, clock_.NowMillis());
      partial_.clear();
    }
    FlushPendingLocked();
  }
  sink_.Close(path_);
}

void EnvironmentLog::AppendTimestampLocked(int64_t now_ms) {
  // "2024-01-31T12:34:56" changes once a second, and every invocation writes at least three
  // records: gmtime_r and snprintf per record were 3% of the server's CPU time per warm invoke.
  const int64_t second = now_ms / 1000;
  if (stamp_.empty() || second != stamp_second_) {
    stamp_ = FormatIso8601Millis(second * 1000);
    stamp_.resize(stamp_.size() - 5);  // without ".000Z"
    stamp_second_ = second;
  }
  const int ms = static_cast<int>(now_ms % 1000);
  const char tail[] = {'.',
                       static_cast<char>('0' + ms / 100),
                       static_cast<char>('0' + ms / 10 % 10),
                       static_cast<char>('0' + ms % 10),
                       'Z',
                       ' '};
  pending_ += stamp_;
  pending_.append(tail, sizeof tail);
}

void EnvironmentLog::RecordLocked(std::string_view line, int64_t now_ms) {
  AppendTimestampLocked(now_ms);
  pending_ += line;
  pending_ += '\n';
  if (in_invocation_) {
    tail_ += line;
    tail_ += '\n';
    // Keep the tail bounded without trimming on every line.
    if (tail_.size() > 4 * kTailBytes) tail_.erase(0, tail_.size() - kTailBytes);
  }
}

void EnvironmentLog::FlushPendingLocked() {
  if (pending_.empty()) return;
  sink_.Append(path_, std::move(pending_));
  pending_.clear();
}

void EnvironmentLog::Output(std::string_view bytes) {
  std::lock_guard lock(mu_);
  const int64_t now = clock_.NowMillis();
  size_t start = 0;
  for (;;) {
    const size_t nl = bytes.find('\n', start);
    if (nl == std::string_view::npos) break;
    if (partial_.empty()) {
      RecordLocked(bytes.substr(start, nl - start), now);
    } else {
      partial_.append(bytes.substr(start, nl - start));
      RecordLocked(partial_, now);
      partial_.clear();
    }
    start = nl + 1;
  }
  partial_.append(bytes.substr(start));
  // A runaway line without newlines still becomes records, in 256 KB pieces (CloudWatch's event
  // size limit is 256 KB).
  while (partial_.size() >= 256 * 1024) {
    RecordLocked(std::string_view(partial_).substr(0, 256 * 1024), now);
    partial_.erase(0, 256 * 1024);
  }
  FlushPendingLocked();
}

void EnvironmentLog::JsonRecordLocked(std::string_view type, std::string_view record_json,
                                      int64_t now_ms) {
  std::string line = "{\"time\":\"" + FormatIso8601Millis(now_ms) + "\",\"type\":\"platform.";
  line.append(type).append("\",\"record\":").append(record_json).append(1, '}');
  RecordLocked(line, now_ms);
}

void EnvironmentLog::PlatformNotice(std::string_view line) {
  if (format_.json) return;
  std::lock_guard lock(mu_);
  RecordLocked(line, clock_.NowMillis());
  FlushPendingLocked();
}

void EnvironmentLog::InitStart(const InitStartReport& init) {
  std::lock_guard lock(mu_);
  const int64_t now = clock_.NowMillis();
  if (!format_.json) {
    RecordLocked("INIT_START Runtime Version: " + init.runtime_version +
                     "\tRuntime Version ARN: " + init.runtime_version_arn,
                 now);
  } else if (format_.info_records) {
    JsonRecordLocked("initStart",
                     "{\"initializationType\":\"on-demand\",\"phase\":\"init\","
                     "\"runtimeVersion\":" +
                         Quoted(init.runtime_version) +
                         ",\"runtimeVersionArn\":" + Quoted(init.runtime_version_arn) +
                         ",\"functionName\":" + Quoted(init.function_name) +
                         ",\"functionVersion\":" + Quoted(init.function_version) +
                         ",\"instanceId\":" + Quoted(init.instance_id) +
                         ",\"instanceMaxMemory\":" + std::to_string(init.instance_max_memory) + "}",
                     now);
  }
  FlushPendingLocked();
}

void EnvironmentLog::Start(const std::string& request_id, const std::string& version) {
  std::lock_guard lock(mu_);
  const int64_t now = clock_.NowMillis();
  // Output of the init phase or of background work between invocations stays outside the frame.
  if (!partial_.empty()) {
    RecordLocked(partial_, now);
    partial_.clear();
  }
  in_invocation_ = true;
  tail_.clear();
  if (!format_.json) {
    RecordLocked("START RequestId: " + request_id + " Version: " + version, now);
  } else if (format_.info_records) {
    JsonRecordLocked("start",
                     "{\"requestId\":" + Quoted(request_id) + ",\"functionArn\":" +
                         Quoted(function_arn_) + ",\"version\":" + Quoted(version) + "}",
                     now);
  }
  FlushPendingLocked();
}

std::string EnvironmentLog::End(const InvocationReport& report) {
  std::lock_guard lock(mu_);
  const int64_t now = clock_.NowMillis();
  if (!partial_.empty()) {
    RecordLocked(partial_, now);
    partial_.clear();
  }
  if (!format_.json) {
    RecordLocked("END RequestId: " + report.request_id, now);
    RecordLocked(FormatReportLine(report), now);
  } else if (format_.info_records) {
    JsonRecordLocked("report", FormatReportRecord(report), now);
  }
  FlushPendingLocked();
  in_invocation_ = false;
  std::string tail = std::move(tail_);
  tail_.clear();
  if (tail.size() > kTailBytes) tail.erase(0, tail.size() - kTailBytes);
  return tail;
}

}  // namespace lambdalite::executor
