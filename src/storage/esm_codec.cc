#include "storage/esm_codec.h"

#include <boost/json.hpp>

namespace lambdalite::storage {
namespace json = boost::json;
namespace {

using domain::EventSourceKind;
using domain::MappingState;

Error Corrupt(std::string_view key) {
  return Error::Make(
      ErrorCode::kInternal,
      "stored event source mapping is corrupt: bad value at '" + std::string(key) + "'");
}

std::string_view KindText(EventSourceKind kind) {
  switch (kind) {
    case EventSourceKind::kSqs:
      return "sqs";
    case EventSourceKind::kKinesis:
      return "kinesis";
    case EventSourceKind::kDynamoDbStreams:
      return "dynamodb";
  }
  return "sqs";
}

std::optional<EventSourceKind> ParseKind(std::string_view text) {
  if (text == "sqs") return EventSourceKind::kSqs;
  if (text == "kinesis") return EventSourceKind::kKinesis;
  if (text == "dynamodb") return EventSourceKind::kDynamoDbStreams;
  return std::nullopt;
}

std::optional<MappingState> ParseState(std::string_view text) {
  for (MappingState s : {MappingState::kCreating, MappingState::kEnabling, MappingState::kEnabled,
                         MappingState::kDisabling, MappingState::kDisabled, MappingState::kUpdating,
                         MappingState::kDeleting}) {
    if (domain::MappingStateName(s) == text) return s;
  }
  return std::nullopt;
}

json::value Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const std::string& s : v) a.emplace_back(json::string(s.data(), s.size()));
  return a;
}

Status ReadStrings(const json::object& o, std::string_view key, std::vector<std::string>& out) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return Status::Ok();
  if (!v->is_array()) return Corrupt(key);
  for (const json::value& e : v->get_array()) {
    if (!e.is_string()) return Corrupt(key);
    out.emplace_back(e.get_string());
  }
  return Status::Ok();
}

Status ReadString(const json::object& o, std::string_view key, std::string& out) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return Status::Ok();
  if (!v->is_string()) return Corrupt(key);
  out = std::string(v->get_string());
  return Status::Ok();
}

Status ReadOptString(const json::object& o, std::string_view key, std::optional<std::string>& out) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return Status::Ok();
  if (!v->is_string()) return Corrupt(key);
  out = std::string(v->get_string());
  return Status::Ok();
}

template <class Int>
Status ReadInt(const json::object& o, std::string_view key, Int& out) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return Status::Ok();
  if (v->is_int64()) {
    out = static_cast<Int>(v->get_int64());
  } else if (v->is_uint64()) {
    out = static_cast<Int>(v->get_uint64());
  } else {
    return Corrupt(key);
  }
  return Status::Ok();
}

template <class Int>
Status ReadOptInt(const json::object& o, std::string_view key, std::optional<Int>& out) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return Status::Ok();
  Int value{};
  LAMBDALITE_RETURN_IF_ERROR(ReadInt(o, key, value));
  out = value;
  return Status::Ok();
}

Status ReadBool(const json::object& o, std::string_view key, bool& out) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return Status::Ok();
  if (!v->is_bool()) return Corrupt(key);
  out = v->get_bool();
  return Status::Ok();
}

template <class T>
json::value Opt(const std::optional<T>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

}  // namespace

std::string EncodeEsm(const StoredEsm& esm) {
  const domain::EventSourceMapping& m = esm.mapping;
  json::object o;
  o["uuid"] = m.uuid;
  o["kind"] = KindText(m.kind);
  o["event_source_arn"] = m.event_source_arn;
  o["function_name"] = m.function_name;
  o["qualifier"] = m.qualifier;
  o["function_arn"] = m.function_arn;
  o["enabled"] = m.enabled;
  o["state"] = domain::MappingStateName(m.state);
  o["state_transition_reason"] = m.state_transition_reason;
  o["last_modified_ms"] = m.last_modified_ms;
  o["revision"] = m.revision;
  o["batch_size"] = m.batch_size;
  o["maximum_batching_window_seconds"] = m.maximum_batching_window_seconds;
  o["filter_patterns"] = Strings(m.filter_patterns);
  o["filter_criteria_set"] = m.filter_criteria_set;
  o["function_response_types"] = Strings(m.function_response_types);
  o["maximum_concurrency"] = Opt(m.maximum_concurrency);
  o["starting_position"] = m.starting_position;
  o["starting_position_timestamp_ms"] = Opt(m.starting_position_timestamp_ms);
  o["on_failure_destination"] = Opt(m.on_failure_destination);
  o["maximum_record_age_seconds"] = m.maximum_record_age_seconds;
  o["maximum_retry_attempts"] = m.maximum_retry_attempts;
  o["bisect_batch_on_function_error"] = m.bisect_batch_on_function_error;
  o["parallelization_factor"] = m.parallelization_factor;
  o["tumbling_window_seconds"] = m.tumbling_window_seconds;
  json::object tags;
  for (const auto& [k, v] : esm.tags) tags[k] = v;
  o["tags"] = std::move(tags);
  return json::serialize(o);
}

Result<StoredEsm> DecodeEsm(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec || !v.is_object()) return Corrupt("");
  const json::object& o = v.get_object();
  StoredEsm esm;
  domain::EventSourceMapping& m = esm.mapping;
  LAMBDALITE_RETURN_IF_ERROR(ReadString(o, "uuid", m.uuid));
  std::string kind = "sqs";
  LAMBDALITE_RETURN_IF_ERROR(ReadString(o, "kind", kind));
  auto parsed_kind = ParseKind(kind);
  if (!parsed_kind) return Corrupt("kind");
  m.kind = *parsed_kind;
  LAMBDALITE_RETURN_IF_ERROR(ReadString(o, "event_source_arn", m.event_source_arn));
  LAMBDALITE_RETURN_IF_ERROR(ReadString(o, "function_name", m.function_name));
  LAMBDALITE_RETURN_IF_ERROR(ReadString(o, "qualifier", m.qualifier));
  LAMBDALITE_RETURN_IF_ERROR(ReadString(o, "function_arn", m.function_arn));
  LAMBDALITE_RETURN_IF_ERROR(ReadBool(o, "enabled", m.enabled));
  std::string state = "Creating";
  LAMBDALITE_RETURN_IF_ERROR(ReadString(o, "state", state));
  auto parsed_state = ParseState(state);
  if (!parsed_state) return Corrupt("state");
  m.state = *parsed_state;
  LAMBDALITE_RETURN_IF_ERROR(ReadString(o, "state_transition_reason", m.state_transition_reason));
  LAMBDALITE_RETURN_IF_ERROR(ReadInt(o, "last_modified_ms", m.last_modified_ms));
  LAMBDALITE_RETURN_IF_ERROR(ReadInt(o, "revision", m.revision));
  LAMBDALITE_RETURN_IF_ERROR(ReadInt(o, "batch_size", m.batch_size));
  LAMBDALITE_RETURN_IF_ERROR(
      ReadInt(o, "maximum_batching_window_seconds", m.maximum_batching_window_seconds));
  LAMBDALITE_RETURN_IF_ERROR(ReadStrings(o, "filter_patterns", m.filter_patterns));
  LAMBDALITE_RETURN_IF_ERROR(ReadBool(o, "filter_criteria_set", m.filter_criteria_set));
  LAMBDALITE_RETURN_IF_ERROR(ReadStrings(o, "function_response_types", m.function_response_types));
  LAMBDALITE_RETURN_IF_ERROR(ReadOptInt(o, "maximum_concurrency", m.maximum_concurrency));
  LAMBDALITE_RETURN_IF_ERROR(ReadString(o, "starting_position", m.starting_position));
  LAMBDALITE_RETURN_IF_ERROR(
      ReadOptInt(o, "starting_position_timestamp_ms", m.starting_position_timestamp_ms));
  LAMBDALITE_RETURN_IF_ERROR(ReadOptString(o, "on_failure_destination", m.on_failure_destination));
  LAMBDALITE_RETURN_IF_ERROR(
      ReadInt(o, "maximum_record_age_seconds", m.maximum_record_age_seconds));
  LAMBDALITE_RETURN_IF_ERROR(ReadInt(o, "maximum_retry_attempts", m.maximum_retry_attempts));
  LAMBDALITE_RETURN_IF_ERROR(
      ReadBool(o, "bisect_batch_on_function_error", m.bisect_batch_on_function_error));
  LAMBDALITE_RETURN_IF_ERROR(ReadInt(o, "parallelization_factor", m.parallelization_factor));
  LAMBDALITE_RETURN_IF_ERROR(ReadInt(o, "tumbling_window_seconds", m.tumbling_window_seconds));
  if (const json::value* t = o.if_contains("tags"); t && !t->is_null()) {
    if (!t->is_object()) return Corrupt("tags");
    for (const auto& [k, val] : t->get_object()) {
      if (!val.is_string()) return Corrupt("tags");
      esm.tags[std::string(k)] = std::string(val.get_string());
    }
  }
  if (m.uuid.empty()) return Corrupt("uuid");
  return esm;
}

}  // namespace lambdalite::storage
