#include "esm/event_filter.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <boost/json/parse.hpp>
#include <cctype>
#include <cstring>
#include <limits>
#include <optional>
#include <utility>

namespace lambdalite::esm {

namespace json = boost::json;

namespace {

constexpr std::string_view kInvalidPattern = "Invalid filter pattern definition.";

// One element of a leaf array.
struct Matcher {
  enum class Kind {
    kExact,          // a string, number, boolean or null, compared by JSON value
    kPrefix,         // {"prefix": "x"}
    kSuffix,         // {"suffix": "x"}
    kIgnoreCase,     // {"equals-ignore-case": "x"}
    kWildcard,       // {"wildcard": "a*b"}
    kAnythingBut,    // {"anything-but": v | [v...]}: no value of `values`
    kNotPrefix,      // {"anything-but": {"prefix": "x"}}
    kNotSuffix,      // {"anything-but": {"suffix": "x"}}
    kNotIgnoreCase,  // {"anything-but": {"equals-ignore-case": "x" | [...]}}
    kNumeric,        // {"numeric": [op, n (, op, n)]}
    kExists,         // {"exists": true|false}
    kCidr,           // {"cidr": "10.0.0.0/8"}
  };
  Kind kind = Kind::kExact;
  json::value value;                // kExact
  std::string text;                 // prefix, suffix, wildcard
  std::vector<json::value> values;  // anything-but; equals-ignore-case lists (strings)
  // kNumeric: the accepted interval, bounds inclusive or not.
  double low = -std::numeric_limits<double>::infinity();
  bool low_inclusive = false;
  double high = std::numeric_limits<double>::infinity();
  bool high_inclusive = false;
  bool exists = true;  // kExists
  // kCidr: network bytes (4 or 16) and prefix length.
  std::array<unsigned char, 16> network{};
  int address_bytes = 0;
  int prefix_bits = 0;
};

}  // namespace

// An object pattern: every field must match, and every $or group must have one matching branch.
class FilterPattern {
 public:
  struct Field {
    std::string key;
    // Exactly one of: a nested pattern (the pattern's value is an object) or a leaf array.
    std::shared_ptr<const FilterPattern> nested;
    std::vector<Matcher> leaf;
  };
  std::vector<Field> fields;
  std::vector<std::vector<std::shared_ptr<const FilterPattern>>> ors;

  bool Matches(const json::value& event) const;
};

namespace {

Error Invalid() { return Error::Make(ErrorCode::kInvalidParameter, std::string(kInvalidPattern)); }

bool IsScalar(const json::value& v) { return !v.is_object() && !v.is_array(); }

std::optional<double> AsNumber(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.as_int64());
  if (v.is_uint64()) return static_cast<double>(v.as_uint64());
  if (v.is_double()) return v.as_double();
  return std::nullopt;
}

// Value equality with numbers compared by value (1 equals 1.0), as EventBridge-style matching does.
bool SameValue(const json::value& a, const json::value& b) {
  auto na = AsNumber(a), nb = AsNumber(b);
  if (na || nb) return na && nb && *na == *nb;
  return a == b;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

// '*' matches any run of characters (including none); everything else literally.
bool WildcardMatch(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

// Parses "a.b.c.d" or an IPv6 address into network bytes; returns the byte count (4, 16) or 0.
int ParseAddress(std::string_view text, std::array<unsigned char, 16>& out) {
  std::string s(text);
  if (inet_pton(AF_INET, s.c_str(), out.data()) == 1) return 4;
  if (inet_pton(AF_INET6, s.c_str(), out.data()) == 1) return 16;
  return 0;
}

bool InCidr(const Matcher& m, std::string_view address) {
  std::array<unsigned char, 16> bytes{};
  if (ParseAddress(address, bytes) != m.address_bytes) return false;
  int bits = m.prefix_bits;
  for (int i = 0; bits > 0; ++i, bits -= 8) {
    const unsigned mask = bits >= 8 ? 0xFFu : (0xFFu << (8 - bits)) & 0xFFu;
    if ((bytes[i] & mask) != (m.network[i] & mask)) return false;
  }
  return true;
}

// Whether one scalar event value satisfies `m` (kExists is decided by the caller).
bool MatchScalar(const Matcher& m, const json::value& v) {
  using K = Matcher::Kind;
  switch (m.kind) {
    case K::kExact:
      return SameValue(m.value, v);
    case K::kPrefix:
      return v.is_string() && std::string_view(v.as_string()).starts_with(m.text);
    case K::kSuffix:
      return v.is_string() && std::string_view(v.as_string()).ends_with(m.text);
    case K::kWildcard:
      return v.is_string() && WildcardMatch(m.text, v.as_string());
    case K::kIgnoreCase:
      return v.is_string() &&
             std::any_of(m.values.begin(), m.values.end(), [&](const json::value& want) {
               return EqualsIgnoreCase(want.as_string(), v.as_string());
             });
    case K::kAnythingBut:
      return std::none_of(m.values.begin(), m.values.end(),
                          [&](const json::value& no) { return SameValue(no, v); });
    case K::kNotPrefix:
      return v.is_string() && !std::string_view(v.as_string()).starts_with(m.text);
    case K::kNotSuffix:
      return v.is_string() && !std::string_view(v.as_string()).ends_with(m.text);
    case K::kNotIgnoreCase:
      return v.is_string() &&
             std::none_of(m.values.begin(), m.values.end(), [&](const json::value& no) {
               return EqualsIgnoreCase(no.as_string(), v.as_string());
             });
    case K::kNumeric: {
      auto n = AsNumber(v);
      if (!n) return false;
      const bool above = m.low_inclusive ? *n >= m.low : *n > m.low;
      const bool below = m.high_inclusive ? *n <= m.high : *n < m.high;
      return above && below;
    }
    case K::kCidr:
      return v.is_string() && InCidr(m, v.as_string());
    case K::kExists:
      return true;
  }
  return false;
}

// A leaf array against the event's value at its key (nullptr when the key is absent). An event
// array matches when any of its scalar elements does.
bool MatchLeaf(const std::vector<Matcher>& leaf, const json::value* v) {
  for (const Matcher& m : leaf) {
    if (m.kind == Matcher::Kind::kExists) {
      // A key is present when it holds a leaf value: a scalar (null included) or an array with a
      // scalar in it. Objects are not leaves.
      bool present = false;
      if (v != nullptr) {
        if (v->is_array()) {
          for (const auto& e : v->as_array()) present = present || IsScalar(e);
        } else {
          present = IsScalar(*v);
        }
      }
      if (present == m.exists) return true;
      continue;
    }
    if (v == nullptr) continue;
    if (v->is_array()) {
      for (const auto& e : v->as_array()) {
        if (IsScalar(e) && MatchScalar(m, e)) return true;
      }
    } else if (IsScalar(*v) && MatchScalar(m, *v)) {
      return true;
    }
  }
  return false;
}

Result<double> NumericOperand(const json::value& v) {
  auto n = AsNumber(v);
  if (!n) return Invalid();
  return *n;
}

Status ParseNumeric(const json::array& spec, Matcher& m) {
  if (spec.empty() || spec.size() % 2 != 0 || spec.size() > 4) return Invalid();
  bool has_low = false, has_high = false;
  for (size_t i = 0; i < spec.size(); i += 2) {
    if (!spec[i].is_string()) return Invalid();
    const std::string_view op = spec[i].as_string();
    auto operand = NumericOperand(spec[i + 1]);
    if (!operand.ok()) return operand.error();
    if (op == "=") {
      if (spec.size() != 2) return Invalid();
      m.low = m.high = *operand;
      m.low_inclusive = m.high_inclusive = true;
      return Status::Ok();
    }
    if (op == ">" || op == ">=") {
      if (has_low) return Invalid();
      has_low = true;
      m.low = *operand;
      m.low_inclusive = op == ">=";
    } else if (op == "<" || op == "<=") {
      if (has_high) return Invalid();
      has_high = true;
      m.high = *operand;
      m.high_inclusive = op == "<=";
    } else {
      return Invalid();
    }
  }
  // A two-sided range must be a real interval.
  if (has_low && has_high && m.low > m.high) return Invalid();
  return Status::Ok();
}

Status ParseCidr(const json::value& spec, Matcher& m) {
  if (!spec.is_string()) return Invalid();
  const std::string_view text = spec.as_string();
  const size_t slash = text.find('/');
  m.address_bytes = ParseAddress(text.substr(0, slash), m.network);
  if (m.address_bytes == 0) return Invalid();
  const int max_bits = m.address_bytes * 8;
  if (slash == std::string_view::npos) {
    m.prefix_bits = max_bits;
    return Status::Ok();
  }
  const std::string_view bits = text.substr(slash + 1);
  if (bits.empty() || bits.size() > 3 ||
      !std::all_of(bits.begin(), bits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Invalid();
  }
  m.prefix_bits = std::stoi(std::string(bits));
  if (m.prefix_bits > max_bits) return Invalid();
  return Status::Ok();
}

// The string (or, for equals-ignore-case, strings) an operator names.
Status StringList(const json::value& spec, std::vector<json::value>& out) {
  if (spec.is_string()) {
    out.push_back(spec);
    return Status::Ok();
  }
  if (!spec.is_array() || spec.as_array().empty()) return Invalid();
  for (const auto& e : spec.as_array()) {
    if (!e.is_string()) return Invalid();
    out.push_back(e);
  }
  return Status::Ok();
}

Status ParseAnythingBut(const json::value& spec, Matcher& m) {
  if (spec.is_object()) {
    const auto& o = spec.as_object();
    if (o.size() != 1) return Invalid();
    const auto& [key, value] = *o.begin();
    if (key == "prefix" || key == "suffix") {
      if (!value.is_string()) return Invalid();
      m.kind = key == "prefix" ? Matcher::Kind::kNotPrefix : Matcher::Kind::kNotSuffix;
      m.text = value.as_string();
      return Status::Ok();
    }
    if (key == "equals-ignore-case") {
      m.kind = Matcher::Kind::kNotIgnoreCase;
      return StringList(value, m.values);
    }
    return Invalid();
  }
  m.kind = Matcher::Kind::kAnythingBut;
  if (spec.is_array()) {
    if (spec.as_array().empty()) return Invalid();
    for (const auto& e : spec.as_array()) {
      if (!e.is_string() && !AsNumber(e)) return Invalid();
      m.values.push_back(e);
    }
    return Status::Ok();
  }
  if (!spec.is_string() && !AsNumber(spec)) return Invalid();
  m.values.push_back(spec);
  return Status::Ok();
}

Result<Matcher> ParseMatcher(const json::value& element) {
  Matcher m;
  if (IsScalar(element)) {
    m.kind = Matcher::Kind::kExact;
    m.value = element;
    return m;
  }
  if (!element.is_object() || element.as_object().size() != 1) return Invalid();
  const auto& [key, spec] = *element.as_object().begin();
  Status status;
  if (key == "prefix" || key == "suffix" || key == "wildcard") {
    if (!spec.is_string()) return Invalid();
    m.kind = key == "prefix"   ? Matcher::Kind::kPrefix
             : key == "suffix" ? Matcher::Kind::kSuffix
                               : Matcher::Kind::kWildcard;
    m.text = spec.as_string();
  } else if (key == "equals-ignore-case") {
    m.kind = Matcher::Kind::kIgnoreCase;
    status = StringList(spec, m.values);
  } else if (key == "anything-but") {
    status = ParseAnythingBut(spec, m);
  } else if (key == "numeric") {
    m.kind = Matcher::Kind::kNumeric;
    if (!spec.is_array()) return Invalid();
    status = ParseNumeric(spec.as_array(), m);
  } else if (key == "exists") {
    if (!spec.is_bool()) return Invalid();
    m.kind = Matcher::Kind::kExists;
    m.exists = spec.as_bool();
  } else if (key == "cidr") {
    m.kind = Matcher::Kind::kCidr;
    status = ParseCidr(spec, m);
  } else {
    return Invalid();
  }
  if (!status.ok()) return status.error();
  return m;
}

// Patterns nest at most this deep: a bound on recursion for hostile input.
constexpr int kMaxDepth = 64;

Result<std::shared_ptr<const FilterPattern>> ParseObject(const json::object& object, int depth) {
  if (depth > kMaxDepth) return Invalid();
  auto pattern = std::make_shared<FilterPattern>();
  for (const auto& [key, value] : object) {
    if (key == "$or") {
      if (!value.is_array() || value.as_array().size() < 2) return Invalid();
      std::vector<std::shared_ptr<const FilterPattern>> branches;
      for (const auto& branch : value.as_array()) {
        if (!branch.is_object() || branch.as_object().empty()) return Invalid();
        auto parsed = ParseObject(branch.as_object(), depth + 1);
        if (!parsed.ok()) return parsed.error();
        branches.push_back(std::move(*parsed));
      }
      pattern->ors.push_back(std::move(branches));
      continue;
    }
    FilterPattern::Field field;
    field.key = key;
    if (value.is_object()) {
      if (value.as_object().empty()) return Invalid();
      auto nested = ParseObject(value.as_object(), depth + 1);
      if (!nested.ok()) return nested.error();
      field.nested = std::move(*nested);
    } else if (value.is_array()) {
      // AWS refuses an empty leaf ('{"eventSource": []}', recorded ES37).
      if (value.as_array().empty()) return Invalid();
      for (const auto& element : value.as_array()) {
        auto matcher = ParseMatcher(element);
        if (!matcher.ok()) return matcher.error();
        field.leaf.push_back(std::move(*matcher));
      }
    } else {
      // A bare value ('{"eventSource": "aws:sqs"}', recorded ES37).
      return Invalid();
    }
    pattern->fields.push_back(std::move(field));
  }
  return std::shared_ptr<const FilterPattern>(std::move(pattern));
}

}  // namespace

bool FilterPattern::Matches(const json::value& event) const {
  const json::object* object = event.if_object();
  for (const Field& field : fields) {
    const json::value* v = object != nullptr ? object->if_contains(field.key) : nullptr;
    if (field.nested) {
      if (v == nullptr) return false;
      if (v->is_array()) {
        const auto& a = v->as_array();
        if (std::none_of(a.begin(), a.end(),
                         [&](const json::value& e) { return field.nested->Matches(e); })) {
          return false;
        }
      } else if (!v->is_object() || !field.nested->Matches(*v)) {
        return false;
      }
      continue;
    }
    if (!MatchLeaf(field.leaf, v)) return false;
  }
  for (const auto& group : ors) {
    if (std::none_of(group.begin(), group.end(),
                     [&](const auto& branch) { return branch->Matches(event); })) {
      return false;
    }
  }
  return true;
}

EventFilter::EventFilter() = default;
EventFilter::~EventFilter() = default;
EventFilter::EventFilter(EventFilter&&) noexcept = default;
EventFilter& EventFilter::operator=(EventFilter&&) noexcept = default;

Result<EventFilter> EventFilter::Parse(const std::vector<std::string>& patterns) {
  EventFilter filter;
  for (const std::string& text : patterns) {
    boost::system::error_code ec;
    json::value parsed = json::parse(text, ec);
    if (ec || !parsed.is_object()) return Invalid();
    auto pattern = ParseObject(parsed.as_object(), 0);
    if (!pattern.ok()) return pattern.error();
    filter.patterns_.push_back(std::move(*pattern));
  }
  return filter;
}

bool EventFilter::Matches(const json::value& record) const {
  if (patterns_.empty()) return true;
  return std::any_of(patterns_.begin(), patterns_.end(),
                     [&](const auto& pattern) { return pattern->Matches(record); });
}

json::value PayloadForFiltering(std::string_view text) {
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (!ec && (parsed.is_object() || parsed.is_array())) return parsed;
  return json::string(text);
}

}  // namespace lambdalite::esm
