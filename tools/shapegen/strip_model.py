#!/usr/bin/env python3
"""Writes model/lambda-2015-03-31.json: botocore's AWS Lambda service model, schema facts only.

The botocore model carries long HTML documentation on the service, on every operation, shape and
member. lambdalite needs none of it, so this tool drops every documentation-like field and keeps
what the protocol layer is generated from: metadata, operations (http, input, output, errors),
shapes (types, members, locations, constraints, enums, traits such as `sensitive`).

The output is deterministic (sorted keys, indent 1, trailing newline) so a re-run on the same
botocore version produces the same bytes and a botocore upgrade produces a reviewable diff.

Usage: strip_model.py [--input service-2.json[.gz]] [--output model/lambda-2015-03-31.json]
Without --input the model of the installed botocore package is used.
"""

import argparse
import gzip
import json
import os
import sys

# Keys that only describe things for humans. They are dropped wherever they appear, except as the
# name of a shape, operation or member (those maps are keyed by name, not by field).
DOC_KEYS = frozenset({"documentation", "documentationUrl", "deprecatedMessage", "examples"})

# Maps whose keys are names chosen by the model (a member could in principle be called
# "documentation"), so their keys are never treated as fields.
NAME_MAPS = frozenset({"shapes", "operations", "members"})

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_OUTPUT = os.path.join(REPO_ROOT, "model", "lambda-2015-03-31.json")


def installed_botocore_model():
    import botocore  # Imported lazily: only this default path needs botocore installed.

    base = os.path.join(os.path.dirname(botocore.__file__), "data", "lambda", "2015-03-31")
    for name in ("service-2.json.gz", "service-2.json"):
        path = os.path.join(base, name)
        if os.path.exists(path):
            return path
    sys.exit("strip_model: botocore has no lambda/2015-03-31 service model under " + base)


def load(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def strip(node, keyed_by_name=False):
    if isinstance(node, list):
        return [strip(item) for item in node]
    if not isinstance(node, dict):
        return node
    if keyed_by_name:
        return {name: strip(value) for name, value in node.items()}
    return {
        key: strip(value, keyed_by_name=key in NAME_MAPS)
        for key, value in node.items()
        if key not in DOC_KEYS
    }


# Where the live service is ahead of the installed botocore model, the recorded AWS answer wins.
# Each patch names its evidence; strip_model refuses to run if a patched value changed upstream.
LIVE_PATCHES = [
    # Reference P10 (recorded 25-11-2025): AWS quotes the DestinationArn pattern with "(eusc-)?".
    ("DestinationArn", "pattern",
     "$|kafka://([^.]([a-zA-Z0-9\\-_.]{0,248}))|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:"
     "([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)",
     "$|kafka://([^.]([a-zA-Z0-9\\-_.]{0,248}))|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:"
     "((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)"),
    # Reference part 2, R_TAG (TestLambdaTag, recorded 25-11-2025): AWS quotes the tag Resource
    # pattern with "(eusc-)?" and a "layer:" branch.
    ("TaggableResource", "pattern",
     "arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:"
     "(function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?|"
     "code-signing-config:csc-[a-z0-9]{17}|"
     "event-source-mapping:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
     "[0-9a-fA-F]{12}|capacity-provider:[a-zA-Z0-9-_]+)",
     "arn:(aws[a-zA-Z-]*):lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:"
     "\\d{12}:(function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?|layer:([a-zA-Z0-9-_]+)|"
     "code-signing-config:csc-[a-z0-9]{17}|"
     "event-source-mapping:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
     "[0-9a-fA-F]{12}|capacity-provider:[a-zA-Z0-9-_]+)"),
    # Reference part 1, CreateFunction with an invalid name (R_CREATE, recorded 12-01-2026): AWS
    # quotes the unqualified function-name pattern with "(eusc-)?".
    ("UnqualifiedFunctionName", "pattern",
     "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?"
     "(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)",
     "(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?"
     "(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)"),
    # The same region part in the other function-name patterns: AWS's API reference pages give
    # them with "(eusc-)?" (e.g. API_GetFunctionUrlConfig, API_ChainedInvokeOptions), like every
    # pattern AWS was recorded quoting.
    ("FunctionName", "pattern",
     "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?"
     "(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?",
     "(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?"
     "(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?"),
    ("NamespacedFunctionName", "pattern",
     "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?"
     "(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST(\\.PUBLISHED)?|[a-zA-Z0-9-_]+))?",
     "(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?"
     "(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST(\\.PUBLISHED)?|[a-zA-Z0-9-_]+))?"),
    # Reference part 2 section 8.3 (R_TAG, recorded 25-11-2025): the tagging pattern AWS quotes,
    # with "(eusc-)?" and layers.
    ("TaggableResource", "pattern",
     "arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:"
     "(function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?|code-signing-config:csc-[a-z0-9]{17}|"
     "event-source-mapping:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
     "[0-9a-fA-F]{12}|capacity-provider:[a-zA-Z0-9-_]+)",
     "arn:(aws[a-zA-Z-]*):lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:"
     "(function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?|layer:([a-zA-Z0-9-_]+)|"
     "code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-"
     "[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|capacity-provider:[a-zA-Z0-9-_]+)"),
    # Reference part 2 LF9 (recorded 25-11-2025): a layer version ARN, as AWS quotes it for
    # CreateFunction's Layers: "(eusc-)?", the awslayer form, and at most 2048 characters.
    ("LayerVersionArn", "pattern",
     "arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+",
     "(arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:"
     "\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+)"),
    ("LayerVersionArn", "max", 140, 2048),
]


def apply_live_patches(model):
    for shape, key, upstream, live in LIVE_PATCHES:
        current = model["shapes"][shape].get(key)
        if current == live:
            continue
        if current != upstream:
            sys.exit("strip_model: %s.%s changed upstream; review LIVE_PATCHES" % (shape, key))
        model["shapes"][shape][key] = live


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", help="botocore service-2.json or .json.gz")
    parser.add_argument("--output", default=DEFAULT_OUTPUT)
    args = parser.parse_args()

    model = strip(load(args.input or installed_botocore_model()))
    apply_live_patches(model)
    text = json.dumps(model, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    with open(args.output, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print(
        "strip_model: wrote %s (%d operations, %d shapes)"
        % (args.output, len(model.get("operations", {})), len(model.get("shapes", {})))
    )


if __name__ == "__main__":
    main()
