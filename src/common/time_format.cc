#include "common/time_format.h"

#include <cstdio>
#include <ctime>

namespace lambdalite {
namespace {
std::tm ToTm(int64_t epoch_ms) {
  std::time_t t = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

// YYYY-MM-DDThh:mm:ss.sss in UTC, then `zone`: the two timestamp formats differ only there.
std::string FormatMillisUtc(int64_t epoch_ms, const char* zone) {
  std::tm tm = ToTm(epoch_ms);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d%s", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(epoch_ms % 1000), zone);
  return buf;
}
}  // namespace

std::string FormatLambdaTimestamp(int64_t epoch_ms) { return FormatMillisUtc(epoch_ms, "+0000"); }

std::string FormatIso8601Millis(int64_t epoch_ms) { return FormatMillisUtc(epoch_ms, "Z"); }

std::string FormatAmzDate(int64_t epoch_ms) {
  std::tm tm = ToTm(epoch_ms);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

bool ParseAmzDate(const std::string& text, int64_t* epoch_ms) {
  std::tm tm{};
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return false;
  if (std::sscanf(text.c_str(), "%4d%2d%2dT%2d%2d%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
    return false;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  *epoch_ms = static_cast<int64_t>(timegm(&tm)) * 1000;
  return true;
}

}  // namespace lambdalite
