#!/usr/bin/env python3
"""Generates src/api/model.gen.cc (the tables declared in src/api/model.h) from the service model.

Input: model/lambda-2015-03-31.json (made by strip_model.py). Output: one C++ source with
  * every shape: type, members (name, target, location, wire name, required), payload member,
    min/max, compiled pattern, enum values, sensitivity, list member / map key and value;
  * every operation: name, HTTP method, requestUri, success code, input and output shapes;
  * every distinct pattern compiled to a minimal DFA (see java_regex.py).

Before writing, every compiled pattern is checked against Python's `re` (ASCII mode, which for
the model's patterns agrees with java.util.regex) on a few hundred strings drawn from the DFA
itself plus mutations of them; a disagreement fails the build. The output depends only on the
input, so rebuilding is reproducible.

With --shapes-header/--shapes-source it also writes the typed shapes (typed_shapes.py,
src/api/shapes.h).

Usage: shapegen.py --model model/lambda-2015-03-31.json --output build/.../model.gen.cc
                   [--shapes-header .../shapes.gen.h --shapes-source .../shapes.gen.cc]
"""

import argparse
import json
import os
import random
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import java_regex  # noqa: E402
import typed_shapes  # noqa: E402

SHAPE_TYPES = {
    "structure": "kStructure",
    "list": "kList",
    "map": "kMap",
    "string": "kString",
    "integer": "kInteger",
    "long": "kLong",
    "boolean": "kBoolean",
    "blob": "kBlob",
    "timestamp": "kTimestamp",
    "double": "kDouble",
    "float": "kFloat",
}

LOCATIONS = {
    None: "kBody",
    "uri": "kUri",
    "querystring": "kQueryString",
    "header": "kHeader",
    "headers": "kHeaders",
    "statusCode": "kStatusCode",
}


# One C++ string-literal escaper for both generated files.
cpp_string = typed_shapes.cpp_string


def cpp_double(value):
    return repr(float(value))


# ---------------------------------------------------------------------------------------------
# Self-check of the compiled patterns against Python's re.


def _samples(compiled, rng, count=150):
    """Strings accepted by the DFA (random walks) and one-character mutations of them."""
    inf = float("inf")
    dist = [0 if a else inf for a in compiled.accept]
    changed = True
    while changed:
        changed = False
        for s in range(compiled.num_states):
            for t in compiled.next[s]:
                if t >= 0 and dist[t] + 1 < dist[s]:
                    dist[s] = dist[t] + 1
                    changed = True
    # Symbols of each column, to pick a character once a column is chosen.
    column_symbols = [[] for _ in range(compiled.num_columns)]
    for sym in range(java_regex.NUM_SYMBOLS):
        column_symbols[compiled.symbol_class[sym]].append(sym)
    non_ascii = ["\u00e9", "\u2192", "\u00a0"]
    out = ["", "a", "1", ".", "$LATEST", "my-function", "x\n", "\u00e9"]
    if dist[0] == inf:
        return out
    for _ in range(count):
        state, text, budget = 0, [], rng.randint(0, 60)
        while True:
            if compiled.accept[state] and (len(text) >= budget or rng.random() < 0.1):
                break
            options = [
                (column, t)
                for column, t in enumerate(compiled.next[state])
                if t >= 0 and (len(text) < budget or dist[t] < dist[state])
            ]
            if not options:
                break
            column, state = rng.choice(options)
            sym = rng.choice(column_symbols[column])
            text.append(rng.choice(non_ascii) if sym == java_regex.NON_ASCII else chr(sym))
        word = "".join(text)
        out.append(word)
        if word:
            i = rng.randrange(len(word))
            noise = rng.choice("a.-:_$9Z/ \n" + non_ascii[0])
            out.append(word[:i] + word[i + 1 :])
            out.append(word[:i] + noise + word[i + 1 :])
            out.append(word[:i] + noise + word[i:])
    return out


def check_pattern(compiled):
    reference = re.compile(compiled.source, re.ASCII)
    rng = random.Random(compiled.source)  # deterministic per pattern
    for text in _samples(compiled, rng):
        expected = reference.fullmatch(text) is not None
        if compiled.matches(text) != expected:
            sys.exit(
                "shapegen: compiled pattern %r disagrees with re on %r (re says %s)"
                % (compiled.source, text, expected)
            )


# ---------------------------------------------------------------------------------------------
# Generation.


def uri_labels(request_uri):
    path = request_uri.split("?", 1)[0]
    return [label.rstrip("+") for label in re.findall(r"\{([^}]+)\}", path)]


def generate(model, model_path):
    shapes = model["shapes"]
    operations = model["operations"]
    shape_names = sorted(shapes)
    shape_index = {name: i for i, name in enumerate(shape_names)}

    pattern_sources = sorted({s["pattern"] for s in shapes.values() if "pattern" in s})
    compiled = []
    for source in pattern_sources:
        try:
            c = java_regex.compile_pattern(source)
        except java_regex.UnsupportedPattern as e:
            sys.exit("shapegen: cannot compile model pattern: %s" % e)
        check_pattern(c)
        compiled.append(c)
    pattern_index = {source: i for i, source in enumerate(pattern_sources)}

    out = []
    w = out.append
    w("// Generated by tools/shapegen/shapegen.py from %s. Do not edit." % os.path.basename(model_path))
    w("// The table types and their contract are in src/api/model.h.")
    w("")
    w("#include <algorithm>")
    w("#include <cstdint>")
    w("#include <iterator>")
    w("#include <span>")
    w("#include <string_view>")
    w("#include <vector>")
    w("")
    w('#include "api/model.h"')
    w("")
    w("namespace lambdalite::api {")
    w("namespace model_gen {")
    w("")
    w("extern const ShapeInfo kShapes[%d];" % len(shape_names))
    w("")

    # Patterns.
    for i, c in enumerate(compiled):
        w("// pattern %d" % i)
        w("constexpr uint8_t kPattern%dClass[%d] = {%s};" % (
            i, java_regex.NUM_SYMBOLS, ",".join(str(x) for x in c.symbol_class)))
        flat = [x for row in c.next for x in row]
        w("constexpr int16_t kPattern%dNext[%d] = {%s};" % (i, len(flat), ",".join(str(x) for x in flat)))
        w("constexpr uint8_t kPattern%dAccept[%d] = {%s};" % (
            i, c.num_states, ",".join("1" if a else "0" for a in c.accept)))
    w("")
    w("constexpr Pattern kPatterns[%d] = {" % max(1, len(compiled)))
    for i, c in enumerate(compiled):
        w("    {%s, kPattern%dClass, kPattern%dNext, kPattern%dAccept, %d, %d}," % (
            cpp_string(c.source), i, i, i, c.num_columns, c.num_states))
    if not compiled:
        w("    {},")
    w("};")
    w("")

    # Enums and members.
    for i, name in enumerate(shape_names):
        s = shapes[name]
        if "enum" in s:
            w("constexpr std::string_view kEnum%d[] = {%s};" % (i, ", ".join(cpp_string(v) for v in s["enum"])))
        if s["type"] == "structure" and s.get("members"):
            required = set(s.get("required", []))
            rows = []
            for member_name in sorted(s["members"]):
                m = s["members"][member_name]
                if m["shape"] not in shape_index:
                    sys.exit("shapegen: %s.%s targets unknown shape %s" % (name, member_name, m["shape"]))
                location = m.get("location")
                if location not in LOCATIONS:
                    sys.exit("shapegen: %s.%s has unknown location %s" % (name, member_name, location))
                rows.append("    {%s, &kShapes[%d], Location::%s, %s, %s}," % (
                    cpp_string(member_name), shape_index[m["shape"]], LOCATIONS[location],
                    cpp_string(m.get("locationName", member_name)),
                    "true" if member_name in required else "false"))
            w("constinit const MemberInfo kMembers%d[] = {" % i)
            out.extend(rows)
            w("};")
    w("")

    # Shapes.
    # constinit: without it GCC may choose dynamic initialization for these tables, which costs
    # start-up time and minutes of optimizer time on the generated initializer.
    w("constinit const ShapeInfo kShapes[%d] = {" % len(shape_names))
    for i, name in enumerate(shape_names):
        s = shapes[name]
        if s["type"] not in SHAPE_TYPES:
            sys.exit("shapegen: shape %s has unknown type %s" % (name, s["type"]))
        members = "std::span<const MemberInfo>(kMembers%d)" % i if s["type"] == "structure" and s.get("members") else "{}"
        payload = -1
        if "payload" in s:
            payload = sorted(s["members"]).index(s["payload"])
        enum = "std::span<const std::string_view>(kEnum%d)" % i if "enum" in s else "{}"
        pattern = "&kPatterns[%d]" % pattern_index[s["pattern"]] if "pattern" in s else "nullptr"

        def ref(key):
            return "&kShapes[%d]" % shape_index[s[key]["shape"]] if key in s else "nullptr"

        w("    {%s, ShapeType::%s, %s, %s, %s, %s, %s, %s, %s, %s, %d, %s, %s, %s}," % (
            cpp_string(name), SHAPE_TYPES[s["type"]], "true" if s.get("sensitive") else "false",
            "true" if "min" in s else "false", "true" if "max" in s else "false",
            cpp_double(s.get("min", 0)), cpp_double(s.get("max", 0)), pattern, enum, members,
            payload, ref("member"), ref("key"), ref("value")))
    w("};")
    w("")

    # Operations.
    op_names = sorted(operations)
    w("constinit const OperationInfo kOperations[%d] = {" % len(op_names))
    for name in op_names:
        op = operations[name]
        http = op["http"]
        input_shape = op.get("input", {}).get("shape")
        output_shape = op.get("output", {}).get("shape")
        if input_shape:
            members = shapes[input_shape].get("members", {})
            bound = {m.get("locationName", n) for n, m in members.items() if m.get("location") == "uri"}
            for label in uri_labels(http["requestUri"]):
                if label not in bound:
                    sys.exit("shapegen: %s: URI label {%s} has no uri member" % (name, label))
        w("    {%s, %s, %s, %d, %s, %s}," % (
            cpp_string(name), cpp_string(http["method"]), cpp_string(http["requestUri"]),
            http.get("responseCode", 200),
            "&kShapes[%d]" % shape_index[input_shape] if input_shape else "nullptr",
            "&kShapes[%d]" % shape_index[output_shape] if output_shape else "nullptr"))
    w("};")
    w("")
    w("}  // namespace model_gen")
    w("")
    w("const std::vector<OperationInfo>& Operations() {")
    w("  static const std::vector<OperationInfo> operations(std::begin(model_gen::kOperations),")
    w("                                                      std::end(model_gen::kOperations));")
    w("  return operations;")
    w("}")
    w("")
    w("// Searches the vector, not the array, so every OperationInfo* handed out points into it.")
    w("const OperationInfo* FindOperation(std::string_view name) {")
    w("  const auto& ops = Operations();")
    w("  auto it = std::lower_bound(std::begin(ops), std::end(ops), name,")
    w("                             [](const OperationInfo& op, std::string_view n) { return op.name < n; });")
    w("  return it != std::end(ops) && it->name == name ? &*it : nullptr;")
    w("}")
    w("")
    w("std::span<const ShapeInfo> Shapes() { return model_gen::kShapes; }")
    w("")
    w("const ShapeInfo* FindShape(std::string_view name) {")
    w("  const auto& shapes = model_gen::kShapes;")
    w("  auto it = std::lower_bound(std::begin(shapes), std::end(shapes), name,")
    w("                             [](const ShapeInfo& s, std::string_view n) { return s.name < n; });")
    w("  return it != std::end(shapes) && it->name == name ? &*it : nullptr;")
    w("}")
    w("")
    w("std::span<const Pattern> Patterns() {")
    w("  return std::span<const Pattern>(model_gen::kPatterns, %d);" % len(compiled))
    w("}")
    w("")
    w("}  // namespace lambdalite::api")
    return "\n".join(out) + "\n", len(op_names), len(shape_names), len(compiled)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--shapes-header", help="also write the typed shapes (shapes.gen.h)")
    parser.add_argument("--shapes-source", help="... and their functions (shapes.gen.cc)")
    parser.add_argument("--wire-order", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "wire_order.json"))
    args = parser.parse_args()
    with open(args.model, encoding="utf-8") as f:
        model = json.load(f)
    text, ops, shapes, patterns = generate(model, args.model)
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print("shapegen: %d operations, %d shapes, %d patterns -> %s" % (ops, shapes, patterns, args.output))
    if args.shapes_header or args.shapes_source:
        if not (args.shapes_header and args.shapes_source):
            sys.exit("shapegen: --shapes-header and --shapes-source go together")
        typed_shapes.self_check()
        header, source, stats = typed_shapes.generate(model, args.model, args.wire_order)
        for path, text in ((args.shapes_header, header), (args.shapes_source, source)):
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
        print("shapegen: %d structures (%d decoded, %d encoded), %d enums -> %s" % (
            stats[0], stats[2], stats[3], stats[1], args.shapes_header))


if __name__ == "__main__":
    main()
