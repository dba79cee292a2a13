#pragma once

// The model's request and response shapes as C++ types, generated at build time from
// model/lambda-2015-03-31.json by tools/shapegen (shapes.gen.h / shapes.gen.cc in the build dir).
//
// Namespace lambdalite::api::shapes. For every structure reachable from an operation's input or
// output (not the error shapes) a struct named like the shape, members named exactly as the
// model's (PascalCase); required members are plain values, the others std::optional<T>:
//
//   string      std::string                 integer  int32_t        long  int64_t
//   boolean     bool                        double / float  double
//   blob        std::string: the raw bytes (base64 only in a JSON body; an HTTP payload is raw)
//   timestamp   int64_t epoch milliseconds. On the wire (rest-json) a timestamp is epoch seconds,
//               a JSON number: the encoder writes ms / 1000.0 (1706704496.789), the decoder also
//               takes ISO-8601 text, which the request decoder lets through. Milliseconds because
//               that is what the domain and the Clock keep, so no conversion loses anything.
//   list        std::vector<T>              map      std::map<std::string, T> (sorted keys)
//
// Enums. Each string enum of the model is an `enum class` (values mangled: "python3.12" ->
// kPython3_12, "nodejs4.3-edge" -> kNodejs4_3_edge) with
//   std::string_view ToString(E);  std::optional<E> Parse<E>(std::string_view);
//   std::span<const std::string_view> WireValues<E>();  // the model's wire values
// but struct MEMBERS of an enum shape stay std::string holding the wire text. Why: the enum in
// botocore's model is not the set AWS's server accepts or answers with (reference part 2, LY13:
// ListLayers's CompatibleRuntime set has nasa, byol, go1.9 ... and lacks ruby4.0), the request
// decoder has overrides where they differ, and responses must echo stored values the model may
// not know. Text keeps every value exactly, costs no conversion on the hot paths, and code that
// wants the typed value calls Parse<E>(member) and handles nullopt (a value the model lacks).
//
// Functions (only where needed, to keep compile time modest):
//   Result<T> FromJson<T>(const boost::json::object&)   structures reachable from an input. Reads
//       api::DecodeInput's object (URI, query, header and body members already merged, types and
//       constraints already checked). Fails only for a body blob that is not base64 (and, on
//       hand-made input, a missing required member or a wrong JSON type).
//   boost::json::object ToJson(const T&)   structures reachable from an output: the body members,
//       absent optionals omitted, keys in the model's member order except where
//       tools/shapegen/wire_order.json pins the order lambdalite answered with before.
//   void ToWire(T&&, WireSink&)   each operation's output: headers, statusCode and payload
//       members where the model puts them, the rest as the JSON body (see LambdaApi's typed path).

#include "api/shapes.gen.h"      // IWYU pragma: export
#include "api/shapes_support.h"  // IWYU pragma: export
