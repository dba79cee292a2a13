"""Shared helpers for the Invoke integration tests (test_invoke_*.py). It holds no tests.

* InvokeTestCase: LambdaliteTestCase plus a boto3 client that never retries (botocore retries a
  429 once by default, which would hide throttling), invoke helpers that decode the payload, the
  request id and the LogResult, and error-shape asserts for function errors.
* Rendezvous: a tiny HTTP server on 127.0.0.1 that functions call to say "I am running" and to
  wait for a release. The sandboxes share the host's network, so it lets a test know for sure
  that an invocation is in flight without ever asserting on timing.
* zip helpers for file modes (a custom runtime's executable `bootstrap`) and symlinks.
"""

from __future__ import annotations

import base64
import http.server
import io
import json
import os
import re
import shutil
import stat
import tempfile
import threading
import time
import urllib.parse
import zipfile
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from harness import (DEFAULT_REGION, LambdaliteServer, LambdaliteTestCase, make_zip,
                     python_zip)

UUID_PATTERN = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

# Generous limits: the CI machine has 2 cores and runs other jobs.
FUNCTION_TIMEOUT = 30          # seconds, for every function that is not about timeouts
WAIT_TIMEOUT = 120.0           # seconds a test waits for something that should be quick


def no_retry_client(endpoint: str, region: str = DEFAULT_REGION, *, validate: bool = True):
    """A Lambda client that sends every request exactly once (no retry on 429 or 5xx)."""
    session = boto3.session.Session()
    cfg = Config(retries={"total_max_attempts": 1, "mode": "standard"},
                 parameter_validation=validate, connect_timeout=10, read_timeout=300,
                 max_pool_connections=20)
    return session.client("lambda", endpoint_url=endpoint, region_name=region,
                          aws_access_key_id="test", aws_secret_access_key="test", config=cfg)


# --------------------------------------------------------------------------------------------
# Zips
# --------------------------------------------------------------------------------------------

def zip_entries(entries: dict[str, tuple[str | bytes, int]]) -> bytes:
    """A zip whose entries carry Unix modes: {name: (content, mode)}.

    mode is the full st_mode: stat.S_IFREG | 0o755 for an executable, stat.S_IFLNK | 0o777 for
    a symlink (content = the link target), as `zip -y` stores them."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, (content, mode) in entries.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.create_system = 3  # Unix: the high 16 bits of external_attr are st_mode
            info.external_attr = (mode & 0xFFFF) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, content.encode() if isinstance(content, str) else content)
    return buf.getvalue()


def zip_tree(root: Path, prefix: str = "", extra: dict[str, tuple[str | bytes, int]] | None = None,
             *, keep_symlinks: bool = True) -> bytes:
    """Zip a directory like `zip -ry` (symlinks stored as links), plus extra entries."""
    entries: dict[str, tuple[str | bytes, int]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        names = list(filenames) + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]
        for name in sorted(names):
            full = os.path.join(dirpath, name)
            rel = prefix + os.path.relpath(full, root)
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode):
                if keep_symlinks:
                    entries[rel] = (os.readlink(full), stat.S_IFLNK | 0o777)
                elif os.path.isfile(full):
                    entries[rel] = (Path(full).read_bytes(), stat.S_IFREG | 0o755)
            elif stat.S_ISREG(st.st_mode):
                entries[rel] = (Path(full).read_bytes(), stat.S_IFREG | (st.st_mode & 0o777))
    entries.update(extra or {})
    return zip_entries(entries)


def node_zip(source: str, filename: str = "index.js") -> bytes:
    return make_zip({filename: source})


# --------------------------------------------------------------------------------------------
# A custom runtime (provided.al2 / provided.al2023), written for these tests: a shell bootstrap
# that runs a small Runtime API client with the host's /usr/bin/python3.
# --------------------------------------------------------------------------------------------

PROVIDED_BOOTSTRAP = "#!/bin/sh\nexec /usr/bin/python3 /var/task/runtime.py\n"

PROVIDED_RUNTIME = r'''
import http.client, json, os, sys

API = os.environ["AWS_LAMBDA_RUNTIME_API"]
BASE = "/2018-06-01/runtime"


def call(method, path, body=None, headers=None):
    host, port = API.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=900)
    conn.request(method, BASE + path, body=body, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp, data


if os.environ.get("INIT_FAIL"):
    call("POST", "/init/error",
         json.dumps({"errorMessage": "custom init failed", "errorType": "Custom.InitFailure"}),
         {"Lambda-Runtime-Function-Error-Type": "Custom.InitFailure"})
    sys.exit(1)

COUNT = 0
while True:
    resp, body = call("GET", "/invocation/next")
    rid = resp.getheader("Lambda-Runtime-Aws-Request-Id")
    COUNT += 1
    event = json.loads(body)
    print("custom runtime got", rid, flush=True)
    if isinstance(event, dict) and event.get("fail"):
        # Posted byte for byte; the server must pass it through untouched.
        call("POST", "/invocation/%s/error" % rid, event["fail"].encode(),
             {"Lambda-Runtime-Function-Error-Type": "Custom.Failure"})
        continue
    answer = {
        "event": event,
        "request_id": rid,
        "arn": resp.getheader("Lambda-Runtime-Invoked-Function-Arn"),
        "deadline_ms": resp.getheader("Lambda-Runtime-Deadline-Ms"),
        "trace_id": resp.getheader("Lambda-Runtime-Trace-Id"),
        "handler": os.environ.get("_HANDLER"),
        "task_root": os.environ.get("LAMBDA_TASK_ROOT"),
        "execution_env": os.environ.get("AWS_EXECUTION_ENV"),
        "function_name": os.environ.get("AWS_LAMBDA_FUNCTION_NAME"),
        "cwd": os.getcwd(),
        "count": COUNT,
    }
    call("POST", "/invocation/%s/response" % rid, json.dumps(answer).encode())
'''


def provided_zip(runtime: str = PROVIDED_RUNTIME, *, bootstrap: str | None = PROVIDED_BOOTSTRAP,
                 bootstrap_mode: int = 0o755) -> bytes:
    entries: dict[str, tuple[str | bytes, int]] = {"runtime.py": (runtime, stat.S_IFREG | 0o644)}
    if bootstrap is not None:
        entries["bootstrap"] = (bootstrap, stat.S_IFREG | bootstrap_mode)
    return zip_entries(entries)


# --------------------------------------------------------------------------------------------
# Function sources used by several files
# --------------------------------------------------------------------------------------------

# Module-level state survives between invocations of one environment: TOKEN names the
# environment (the pid is always small in a fresh pid namespace, so it is not enough), COUNT
# counts its invocations. MARKER identifies the code revision.
PY_STATEFUL = '''
import os, uuid
TOKEN = uuid.uuid4().hex
COUNT = 0
MARKER = "{marker}"

def handler(event, context):
    global COUNT
    COUNT += 1
    return {{"token": TOKEN, "count": COUNT, "marker": MARKER, "pid": os.getpid(),
            "env": os.environ.get("STAGE"), "event": event,
            "version": os.environ.get("AWS_LAMBDA_FUNCTION_VERSION"),
            "arn": context.invoked_function_arn}}
'''


def py_stateful(marker: str = "v1") -> bytes:
    return python_zip(PY_STATEFUL.format(marker=marker))


NODE_STATEFUL = '''
const crypto = require("crypto");
const TOKEN = crypto.randomBytes(16).toString("hex");
let COUNT = 0;
const MARKER = "{marker}";
exports.handler = async (event, context) => {{
  COUNT += 1;
  return {{token: TOKEN, count: COUNT, marker: MARKER, env: process.env.STAGE || null, event}};
}};
'''


def node_stateful(marker: str = "v1") -> bytes:
    return node_zip(NODE_STATEFUL.format(marker=marker))


# --------------------------------------------------------------------------------------------
# Rendezvous
# --------------------------------------------------------------------------------------------

class Rendezvous:
    """HTTP server the functions call (from inside their sandboxes) on 127.0.0.1:<port>.

      GET /arrive/<tag>   records one arrival of <tag>, answers at once
      GET /wait/<tag>     blocks until release(<tag>) (or 120 s), answers "released"/"timeout"

    Python functions use PY_CLIENT below (urllib, no proxies)."""

    def __init__(self):
        self._cv = threading.Condition()
        self._arrivals: dict[str, int] = {}
        self._released: set[str] = set()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server naming)
                parts = urllib.parse.urlsplit(self.path).path.strip("/").split("/", 1)
                kind, tag = (parts + [""])[:2]
                if kind == "arrive":
                    with outer._cv:
                        outer._arrivals[tag] = outer._arrivals.get(tag, 0) + 1
                        outer._cv.notify_all()
                    body = b"ok"
                elif kind == "wait":
                    with outer._cv:
                        ok = outer._cv.wait_for(lambda: tag in outer._released, timeout=120)
                    body = b"released" if ok else b"timeout"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # keep the test output clean
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def arrivals(self, tag: str) -> int:
        with self._cv:
            return self._arrivals.get(tag, 0)

    def wait_arrivals(self, tag: str, count: int = 1, timeout: float = WAIT_TIMEOUT) -> bool:
        with self._cv:
            return self._cv.wait_for(lambda: self._arrivals.get(tag, 0) >= count, timeout=timeout)

    def release(self, tag: str) -> None:
        with self._cv:
            self._released.add(tag)
            self._cv.notify_all()

    def close(self) -> None:
        with self._cv:
            self._released.add("*")
            self._cv.notify_all()
        self._server.shutdown()
        self._server.server_close()


# Python helpers to paste into a function's module.
PY_RENDEZVOUS_CLIENT = '''
import urllib.request

def _rv(url, path):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url + path, timeout=150) as r:
        return r.read().decode()
'''


# --------------------------------------------------------------------------------------------
# Test case base
# --------------------------------------------------------------------------------------------

REPORT_RE = re.compile(
    r"^REPORT RequestId: (?P<id>\S+)\tDuration: \d+\.\d{2} ms\tBilled Duration: \d+ ms\t"
    r"Memory Size: (?P<mem>\d+) MB\tMax Memory Used: \d+ MB\t"
    r"(?:Init Duration: (?P<init>\d+\.\d{2}) ms\t)?")


class InvokeTestCase(LambdaliteTestCase):
    """LambdaliteTestCase plus `cls.lam`, a client that never retries, and invoke helpers.

    DATA_DIR_OUTSIDE_TMP = True puts the server's data directory under /var/tmp instead of /tmp:
    every sandbox has a private /tmp, so a data dir below the host's /tmp would be invisible to
    functions whatever its permissions, and a security test would prove nothing."""

    DATA_DIR_OUTSIDE_TMP = False
    # A uid to run the server under (rootless mode); only with DATA_DIR_OUTSIDE_TMP.
    RUN_AS: int | None = None
    _outer_dir: Path | None = None

    @classmethod
    def setUpClass(cls):
        if not cls.DATA_DIR_OUTSIDE_TMP:
            super().setUpClass()
        else:
            cls._outer_dir = Path(tempfile.mkdtemp(prefix="lambdalite-it-", dir="/var/tmp"))
            # Traversable by anyone: the only thing that may keep a sandbox out of the data dir
            # is what the server itself does to it.
            os.chmod(cls._outer_dir, 0o755)
            cls.moto = None
            cls.server = LambdaliteServer(data_dir=cls._outer_dir / "data", args=cls.SERVER_ARGS,
                                          env=dict(cls.SERVER_ENV), run_as=cls.RUN_AS)
            try:
                cls.server.start()
            except BaseException:
                cls.server.cleanup()
                shutil.rmtree(cls._outer_dir, ignore_errors=True)
                raise
            cls._make_clients()
        cls.lam = no_retry_client(cls.endpoint)
        cls.lam_raw = no_retry_client(cls.endpoint, validate=False)

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            if cls._outer_dir is not None and os.environ.get("LAMBDALITE_KEEP_TMP") != "1":
                shutil.rmtree(cls._outer_dir, ignore_errors=True)

    # -- functions ------------------------------------------------------------------------------
    def make_python(self, source: str, name: str | None = None, **kw) -> str:
        kw.setdefault("Timeout", FUNCTION_TIMEOUT)
        return self.create_function(name or self.unique("py"), zip_bytes=python_zip(source),
                                    **kw)["FunctionName"]

    def make_node(self, source: str, name: str | None = None, *, runtime: str = "nodejs20.x",
                  filename: str = "index.js", **kw) -> str:
        kw.setdefault("Timeout", FUNCTION_TIMEOUT)
        return self.create_function(name or self.unique("node"),
                                    zip_bytes=node_zip(source, filename), Runtime=runtime,
                                    Handler="index.handler", **kw)["FunctionName"]

    def make_zip_function(self, zip_bytes: bytes, name: str | None = None, **kw) -> str:
        kw.setdefault("Timeout", FUNCTION_TIMEOUT)
        return self.create_function(name or self.unique("fn"), zip_bytes=zip_bytes,
                                    **kw)["FunctionName"]

    # -- invoking -------------------------------------------------------------------------------
    def invoke(self, name: str, event: Any = None, *, raw_payload: bytes | None = None,
               client=None, **kw) -> dict:
        """Invoke and return the boto3 response with extra keys: `_bytes` (payload bytes),
        `_json` (parsed payload or None), `_rid` (x-amzn-RequestId), `_log` (decoded
        LogResult or None)."""
        client = client or self.lam
        if raw_payload is not None:
            kw["Payload"] = raw_payload
        elif event is not None:
            kw["Payload"] = json.dumps(event).encode()
        resp = client.invoke(FunctionName=name, **kw)
        data = resp["Payload"].read()
        resp["_bytes"] = data
        try:
            resp["_json"] = json.loads(data) if data else None
        except ValueError:
            resp["_json"] = None
        resp["_rid"] = resp["ResponseMetadata"]["HTTPHeaders"].get("x-amzn-requestid")
        resp["_log"] = (base64.b64decode(resp["LogResult"]).decode("utf-8", "replace")
                        if resp.get("LogResult") else None)
        return resp

    def invoke_ok(self, name: str, event: Any = None, **kw) -> dict:
        resp = self.invoke(name, event, **kw)
        self.assertEqual(resp["StatusCode"], 200, resp)
        self.assertIsNone(resp.get("FunctionError"),
                          f"unexpected function error: {resp['_bytes'][:2000]!r}")
        return resp

    def assertFunctionError(self, resp: dict) -> Any:
        """Status 200, FunctionError Unhandled (header X-Amz-Function-Error); returns the body."""
        self.assertEqual(resp["StatusCode"], 200)
        self.assertEqual(resp.get("FunctionError"), "Unhandled",
                         f"expected a function error, payload {resp['_bytes'][:2000]!r}")
        self.assertIsNotNone(resp["_json"], f"error payload is not JSON: {resp['_bytes']!r}")
        return resp["_json"]

    def assertTimedOut(self, resp: dict, seconds: int) -> None:
        body = self.assertFunctionError(resp)
        self.assertEqual(list(body), ["errorType", "errorMessage"], body)
        self.assertEqual(body, {
            "errorType": "Sandbox.Timedout",
            "errorMessage": f"RequestId: {resp['_rid']} Error: Task timed out after "
                            f"{seconds:.2f} seconds"})

    def assertServerAnswers(self, name: str) -> None:
        """The server is alive and its control plane answers."""
        self.assertServerAlive()
        cfg = self.lam.get_function(FunctionName=name)["Configuration"]
        self.assertEqual(cfg["FunctionName"], name)

    def function_log(self, name: str, limit: int = 4000) -> str:
        """The end of the function's log files in the server's data dir (init output included),
        for failure messages."""
        texts = []
        for path in sorted(Path(self.server.data_dir, "logs").glob(f"*/*/{name}/**/*.log")):
            try:
                texts.append(path.read_text("utf-8", "replace"))
            except OSError:
                pass
        return "".join(texts)[-limit:]

    def log_lines(self, resp: dict) -> list[str]:
        self.assertIsNotNone(resp["_log"], "no LogResult in the response")
        return resp["_log"].splitlines()

    def report_line(self, resp: dict) -> re.Match:
        lines = [l for l in self.log_lines(resp) if l.startswith("REPORT ")]
        self.assertEqual(len(lines), 1, resp["_log"])
        m = REPORT_RE.match(lines[0])
        self.assertIsNotNone(m, f"REPORT line has the wrong shape: {lines[0]!r}")
        return m


def sandbox_processes(uid: int) -> list[int]:
    """Host pids of processes owned by `uid` (a sandbox's per-environment user)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as f:
                for line in f:
                    if line.startswith("Uid:"):
                        if int(line.split()[1]) == uid:
                            pids.append(int(entry))
                        break
        except OSError:
            continue
    return pids


def wait_until(predicate, timeout: float = WAIT_TIMEOUT, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
