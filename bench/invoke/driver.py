#!/usr/bin/env python3
"""Invoke benchmark driver (stdlib only; run by bench/invoke/run.sh against a running lambdalite).

Sets up and samples with raw http.client keep-alive connections, unsigned (lambdalite takes
unsigned requests as the default account and region); no boto3, so the client adds as little as
possible. Measures, in one run:

  * warm invoke round trip (p50/p99) and invokes/s with 1 and 8 concurrent callers, for a python
    and a node echo function (a warm-up pass first starts the environments, uncounted). The load
    comes from wrk (invoke.lua, one keep-alive connection per caller) when it is installed: Python
    threads sharing one GIL top out near the server's own rate on a small machine, so they
    measure the client as much as the server. Without wrk, Python threads (one http.client
    connection each) do it, and the table says so;
  * cold start end to end: the first invoke after UpdateFunctionConfiguration (which retires the
    function's environments) and the first invoke of a freshly created function, several samples
    0.5 s apart (python and node cold starts activate a pre-started runtime, replaced in the
    background after each), with the server-side Init Duration from the REPORT line;
  * floors: fork+exec of /bin/true, `python3 -c pass` and `node -e 0` (the interpreters the
    runtimes use; hyperfine when installed, else a timing loop), and a GetFunction round trip.

Prints one table. Timing never makes it fail; only a server it cannot set up does (exit 1).
"""

from __future__ import annotations

import argparse
import base64
import http.client
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
import zipfile

ROLE = "arn:aws:iam::123456789012:role/bench-role"
PAYLOAD = json.dumps({"hello": "world", "n": 1, "list": [1, 2, 3]}).encode()

PY_ECHO = "def handler(event, context):\n    return event\n"
NODE_ECHO = "exports.handler = async (event) => event;\n"

RUNTIMES = [
    # label, runtime, handler, file name, source, interpreter floor
    ("python3.12", "python3.12", "handler.handler", "handler.py", PY_ECHO, "python3 -c pass"),
    ("nodejs20.x", "nodejs20.x", "index.handler", "index.js", NODE_ECHO, "node -e 0"),
]


FLOOR_OF = {r[0]: r[5] for r in RUNTIMES}  # runtime label -> its interpreter floor


class SetupError(Exception):
    pass


# --------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------

class Client:
    """One keep-alive connection. request() reconnects once if the server closed it."""

    def __init__(self, endpoint: str):
        url = urllib.parse.urlsplit(endpoint)
        self.host, self.port = url.hostname, url.port
        self.conn: http.client.HTTPConnection | None = None

    def _connect(self):
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=300)
        self.conn.connect()
        self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        hdrs = {"Content-Type": "application/json"}
        hdrs.update(headers or {})
        for attempt in (0, 1):
            if self.conn is None:
                self._connect()
            try:
                self.conn.request(method, path, body=body, headers=hdrs)
                resp = self.conn.getresponse()
                data = resp.read()
                return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
            except (http.client.HTTPException, OSError):
                self.close()
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def quote(name: str) -> str:
    return urllib.parse.quote(name, safe="")


def invoke_path(name: str) -> str:
    return f"/2015-03-31/functions/{quote(name)}/invocations"


def make_zip(filename: str, source: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo(filename, date_time=(2020, 1, 1, 0, 0, 0)), source)
    return buf.getvalue()


def create_function(client: Client, name: str, runtime: str, handler: str, zip_bytes: bytes):
    body = json.dumps({"FunctionName": name, "Runtime": runtime, "Role": ROLE,
                       "Handler": handler, "Timeout": 30, "MemorySize": 128,
                       "Code": {"ZipFile": base64.b64encode(zip_bytes).decode()}}).encode()
    status, _, data = client.request("POST", "/2015-03-31/functions", body)
    if status != 201:
        raise SetupError(f"CreateFunction {name}: HTTP {status} {data[:300]!r}")
    wait_updated(client, name)


def wait_updated(client: Client, name: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, _, data = client.request("GET", f"/2015-03-31/functions/{quote(name)}/configuration")
        if status == 200:
            cfg = json.loads(data)
            if cfg.get("State") == "Active" and cfg.get("LastUpdateStatus") in (None, "Successful"):
                return
        time.sleep(0.05)
    raise SetupError(f"{name} did not become Active/Successful within {timeout}s")


def update_configuration(client: Client, name: str, value: str):
    body = json.dumps({"Environment": {"Variables": {"BENCH_COLD": value}}}).encode()
    status, _, data = client.request("PUT", f"/2015-03-31/functions/{quote(name)}/configuration",
                                     body)
    if status != 200:
        raise SetupError(f"UpdateFunctionConfiguration {name}: HTTP {status} {data[:300]!r}")
    wait_updated(client, name)


def invoke_once(client: Client, name: str, tail: bool = False) -> tuple[bool, float, str | None]:
    """(ok, seconds, decoded LogResult)."""
    headers = {"X-Amz-Log-Type": "Tail"} if tail else {}
    started = time.perf_counter()
    status, hdrs, data = client.request("POST", invoke_path(name), PAYLOAD, headers)
    elapsed = time.perf_counter() - started
    ok = status == 200 and "x-amz-function-error" not in hdrs and data == PAYLOAD_ECHO[name]
    log = None
    if tail and hdrs.get("x-amz-log-result"):
        log = base64.b64decode(hdrs["x-amz-log-result"]).decode("utf-8", "replace")
    return ok, elapsed, log


COLD_GAP_S = 0.5  # pause before each cold-start sample (see cold_invoke)

PAYLOAD_ECHO: dict[str, bytes] = {}  # function name -> the exact echo bytes it returns


# --------------------------------------------------------------------------------------------
# Statistics
# --------------------------------------------------------------------------------------------

def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def run_load(endpoint: str, name: str, callers: int, seconds: float) -> dict:
    """`callers` threads invoke `name` back to back for `seconds`."""
    latencies: list[list[float]] = [[] for _ in range(callers)]
    errors = [0] * callers
    start_barrier = threading.Barrier(callers + 1)
    stop_at = [0.0]

    def worker(i: int):
        client = Client(endpoint)
        try:
            start_barrier.wait()
            while time.perf_counter() < stop_at[0]:
                try:
                    ok, elapsed, _ = invoke_once(client, name)
                except (http.client.HTTPException, OSError):
                    ok, elapsed = False, 0.0
                if ok:
                    latencies[i].append(elapsed)
                else:
                    errors[i] += 1
        finally:
            client.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(callers)]
    for t in threads:
        t.start()
    stop_at[0] = time.perf_counter() + seconds
    started = time.perf_counter()
    start_barrier.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    flat = [x for per in latencies for x in per]
    return {"n": len(flat), "errors": sum(errors), "seconds": elapsed,
            "rps": len(flat) / elapsed if elapsed > 0 else 0.0,
            "p50": percentile(flat, 0.50) * 1000, "p99": percentile(flat, 0.99) * 1000,
            "max": max(flat, default=float("nan")) * 1000}


WRK_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "invoke.lua")
WRK_RESULT_RE = re.compile(r"^BENCH (.*)$", re.M)


def wrk_version(wrk: str) -> str:
    proc = subprocess.run([wrk, "--version"], capture_output=True, text=True)
    m = re.search(r"wrk (\S+)", proc.stdout + proc.stderr)
    return m.group(1) if m else "?"


def run_wrk(wrk: str, endpoint: str, name: str, callers: int, seconds: float) -> dict:
    """wrk keeps `callers` keep-alive connections invoking `name` back to back for `seconds`."""
    # One wrk thread drives every connection: it needs a fraction of a core at these rates, and
    # each extra client thread is one more runnable task competing with the server on 2 cores.
    env = dict(os.environ, BENCH_BODY=PAYLOAD.decode(), BENCH_EXPECT=PAYLOAD_ECHO[name].decode())
    argv = [wrk, "-t", "1", "-c", str(callers), "-d", f"{max(1, round(seconds))}s",
            "--timeout", "30s", "--latency", "-s", WRK_SCRIPT, endpoint + invoke_path(name)]
    nan = float("nan")
    failed = {"n": 0, "errors": 0, "seconds": 0.0, "rps": 0.0, "p50": nan, "p99": nan,
              "max": nan}
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=seconds + 120)
    except subprocess.TimeoutExpired:
        print(f"warning: wrk did not finish for {name}", file=sys.stderr)
        return failed
    m = WRK_RESULT_RE.search(proc.stdout)
    if not m:
        print(f"warning: wrk printed no result for {name} (exit {proc.returncode}): "
              f"{(proc.stderr or proc.stdout)[-300:]}", file=sys.stderr)
        return failed
    f = dict(kv.split("=", 1) for kv in m.group(1).split())
    secs, requests = float(f["seconds"]), int(f["requests"])
    errors = int(f["bad"]) + int(f["socket_errors"])
    ok = max(0, requests - int(f["bad"]))
    return {"n": requests, "errors": errors, "seconds": secs,
            "rps": ok / secs if secs > 0 else 0.0,
            "p50": float(f["p50_ms"]), "p99": float(f["p99_ms"]), "max": float(f["max_ms"])}


# --------------------------------------------------------------------------------------------
# Floors
# --------------------------------------------------------------------------------------------

FLOOR_COMMANDS = {
    "fork+exec /bin/true": ["/bin/true"],
    "python3 -c pass": ["/usr/bin/python3", "-c", "pass"],
    "node -e 0": ["/usr/bin/node", "-e", "0"],
}


def floor_loop(argv: list[str], runs: int) -> list[float]:
    """fork + execv + waitpid, timed around the whole thing."""
    samples = []
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        for _ in range(runs):
            started = time.perf_counter()
            pid = os.fork()
            if pid == 0:  # child: nothing but dup2 and exec
                try:
                    os.dup2(devnull, 0)
                    os.dup2(devnull, 1)
                    os.dup2(devnull, 2)
                    os.execv(argv[0], argv)
                finally:
                    os._exit(127)
            os.waitpid(pid, 0)
            samples.append(time.perf_counter() - started)
    finally:
        os.close(devnull)
    return samples


def floor_hyperfine(argv: list[str], runs: int) -> list[float] | None:
    exe = shutil.which("hyperfine")
    if not exe:
        return None
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        proc = subprocess.run([exe, "-N", "--warmup", "3", "--runs", str(runs), "--export-json",
                               out.name, " ".join(argv)], capture_output=True, text=True)
        if proc.returncode != 0:
            return None
        try:
            return json.load(open(out.name))["results"][0]["times"]
        except (OSError, ValueError, KeyError, IndexError):
            return None


def measure_floors(runs_fast: int, runs_slow: int) -> tuple[dict[str, dict], str]:
    tool = "hyperfine -N" if shutil.which("hyperfine") else "fork/exec/waitpid loop"
    floors = {}
    for label, argv in FLOOR_COMMANDS.items():
        if not os.access(argv[0], os.X_OK):
            continue
        runs = runs_fast if label.startswith("fork") else runs_slow
        samples = floor_hyperfine(argv, runs)
        if samples is None:
            floor_loop(argv, 3)  # warm the page cache
            samples = floor_loop(argv, runs)
        floors[label] = {"n": len(samples), "p50": percentile(samples, 0.5) * 1000,
                         "p99": percentile(samples, 0.99) * 1000}
    return floors, tool


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------

INIT_RE = re.compile(r"Init Duration: ([\d.]+) ms")


def cold_samples(endpoint: str, label: str, runtime: str, handler: str, zip_bytes: bytes,
                 base_name: str, samples: int) -> dict:
    client = Client(endpoint)
    update_times, update_init, fresh_times, fresh_init, errors = [], [], [], [], 0

    def cold_invoke(name: str, times: list, inits: list) -> None:
        # One sample counts only with the server's Init Duration, which proves the start was cold.
        nonlocal errors
        # Cold starts spaced like real ones, not back to back: the server replaces the
        # pre-started runtime a cold start took in the background (tens of ms), and a burst of
        # cold starts beyond what is pre-started starts the rest the classic way.
        time.sleep(COLD_GAP_S)
        ok, elapsed, log = invoke_once(client, name, tail=True)
        m = INIT_RE.search(log or "")
        if ok and m:
            times.append(elapsed)
            inits.append(float(m.group(1)) / 1000)
        else:
            errors += 1

    try:
        for i in range(samples):
            # (a) same function, new configuration: its environments are retired.
            update_configuration(client, base_name, f"{i}-{uuid.uuid4().hex[:6]}")
            cold_invoke(base_name, update_times, update_init)
            # (b) a function that never ran (its package is extracted on this first invoke).
            fresh = f"{base_name}-cold-{i}-{uuid.uuid4().hex[:6]}"
            create_function(client, fresh, runtime, handler, zip_bytes)
            PAYLOAD_ECHO[fresh] = PAYLOAD_ECHO[base_name]
            cold_invoke(fresh, fresh_times, fresh_init)
            client.request("DELETE", f"/2015-03-31/functions/{quote(fresh)}")
    finally:
        client.close()

    def summary(times, inits):
        return {"n": len(times), "p50": percentile(times, 0.5) * 1000,
                "p99": percentile(times, 0.99) * 1000,
                "init_p50": percentile(inits, 0.5) * 1000}

    return {"update": summary(update_times, update_init), "fresh": summary(fresh_times, fresh_init),
            "errors": errors}


def fmt(value: float, digits: int = 2) -> str:
    if value != value:  # NaN
        return "n/a"
    return f"{value:.{digits}f}"


def ratio(a: float, b: float | None) -> str:
    if b is None or b != b or a != a or b <= 0:
        return "n/a"
    return f"{a / b:.2f}x"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--duration", type=float, default=5.0, help="seconds per warm cell")
    ap.add_argument("--cold-samples", type=int, default=5)
    ap.add_argument("--concurrency", default="1,8")
    ap.add_argument("--load", choices=("auto", "wrk", "python"), default="auto",
                    help="warm load generator: wrk when installed (auto), or Python threads")
    ap.add_argument("--info", default="", help="a line printed above the table")
    args = ap.parse_args()
    levels = [int(x) for x in args.concurrency.split(",") if x.strip()]
    wrk = shutil.which("wrk") if args.load != "python" else None
    if args.load == "wrk" and not wrk:
        print("error: --load wrk, but wrk is not installed", file=sys.stderr)
        return 1
    if wrk:
        load_desc = (f"wrk {wrk_version(wrk)} (1 thread, 1 keep-alive connection per caller, "
                     f"bench/invoke/invoke.lua)")
    else:
        if args.load == "auto":
            print("warning: wrk is not installed; Python threads generate the warm load, which "
                  "caps invokes/s near what one GIL can send", file=sys.stderr)
        load_desc = ("Python threads (wrk not used; GIL-bound), raw HTTP/1.1 keep-alive, "
                     "1 connection per caller")

    setup = Client(args.endpoint)
    names = {}
    try:
        for label, runtime, handler, filename, source, _ in RUNTIMES:
            name = f"bench-{label.replace('.', '-')}-{uuid.uuid4().hex[:6]}"
            create_function(setup, name, runtime, handler, make_zip(filename, source))
            status, _, data = setup.request("POST", invoke_path(name), PAYLOAD)
            if status != 200:
                raise SetupError(f"first invoke of {name}: HTTP {status} {data[:300]!r}")
            try:
                if json.loads(data) != json.loads(PAYLOAD):
                    raise ValueError
            except ValueError:
                raise SetupError(f"{name} does not echo its event: {data[:300]!r}") from None
            PAYLOAD_ECHO[name] = data
            names[label] = name
    except (SetupError, OSError, http.client.HTTPException) as exc:
        print(f"error: setup failed: {exc}", file=sys.stderr)
        return 1

    rows = []  # (measurement, runtime, callers, n, p50, p99, rps, errors, floor key)
    # Control-plane HTTP floor: GetFunction, one caller.
    get_lat = []
    deadline = time.perf_counter() + min(args.duration, 3.0)
    first = next(iter(names.values()))
    while time.perf_counter() < deadline:
        t0 = time.perf_counter()
        setup.request("GET", f"/2015-03-31/functions/{quote(first)}")
        get_lat.append(time.perf_counter() - t0)
    http_floor = percentile(get_lat, 0.5) * 1000
    setup.close()

    for label, *_ in RUNTIMES:
        for callers in levels:
            print(f"==> warm {label}, {callers} caller(s), {args.duration:g}s", file=sys.stderr)
            # Warm-up, uncounted: starts the environments, and gives each enough invocations
            # for the interpreter's JIT to settle (V8 spread over 8 node environments was still
            # compiling the runtime client after 1 s, at twice its settled CPU per invoke).
            warm_up = max(2.0, args.duration / 2)
            if wrk:
                run_wrk(wrk, args.endpoint, names[label], callers, warm_up)
                r = run_wrk(wrk, args.endpoint, names[label], callers, args.duration)
            else:
                run_load(args.endpoint, names[label], callers, warm_up)
                r = run_load(args.endpoint, names[label], callers, args.duration)
            print(f"    n={r['n']} p50={fmt(r['p50'], 3)} p99={fmt(r['p99'], 3)} "
                  f"max={fmt(r['max'], 1)} ms, {fmt(r['rps'], 0)}/s, errors={r['errors']}",
                  file=sys.stderr)
            rows.append(("warm invoke", label, callers, r["n"], r["p50"], r["p99"], r["rps"],
                         r["errors"], "fork+exec /bin/true"))

    cold = {}
    for label, runtime, handler, filename, source, floor_key in RUNTIMES:
        print(f"==> cold {label}, {args.cold_samples} samples", file=sys.stderr)
        try:
            cold[label] = cold_samples(args.endpoint, label, runtime, handler,
                                       make_zip(filename, source), names[label],
                                       args.cold_samples)
        except (SetupError, OSError, http.client.HTTPException) as exc:
            print(f"warning: cold start samples for {label} failed: {exc}", file=sys.stderr)
            continue
        c = cold[label]
        rows.append(("cold start (config update)", label, 1, c["update"]["n"], c["update"]["p50"],
                     c["update"]["p99"], None, c["errors"], floor_key))
        rows.append(("cold start (new function)", label, 1, c["fresh"]["n"], c["fresh"]["p50"],
                     c["fresh"]["p99"], None, None, floor_key))

    print("==> floors", file=sys.stderr)
    floors, tool = measure_floors(200, 30)

    # ---- table ----------------------------------------------------------------------------
    print()
    if args.info:
        print(args.info)
    print(f"Invoke benchmark: {os.cpu_count()} cores, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; warm cells {args.duration:g}s each, "
          f"load from {load_desc}; payload {len(PAYLOAD)} bytes. Latency in ms.")
    print()
    header = ("| measurement | runtime | callers | n | p50 ms | p99 ms | invokes/s | errors "
              "| p50 / fork+exec | p50 / interpreter start | p50 / GetFunction |")
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    fork_floor = floors.get("fork+exec /bin/true", {}).get("p50")
    for meas, label, callers, n, p50, p99, rps, errors, floor_key in rows:
        interp = floors.get(FLOOR_OF[label], {}).get("p50")
        print(f"| {meas} | {label} | {callers} | {n} | {fmt(p50)} | {fmt(p99)} | "
              f"{fmt(rps, 0) if rps is not None else '-'} | "
              f"{errors if errors is not None else '-'} | {ratio(p50, fork_floor)} | "
              f"{ratio(p50, interp)} | {ratio(p50, http_floor)} |")
    for label, c in cold.items():
        init = c["update"]["init_p50"]
        print(f"| cold start: server-side Init Duration (config update) | {label} | 1 | "
              f"{c['update']['n']} | {fmt(init)} | - | - | - | {ratio(init, fork_floor)} | "
              f"{ratio(init, floors.get(FLOOR_OF[label], {}).get('p50'))} | - |")
    for label, f in floors.items():
        print(f"| floor: {label} ({tool}) | - | 1 | {f['n']} | {fmt(f['p50'])} | {fmt(f['p99'])} "
              f"| - | - | {ratio(f['p50'], fork_floor)} | - | - |")
    print(f"| floor: GetFunction round trip (HTTP only) | - | 1 | {len(get_lat)} | "
          f"{fmt(http_floor)} | {fmt(percentile(get_lat, 0.99) * 1000)} | "
          f"{fmt(len(get_lat) / min(args.duration, 3.0), 0)} | - | {ratio(http_floor, fork_floor)} "
          f"| - | 1.00x |")
    print()
    print("p50 / interpreter start: python3.12 rows against `python3 -c pass`, nodejs20.x rows "
          "against `node -e 0` (the interpreters the runtimes run).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
