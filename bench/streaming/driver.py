#!/usr/bin/env python3
"""Streaming benchmark driver (stdlib only; run by bench/streaming/run.sh against a running
lambdalite). Measures time to first byte of InvokeWithResponseStream:

  * a streaming function (python lambdalite.streaming, node awslambda.streamifyResponse) that
    writes a first chunk, works for --work-ms, then writes a second chunk: time to the first
    PayloadChunk event versus time to the whole answer (InvokeComplete);
  * the same work in a buffered function (returns after --work-ms): there the first byte comes
    only with the whole answer;
  * Invoke of the buffered function, for comparison.

Warm environments only (one uncounted warm-up call each). p50/p99 over --samples calls. Prints
one table; timing never makes it fail, only a server it cannot set up does (exit 1).
"""

from __future__ import annotations

import argparse
import http.client
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "invoke"))
from driver import Client, SetupError, create_function, make_zip, quote  # noqa: E402

PY_STREAM = (
    "import time, lambdalite\n"
    "@lambdalite.streaming\n"
    "def handler(event, stream, context):\n"
    "    stream.write(b'first chunk')\n"
    "    time.sleep(event['work_ms'] / 1000.0)\n"
    "    stream.write(b'second chunk')\n")
PY_BUFFERED = (
    "import time\n"
    "def handler(event, context):\n"
    "    time.sleep(event['work_ms'] / 1000.0)\n"
    "    return 'first chunksecond chunk'\n")
NODE_STREAM = (
    "exports.handler = awslambda.streamifyResponse(async (event, stream) => {\n"
    "  stream.write('first chunk');\n"
    "  await new Promise((r) => setTimeout(r, event.work_ms));\n"
    "  stream.write('second chunk');\n"
    "  stream.end();\n"
    "});\n")

FUNCTIONS = [
    # label, runtime, handler, file, source
    ("python3.12 streaming", "python3.12", "handler.handler", "handler.py", PY_STREAM),
    ("nodejs20.x streaming", "nodejs20.x", "index.handler", "index.js", NODE_STREAM),
    ("python3.12 buffered", "python3.12", "handler.handler", "handler.py", PY_BUFFERED),
]


def stream_once(host: str, port: int, name: str, payload: bytes) -> tuple[float, float]:
    """(seconds to the first body byte, seconds to the end) of one InvokeWithResponseStream."""
    conn = http.client.HTTPConnection(host, port, timeout=120)
    conn.connect()
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    started = time.perf_counter()
    conn.request("POST", f"/2021-11-15/functions/{quote(name)}/response-streaming-invocations",
                 body=payload, headers={"Content-Type": "application/json"})
    resp = conn.getresponse()
    if resp.status != 200:
        raise SetupError(f"InvokeWithResponseStream {name}: HTTP {resp.status} {resp.read()[:300]!r}")
    first = resp.read1(65536)  # the head and the first event arrive together
    ttfb = time.perf_counter() - started
    if not first:
        raise SetupError(f"InvokeWithResponseStream {name}: empty body")
    while resp.read1(65536):
        pass
    total = time.perf_counter() - started
    conn.close()
    return ttfb, total


def invoke_once(client: Client, name: str, payload: bytes) -> float:
    started = time.perf_counter()
    status, _, data = client.request("POST", f"/2015-03-31/functions/{quote(name)}/invocations",
                                     payload)
    if status != 200:
        raise SetupError(f"Invoke {name}: HTTP {status} {data[:300]!r}")
    return time.perf_counter() - started


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100.0 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--work-ms", type=int, default=200)
    parser.add_argument("--info", default="")
    args = parser.parse_args()
    client = Client(args.endpoint)
    payload = ('{"work_ms": %d}' % args.work_ms).encode()
    rows = []
    try:
        names = {}
        for label, runtime, handler, filename, source in FUNCTIONS:
            name = "bench-stream-" + label.replace(" ", "-").replace(".", "")
            create_function(client, name, runtime, handler, make_zip(filename, source))
            names[label] = name
        for label, name in names.items():
            stream_once(client.host, client.port, name, payload)  # warm-up: the cold start
            ttfb, total = [], []
            for _ in range(args.samples):
                a, b = stream_once(client.host, client.port, name, payload)
                ttfb.append(a)
                total.append(b)
            rows.append((f"InvokeWithResponseStream {label}", ttfb, total))
        buffered = names["python3.12 buffered"]
        times = [invoke_once(client, buffered, payload) for _ in range(args.samples)]
        rows.append(("Invoke python3.12 buffered", times, times))
    except SetupError as e:
        print(f"setup failed: {e}", file=sys.stderr)
        return 1
    print(f"# Streaming time to first byte ({args.samples} warm samples, function work "
          f"{args.work_ms} ms between its chunks)")
    if args.info:
        print(f"# {args.info}")
    print(f"| {'call':<45} | {'TTFB p50':>9} | {'TTFB p99':>9} | {'total p50':>9} |")
    print(f"|{'-' * 47}|{'-' * 11}|{'-' * 11}|{'-' * 11}|")
    for label, ttfb, total in rows:
        print(f"| {label:<45} | {pct(ttfb, 50) * 1000:7.1f}ms | {pct(ttfb, 99) * 1000:7.1f}ms | "
              f"{pct(total, 50) * 1000:7.1f}ms |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
