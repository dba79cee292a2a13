"""Typed request and response shapes: shapes.gen.h / shapes.gen.cc for src/api/shapes.h.

For every structure reachable from an operation's input or output (errors are not generated) a
C++ struct named like the shape, in namespace lambdalite::api::shapes, with members named exactly
as the model's members. Required members are plain values, the others std::optional. Types:

  string (enum or not) std::string      integer  int32_t      long   int64_t
  boolean              bool             double / float double
  blob                 std::string, the raw bytes (base64 only on the JSON wire)
  timestamp            int64_t, epoch milliseconds (epoch seconds, a JSON number, on the wire)
  list                 std::vector<T>   map      std::map<std::string, T>

String enums also become an `enum class` with ToString(E) and Parse<E>(text); members keep the
wire text (see the contract in src/api/shapes.h for why).

Functions, only where needed to keep the generated code small:
  * structures reachable from an input: Result<T> FromJson(const boost::json::object&) and the
    Decode overload the support templates recurse through;
  * structures reachable from an output: boost::json::object ToJson(const T&) and Encode;
  * every operation's output shape: void ToWire(T&&, WireSink&), which also sends the header,
    status-code and payload members where the model puts them.

JSON keys are written in the model's member order (the committed model is sorted by name), except
for the shapes listed in wire_order.json, whose listed members come first in the listed order:
the order lambdalite answered with before the shapes existed, which byte-equality tests pin.
"""

import json
import os
import re
import sys

NS = "::lambdalite::api::shapes::"

SCALARS = {
    "string": "std::string",
    "integer": "int32_t",
    "long": "int64_t",
    "boolean": "bool",
    "double": "double",
    "float": "double",
    "blob": "std::string",
    "timestamp": "int64_t",
}


def fail(message):
    sys.exit("shapegen: " + message)


def cpp_string(text):
    out = ['"']
    for byte in text.encode("utf-8"):
        ch = chr(byte)
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif 0x20 <= byte < 0x7F:
            out.append(ch)
        else:
            out.append("\\%03o" % byte)
    out.append('"')
    return "".join(out)


def enum_constant(value):
    """'python3.12' -> 'kPython3_12', 'nodejs4.3-edge' -> 'kNodejs4_3_edge'."""
    text = re.sub(r"[^0-9A-Za-z]", "_", value)
    if not text:
        fail("empty enum value")
    return "k" + text[0].upper() + text[1:]


def self_check():
    """The mangling rules the header documents; fails the build if they ever change."""
    for value, constant in (("python3.12", "kPython3_12"), ("nodejs4.3-edge", "kNodejs4_3_edge"),
                            ("x86_64", "kX86_64"), ("RequestResponse", "kRequestResponse"),
                            ("ALL", "kALL"), ("java8.al2", "kJava8_al2")):
        if enum_constant(value) != constant:
            fail("self-check: %r mangles to %s, not %s" % (value, enum_constant(value), constant))


def is_enum(shape):
    return shape["type"] == "string" and "enum" in shape


class Generator:
    def __init__(self, model, wire_order):
        self.shapes = model["shapes"]
        self.operations = model["operations"]
        self.wire_order = wire_order
        for name, order in wire_order.items():
            if name not in self.shapes:
                fail("wire_order.json names unknown shape %s" % name)
            members = self.shapes[name].get("members", {})
            for m in order:
                if m not in members:
                    fail("wire_order.json: %s has no member %s" % (name, m))

    # --- reachability ---------------------------------------------------------------------
    def reach(self, roots):
        seen = set()
        stack = list(roots)
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            s = self.shapes[name]
            if s["type"] == "structure":
                stack.extend(m["shape"] for m in s.get("members", {}).values())
            elif s["type"] == "list":
                stack.append(s["member"]["shape"])
            elif s["type"] == "map":
                stack.append(s["value"]["shape"])
                stack.append(s["key"]["shape"])
        return seen

    def structures(self, names):
        return sorted(n for n in names if self.shapes[n]["type"] == "structure")

    def member_order(self, name):
        members = list(self.shapes[name].get("members", {}))  # the model file's order
        first = self.wire_order.get(name, [])
        return first + [m for m in members if m not in first]

    # --- types ----------------------------------------------------------------------------
    def cpp_type(self, shape_name, where):
        s = self.shapes[shape_name]
        t = s["type"]
        if t == "structure":
            return NS + shape_name
        if t == "list":
            inner = self.shapes[s["member"]["shape"]]["type"]
            if inner in ("blob", "timestamp"):
                fail("%s: a list of %s is not supported" % (where, inner))
            return "std::vector<%s>" % self.cpp_type(s["member"]["shape"], where)
        if t == "map":
            if self.shapes[s["key"]["shape"]]["type"] != "string":
                fail("%s: map keys must be strings" % where)
            inner = self.shapes[s["value"]["shape"]]["type"]
            if inner in ("blob", "timestamp"):
                fail("%s: a map of %s is not supported" % (where, inner))
            return "std::map<std::string, %s>" % self.cpp_type(s["value"]["shape"], where)
        if t in SCALARS:
            return SCALARS[t]
        fail("%s: unknown shape type %s" % (where, t))

    def struct_deps(self, shape_name):
        """Structures a struct needs complete before its definition."""
        out = []
        s = self.shapes[shape_name]
        if s["type"] == "structure":
            return [shape_name]
        if s["type"] == "list":
            return self.struct_deps(s["member"]["shape"])
        if s["type"] == "map":
            return self.struct_deps(s["value"]["shape"])
        return out

    def topo(self, names):
        order, state = [], {}

        def visit(n, path):
            if state.get(n) == 2:
                return
            if state.get(n) == 1:
                fail("recursive structures are not supported: %s" % " -> ".join(path + [n]))
            state[n] = 1
            for m in self.shapes[n].get("members", {}).values():
                for dep in self.struct_deps(m["shape"]):
                    visit(dep, path + [n])
            state[n] = 2
            order.append(n)

        for n in names:
            visit(n, [])
        return order

    # --- generation -----------------------------------------------------------------------
    def generate(self, model_name):
        inputs = [op["input"]["shape"] for op in self.operations.values() if "input" in op]
        outputs = [op["output"]["shape"] for op in self.operations.values() if "output" in op]
        decode = set(self.structures(self.reach(inputs)))
        encode = set(self.structures(self.reach(outputs)))
        wire = sorted(set(outputs))
        structs = self.topo(sorted(decode | encode))
        for n in structs:
            for m in self.shapes[n].get("members", {}):
                if m == n:
                    fail("%s has a member named like itself, which C++ does not allow" % n)
                if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", m):
                    fail("%s.%s is not a C++ identifier" % (n, m))
        enums = sorted(n for n in self.reach(inputs + outputs) if is_enum(self.shapes[n]))
        h, c = [], []
        self.header(h, model_name, structs, enums, decode, encode, wire)
        self.source(c, model_name, structs, enums, decode, encode, wire)
        stats = (len(structs), len(enums), len(decode), len(encode))
        return "\n".join(h) + "\n", "\n".join(c) + "\n", stats

    def header(self, w, model_name, structs, enums, decode, encode, wire):
        a = w.append
        a("// Generated by tools/shapegen/shapegen.py from %s. Do not edit." % model_name)
        a("// The contract (types, enums, decoding and encoding) is in src/api/shapes.h.")
        a("#pragma once")
        a("")
        a("#include <boost/json/object.hpp>")
        a("#include <cstdint>")
        a("#include <map>")
        a("#include <optional>")
        a("#include <span>")
        a("#include <string>")
        a("#include <string_view>")
        a("#include <vector>")
        a("")
        a('#include "api/shapes_support.h"')
        a('#include "common/result.h"')
        a("")
        a("namespace lambdalite::api::shapes {")
        a("")
        a("// --- enums " + "-" * 86)
        for e in enums:
            values = self.shapes[e]["enum"]
            consts = [enum_constant(v) for v in values]
            if len(set(consts)) != len(consts):
                fail("enum %s: two values mangle to one constant" % e)
            a("enum class %s : uint16_t {" % e)
            for v, k in zip(values, consts):
                a("  %s,  // %s" % (k, v))
            a("};")
            a("std::string_view ToString(%s value);" % e)
            a("template <>")
            a("std::optional<%s> Parse<%s>(std::string_view text);" % (e, e))
            a("template <>")
            a("std::span<const std::string_view> WireValues<%s>();" % e)
            a("")
        a("// --- structures " + "-" * 81)
        for n in structs:
            a("struct %s;" % n)
        a("")
        for n in structs:
            s = self.shapes[n]
            required = set(s.get("required", []))
            tag = []
            if n in decode:
                tag.append("decoded")
            if n in encode:
                tag.append("encoded")
            a("struct %s {  // %s" % (n, ", ".join(tag)))
            for m in self.member_order(n):
                ms = s["members"][m]
                t = self.cpp_type(ms["shape"], "%s.%s" % (n, m))
                target = self.shapes[ms["shape"]]
                note = []
                if is_enum(target):
                    note.append("enum %s" % ms["shape"])
                if target["type"] == "blob":
                    note.append("raw bytes")
                if target["type"] == "timestamp":
                    note.append("epoch ms")
                loc = ms.get("location")
                if loc:
                    note.append("%s %s" % (loc, ms.get("locationName", m)))
                if s.get("payload") == m:
                    note.append("payload")
                comment = ("  // " + ", ".join(note)) if note else ""
                if m in required:
                    init = " = 0" if t in ("int32_t", "int64_t", "double") else (
                        " = false" if t == "bool" else "")
                    a("  %s %s%s;%s" % (t, m, init, comment))
                else:
                    a("  std::optional<%s > %s;%s" % (t, m, comment))
            a("};")
        a("")
        a("// --- decoding and encoding " + "-" * 70)
        for n in structs:
            if n in decode:
                a("Status DecodeMembers(const boost::json::object& in, %s& out);" % n)
                a("Status Decode(const boost::json::value& in, %s& out);" % n)
            if n in encode:
                a("boost::json::object ToJson(const %s& value);" % n)
                a("boost::json::value Encode(const %s& value);" % n)
        a("")
        a("// --- responses on the wire " + "-" * 70)
        for n in wire:
            a("void ToWire(%s&& value, WireSink& sink);" % n)
        a("")
        a("}  // namespace lambdalite::api::shapes")

    def source(self, w, model_name, structs, enums, decode, encode, wire):
        a = w.append
        a("// Generated by tools/shapegen/shapegen.py from %s. Do not edit." % model_name)
        a('#include "api/shapes.gen.h"')
        a("")
        a("#include <algorithm>")
        a("#include <boost/json.hpp>")
        a("#include <iterator>")
        a("#include <utility>")
        a("")
        a("namespace lambdalite::api::shapes {")
        a("")
        a("namespace json = boost::json;")
        a("")
        for e in enums:
            values = self.shapes[e]["enum"]
            a("namespace {")
            a("constexpr std::string_view k%sWire[] = {%s};" % (
                e, ", ".join(cpp_string(v) for v in values)))
            a("}  // namespace")
            a("std::string_view ToString(%s value) {" % e)
            a("  auto i = static_cast<size_t>(value);")
            a("  return i < std::size(k%sWire) ? k%sWire[i] : std::string_view();" % (e, e))
            a("}")
            a("template <>")
            a("std::optional<%s> Parse<%s>(std::string_view text) {" % (e, e))
            a("  for (size_t i = 0; i < std::size(k%sWire); ++i) {" % e)
            a("    if (k%sWire[i] == text) return static_cast<%s>(i);" % (e, e))
            a("  }")
            a("  return std::nullopt;")
            a("}")
            a("template <>")
            a("std::span<const std::string_view> WireValues<%s>() { return k%sWire; }" % (e, e))
            a("")
        for n in structs:
            s = self.shapes[n]
            required = set(s.get("required", []))
            members = self.member_order(n)
            if n in decode:
                a("Status Decode(const json::value& in, %s& out) {" % n)
                a("  const json::object* o = in.if_object();")
                a('  if (o == nullptr) return detail::NotA("%s");' % n)
                a("  return DecodeMembers(*o, out);")
                a("}")
                a("Status DecodeMembers(const json::object& in, %s& out) {" % n)
                a("  [[maybe_unused]] const json::object* o = &in;")
                if not s.get("members"):
                    a("  (void)out;")
                for m in members:
                    ms = s["members"][m]
                    kind = self.shapes[ms["shape"]]["type"]
                    fn = "detail::Read"
                    extra = ""
                    if kind == "blob":
                        fn = "detail::ReadBlob"
                        extra = ", %s" % ("true" if s.get("payload") == m else "false")
                    elif kind == "timestamp":
                        fn = "detail::ReadTimestamp"
                    a("  LAMBDALITE_RETURN_IF_ERROR(%s(*o, %s, out.%s, %s%s));" % (
                        fn, cpp_string(m), m, "true" if m in required else "false", extra))
                a("  return Status::Ok();")
                a("}")
            if n in encode:
                body = [m for m in members if not s["members"][m].get("location")]
                a("json::object ToJson([[maybe_unused]] const %s& value) {" % n)
                a("  json::object out;")
                if body:
                    a("  out.reserve(%d);" % len(body))
                for m in body:
                    ms = s["members"][m]
                    kind = self.shapes[ms["shape"]]["type"]
                    fn = "detail::Write"
                    if kind == "blob":
                        fn = "detail::WriteBlob"
                    elif kind == "timestamp":
                        fn = "detail::WriteTimestamp"
                    a("  %s(out, %s, value.%s);" % (fn, cpp_string(m), m))
                a("  return out;")
                a("}")
                a("json::value Encode(const %s& value) { return ToJson(value); }" % n)
            a("")
        for n in wire:
            s = self.shapes[n]
            payload = s.get("payload")
            a("void ToWire([[maybe_unused]] %s&& value, [[maybe_unused]] WireSink& sink) {" % n)
            for m in self.member_order(n):
                ms = s["members"][m]
                loc = ms.get("location")
                kind = self.shapes[ms["shape"]]["type"]
                opt = m not in set(s.get("required", []))
                ref = "*value.%s" % m if opt else "value.%s" % m
                guard = ("  if (value.%s) " % m) if opt else "  "
                if loc == "statusCode":
                    a("%ssink.Status(static_cast<int>(%s));" % (guard, ref))
                elif loc == "header":
                    if kind not in ("string", "integer", "long", "boolean"):
                        fail("%s.%s: header of type %s" % (n, m, kind))
                    a("%ssink.Header(%s, detail::HeaderText(std::move(%s)));" % (
                        guard, cpp_string(ms.get("locationName", m)), ref))
                elif loc == "headers":
                    a("%sfor (auto& [k, v] : %s) sink.Header(%s + k, std::move(v));" % (
                        guard, ref, cpp_string(ms.get("locationName", ""))))
                elif loc:
                    fail("%s.%s: location %s in a response" % (n, m, loc))
            if payload:
                kind = self.shapes[s["members"][payload]["shape"]]["type"]
                opt = payload not in set(s.get("required", []))
                ref = "*value.%s" % payload if opt else "value.%s" % payload
                guard = ("  if (value.%s) " % payload) if opt else "  "
                if kind == "blob":
                    a("%ssink.RawBody(std::move(%s));" % (guard, ref))
                elif kind == "structure":
                    a("%ssink.Json(ToJson(%s));" % (guard, ref))
                else:
                    fail("%s: payload of type %s" % (n, kind))
            elif any(not ms.get("location") for ms in s.get("members", {}).values()):
                a("  sink.Json(ToJson(value));")
            a("}")
            a("")
        a("}  // namespace lambdalite::api::shapes")


def generate(model, model_path, wire_order_path):
    with open(wire_order_path, encoding="utf-8") as f:
        wire_order = json.load(f)
    wire_order.pop("//", None)
    return Generator(model, wire_order).generate(os.path.basename(model_path))
