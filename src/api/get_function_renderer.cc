#include "api/get_function_renderer.h"

#include <boost/json.hpp>
#include <charconv>
#include <mutex>
#include <utility>

#include "api/mapping.h"

namespace lambdalite::api {

namespace json = boost::json;

namespace {

// Appends `text` as a JSON string exactly as boost::json::serialize writes it. Printable ASCII
// other than '"' and '\\' is written as it is (boost escapes only those two and control
// characters); anything else is left to boost, so the escaping can never differ.
void AppendJsonString(std::string& out, std::string_view text) {
  for (char c : text) {
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
      out += json::serialize(text);
      return;
    }
  }
  out += '"';
  out += text;
  out += '"';
}

// Appends `field` so that no two different field lists give the same key.
void AppendKeyField(std::string& key, std::string_view field) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, field.size());
  key.append(digits, end);
  key += ':';
  key += field;
}

}  // namespace

bool GetFunctionRenderer::Matches(const Entry& entry, const service::FunctionView& view) {
  return entry.version == view.version && entry.phase == view.phase &&
         entry.reserved_concurrency == view.reserved_concurrency && entry.tags == view.tags &&
         entry.runtime_version_arn == view.runtime_version_arn;
}

GetFunctionRenderer::Entry GetFunctionRenderer::Build(const domain::Scope& scope,
                                                      const service::FunctionView& view) {
  Entry entry;
  entry.version = view.version;
  entry.tags = view.tags;
  entry.reserved_concurrency = view.reserved_concurrency;
  entry.runtime_version_arn = view.runtime_version_arn;
  entry.phase = view.phase;
  // The members in the order GetFunction has always written them; boost::json::serialize writes
  // an object as {"name":value,...} with no spaces, which is what this text reproduces.
  entry.head = "{\"Configuration\":";
  entry.head +=
      json::serialize(shapes::ToJson(ToFunctionConfiguration(scope, view, ConfigDetail::kFull)));
  entry.head += ",\"Code\":{\"RepositoryType\":\"S3\",\"Location\":";
  entry.tail.push_back('}');
  if (!view.tags.empty()) {
    json::object tags;
    for (const auto& [k, v] : view.tags) tags[k] = v;
    entry.tail += ",\"Tags\":";
    entry.tail += json::serialize(tags);
  }
  if (view.reserved_concurrency) {
    entry.tail += ",\"Concurrency\":";
    entry.tail +=
        json::serialize(json::object{{"ReservedConcurrentExecutions", *view.reserved_concurrency}});
  }
  entry.tail += "}";
  return entry;
}

std::string GetFunctionRenderer::Render(const domain::Scope& scope,
                                        const service::FunctionView& view,
                                        std::string_view location) {
  // Reused by every call on this thread, so a look-up allocates nothing.
  thread_local std::string key;
  key.clear();
  AppendKeyField(key, scope.account);
  AppendKeyField(key, scope.region);
  AppendKeyField(key, view.name);
  if (view.qualifier) AppendKeyField(key, *view.qualifier);

  auto assemble = [&location](const Entry& entry) {
    std::string body;
    body.reserve(entry.head.size() + location.size() + 2 + entry.tail.size());
    body += entry.head;
    AppendJsonString(body, location);
    body += entry.tail;
    return body;
  };
  {
    std::shared_lock lock(mu_);
    auto it = entries_.find(key);
    if (it != entries_.end() && Matches(it->second, view)) return assemble(it->second);
  }
  Entry entry = Build(scope, view);
  std::string body = assemble(entry);
  std::unique_lock lock(mu_);
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    it->second = std::move(entry);
  } else {
    if (entries_.size() >= kMaxEntries) entries_.clear();
    entries_.emplace(key, std::move(entry));
  }
  return body;
}

size_t GetFunctionRenderer::size() const {
  std::shared_lock lock(mu_);
  return entries_.size();
}

}  // namespace lambdalite::api
