// Fuzzes request decoding and model validation (api/request_decoder.h) for every operation of the
// model, through the router: the input picks an operation, fills its URI labels, query string,
// headers and body, and the request is routed (MatchRoute) and decoded (DecodeInput, which runs
// ValidateInput). A decoded input is validated once more (it must still pass), serialized, and
// decoded into the operation's generated input shape (shapes::FromJson, as RegisterTyped does),
// which may only fail for a blob that is not base64.
//
// Input format (see fuzz/corpus/request_decoder/ and gen_corpus.py):
//   byte 0            operation index (modulo the number of operations, sorted by name)
//   then lines        one value per URI label of the operation's requestUri, in order
//                     (percent-encoded here, so any byte may appear in a label), then the
//                     query string (raw, appended after '?'), then "Name: value" header lines,
//   an empty line     and the body (the rest).

#include <boost/json/serialize.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <unordered_map>

#include "api/model.h"
#include "api/request_decoder.h"
#include "api/router.h"
#include "api/shapes.h"
#include "fuzz_input.h"  // beside this file

namespace {

using namespace lambdalite;

using fuzz::NextLine;

std::string EncodeLabel(std::string_view value, bool greedy) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '_' || c == '.' || c == '~' || c == ':' || c == '$' ||
                       (greedy && c == '/');
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

using TypedDecode = Status (*)(const boost::json::object&);

template <class T>
Status DecodeTyped(const boost::json::object& in) {
  auto typed = api::shapes::FromJson<T>(in);
  if (!typed.ok()) return std::move(typed).error();
  return Status::Ok();
}

// Input shape name -> its typed decoder.
const std::unordered_map<std::string_view, TypedDecode>& TypedDecoders() {
  static const auto* decoders = new std::unordered_map<std::string_view, TypedDecode>{
#define LAMBDALITE_REQUEST_SHAPE(name) {#name, &DecodeTyped<api::shapes::name>},
#include "request_shapes.inc"
#undef LAMBDALITE_REQUEST_SHAPE
  };
  return *decoders;
}

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "request_decoder_fuzz: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto& ops = api::Operations();
  const api::OperationInfo& op = ops[data[0] % ops.size()];
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);

  // The path: the template with each {Label} / {Label+} replaced by the next input line.
  std::string_view uri = op.request_uri;
  std::string fixed_query;
  if (const size_t q = uri.find('?'); q != std::string_view::npos) {
    fixed_query = std::string(uri.substr(q + 1));
    uri = uri.substr(0, q);
  }
  std::string target;
  for (size_t i = 0; i < uri.size();) {
    if (uri[i] != '{') {
      target += uri[i++];
      continue;
    }
    const size_t close = uri.find('}', i);
    if (close == std::string_view::npos) return 0;
    const bool greedy = uri[close - 1] == '+';
    target += EncodeLabel(NextLine(in), greedy);
    i = close + 1;
  }
  std::string query(NextLine(in));
  if (!fixed_query.empty()) query = query.empty() ? fixed_query : fixed_query + "&" + query;
  if (!query.empty()) target += "?" + query;

  http::HttpRequest request;
  request.method = std::string(op.method);
  request.target = target;
  while (!in.empty()) {
    std::string_view line = NextLine(in);
    if (line.empty()) break;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    request.headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
  }
  request.body = std::string(in);

  auto route = api::MatchRoute(request.method, request.target);
  if (!route) return 0;  // e.g. an empty label: no operation matches
  auto input = api::DecodeInput(*route, request);
  if (!input.ok()) {
    Check(!input.error().message.empty() || input.error().code == ErrorCode::kAccessDenied,
          "error without a message");
    return 0;
  }
  Check(api::ValidateInput(*route->op, *input).ok(), "a decoded input fails validation");
  const std::string text = boost::json::serialize(*input);
  Check(!text.empty(), "empty serialization");
  if (route->op->input != nullptr) {
    auto decoder = TypedDecoders().find(route->op->input->name);
    Check(decoder != TypedDecoders().end(), "an input shape without a typed decoder");
    Status typed = decoder->second(*input);
    if (!typed.ok()) {
      // The request decoder checked types and constraints: only a blob's base64 is left
      // (answered as the zip AWS cannot open, shapes.cc BadBase64).
      const bool bad_base64 = typed.error().code == ErrorCode::kInvalidParameter &&
                              typed.error().message.rfind("Could not unzip uploaded file.", 0) == 0;
      if (!bad_base64) std::fprintf(stderr, "typed decoding: %s\n", typed.error().message.c_str());
      Check(bad_base64, "the typed shape refuses a decoded input for another reason than base64");
    }
  }
  return 0;
}
