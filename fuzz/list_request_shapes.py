#!/usr/bin/env python3
"""Writes LAMBDALITE_REQUEST_SHAPE(Name) for every generated *Request struct of shapes.gen.h, so
request_decoder_fuzz can decode an operation's input into its typed shape without a hand-kept list.
Usage: list_request_shapes.py SHAPES_GEN_H OUTPUT"""
import re
import sys

names = sorted(set(re.findall(r"^struct (\w+Request) \{", open(sys.argv[1]).read(), re.M)))
text = "".join(f"LAMBDALITE_REQUEST_SHAPE({n})\n" for n in names)
try:
    same = open(sys.argv[2]).read() == text
except OSError:
    same = False
if not same:
    with open(sys.argv[2], "w") as f:
        f.write(text)
