#include "esm/event_json.h"

#include <boost/json/serialize.hpp>
#include <charconv>
#include <cmath>
#include <system_error>

namespace lambdalite::esm {

namespace {

void Write(const boost::json::value& v, std::string& out) {
  switch (v.kind()) {
    case boost::json::kind::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& [key, item] : v.get_object()) {
        if (!first) out.push_back(',');
        first = false;
        out += boost::json::serialize(boost::json::string_view(key));
        out.push_back(':');
        Write(item, out);
      }
      out.push_back('}');
      return;
    }
    case boost::json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& item : v.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        Write(item, out);
      }
      out.push_back(']');
      return;
    }
    case boost::json::kind::double_: {
      const double d = v.get_double();
      if (!std::isfinite(d)) break;  // not JSON: let Boost write what it writes
      char buf[64];
      // Shortest round trip, fixed or scientific, whichever is shorter: a timestamp in seconds
      // comes out fixed.
      auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d);
      if (ec != std::errc()) break;
      out.append(buf, end);
      return;
    }
    default:
      break;
  }
  out += boost::json::serialize(v);
}

}  // namespace

std::string SerializeEvent(const boost::json::value& value) {
  std::string out;
  out.reserve(256);
  Write(value, out);
  return out;
}

}  // namespace lambdalite::esm
