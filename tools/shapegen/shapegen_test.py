"""Unit tests for the shapes generator (typed_shapes.py), the Java-regex compiler (java_regex.py)
and the live patches of strip_model.py.

The C++ side of the generated code is tested by src/api/shapes_test.cc against the real model;
these tests pin the generator's own rules on small hand-made models, so a change to a rule shows
up here with a readable diff instead of as a compile error in generated code. CTest runs them
(test name `shapegen_test`); by hand: `python3 tools/shapegen/shapegen_test.py`.
"""

import copy
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import java_regex  # noqa: E402
import strip_model  # noqa: E402
import typed_shapes  # noqa: E402


def tiny_model():
    """One operation with the shape kinds the generator distinguishes."""
    return {
        "operations": {
            "PutThing": {
                "http": {"method": "PUT", "requestUri": "/things/{Name}", "responseCode": 201},
                "input": {"shape": "PutThingRequest"},
                "output": {"shape": "Thing"},
            }
        },
        "shapes": {
            "PutThingRequest": {
                "type": "structure",
                "required": ["Name"],
                "members": {
                    "Name": {"shape": "String", "location": "uri", "locationName": "Name"},
                    "Colour": {"shape": "Colour"},
                    "Sizes": {"shape": "IntList"},
                    "Labels": {"shape": "LabelMap"},
                    "Blob": {"shape": "Bytes"},
                },
            },
            "Thing": {
                "type": "structure",
                "members": {
                    "Zeta": {"shape": "String"},
                    "Alpha": {"shape": "String"},
                    "Count": {"shape": "Long"},
                    "Created": {"shape": "Stamp"},
                },
            },
            "String": {"type": "string"},
            "Colour": {"type": "string", "enum": ["red", "dark-blue", "x86_64"]},
            "Integer": {"type": "integer"},
            "Long": {"type": "long"},
            "Bytes": {"type": "blob"},
            "Stamp": {"type": "timestamp"},
            "IntList": {"type": "list", "member": {"shape": "Integer"}},
            "LabelMap": {
                "type": "map",
                "key": {"shape": "String"},
                "value": {"shape": "String"},
            },
        },
    }


def generate(model, wire_order=None):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(wire_order or {}, f)
        path = f.name
    try:
        header, source, stats = typed_shapes.generate(model, "tiny.json", path)
        # The generator writes "> >" so its output never depends on the C++ dialect's ">>";
        # the assertions read better without it.
        return header.replace(" >", ">"), source, stats
    finally:
        os.unlink(path)


class TypedShapesTest(unittest.TestCase):
    def test_enum_constants_follow_the_documented_mangling(self):
        self.assertEqual(typed_shapes.enum_constant("python3.12"), "kPython3_12")
        self.assertEqual(typed_shapes.enum_constant("nodejs4.3-edge"), "kNodejs4_3_edge")
        self.assertEqual(typed_shapes.enum_constant("ALL"), "kALL")

    def test_required_members_are_plain_and_others_optional(self):
        header, _, _ = generate(tiny_model())
        self.assertIn("std::string Name;", header)
        self.assertIn("std::optional<std::vector<int32_t>> Sizes;", header)
        self.assertIn("std::optional<std::map<std::string, std::string>> Labels;", header)
        self.assertIn("std::optional<int64_t> Count;", header)

    def test_string_enums_become_enum_classes_with_wire_text(self):
        header, source, _ = generate(tiny_model())
        self.assertIn("enum class Colour : uint16_t {", header)
        for constant, wire in (("kRed", "red"), ("kDark_blue", "dark-blue"), ("kX86_64", "x86_64")):
            self.assertIn("%s,  // %s" % (constant, wire), header)
            self.assertIn('"%s"' % wire, source)

    def test_only_needed_directions_are_generated(self):
        header, _, stats = generate(tiny_model())
        structs, enums, decode, encode = stats
        self.assertEqual((structs, enums, decode, encode), (2, 1, 1, 1))
        self.assertIn("struct PutThingRequest {  // decoded", header)
        self.assertIn("struct Thing {  // encoded", header)

    def test_members_keep_model_order_unless_wire_order_pins_them(self):
        header, _, _ = generate(tiny_model())
        self.assertLess(header.index("Zeta;"), header.index("Alpha;"))
        pinned, _, _ = generate(tiny_model(), {"Thing": ["Alpha", "Count"]})
        body = pinned[pinned.index("struct Thing {"):]
        self.assertLess(body.index("Alpha;"), body.index("Count;"))
        self.assertLess(body.index("Count;"), body.index("Zeta;"))

    def test_wire_order_naming_an_unknown_member_fails_the_build(self):
        with self.assertRaises(SystemExit):
            generate(tiny_model(), {"Thing": ["Omega"]})

    def test_unsupported_models_fail_loudly(self):
        model = tiny_model()
        model["shapes"]["IntList"]["member"] = {"shape": "Bytes"}
        with self.assertRaises(SystemExit):
            generate(model)
        model = tiny_model()
        model["shapes"]["Thing"]["members"]["Self"] = {"shape": "Thing"}
        with self.assertRaises(SystemExit):
            generate(model)

    def test_generation_is_deterministic(self):
        self.assertEqual(generate(tiny_model()), generate(tiny_model()))


class JavaRegexTest(unittest.TestCase):
    def test_full_match_semantics(self):
        p = java_regex.compile_pattern("[a-z]+\\d{2}")
        self.assertTrue(p.matches("abc12"))
        self.assertFalse(p.matches("abc123"))
        self.assertFalse(p.matches("ABC12"))
        self.assertFalse(p.matches(""))

    def test_alternation_groups_and_optional_parts(self):
        p = java_regex.compile_pattern("(arn:aws:lambda:)?(eusc-)?[a-z]{2}-[a-z]+-\\d{1}")
        for text in ("us-east-1", "arn:aws:lambda:us-east-1", "eusc-de-east-1"):
            self.assertTrue(p.matches(text), text)
        for text in ("us-east-12", "arn:aws:lambda:", "useast1"):
            self.assertFalse(p.matches(text), text)

    def test_function_name_pattern_of_the_model(self):
        path = os.path.join(os.path.dirname(__file__), "..", "..", "model", "lambda-2015-03-31.json")
        with open(path, encoding="utf-8") as f:
            model = json.load(f)
        p = java_regex.compile_pattern(model["shapes"]["FunctionName"]["pattern"])
        self.assertTrue(p.matches("my-function"))
        self.assertTrue(p.matches("arn:aws:lambda:us-east-1:123456789012:function:my-function"))
        self.assertFalse(p.matches("bad name"))


class StripModelTest(unittest.TestCase):
    def test_live_patches_replace_upstream_values_and_are_idempotent(self):
        shape, key, upstream, live = strip_model.LIVE_PATCHES[0]
        model = {"shapes": {s: {} for s, _, _, _ in strip_model.LIVE_PATCHES}}
        for s, k, up, _ in strip_model.LIVE_PATCHES:
            model["shapes"][s][k] = up
        strip_model.apply_live_patches(model)
        self.assertEqual(model["shapes"][shape][key], live)
        again = copy.deepcopy(model)
        strip_model.apply_live_patches(again)
        self.assertEqual(again, model)

    def test_an_upstream_change_stops_the_strip_for_review(self):
        shape, key, _, _ = strip_model.LIVE_PATCHES[0]
        model = {"shapes": {s: {} for s, _, _, _ in strip_model.LIVE_PATCHES}}
        for s, k, up, _ in strip_model.LIVE_PATCHES:
            model["shapes"][s][k] = up
        model["shapes"][shape][key] = "something new upstream"
        with self.assertRaises(SystemExit):
            strip_model.apply_live_patches(model)


if __name__ == "__main__":
    unittest.main()
