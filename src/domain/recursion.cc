#include "domain/recursion.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace lambdalite::domain {

RecursiveLoop ParseRecursiveLoop(std::string_view name) {
  return name == "Allow" ? RecursiveLoop::kAllow : RecursiveLoop::kTerminate;
}

std::string_view LineageOf(std::string_view header) {
  size_t pos = 0;
  while (pos <= header.size()) {
    size_t end = header.find(';', pos);
    if (end == std::string_view::npos) end = header.size();
    std::string_view field = header.substr(pos, end - pos);
    while (!field.empty() && field.front() == ' ') field.remove_prefix(1);
    if (field.substr(0, 8) == "Lineage=") return field.substr(8);
    pos = end + 1;
  }
  return {};
}

std::string LineageKey(const Scope& scope, std::string_view function_name) {
  uint32_t h = 2166136261u;  // FNV-1a over the ARN's bytes: stable across builds and hosts
  auto add = [&h](std::string_view part) {
    for (unsigned char c : part) {
      h ^= c;
      h *= 16777619u;
    }
  };
  add("arn:aws:lambda:");
  add(scope.region);
  add(":");
  add(scope.account);
  add(":function:");
  add(function_name);
  char out[9];
  std::snprintf(out, sizeof out, "%08x", h);
  return out;
}

namespace {

// The next entry of a lineage list at `pos` (separated by '|' or its percent-encoding).
std::string_view NextEntry(std::string_view list, size_t& pos) {
  const size_t bar = list.find('|', pos);
  const size_t enc = list.find("%7C", pos);
  const size_t enc_lower = list.find("%7c", pos);
  size_t end = std::min({bar, enc, enc_lower});
  std::string_view entry;
  if (end == std::string_view::npos) {
    entry = list.substr(pos);
    pos = list.size() + 1;
  } else {
    entry = list.substr(pos, end - pos);
    pos = end + (end == bar ? 1 : 3);
  }
  return entry;
}

// "<8 hex>:<count>" -> count, or -1 when the entry is not one of ours.
int EntryCount(std::string_view entry, std::string_view& key) {
  const size_t colon = entry.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 >= entry.size()) return -1;
  key = entry.substr(0, colon);
  int count = 0;
  for (char c : entry.substr(colon + 1)) {
    if (c < '0' || c > '9') return -1;
    count = count * 10 + (c - '0');
    if (count > 1'000'000) return -1;
  }
  return count;
}

}  // namespace

LineageStep NextLineage(std::string_view incoming, std::string_view key) {
  LineageStep step;
  std::string others;
  int previous = 0;
  size_t pos = 0;
  while (pos <= incoming.size() && !incoming.empty()) {
    std::string_view entry = NextEntry(incoming, pos);
    std::string_view entry_key;
    const int count = EntryCount(entry, entry_key);
    if (count < 0) continue;
    if (entry_key == key) {
      previous = count > previous ? count : previous;
      continue;
    }
    if (!others.empty()) others += '|';
    others.append(entry);
  }
  step.count = previous + 1;
  step.lineage.reserve(key.size() + 12 + others.size());
  step.lineage.append(key);
  step.lineage += ':';
  step.lineage += std::to_string(step.count);
  if (!others.empty()) {
    step.lineage += '|';
    step.lineage += others;
  }
  return step;
}

}  // namespace lambdalite::domain
