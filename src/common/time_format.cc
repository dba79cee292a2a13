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
// Days from 1970-01-01 to a civil date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
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

// "YYYY-MM-DDTHH:MM:SS[.fff...](Z|+hh:mm|+hhmm|-hh:mm)" to epoch ms.
bool ParseIso8601(std::string_view t, int64_t* epoch_ms) {
  auto num = [&t](size_t pos, size_t len, int* out) {
    if (pos + len > t.size()) return false;
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (t[i] < '0' || t[i] > '9') return false;
      v = v * 10 + (t[i] - '0');
    }
    *out = v;
    return true;
  };
  int y, mo, d, h, mi, s;
  if (!num(0, 4, &y) || t.size() < 19 || t[4] != '-' || !num(5, 2, &mo) || t[7] != '-' ||
      !num(8, 2, &d) || (t[10] != 'T' && t[10] != 't' && t[10] != ' ') || !num(11, 2, &h) ||
      t[13] != ':' || !num(14, 2, &mi) || t[16] != ':' || !num(17, 2, &s)) {
    return false;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return false;
  size_t pos = 19;
  int ms = 0;
  if (pos < t.size() && t[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
      if (digits < 3) ms = ms * 10 + (t[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return false;
    for (; digits < 3; ++digits) ms *= 10;
  }
  int offset_min = 0;
  if (pos < t.size() && (t[pos] == 'Z' || t[pos] == 'z')) {
    ++pos;
  } else if (pos < t.size() && (t[pos] == '+' || t[pos] == '-')) {
    const int sign = t[pos] == '-' ? -1 : 1;
    int oh, om;
    if (!num(pos + 1, 2, &oh)) return false;
    size_t m = pos + 3;
    if (m < t.size() && t[m] == ':') ++m;
    if (!num(m, 2, &om)) return false;
    offset_min = sign * (oh * 60 + om);
    pos = m + 2;
  } else {
    return false;
  }
  if (pos != t.size()) return false;
  const int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  *epoch_ms = ((days * 24 + h) * 60 + mi - offset_min) * 60'000 + s * 1000 + ms;
  return true;
}

}  // namespace lambdalite
