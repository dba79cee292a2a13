"""Tests for lambdalite's own runtime clients (src/executor/runtimes/).

Each test starts a bootstrap as a subprocess, pointed at a small fake Lambda Runtime API
(http.server on an ephemeral port), with LAMBDA_TASK_ROOT set to a temporary directory of
handler files, and checks what the runtime posts back.

Run from the repository root:

    python3 -m unittest discover -s test/runtimes

(`-t .` works only once test/__init__.py exists: without it the name `test` is CPython's own
regression-test package, and `test.runtimes` cannot be imported.)

LAMBDALITE_TEST_PYTHON / LAMBDALITE_TEST_NODE select other interpreters. stdlib only. Node.js tests are skipped when /usr/bin/node is missing.
"""

import http.server
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import unittest
import uuid

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PY_BOOTSTRAP = os.path.join(REPO, "src", "executor", "runtimes", "python", "bootstrap.py")
NODE_BOOTSTRAP = os.path.join(REPO, "src", "executor", "runtimes", "node", "bootstrap.mjs")
# The interpreters the executor uses; LAMBDALITE_TEST_PYTHON / LAMBDALITE_TEST_NODE run the
# same tests under other versions.
PYTHON = os.environ.get("LAMBDALITE_TEST_PYTHON") or (
    "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable)
NODE = os.environ.get("LAMBDALITE_TEST_NODE") or "/usr/bin/node"
HAVE_NODE = os.path.exists(NODE)

FUNCTION_ARN = "arn:aws:lambda:us-east-1:111111111111:function:fn"
TIMEOUT = 20

ISO_Z = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"


class Outcome(object):
    def __init__(self, kind, request_id, body, headers):
        self.kind = kind  # "response", "error" or "init_error"
        self.request_id = request_id
        self.body = body
        self.headers = headers

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def __repr__(self):
        return "Outcome(%s, %s, %r)" % (self.kind, self.request_id, self.body[:300])


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A runtime that exits right after posting (init errors, fatal errors) resets its
        # connection; that is expected here.
        if not isinstance(sys.exc_info()[1], (ConnectionError, OSError)):
            super().handle_error(request, client_address)


class FakeRuntimeAPI(object):
    """Serves /2018-06-01/runtime/... for one runtime process."""

    def __init__(self):
        self.events = queue.Queue()
        self.outcomes = queue.Queue()
        self.stopping = threading.Event()
        self.next_requests = 0
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def _reply(self, status, body=b'{"status":"OK"}', headers=()):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers:
                    self.send_header(name, value)
                # Head and body in one write (no small-write/delayed-ACK stalls).
                self._headers_buffer.append(b"\r\n")
                self._headers_buffer.append(body)
                self.flush_headers()

            def do_GET(self):
                if self.path != "/2018-06-01/runtime/invocation/next":
                    return self._reply(404, b'{"errorMessage":"not found"}')
                api.next_requests += 1
                while True:
                    try:
                        event = api.events.get(timeout=0.1)
                        break
                    except queue.Empty:
                        if api.stopping.is_set():
                            self.close_connection = True
                            return
                request_id, payload, headers = event
                self._reply(200, payload, headers)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                m = re.match(r"^/2018-06-01/runtime/invocation/([^/]+)/(response|error)$", self.path)
                if m:
                    api.outcomes.put(Outcome(m.group(2), m.group(1), body, headers))
                    return self._reply(202)
                if self.path == "/2018-06-01/runtime/init/error":
                    api.outcomes.put(Outcome("init_error", "", body, headers))
                    return self._reply(202)
                self._reply(404, b'{"errorMessage":"not found"}')

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def address(self):
        return "127.0.0.1:%d" % self.server.server_address[1]

    def queue_event(self, payload, request_id=None, deadline_ms=None, trace_id=None,
                    client_context=None, identity=None, arn=FUNCTION_ARN):
        request_id = request_id or str(uuid.uuid4())
        if deadline_ms is None:
            deadline_ms = int(time.time() * 1000) + 30000
        headers = [("Lambda-Runtime-Aws-Request-Id", request_id),
                   ("Lambda-Runtime-Deadline-Ms", str(deadline_ms)),
                   ("Lambda-Runtime-Invoked-Function-Arn", arn)]
        if trace_id:
            headers.append(("Lambda-Runtime-Trace-Id", trace_id))
        if client_context is not None:
            headers.append(("Lambda-Runtime-Client-Context", json.dumps(client_context)))
        if identity is not None:
            headers.append(("Lambda-Runtime-Cognito-Identity", json.dumps(identity)))
        if not isinstance(payload, bytes):
            payload = json.dumps(payload).encode("utf-8")
        self.events.put((request_id, payload, headers))
        return request_id

    def wait_outcome(self, timeout=TIMEOUT):
        return self.outcomes.get(timeout=timeout)

    def close(self):
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()


class RuntimeProcess(object):
    def __init__(self, argv, env, api):
        self.api = api
        self.proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        self._out = None

    def invoke(self, payload, **kwargs):
        request_id = self.api.queue_event(payload, **kwargs)
        try:
            outcome = self.api.wait_outcome()
        except queue.Empty:
            raise AssertionError("no answer for %s; stderr so far: %r" % (request_id, self.output()[1]))
        assert outcome.request_id == request_id, (outcome, request_id)
        return outcome

    def wait_exit(self, timeout=TIMEOUT):
        return self.proc.wait(timeout=timeout)

    def output(self):
        """Stops the process (if still running) and returns (stdout, stderr) as text."""
        if self._out is None:
            if self.proc.poll() is None:
                self.proc.terminate()
            try:
                out, err = self.proc.communicate(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                out, err = self.proc.communicate()
            self._out = (out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))
        return self._out


class RuntimeTestCase(unittest.TestCase):
    runtime = None  # "python" or "node"

    def setUp(self):
        self.task_root = tempfile.mkdtemp(prefix="lambdalite-task-")
        self.apis = []
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            p.output()
        for a in self.apis:
            a.close()
        shutil.rmtree(self.task_root, ignore_errors=True)

    def write(self, relpath, text):
        full = os.path.join(self.task_root, relpath)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write(textwrap.dedent(text).lstrip("\n"))
        return full

    def start(self, handler, extra_env=None):
        api = FakeRuntimeAPI()
        self.apis.append(api)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "TZ": ":UTC",
            "AWS_LAMBDA_RUNTIME_API": api.address,
            "_HANDLER": handler,
            "LAMBDA_TASK_ROOT": self.task_root,
            "AWS_LAMBDA_FUNCTION_NAME": "fn",
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/fn",
            "AWS_LAMBDA_LOG_STREAM_NAME": "2026/01/01/[$LATEST]0123456789abcdef",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "LAMBDA_RUNTIME_DIR": "/var/runtime",
        }
        env.update(extra_env or {})
        if self.runtime == "python":
            argv = [PYTHON, PY_BOOTSTRAP]
        else:
            argv = [NODE, NODE_BOOTSTRAP]
        p = RuntimeProcess(argv, env, api)
        self.procs.append(p)
        return p

    def measure_overhead(self, proc, label, started, warm=300):
        # Cold: first invocation (the process was just started). Warm: echo round trips
        # through the fake Runtime API, compared with the same HTTP exchange made directly
        # (no runtime), so the difference is the runtime's own per-invocation cost.
        proc.invoke({"warmup": True})
        first = time.perf_counter() - started
        for _ in range(20):
            proc.invoke({"i": 0})
        samples = []
        for i in range(warm):
            t = time.perf_counter()
            out = proc.invoke({"i": i})
            samples.append(time.perf_counter() - t)
            self.assertEqual(out.kind, "response")
        samples.sort()
        baseline = _baseline_round_trip(warm)
        median = samples[len(samples) // 2]
        sys.stderr.write(
            "\n[timing] %s: first invocation answered %.2f ms after the process was started; "
            "warm echo round trip median %.3f ms (p90 %.3f ms); the same next+response exchange "
            "made by http.client in the test: median %.3f ms; difference %+.3f ms\n"
            % (label, first * 1000, median * 1000, samples[int(len(samples) * 0.9)] * 1000,
               baseline * 1000, (median - baseline) * 1000))


def _baseline_round_trip(n):
    """Time of the same next/response exchange done by a client in this process."""
    import http.client
    api = FakeRuntimeAPI()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", api.server.server_address[1])
        samples = []
        for i in range(n):
            t = time.perf_counter()
            rid = api.queue_event({"i": i})
            conn.request("GET", "/2018-06-01/runtime/invocation/next")
            resp = conn.getresponse()
            body = resp.read()
            conn.request("POST", "/2018-06-01/runtime/invocation/%s/response" % rid, body)
            conn.getresponse().read()
            api.wait_outcome()
            samples.append(time.perf_counter() - t)
        conn.close()
        samples.sort()
        return samples[len(samples) // 2]
    finally:
        api.close()


# ======================================================================================
# Python
# ======================================================================================

class PythonRuntimeTest(RuntimeTestCase):
    runtime = "python"

    def test_return_value_and_warm_invocations(self):
        self.write("app.py", """
            count = 0
            def handler(event, context):
                global count
                count += 1
                return {"echo": event, "count": count}
        """)
        p = self.start("app.handler")
        for i in range(1, 21):
            out = p.invoke({"n": i, "s": "x"})
            self.assertEqual(out.kind, "response")
            self.assertEqual(out.json(), {"echo": {"n": i, "s": "x"}, "count": i})
        self.assertIsNone(p.proc.poll())

    def test_none_is_null(self):
        self.write("app.py", """
            def handler(event, context):
                return None
        """)
        p = self.start("app.handler")
        out = p.invoke({})
        self.assertEqual(out.kind, "response")
        self.assertEqual(out.body, b"null")

    def test_exception_error_shape(self):
        path = self.write("x.py", """
            def handler(event, context):
                raise Exception("Handler fails")
        """)
        p = self.start("x.handler")
        out = p.invoke({})
        self.assertEqual(out.kind, "error")
        self.assertEqual(out.headers.get("lambda-runtime-function-error-type"), "Unhandled")
        body = out.json()
        self.assertEqual(list(body), ["errorMessage", "errorType", "requestId", "stackTrace"])
        self.assertEqual(body, {
            "errorMessage": "Handler fails",
            "errorType": "Exception",
            "requestId": out.request_id,
            "stackTrace": ['  File "%s", line 2, in handler\n    raise Exception("Handler fails")\n' % path],
        })
        # The process survives a handler error.
        out2 = p.invoke({})
        self.assertEqual(out2.kind, "error")
        stdout, stderr = p.output()
        self.assertIn("[ERROR] Exception: Handler fails\nTraceback (most recent call last):\n"
                      '  File "%s", line 2, in handler\n' % path, stderr)
        self.assertIn("LAMBDA_WARNING: Unhandled exception.", stdout)

    def test_custom_exception_type_and_nested_frames(self):
        self.write("y.py", """
            class ValidationError(ValueError):
                pass
            def inner():
                raise ValidationError("bad input")
            def handler(event, context):
                inner()
        """)
        p = self.start("y.handler")
        body = p.invoke({}).json()
        self.assertEqual(body["errorType"], "ValidationError")
        self.assertEqual(body["errorMessage"], "bad input")
        self.assertEqual(len(body["stackTrace"]), 2)
        self.assertIn("in handler\n    inner()\n", body["stackTrace"][0])
        self.assertIn("in inner\n", body["stackTrace"][1])

    def test_init_error_from_module_code(self):
        self.write("boom.py", """
            raise Exception("Runtime startup fails")
            def handler(event, context):
                return 1
        """)
        p = self.start("boom.handler")
        out = p.api.wait_outcome()
        self.assertEqual(out.kind, "init_error")
        self.assertEqual(out.headers.get("lambda-runtime-function-error-type"), "Unhandled")
        body = out.json()
        self.assertEqual(list(body), ["errorMessage", "errorType", "requestId", "stackTrace"])
        self.assertEqual(body["errorMessage"], "Runtime startup fails")
        self.assertEqual(body["errorType"], "Exception")
        self.assertEqual(body["requestId"], "")
        self.assertTrue(body["stackTrace"][-1].endswith(
            'line 1, in <module>\n    raise Exception("Runtime startup fails")\n'), body["stackTrace"])
        self.assertNotEqual(p.wait_exit(), 0)
        self.assertEqual(p.api.next_requests, 0)

    def test_import_module_error(self):
        p = self.start("missing.handler")
        for _ in range(2):  # reported on every invocation, as AWS's runtime does
            out = p.invoke({})
            self.assertEqual(out.kind, "error")
            self.assertEqual(out.json(), {
                "errorMessage": "Unable to import module 'missing': No module named 'missing'",
                "errorType": "Runtime.ImportModuleError",
                "requestId": out.request_id,
                "stackTrace": [],
            })
        _, stderr = p.output()
        self.assertIn("[ERROR] Runtime.ImportModuleError: Unable to import module 'missing': "
                      "No module named 'missing'\nTraceback (most recent call last):", stderr)

    def test_import_error_inside_module(self):
        self.write("needs.py", """
            import requests_that_do_not_exist
            def handler(event, context):
                return 1
        """)
        p = self.start("needs.handler")
        body = p.invoke({}).json()
        self.assertEqual(body["errorType"], "Runtime.ImportModuleError")
        self.assertEqual(body["errorMessage"], "Unable to import module 'needs': "
                                               "No module named 'requests_that_do_not_exist'")

    def test_handler_not_found(self):
        self.write("x.py", """
            def handler(event, context):
                return 1
        """)
        p = self.start("x.nope")
        body = p.invoke({}).json()
        self.assertEqual(body["errorType"], "Runtime.HandlerNotFound")
        self.assertEqual(body["errorMessage"], "Handler 'nope' missing on module 'x'")
        self.assertEqual(body["stackTrace"], [])

    def test_malformed_handler(self):
        p = self.start("nodot")
        body = p.invoke({}).json()
        self.assertEqual(body["errorType"], "Runtime.MalformedHandlerName")
        self.assertEqual(body["errorMessage"],
                         "Bad handler 'nodot': not enough values to unpack (expected 2, got 1)")

    def test_syntax_error(self):
        path = self.write("bad.py", """
            def handler(event, context):
                return (
        """)
        p = self.start("bad.handler")
        body = p.invoke({}).json()
        self.assertEqual(body["errorType"], "Runtime.UserCodeSyntaxError")
        self.assertTrue(body["errorMessage"].startswith("Syntax error in module 'bad': "),
                        body["errorMessage"])
        self.assertIn("(bad.py, line ", body["errorMessage"])
        self.assertTrue(body["stackTrace"][0].startswith('  File "%s" Line ' % path),
                        body["stackTrace"])

    def test_marshal_error(self):
        self.write("app.py", """
            def handler(event, context):
                return {1, 2}
        """)
        p = self.start("app.handler")
        body = p.invoke({}).json()
        self.assertEqual(body["errorType"], "Runtime.MarshalError")
        self.assertEqual(body["errorMessage"],
                         "Unable to marshal response: Object of type set is not JSON serializable")

    def test_context_fields(self):
        self.write("ctx.py", """
            import time
            def handler(event, context):
                cc = context.client_context
                before = context.get_remaining_time_in_millis()
                time.sleep(0.05)
                after = context.get_remaining_time_in_millis()
                return {
                    "aws_request_id": context.aws_request_id,
                    "function_name": context.function_name,
                    "function_version": context.function_version,
                    "invoked_function_arn": context.invoked_function_arn,
                    "memory_limit_in_mb": context.memory_limit_in_mb,
                    "memory_is_int": isinstance(context.memory_limit_in_mb, int),
                    "log_group_name": context.log_group_name,
                    "log_stream_name": context.log_stream_name,
                    "client": None if cc is None or cc.client is None else cc.client.app_title,
                    "installation_id": None if cc is None or cc.client is None else cc.client.installation_id,
                    "custom": None if cc is None else cc.custom,
                    "env": None if cc is None else cc.env,
                    "cognito_id": context.identity.cognito_identity_id,
                    "cognito_pool": context.identity.cognito_identity_pool_id,
                    "before": before, "after": after,
                }
        """)
        p = self.start("ctx.handler")
        deadline = int(time.time() * 1000) + 5000
        out = p.invoke({}, deadline_ms=deadline,
                       arn=FUNCTION_ARN + ":prod",
                       client_context={"client": {"installation_id": "inst-1", "app_title": "App"},
                                       "custom": {"k": "v"}, "env": {"platform": "x"}},
                       identity={"cognitoIdentityId": "id-1", "cognitoIdentityPoolId": "pool-1"})
        r = out.json()
        self.assertEqual(r["aws_request_id"], out.request_id)
        self.assertEqual(r["function_name"], "fn")
        self.assertEqual(r["function_version"], "$LATEST")
        self.assertEqual(r["invoked_function_arn"], FUNCTION_ARN + ":prod")
        self.assertEqual(r["memory_limit_in_mb"], 256)
        self.assertTrue(r["memory_is_int"])
        self.assertEqual(r["log_group_name"], "/aws/lambda/fn")
        self.assertEqual(r["log_stream_name"], "2026/01/01/[$LATEST]0123456789abcdef")
        self.assertEqual(r["client"], "App")
        self.assertEqual(r["installation_id"], "inst-1")
        self.assertEqual(r["custom"], {"k": "v"})
        self.assertEqual(r["env"], {"platform": "x"})
        self.assertEqual(r["cognito_id"], "id-1")
        self.assertEqual(r["cognito_pool"], "pool-1")
        self.assertTrue(0 < r["before"] <= 5000, r)
        self.assertTrue(r["after"] <= r["before"] - 40, r)
        # Without client context / identity headers.
        r2 = p.invoke({}).json()
        self.assertIsNone(r2["custom"])
        self.assertIsNone(r2["cognito_id"])
        # Deadline already passed: never negative.
        self.assertEqual(p.invoke({}, deadline_ms=1000).json()["after"], 0)

    def test_trace_id_env(self):
        self.write("t.py", """
            import os
            def handler(event, context):
                return os.environ.get("_X_AMZN_TRACE_ID")
        """)
        p = self.start("t.handler")
        tid = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
        self.assertEqual(p.invoke({}, trace_id=tid).json(), tid)
        self.assertIsNone(p.invoke({}).json())

    def test_logging_and_print_format(self):
        self.write("lg.py", """
            import logging
            logging.getLogger().warning("at init")
            logger = logging.getLogger()
            logger.setLevel(logging.INFO)
            def handler(event, context):
                print("plain print")
                logger.info("hello %s", "world")
                logging.getLogger("child").error("from child")
                logger.debug("hidden")
                return "ok"
        """)
        p = self.start("lg.handler")
        out = p.invoke({})
        self.assertEqual(out.json(), "ok")
        stdout, _ = p.output()
        lines = stdout.splitlines()
        self.assertIn("plain print", lines)
        rid = re.escape(out.request_id)
        self.assertTrue(any(re.match(r"^\[WARNING\]\t%s\t\tat init$" % ISO_Z, l) for l in lines), lines)
        self.assertTrue(any(re.match(r"^\[INFO\]\t%s\t%s\thello world$" % (ISO_Z, rid), l) for l in lines), lines)
        self.assertTrue(any(re.match(r"^\[ERROR\]\t%s\t%s\tfrom child$" % (ISO_Z, rid), l) for l in lines), lines)
        self.assertFalse(any("hidden" in l for l in lines))

    def test_logging_imported_inside_handler_and_basicconfig_is_noop(self):
        self.write("lz.py", """
            def handler(event, context):
                import logging
                logging.basicConfig(format="%(message)s")  # no effect: root already configured
                logging.warning("lazy %d", 1)
                return "ok"
        """)
        p = self.start("lz.handler")
        out = p.invoke({})
        stdout, _ = p.output()
        self.assertRegex(stdout, r"(?m)^\[WARNING\]\t%s\t%s\tlazy 1$" % (ISO_Z, re.escape(out.request_id)))

    def test_log_level_env(self):
        self.write("lv.py", """
            import logging
            def handler(event, context):
                logging.debug("dbg")
                return "ok"
        """)
        p = self.start("lv.handler", {"AWS_LAMBDA_LOG_LEVEL": "DEBUG"})
        out = p.invoke({})
        stdout, _ = p.output()
        self.assertRegex(stdout, r"(?m)^\[DEBUG\]\t%s\t%s\tdbg$" % (ISO_Z, re.escape(out.request_id)))

    def test_json_log_format(self):
        self.write("js.py", """
            import logging
            logger = logging.getLogger("app")
            def handler(event, context):
                print("plain print")
                logger.info("hello %s", "world", extra={"orderId": 7})
                logger.debug("hidden at INFO")
                try:
                    raise ValueError("bad value")
                except ValueError:
                    logger.exception("failed")
                return "ok"
        """)
        p = self.start("js.handler", {"AWS_LAMBDA_LOG_FORMAT": "JSON",
                                      "AWS_LAMBDA_LOG_LEVEL": "INFO"})
        out = p.invoke({})
        self.assertEqual(out.json(), "ok")
        stdout, _ = p.output()
        lines = stdout.splitlines()
        self.assertIn("plain print", lines)  # print is not a log record: unchanged
        records = [json.loads(l) for l in lines if l.startswith("{")]
        self.assertEqual(len(records), 2, lines)
        info, error = records
        self.assertEqual(list(info), ["timestamp", "level", "message", "logger", "requestId",
                                      "orderId"])
        self.assertRegex(info["timestamp"], "^%s$" % ISO_Z)
        self.assertEqual((info["level"], info["message"], info["logger"], info["requestId"],
                          info["orderId"]), ("INFO", "hello world", "app", out.request_id, 7))
        self.assertEqual(list(error), ["timestamp", "level", "message", "logger", "stackTrace",
                                       "errorType", "errorMessage", "requestId", "location"])
        self.assertEqual((error["level"], error["errorType"], error["errorMessage"]),
                         ("ERROR", "ValueError", "bad value"))
        self.assertTrue(error["location"].endswith(":handler:10"), error["location"])

    def test_nested_handler_paths(self):
        self.write("dir/sub/mod.py", """
            def func(event, context):
                return "slash-and-dots"
        """)
        self.write("pkg/__init__.py", "")
        self.write("pkg/inner.py", """
            def func(event, context):
                return "dots"
        """)
        self.assertEqual(self.start("dir/sub.mod.func").invoke({}).json(), "slash-and-dots")
        self.assertEqual(self.start("dir/sub/mod.func").invoke({}).json(), "slash-and-dots")
        self.assertEqual(self.start("pkg.inner.func").invoke({}).json(), "dots")

    def test_task_root_first_on_sys_path(self):
        self.write("app.py", """
            import os, sys
            def handler(event, context):
                return {"path0": sys.path[0], "cwd": os.getcwd()}
        """)
        r = self.start("app.handler").invoke({}).json()
        self.assertEqual(os.path.realpath(r["path0"]), os.path.realpath(self.task_root))
        self.assertEqual(os.path.realpath(r["cwd"]), os.path.realpath(self.task_root))

    def test_unicode_and_decimal_response(self):
        self.write("u.py", """
            from decimal import Decimal
            def handler(event, context):
                return {"s": "caf\\u00e9", "d": Decimal("1.5"), "i": Decimal("3")}
        """)
        old = self.start("u.handler", {"AWS_EXECUTION_ENV": "AWS_Lambda_python3.11"}).invoke({})
        self.assertEqual(old.body, b'{"s": "caf\\u00e9", "d": 1.5, "i": 3}')
        new = self.start("u.handler", {"AWS_EXECUTION_ENV": "AWS_Lambda_python3.12"}).invoke({})
        self.assertEqual(new.body, '{"s": "café", "d": 1.5, "i": 3}'.encode("utf-8"))

    def test_sys_exit_ends_the_process(self):
        self.write("ex.py", """
            import sys
            def handler(event, context):
                sys.exit(3)
        """)
        p = self.start("ex.handler")
        p.api.queue_event({})
        self.assertEqual(p.wait_exit(), 3)
        self.assertTrue(p.api.outcomes.empty())

    def test_large_payload(self):
        self.write("big.py", """
            def handler(event, context):
                return event
        """)
        p = self.start("big.handler")
        payload = {"data": "x" * (5 * 1024 * 1024)}
        out = p.invoke(payload)
        self.assertEqual(out.json(), payload)

    def test_timing(self):
        self.write("echo.py", """
            def handler(event, context):
                return event
        """)
        t0 = time.perf_counter()
        p = self.start("echo.handler")
        self.measure_overhead(p, "python", t0)


# ======================================================================================
# Node.js
# ======================================================================================

@unittest.skipUnless(HAVE_NODE, "/usr/bin/node is not installed")
class NodeRuntimeTest(RuntimeTestCase):
    runtime = "node"

    def test_cjs_js_async_and_warm_invocations(self):
        self.write("index.js", """
            let count = 0;
            exports.handler = async (event, context) => {
              count += 1;
              return { echo: event, count };
            };
        """)
        p = self.start("index.handler")
        for i in range(1, 21):
            out = p.invoke({"n": i})
            self.assertEqual(out.kind, "response")
            self.assertEqual(out.json(), {"echo": {"n": i}, "count": i})
        self.assertIsNone(p.proc.poll())

    def test_undefined_is_null(self):
        self.write("index.js", """
            exports.handler = async () => {};
        """)
        out = self.start("index.handler").invoke({})
        self.assertEqual(out.body, b"null")

    def test_esm_mjs_with_top_level_await(self):
        self.write("app.mjs", """
            const value = await Promise.resolve("esm");
            export const handler = async (event) => ({ kind: value, got: event.x });
        """)
        self.assertEqual(self.start("app.handler").invoke({"x": 1}).json(), {"kind": "esm", "got": 1})

    def test_cjs_extension(self):
        self.write("legacy.cjs", """
            module.exports.handler = async () => "cjs";
        """)
        self.assertEqual(self.start("legacy.handler").invoke({}).json(), "cjs")

    def test_js_under_type_module_package_is_esm(self):
        self.write("package.json", '{"type": "module"}')
        self.write("index.js", """
            export const handler = async () => typeof require;
        """)
        self.assertEqual(self.start("index.handler").invoke({}).json(), "undefined")

    def test_callback_waits_for_empty_event_loop(self):
        self.write("cb.js", """
            exports.handler = (event, context, callback) => {
              const started = Date.now();
              setTimeout(() => console.log("timer fired"), 300);
              if (event.noWait) context.callbackWaitsForEmptyEventLoop = false;
              callback(null, { elapsedAtCallback: Date.now() - started });
            };
        """)
        p = self.start("cb.handler")
        t = time.perf_counter()
        out = p.invoke({})
        waited = time.perf_counter() - t
        self.assertEqual(out.kind, "response")
        self.assertGreaterEqual(waited, 0.25)
        t = time.perf_counter()
        out = p.invoke({"noWait": True})
        self.assertLess(time.perf_counter() - t, 0.25)
        self.assertEqual(out.kind, "response")

    def test_callback_error(self):
        self.write("cb.js", """
            exports.handler = (event, context, callback) => callback(new TypeError("cb failed"));
        """)
        body = self.start("cb.handler").invoke({}).json()
        self.assertEqual(body["errorType"], "TypeError")
        self.assertEqual(body["errorMessage"], "cb failed")

    def test_sync_return_value(self):
        self.write("sync.js", """
            exports.handler = (event) => ({ sync: true });
        """)
        # nodejs22.x and earlier ignore the return value of a non-async handler: null once the
        # event loop drains (AWS behaviour). nodejs24.x returns it.
        self.assertEqual(self.start("sync.handler").invoke({}).body, b"null")
        out = self.start("sync.handler", {"AWS_EXECUTION_ENV": "AWS_Lambda_nodejs24.x"}).invoke({})
        self.assertEqual(out.json(), {"sync": True})

    def test_legacy_context_methods(self):
        self.write("legacy.js", """
            exports.succeed = (event, context) => { context.succeed({ via: "succeed" }); };
            exports.fail = (event, context) => { context.fail(new Error("via fail")); };
            exports.done = (event, context) => { context.done(null, "via done"); };
        """)
        self.assertEqual(self.start("legacy.succeed").invoke({}).json(), {"via": "succeed"})
        body = self.start("legacy.fail").invoke({}).json()
        self.assertEqual((body["errorType"], body["errorMessage"]), ("Error", "via fail"))
        self.assertEqual(self.start("legacy.done").invoke({}).json(), "via done")

    def test_error_shape_and_log(self):
        self.write("index.js", """
            exports.handler = async () => { throw new Error("boom"); };
        """)
        p = self.start("index.handler")
        out = p.invoke({})
        self.assertEqual(out.kind, "error")
        self.assertEqual(out.headers.get("lambda-runtime-function-error-type"), "Unhandled")
        body = out.json()
        self.assertEqual(list(body), ["errorType", "errorMessage", "trace"])
        self.assertEqual(body["errorType"], "Error")
        self.assertEqual(body["errorMessage"], "boom")
        self.assertEqual(body["trace"][0], "Error: boom")
        self.assertTrue(body["trace"][1].startswith("    at "), body["trace"])
        self.assertIn("index.js", body["trace"][1])
        _, stderr = p.output()
        m = re.search(r"(?m)^(%s)\t%s\tERROR\tInvoke Error \t(.*)$" % (ISO_Z, re.escape(out.request_id)), stderr)
        self.assertTrue(m, stderr)
        logged = json.loads(m.group(2))
        self.assertEqual(list(logged), ["errorType", "errorMessage", "stack"])
        self.assertEqual(logged["stack"][0], "Error: boom")

    def test_non_error_throws(self):
        self.write("index.js", """
            exports.str = async () => { throw "oops"; };
            exports.obj = async () => { throw { a: 1 }; };
        """)
        self.assertEqual(self.start("index.str").invoke({}).json(),
                         {"errorType": "string", "errorMessage": "oops", "trace": []})
        self.assertEqual(self.start("index.obj").invoke({}).json(),
                         {"errorType": "object", "errorMessage": "[object Object]", "trace": []})

    def test_import_module_error_is_init_error(self):
        p = self.start("missing.handler")
        out = p.api.wait_outcome()
        self.assertEqual(out.kind, "init_error")
        self.assertEqual(out.headers.get("lambda-runtime-function-error-type"), "Unhandled")
        body = out.json()
        self.assertEqual(body["errorType"], "Runtime.ImportModuleError")
        self.assertTrue(body["errorMessage"].startswith("Error: Cannot find module 'missing'\nRequire stack:"),
                        body["errorMessage"])
        self.assertEqual(body["trace"][0], "Runtime.ImportModuleError: Error: Cannot find module 'missing'")
        self.assertNotEqual(p.wait_exit(), 0)
        _, stderr = p.output()
        self.assertRegex(stderr, r"(?m)^%s\tundefined\tERROR\tUncaught Exception \t\{\"errorType\":\"Runtime.ImportModuleError\"" % ISO_Z)

    def test_missing_dependency_inside_module(self):
        self.write("app.js", """
            const sdk = require("aws-sdk-not-here");
            exports.handler = async () => 1;
        """)
        body = self.start("app.handler").api.wait_outcome().json()
        self.assertEqual(body["errorType"], "Runtime.ImportModuleError")
        self.assertIn("Cannot find module 'aws-sdk-not-here'", body["errorMessage"])
        self.assertIn("app.js", body["errorMessage"])

    def test_handler_not_found(self):
        self.write("index.js", "exports.handler = async () => 1;\n")
        p = self.start("index.nope")
        out = p.api.wait_outcome()
        self.assertEqual(out.kind, "init_error")
        body = out.json()
        self.assertEqual(body["errorType"], "Runtime.HandlerNotFound")
        self.assertEqual(body["errorMessage"], "index.nope is undefined or not exported")
        self.assertEqual(body["trace"][0], "Runtime.HandlerNotFound: index.nope is undefined or not exported")

    def test_syntax_error(self):
        self.write("index.js", "exports.handler = async () => {\n")
        body = self.start("index.handler").api.wait_outcome().json()
        self.assertEqual(body["errorType"], "Runtime.UserCodeSyntaxError")
        self.assertTrue(body["errorMessage"].startswith("SyntaxError: "), body)

    def test_init_exception(self):
        self.write("index.js", "throw new Error('Runtime startup fails');\n")
        p = self.start("index.handler")
        body = p.api.wait_outcome().json()
        self.assertEqual((body["errorType"], body["errorMessage"]), ("Error", "Runtime startup fails"))
        self.assertNotEqual(p.wait_exit(), 0)

    def test_callback_handler_rejected_on_nodejs24(self):
        self.write("cb.js", "exports.handler = (event, context, callback) => callback(null, 1);\n")
        p = self.start("cb.handler", {"AWS_EXECUTION_ENV": "AWS_Lambda_nodejs24.x"})
        out = p.api.wait_outcome()
        self.assertEqual(out.kind, "init_error")
        self.assertEqual(out.json()["errorType"], "Runtime.CallbackHandlerDeprecated")
        _, stderr = p.output()
        self.assertIn("\tERROR\tInit Error \t", stderr)

    def test_unhandled_promise_rejection(self):
        self.write("index.js", """
            exports.handler = async () => {
              Promise.reject(new Error("late"));
              await new Promise((r) => setTimeout(r, 100));
              return "never";
            };
        """)
        p = self.start("index.handler")
        out = p.invoke({})
        self.assertEqual(out.kind, "error")
        body = out.json()
        self.assertEqual(body["errorType"], "Runtime.UnhandledPromiseRejection")
        self.assertEqual(body["errorMessage"], "Error: late")
        self.assertEqual(body["trace"][0], "Runtime.UnhandledPromiseRejection: Error: late")
        self.assertEqual(p.wait_exit(), 128)
        _, stderr = p.output()
        m = re.search(r"(?m)\tERROR\tUnhandled Promise Rejection \t(.*)$", stderr)
        self.assertTrue(m, stderr)
        logged = json.loads(m.group(1))
        self.assertEqual(logged["reason"]["errorMessage"], "late")

    def test_context_fields(self):
        self.write("ctx.js", """
            exports.handler = async (event, context) => {
              const before = context.getRemainingTimeInMillis();
              await new Promise((r) => setTimeout(r, 50));
              return {
                awsRequestId: context.awsRequestId,
                functionName: context.functionName,
                functionVersion: context.functionVersion,
                invokedFunctionArn: context.invokedFunctionArn,
                memoryLimitInMB: context.memoryLimitInMB,
                logGroupName: context.logGroupName,
                logStreamName: context.logStreamName,
                clientContext: context.clientContext,
                identity: context.identity,
                callbackWaitsForEmptyEventLoop: context.callbackWaitsForEmptyEventLoop,
                legacy: [typeof context.succeed, typeof context.fail, typeof context.done],
                before, after: context.getRemainingTimeInMillis(),
              };
            };
        """)
        p = self.start("ctx.handler")
        deadline = int(time.time() * 1000) + 5000
        cc = {"client": {"installation_id": "inst-1"}, "custom": {"k": "v"}, "env": {"platform": "x"}}
        ident = {"cognitoIdentityId": "id-1", "cognitoIdentityPoolId": "pool-1"}
        out = p.invoke({}, deadline_ms=deadline, arn=FUNCTION_ARN + ":1", client_context=cc, identity=ident)
        r = out.json()
        self.assertEqual(r["awsRequestId"], out.request_id)
        self.assertEqual(r["functionName"], "fn")
        self.assertEqual(r["functionVersion"], "$LATEST")
        self.assertEqual(r["invokedFunctionArn"], FUNCTION_ARN + ":1")
        self.assertEqual(r["memoryLimitInMB"], "256")
        self.assertEqual(r["logGroupName"], "/aws/lambda/fn")
        self.assertEqual(r["logStreamName"], "2026/01/01/[$LATEST]0123456789abcdef")
        self.assertEqual(r["clientContext"], cc)
        self.assertEqual(r["identity"], ident)
        self.assertIs(r["callbackWaitsForEmptyEventLoop"], True)
        self.assertEqual(r["legacy"], ["function", "function", "function"])
        self.assertTrue(0 < r["before"] <= 5000, r)
        self.assertTrue(r["after"] <= r["before"] - 40, r)

    def test_console_format_and_trace_id(self):
        self.write("index.js", """
            console.log("at init");
            exports.handler = async () => {
              console.log("hello %s", "world", 42);
              console.info("info line");
              console.warn("warn line");
              console.error("error", { a: 1 });
              return process.env._X_AMZN_TRACE_ID ?? null;
            };
        """)
        p = self.start("index.handler")
        tid = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
        out = p.invoke({}, trace_id=tid)
        self.assertEqual(out.json(), tid)
        out2 = p.invoke({})
        self.assertIsNone(out2.json())
        stdout, stderr = p.output()
        rid = re.escape(out.request_id)
        self.assertRegex(stdout, r"(?m)^%s\tundefined\tINFO\tat init$" % ISO_Z)
        self.assertRegex(stdout, r"(?m)^%s\t%s\tINFO\thello world 42$" % (ISO_Z, rid))
        self.assertRegex(stdout, r"(?m)^%s\t%s\tINFO\tinfo line$" % (ISO_Z, rid))
        self.assertRegex(stderr, r"(?m)^%s\t%s\tWARN\twarn line$" % (ISO_Z, rid))
        self.assertRegex(stderr, r"(?m)^%s\t%s\tERROR\terror \{ a: 1 \}$" % (ISO_Z, rid))

    def test_json_log_format(self):
        self.write("index.js", """
            exports.handler = async () => {
              console.log("hello %s", "world");
              console.info({ orderId: 7 });
              console.debug("hidden at INFO");
              console.error("failed:", new TypeError("bad\\nvalue"));
              return "ok";
            };
        """)
        p = self.start("index.handler", {"AWS_LAMBDA_LOG_FORMAT": "JSON",
                                         "AWS_LAMBDA_LOG_LEVEL": "INFO"})
        out = p.invoke({})
        self.assertEqual(out.json(), "ok")
        stdout, stderr = p.output()
        records = [json.loads(l) for l in (stdout + stderr).splitlines() if l.startswith("{")]
        self.assertEqual(len(records), 3, (stdout, stderr))
        by_level = {}
        for r in records:
            by_level.setdefault(r["level"], []).append(r)
        hello, obj = by_level["INFO"]
        self.assertEqual(list(hello), ["timestamp", "level", "requestId", "message"])
        self.assertRegex(hello["timestamp"], "^%s$" % ISO_Z)
        self.assertEqual((hello["requestId"], hello["message"]), (out.request_id, "hello world"))
        self.assertEqual(obj["message"], {"orderId": 7})
        [error] = by_level["ERROR"]
        self.assertEqual((error["errorType"], error["errorMessage"]), ("TypeError", "bad\nvalue"))
        self.assertTrue(error["message"].startswith("failed: TypeError: bad"), error)
        self.assertIsInstance(error["stackTrace"], list)

    def test_nested_handler_paths(self):
        self.write("lib/sub/handler.js", """
            exports.fn = async () => "nested";
            exports.group = { inner: async () => "dotted" };
        """)
        self.write("esm/deep.mjs", """
            export const fn = async () => "nested-esm";
        """)
        self.assertEqual(self.start("lib/sub/handler.fn").invoke({}).json(), "nested")
        self.assertEqual(self.start("lib/sub/handler.group.inner").invoke({}).json(), "dotted")
        self.assertEqual(self.start("esm/deep.fn").invoke({}).json(), "nested-esm")

    def test_large_payload(self):
        self.write("index.js", "exports.handler = async (e) => e;\n")
        payload = {"data": "y" * (5 * 1024 * 1024)}
        self.assertEqual(self.start("index.handler").invoke(payload).json(), payload)

    def test_timing(self):
        self.write("echo.js", "exports.handler = async (event) => event;\n")
        t0 = time.perf_counter()
        p = self.start("echo.handler")
        self.measure_overhead(p, "node", t0)


if __name__ == "__main__":
    unittest.main()
