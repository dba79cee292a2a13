#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/ (tiny files, all made
here; run it again after changing a seed). Usage: python3 fuzz/gen_corpus.py [OUT_DIR]"""

import io
import os
import struct
import sys
import warnings
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))

AUTH = ("AWS4-HMAC-SHA256 Credential=123456789012/20260101/us-east-1/lambda/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64)


def http(method, target, headers=(), body=b""):
    lines = [f"{method} {target} HTTP/1.1", "Host: localhost:9001"] + list(headers)
    if body or method in ("POST", "PUT"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def chunked(method, target, pieces):
    head = (f"{method} {target} HTTP/1.1\r\nHost: localhost\r\n"
            "Transfer-Encoding: chunked\r\n\r\n").encode()
    body = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"
    return head + body


HTTP_SEEDS = {
    "get_function": http("GET", "/2015-03-31/functions/my-function?Qualifier=1",
                         [f"Authorization: {AUTH}"]),
    "list_functions": http("GET", "/2015-03-31/functions/?MaxItems=10&Marker=abc"),
    "create_function": http("POST", "/2015-03-31/functions", ["Content-Type: application/json"],
                            b'{"FunctionName":"f","Runtime":"python3.12","Role":'
                            b'"arn:aws:iam::123456789012:role/r","Handler":"index.handler",'
                            b'"Code":{"ZipFile":"UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="},'
                            b'"Environment":{"Variables":{"A":"b"}},"Tags":{"k":"v"}}'),
    "invoke": http("POST", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A"
                   "123456789012%3Afunction%3Af/invocations",
                   ["X-Amz-Invocation-Type: Event", "X-Amz-Log-Type: Tail",
                    "X-Amz-Client-Context: e30="], b'{"key":"value"}'),
    "invoke_chunked": chunked("POST", "/2015-03-31/functions/f/invocations", [b'{"a":', b"1}"]),
    "expect_continue": http("PUT", "/2015-03-31/functions/f/configuration",
                            ["Expect: 100-continue"], b'{"Timeout":30,"MemorySize":256}'),
    "untag": http("DELETE", "/2017-03-31/tags/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012"
                  "%3Afunction%3Af?tagKeys=a&tagKeys=b"),
    "add_permission": http("POST", "/2015-03-31/functions/f/policy", [],
                           b'{"StatementId":"s","Action":"lambda:InvokeFunction",'
                           b'"Principal":"s3.amazonaws.com"}'),
    "layers": http("GET", "/2018-10-31/layers?CompatibleRuntime=python3.12"),
    "http10": b"GET /2015-03-31/functions HTTP/1.0\r\n\r\n",
    "bad_json": http("POST", "/2015-03-31/functions", [], b'{"FunctionName":'),
}

# request_decoder: byte 0 picks the operation (sorted by name, see src/api/model.h); then one
# line per URI label, the query line, header lines, an empty line and the body.
DECODER_SEEDS = {
    "op0_labels": b"\x00my-function\nQualifier=1\nX-Amz-Log-Type: Tail\n\n{}",
    "op1_body": b"\x01f\n\n\n{\"StatementId\":\"s\",\"Action\":\"lambda:*\",\"Principal\":\"*\"}",
    "op10_create": b"\x0a\n\n\n{\"FunctionName\":\"f\",\"Runtime\":\"python3.12\",\"Role\":\"r\","
                   b"\"Code\":{\"ZipFile\":\"AAAA\"},\"MemorySize\":128,\"Layers\":[\"a\"]}",
    "op20_query": b"\x14arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST\nMaxItems=5&Marker=x\n\n",
    "op40_headers": b"\x28f\n\nX-Amz-Invocation-Type: DryRun\nX-Amz-Client-Context: e30=\n\npayload",
    "op60_nested": b"\x3cf\n\n\n{\"DestinationConfig\":{\"OnFailure\":{\"Destination\":\"arn:aws:sqs:us-east-1:1:q\"}},"
                   b"\"MaximumRetryAttempts\":2}",
    "op80_list": b"\x50arn:aws:lambda:us-east-1:123456789012:function:f\ntagKeys=a&tagKeys=b\n\n",
    "wrong_types": b"\x0a\n\n\n{\"FunctionName\":1,\"MemorySize\":\"x\",\"Tags\":[],\"Publish\":null}",
}

NAMES_SEEDS = {
    "plain": b"my-function",
    "qualified": b"my-function:PROD",
    "partial": b"123456789012:function:my-function:7",
    "full": b"arn:aws:lambda:us-east-1:123456789012:function:my-function",
    "full_q": b"arn:aws:lambda:eu-west-1:123456789012:function:f:$LATEST\n$LATEST",
    "short_arn": b"arn:aws:lambda:us-east-1:123456789012:function",
    "layer": b"arn:aws:lambda:us-east-1:123456789012:layer:my-layer:3",
    "csc": b"arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-0123456789abcdef0",
    "esm": b"arn:aws:lambda:us-east-1:123456789012:event-source-mapping:"
           b"a1b2c3d4-5678-90ab-cdef-11111EXAMPLE",
    "principal_arn": b"arn:aws:iam::123456789012:root",
    "version": b"42",
    "sqs": b"arn:aws:sqs:us-east-1:123456789012:queue",
}

SIGV4_SEEDS = {
    "header": AUTH.encode() + b"\n/2015-03-31/functions/f/invocations?Qualifier=1",
    "spaces": b"AWS4-HMAC-SHA256  Credential = AKIDEXAMPLE/20150830/us-east-1/lambda/aws4_request ,"
              b"Signature=x\n/a/./b/../c//d?b=2&a=1&a=0",
    "order": b"AWS4-HMAC-SHA256 SignedHeaders=host,Signature=abc,Credential=K/20150830/r/s/"
             b"aws4_request\n/%2F%20x?x=%41%zz&y",
    "bare": b"K/20150830/us-east-1/lambda/aws4_request\n/",
    "other_scheme": b"Basic dXNlcjpwYXNz\n",
    "verifier_key": b"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/lambda/aws4_request, "
                    b"SignedHeaders=host;x-amz-date, Signature=" + b"0" * 64 +
                    b"\n/2015-03-31/functions/f?Qualifier=1",
    "presigned": b"\n/2015-03-31/functions?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
                 b"AKIDEXAMPLE%2F20260101%2Fus-east-1%2Flambda%2Faws4_request&X-Amz-Date="
                 b"20260101T000000Z&X-Amz-Expires=300&X-Amz-SignedHeaders=host&X-Amz-Signature=00",
    "keys_file": b"# keys\nAKID1 secret1 123456789012\n\tAKID2\tsecret2\t210987654321\n",
    "streaming": b"AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/s3/aws4_request, "
                 b"SignedHeaders=content-encoding;host;x-amz-content-sha256;x-amz-decoded-"
                 b"content-length, Signature=" + b"f" * 64 + b"\n/bucket/key?uploads",
}

# ---- zips -----------------------------------------------------------------------------------

S_IFLNK, S_IFREG, S_IFDIR = 0o120000, 0o100000, 0o040000


def zip_of(entries):
    """entries: (name, data, mode or None); a mode makes the entry a Unix one."""
    warnings.simplefilter("ignore")  # "Duplicate name": the overlap seed means it
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            if mode is not None:
                info.create_system = 3
                info.external_attr = mode << 16
            z.writestr(info, data)
    return buf.getvalue()


def zip64_declared(size):
    """One stored, empty entry whose headers declare `size` bytes (a zip64 extra field): the
    declared size of an archive is untrusted."""
    name = b"big.bin"
    crc = zlib.crc32(b"")
    extra = struct.pack("<HHQQ", 1, 16, size, 0)
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 0, 0, 0x21, crc, 0xFFFFFFFF,
                        0xFFFFFFFF, len(name), len(extra)) + name + extra
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, (3 << 8) | 45, 45, 0, 0, 0, 0x21,
                          crc, 0xFFFFFFFF, 0xFFFFFFFF, len(name), len(extra), 0, 0, 0,
                          (S_IFREG | 0o644) << 16, 0) + name + extra
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), len(local), 0)
    return local + central + eocd


ZIP_SEEDS = {
    "plain": zip_of([("index.py", b"def handler(e, c):\n    return e\n", S_IFREG | 0o644)]),
    "dirs_exec": zip_of([("bin/", b"", S_IFDIR | 0o755), ("bin/bootstrap", b"#!/bin/sh\n",
                                                         S_IFREG | 0o755),
                         ("lib/a/b/c.txt", b"x", None)]),
    "slip": zip_of([("../escape.txt", b"x", None)]),
    "slip_deep": zip_of([("a/../../escape.txt", b"x", None)]),
    "absolute": zip_of([("/tmp/lambdalite-fuzz-absolute.txt", b"x", None)]),
    "link_in": zip_of([("data.txt", b"x", S_IFREG | 0o644),
                       ("link.txt", b"data.txt", S_IFLNK | 0o777)]),
    "link_abs": zip_of([("passwd", b"/etc/passwd", S_IFLNK | 0o777)]),
    "link_up": zip_of([("sub/up", b"../../x", S_IFLNK | 0o777)]),
    "link_dot_dot": zip_of([("self", b".", S_IFLNK | 0o777), ("out", b"self/..",
                                                              S_IFLNK | 0o777)]),
    "write_through_link": zip_of([("dir", b".", S_IFLNK | 0o777), ("dir/f.txt", b"x", None)]),
    "bomb": zip_of([("zeros.bin", b"\0" * (2 << 20), None)]),
    "overlap": zip_of([("same", b"1", None), ("same", b"2", None)]),
    "file_then_dir": zip_of([("a", b"1", None), ("a/b", b"2", None)]),
    "zip64_huge": zip64_declared(2**64 - 1),
    # Two layers into one /opt tree: the first leaves "s" -> ".", the second writes below it.
    "layers": zip_of([("s", b".", S_IFLNK | 0o777)]) + b"LAYER2" +
              zip_of([("s/l", b"../x", S_IFLNK | 0o777), ("s/f.txt", b"x", None)]),
    "empty": struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0, 0, 0, 0, 0),
}

CORPORA = {
    "http_request": HTTP_SEEDS,
    "request_decoder": DECODER_SEEDS,
    "names": NAMES_SEEDS,
    "sigv4": SIGV4_SEEDS,
    "zip": ZIP_SEEDS,
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus")
    for target, seeds in CORPORA.items():
        d = os.path.join(out, target)
        os.makedirs(d, exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
    total = sum(len(v) for s in CORPORA.values() for v in s.values())
    print(f"wrote {sum(len(s) for s in CORPORA.values())} seeds ({total} bytes) under {out}")


if __name__ == "__main__":
    main()
