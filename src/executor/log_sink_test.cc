#include "executor/log_sink.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/file.h"
#include "executor/test_support.h"

namespace lambdalite::executor {
namespace {

// A report of `request_id` with the given metrics.
InvocationReport Report(const std::string& request_id, double duration_ms, int64_t billed_ms,
                        int memory_size_mb, int max_memory_used_mb) {
  InvocationReport report;
  report.request_id = request_id;
  report.duration_ms = duration_ms;
  report.billed_duration_ms = billed_ms;
  report.memory_size_mb = memory_size_mb;
  report.max_memory_used_mb = max_memory_used_mb;
  return report;
}

TEST(LogNamesTest, StreamNameAndFilePathFollowAws) {
  // 2024-01-31T12:34:56Z
  EXPECT_EQ(LogStreamName(1706704496000, "$LATEST", "0123456789abcdef0123456789abcdef"),
            "2024/01/31/[$LATEST]0123456789abcdef0123456789abcdef");
  // A custom log group's streams name the function.
  EXPECT_EQ(LogStreamName(1706704496000, "3", "0123456789abcdef0123456789abcdef", "my-fn"),
            "2024/01/31/my-fn[3]0123456789abcdef0123456789abcdef");
  EXPECT_EQ(LogFilePath("/data", "210987654321", "eu-west-1", "fn", "2024/01/31/[3]ab"),
            "/data/logs/210987654321/eu-west-1/fn/2024/01/31/[3]ab.log");
  // A value that would leave its directory names no file at all.
  EXPECT_EQ(LogFilePath("/data", "210987654321", "..", "pwn1", "2024/01/31/[3]ab"), "");
  EXPECT_EQ(LogFilePath("/data", "", "eu-west-1", "fn", "2024/01/31/[3]ab"), "");
  EXPECT_EQ(LogFilePath("/data", "210987654321", "eu-west-1", "a/b", "2024/01/31/[3]ab"), "");
  EXPECT_EQ(LogFilePath("/data", "210987654321", "eu-west-1", "fn", "../../../x"), "");
}

TEST(LogNamesTest, ReportLineFormat) {
  InvocationReport report = Report("id-1", 1.234, 2, 128, 40);
  EXPECT_EQ(FormatReportLine(report),
            "REPORT RequestId: id-1\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 "
            "MB\tMax Memory Used: 40 MB\t");
  report.init_duration_ms = 123.456;
  report.status = "timeout";
  EXPECT_EQ(FormatReportLine(report),
            "REPORT RequestId: id-1\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 "
            "MB\tMax Memory Used: 40 MB\tInit Duration: 123.46 ms\tStatus: timeout\t");
}

TEST(EnvironmentLogTest, FramesAnInvocationAndWritesTimestampedRecords) {
  testing::TempDir dir;
  LogSink sink;
  FakeClock clock(1706704496789);
  const std::string path = dir.path() + "/a/b/stream.log";
  InvocationReport report = Report("rid", 5, 5, 128, 30);
  std::string tail;
  {
    EnvironmentLog log(sink, path, clock);
    log.Output("init line\n");
    log.Start("rid", "$LATEST");
    log.Output("hel");
    log.Output("lo\nwor");
    log.Output("ld\npartial");
    tail = log.End(report);
    log.Output("between\n");
  }
  sink.Flush();
  EXPECT_EQ(tail,
            "START RequestId: rid Version: $LATEST\nhello\nworld\npartial\nEND RequestId: rid\n" +
                FormatReportLine(report) + "\n");
  const std::string ts = "2024-01-31T12:34:56.789Z ";
  EXPECT_EQ(ReadFileOrEmpty(path),
            ts + "init line\n" + ts + "START RequestId: rid Version: $LATEST\n" + ts + "hello\n" +
                ts + "world\n" + ts + "partial\n" + ts + "END RequestId: rid\n" + ts +
                FormatReportLine(report) + "\n" + ts + "between\n");
}

InitStartReport SampleInit() {
  InitStartReport init;
  init.runtime_version = "python:3.12.v1";
  init.runtime_version_arn = "arn:aws:lambda:us-east-1::runtime:abc";
  init.function_name = "fn";
  init.function_version = "$LATEST";
  init.instance_id = "2024/01/31/[$LATEST]ab";
  init.instance_max_memory = 128 * 1024 * 1024;
  return init;
}

TEST(EnvironmentLogTest, TextInitStartStaysOutsideTheInvocation) {
  testing::TempDir dir;
  LogSink sink;
  FakeClock clock(1706704496789);
  const std::string path = dir.path() + "/s.log";
  std::string tail;
  {
    EnvironmentLog log(sink, path, clock);
    log.InitStart(SampleInit());
    log.Start("rid", "$LATEST");
    InvocationReport report;
    report.request_id = "rid";
    tail = log.End(report);
  }
  sink.Flush();
  EXPECT_EQ(tail.rfind("START RequestId: rid", 0), 0u);
  EXPECT_EQ(ReadFileOrEmpty(path).rfind("2024-01-31T12:34:56.789Z INIT_START Runtime Version: "
                                        "python:3.12.v1\tRuntime Version ARN: "
                                        "arn:aws:lambda:us-east-1::runtime:abc\n",
                                        0),
            0u);
}

TEST(EnvironmentLogTest, JsonFormatWritesPlatformRecords) {
  testing::TempDir dir;
  LogSink sink;
  FakeClock clock(1706704496789);
  const std::string path = dir.path() + "/s.log";
  const std::string arn = "arn:aws:lambda:us-east-1:123456789012:function:fn";
  InvocationReport report = Report("rid", 1233.96, 1698, 256, 123);
  report.init_duration_ms = 463.5120001;
  std::string tail;
  {
    EnvironmentLog log(sink, path, clock, PlatformLogFormat{true, true}, arn);
    log.InitStart(SampleInit());
    log.Start("rid", "$LATEST");
    log.Output("{\"level\":\"INFO\",\"message\":\"hi\"}\n");
    log.PlatformNotice("not written under JSON");
    tail = log.End(report);
  }
  sink.Flush();
  const std::string start =
      R"({"time":"2024-01-31T12:34:56.789Z","type":"platform.start","record":{"requestId":"rid",)"
      R"("functionArn":"arn:aws:lambda:us-east-1:123456789012:function:fn","version":"$LATEST"}})";
  const std::string end =
      R"({"time":"2024-01-31T12:34:56.789Z","type":"platform.report","record":{"requestId":"rid",)"
      R"("metrics":{"durationMs":1233.96,"billedDurationMs":1698,"memorySizeMB":256,)"
      R"("maxMemoryUsedMB":123,"initDurationMs":463.512},"status":"success"}})";
  EXPECT_EQ(tail, start + "\n" + R"({"level":"INFO","message":"hi"})" + "\n" + end + "\n");
  const std::string ts = "2024-01-31T12:34:56.789Z ";
  const std::string init =
      R"({"time":"2024-01-31T12:34:56.789Z","type":"platform.initStart","record":{)"
      R"("initializationType":"on-demand","phase":"init","runtimeVersion":"python:3.12.v1",)"
      R"("runtimeVersionArn":"arn:aws:lambda:us-east-1::runtime:abc","functionName":"fn",)"
      R"("functionVersion":"$LATEST","instanceId":"2024/01/31/[$LATEST]ab",)"
      R"("instanceMaxMemory":134217728}})";
  EXPECT_EQ(ReadFileOrEmpty(path), ts + init + "\n" + ts + start + "\n" + ts +
                                       R"({"level":"INFO","message":"hi"})" + "\n" + ts + end +
                                       "\n");
}

TEST(EnvironmentLogTest, JsonReportNamesStatusAndErrorType) {
  InvocationReport report = Report("r", 3000, 3000, 128, 40);
  report.status = "error";
  report.error_type = "Runtime.ExitError";
  EXPECT_EQ(FormatReportRecord(report),
            R"({"requestId":"r","metrics":{"durationMs":3000,"billedDurationMs":3000,)"
            R"("memorySizeMB":128,"maxMemoryUsedMB":40},"status":"error",)"
            R"("errorType":"Runtime.ExitError"})");
}

TEST(EnvironmentLogTest, JsonAtSystemLevelWarnLeavesOutInfoRecords) {
  testing::TempDir dir;
  LogSink sink;
  FakeClock clock;
  const std::string path = dir.path() + "/s.log";
  std::string tail;
  {
    EnvironmentLog log(sink, path, clock, PlatformLogFormat{true, false});
    log.InitStart(SampleInit());
    log.Start("rid", "$LATEST");
    log.Output("app\n");
    InvocationReport report;
    report.request_id = "rid";
    tail = log.End(report);
  }
  sink.Flush();
  EXPECT_EQ(tail, "app\n");
  EXPECT_EQ(ReadFileOrEmpty(path).find("platform."), std::string::npos);
}

TEST(EnvironmentLogTest, TimestampsFollowTheClockAcrossSecondsAndDays) {
  testing::TempDir dir;
  LogSink sink;
  FakeClock clock(1706745599005);  // 2024-01-31T23:59:59.005Z
  const std::string path = dir.path() + "/s.log";
  {
    EnvironmentLog log(sink, path, clock);
    log.PlatformNotice("a");
    clock.Advance(990);  // .995, same second
    log.PlatformNotice("b");
    clock.Advance(10);  // next second, next day
    log.PlatformNotice("c");
    clock.Advance(1000);
    log.PlatformNotice("d");
  }
  sink.Flush();
  EXPECT_EQ(ReadFileOrEmpty(path),
            "2024-01-31T23:59:59.005Z a\n2024-01-31T23:59:59.995Z b\n"
            "2024-02-01T00:00:00.005Z c\n2024-02-01T00:00:01.005Z d\n");
}

TEST(EnvironmentLogTest, TailKeepsTheLastFourKilobytes) {
  testing::TempDir dir;
  LogSink sink;
  FakeClock clock;
  EnvironmentLog log(sink, dir.path() + "/s.log", clock);
  log.Start("rid", "1");
  for (int i = 0; i < 1000; ++i) log.Output("line " + std::to_string(i) + "\n");
  InvocationReport report;
  report.request_id = "rid";
  const std::string tail = log.End(report);
  EXPECT_EQ(tail.size(), EnvironmentLog::kTailBytes);
  EXPECT_NE(tail.find("line 999\nEND RequestId: rid\nREPORT RequestId: rid"), std::string::npos);
}

TEST(LogSinkTest, WritesBatchesWithoutBeingFlushed) {
  testing::TempDir dir;
  LogSink sink;
  const std::string path = dir.path() + "/x.log";
  // Two batches: the writer must wake for the first append after a pass, not only for Flush.
  for (const char* text : {"one\n", "two\n"}) {
    sink.Append(path, text);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (ReadFileOrEmpty(path).find(text) == std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  EXPECT_EQ(ReadFileOrEmpty(path), "one\ntwo\n");
}

TEST(LogSinkTest, DropsBeyondItsQueueLimit) {
  testing::TempDir dir;
  LogSink sink(/*max_pending_bytes=*/0);
  sink.Append(dir.path() + "/x.log", "abc");
  sink.Flush();
  EXPECT_EQ(sink.dropped_bytes(), 3u);
}

// Appends that meet in one pass of the writer (they all come within kWriteDelay) keep their
// order per file, also across a Close of that file.
TEST(LogSinkTest, InterleavedFilesAndClosesKeepTheirOrder) {
  testing::TempDir dir;
  const std::string a = dir.path() + "/a.log", b = dir.path() + "/b.log";
  LogSink sink;
  sink.Append(a, "a1\n");
  sink.Append(b, "b1\n");
  sink.Append(a, "a2\n");
  sink.Close(a);
  sink.Append(a, "a3\n");
  sink.Append(b, "b2\n");
  sink.Append(a, "a4\n");
  sink.Flush();
  EXPECT_EQ(ReadFileOrEmpty(a), "a1\na2\na3\na4\n");
  EXPECT_EQ(ReadFileOrEmpty(b), "b1\nb2\n");
}

}  // namespace
}  // namespace lambdalite::executor
