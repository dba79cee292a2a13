"""Invoke: what each runtime returns, raises and how it fails (reference section 4, I1..I16).

Python (lambdalite's bootstrap.py), Node.js (bootstrap.mjs) and provided.* (the zip's own
`bootstrap`): return values, the exact AWS error payloads, init errors (I11), a runtime that exits
(I12), timeouts (I14) and running out of memory. Function errors are always HTTP 200 with
X-Amz-Function-Error: Unhandled.
"""

import stat
import time
import unittest

from harness import make_zip, python_zip
from test_invoke_common import UUID_PATTERN, InvokeTestCase, provided_zip, zip_entries


class InvokePythonTest(InvokeTestCase):
    def test_returns_dict(self):
        name = self.make_python(
            "def handler(event, context):\n"
            "    return {'greeting': 'hello ' + event['name'], 'n': 1, 'ok': True,\n"
            "            'nested': {'list': [1, 'two', None]}}\n")
        resp = self.invoke_ok(name, {"name": "x"})
        self.assertStatus(resp, 200)
        self.assertEqual(resp["_json"], {"greeting": "hello x", "n": 1, "ok": True,
                                         "nested": {"list": [1, "two", None]}})
        self.assertEqual(resp["ExecutedVersion"], "$LATEST")
        self.assertRegex(resp["_rid"], f"^{UUID_PATTERN}$")
        self.assertEqual(resp["ResponseMetadata"]["HTTPHeaders"].get("content-type"),
                         "application/json")

    def test_returns_none_as_null(self):
        # I2: the literal JSON null.
        name = self.make_python("def handler(event, context):\n    return None\n")
        resp = self.invoke_ok(name, {})
        self.assertEqual(resp["_bytes"], b"null")
        self.assertEqual(resp["ExecutedVersion"], "$LATEST")

    def test_returns_any_json_value(self):
        name = self.make_python("def handler(event, context):\n    return event\n")
        for value in ("a string", 42, 2.5, [1, "a", {"b": None}], True, {}, {"k": "v"}):
            with self.subTest(value=value):
                self.assertEqual(self.invoke_ok(name, value)["_json"], value)

    def test_no_payload_is_an_empty_object(self):
        name = self.make_python("def handler(event, context):\n    return {'event': event}\n")
        self.assertEqual(self.invoke_ok(name)["_json"], {"event": {}})

    def test_non_ascii_returned_unescaped_on_312(self):
        # python3.12+ returns non-ASCII characters as they are (earlier runtimes escape them).
        name = self.make_python("def handler(event, context):\n    return 'h\\u00e9llo \\u2603'\n",
                                Runtime="python3.12")
        resp = self.invoke_ok(name)
        self.assertEqual(resp["_json"], "h\u00e9llo \u2603")
        self.assertEqual(resp["_bytes"], '"h\u00e9llo \u2603"'.encode("utf-8"))

    def test_handler_error_exact_payload(self):
        # I10: {"errorMessage","errorType","requestId","stackTrace"} in that order.
        name = self.make_python('def handler(event, context):\n    raise Exception("Handler fails")\n')
        resp = self.invoke(name, {})
        body = self.assertFunctionError(resp)
        self.assertEqual(list(body), ["errorMessage", "errorType", "requestId", "stackTrace"])
        self.assertEqual(body, {
            "errorMessage": "Handler fails",
            "errorType": "Exception",
            "requestId": resp["_rid"],
            "stackTrace": ['  File "/var/task/handler.py", line 2, in handler\n'
                           '    raise Exception("Handler fails")\n'],
        })
        self.assertEqual(resp["ExecutedVersion"], "$LATEST")

    def test_error_type_is_the_exception_class(self):
        name = self.make_python(
            "def check(v):\n"
            "    raise ValueError('bad value %s' % v)\n"
            "\n"
            "def handler(event, context):\n"
            "    check(event['v'])\n")
        resp = self.invoke(name, {"v": 7})
        body = self.assertFunctionError(resp)
        self.assertEqual(body["errorType"], "ValueError")
        self.assertEqual(body["errorMessage"], "bad value 7")
        self.assertEqual(body["requestId"], resp["_rid"])
        self.assertEqual(body["stackTrace"], [
            '  File "/var/task/handler.py", line 5, in handler\n    check(event[\'v\'])\n',
            '  File "/var/task/handler.py", line 2, in check\n'
            '    raise ValueError(\'bad value %s\' % v)\n',
        ])
        # The environment survives a handler error.
        self.assertFunctionError(self.invoke(name, {"v": 8}))

    def test_init_error(self):
        # I11: an exception while the module is imported; requestId is empty.
        name = self.make_python("raise Exception('Runtime startup fails')\n"
                                "def handler(event, context):\n    return 1\n")
        for attempt in (1, 2):  # each invoke retries the init in a new environment
            with self.subTest(attempt=attempt):
                resp = self.invoke(name, {})
                body = self.assertFunctionError(resp)
                self.assertEqual(list(body), ["errorMessage", "errorType", "requestId",
                                              "stackTrace"])
                self.assertEqual(body, {
                    "errorMessage": "Runtime startup fails",
                    "errorType": "Exception",
                    "requestId": "",
                    "stackTrace": ['  File "/var/task/handler.py", line 1, in <module>\n'
                                   "    raise Exception('Runtime startup fails')\n"],
                })

    def test_import_module_error(self):
        name = self.create_function(self.unique("py"), zip_bytes=python_zip(),
                                    Handler="missing.handler", Timeout=30)["FunctionName"]
        resp = self.invoke(name, {})
        body = self.assertFunctionError(resp)
        self.assertEqual(body, {
            "errorMessage": "Unable to import module 'missing': No module named 'missing'",
            "errorType": "Runtime.ImportModuleError",
            "requestId": resp["_rid"],
            "stackTrace": [],
        })

    def test_handler_not_found(self):
        name = self.create_function(self.unique("py"), zip_bytes=python_zip(),
                                    Handler="handler.nope", Timeout=30)["FunctionName"]
        resp = self.invoke(name, {})
        body = self.assertFunctionError(resp)
        self.assertEqual(body["errorType"], "Runtime.HandlerNotFound")
        self.assertEqual(body["errorMessage"], "Handler 'nope' missing on module 'handler'")
        self.assertEqual(body["requestId"], resp["_rid"])

    def test_sys_exit(self):
        # I12: the runtime process exits during the invocation.
        name = self.make_python("import sys\n"
                                "def handler(event, context):\n"
                                "    if 'code' in event:\n"
                                "        sys.exit(event['code'])\n"
                                "    return 'alive'\n")
        resp = self.invoke(name, {"code": 0})
        body = self.assertFunctionError(resp)
        self.assertEqual(list(body), ["errorType", "errorMessage"])
        self.assertEqual(body, {"errorType": "Runtime.ExitError",
                                "errorMessage": f"RequestId: {resp['_rid']} Error: Runtime exited "
                                                "without providing a reason"})
        resp = self.invoke(name, {"code": 3})
        self.assertEqual(self.assertFunctionError(resp), {
            "errorType": "Runtime.ExitError",
            "errorMessage": f"RequestId: {resp['_rid']} Error: Runtime exited with error: "
                            "exit status 3"})
        # A new environment serves the next invocation.
        self.assertEqual(self.invoke_ok(name, {})["_json"], "alive")

    def test_timeout(self):
        # I14, with the response's x-amzn-RequestId in the message.
        name = self.make_python("import time\n"
                                "def handler(event, context):\n"
                                "    if event.get('sleep'):\n"
                                "        print('going to sleep')\n"
                                "        time.sleep(event['sleep'])\n"
                                "    return 'awake'\n", Timeout=1)
        resp = self.invoke(name, {"sleep": 30}, LogType="Tail")
        self.assertTimedOut(resp, 1)
        self.assertIn(f"{resp['_rid']} Task timed out after 1.00 seconds", resp["_log"])
        self.assertIn("going to sleep", resp["_log"])
        # The timed-out environment is gone; the next invoke works.
        self.assertEqual(self.invoke_ok(name, {})["_json"], "awake")

    def test_out_of_memory(self):
        # MemorySize=128 and 300 MB touched: the memory cgroup kills the runtime.
        name = self.make_python(
            "def handler(event, context):\n"
            "    if event.get('small'):\n"
            "        return 'small'\n"
            "    blocks = []\n"
            "    for i in range(30):\n"
            "        blocks.append(b'\\x01' * (10 * 1024 * 1024))\n"
            "    return len(blocks)\n", MemorySize=128)
        resp = self.invoke(name, {})
        body = self.assertFunctionError(resp)
        self.assertIn(body.get("errorType"), ("Runtime.OutOfMemory", "Runtime.ExitError"), body)
        self.assertTrue(body.get("errorMessage", "").startswith(f"RequestId: {resp['_rid']} Error: "),
                        body)
        self.assertServerAnswers(name)
        self.assertEqual(self.invoke_ok(name, {"small": True})["_json"], "small")

    def test_zip_symlinks_are_kept(self):
        # Deployment packages made with `zip -y` keep symlinks (node_modules/.bin, shared
        # libraries). handler.py is a link to impl.py.
        zip_bytes = zip_entries({
            "impl.py": ("import os\n"
                        "def handler(event, context):\n"
                        "    return {'islink': os.path.islink('/var/task/handler.py'),\n"
                        "            'target': os.readlink('/var/task/handler.py')\n"
                        "            if os.path.islink('/var/task/handler.py') else None}\n",
                        stat.S_IFREG | 0o644),
            "handler.py": ("impl.py", stat.S_IFLNK | 0o777),
        })
        name = self.make_zip_function(zip_bytes)
        resp = self.invoke(name, {})
        self.assertIsNone(resp.get("FunctionError"),
                          f"a zip symlink was not extracted as a symlink: {resp['_bytes']!r}")
        self.assertEqual(resp["_json"], {"islink": True, "target": "impl.py"})


class InvokeNodeTest(InvokeTestCase):
    def test_async_handler(self):
        name = self.make_node("exports.handler = async (event) => ({hello: event.name, n: [1, 2]});\n")
        resp = self.invoke_ok(name, {"name": "x"})
        self.assertEqual(resp["_json"], {"hello": "x", "n": [1, 2]})
        self.assertEqual(resp["ExecutedVersion"], "$LATEST")

    def test_callback_handler(self):
        name = self.make_node("exports.handler = (event, context, callback) => {\n"
                              "  setTimeout(() => callback(null, {callback: event.name}), 10);\n"
                              "};\n")
        self.assertEqual(self.invoke_ok(name, {"name": "cb"})["_json"], {"callback": "cb"})

    def test_sync_handler_before_node24_returns_null(self):
        # Up to nodejs22.x a non-async handler answers through its callback; a returned value is
        # ignored and the result is null once the event loop drains.
        name = self.make_node("exports.handler = (event) => ({sync: event.name});\n",
                              runtime="nodejs20.x")
        self.assertEqual(self.invoke_ok(name, {"name": "s"})["_bytes"], b"null")

    def test_sync_handler_node24_returns_value(self):
        # nodejs24.x dropped callbacks: the returned value is the result.
        name = self.make_node("exports.handler = (event) => ({sync: event.name});\n",
                              runtime="nodejs24.x")
        self.assertEqual(self.invoke_ok(name, {"name": "s"})["_json"], {"sync": "s"})

    def test_esm_mjs_handler(self):
        name = self.make_node("export const handler = async (event) => ({esm: event.name});\n",
                              runtime="nodejs22.x", filename="index.mjs")
        self.assertEqual(self.invoke_ok(name, {"name": "m"})["_json"], {"esm": "m"})

    def test_esm_js_with_package_type_module(self):
        zip_bytes = make_zip({
            "package.json": '{"type": "module"}\n',
            "index.js": "export const handler = async (event) => ({esm: 'package', e: event});\n",
        })
        name = self.create_function(self.unique("node"), zip_bytes=zip_bytes,
                                    Runtime="nodejs20.x", Handler="index.handler",
                                    Timeout=30)["FunctionName"]
        self.assertEqual(self.invoke_ok(name, {"a": 1})["_json"], {"esm": "package", "e": {"a": 1}})

    def test_undefined_is_null(self):
        name = self.make_node("exports.handler = async () => undefined;\n")
        self.assertEqual(self.invoke_ok(name, {})["_bytes"], b"null")

    def test_handler_error_exact_shape(self):
        # Node's shape: {"errorType","errorMessage","trace"} in that order.
        name = self.make_node("exports.handler = async () => { throw new Error('Handler fails'); };\n")
        resp = self.invoke(name, {})
        body = self.assertFunctionError(resp)
        self.assertEqual(list(body), ["errorType", "errorMessage", "trace"])
        self.assertEqual(body["errorType"], "Error")
        self.assertEqual(body["errorMessage"], "Handler fails")
        self.assertIsInstance(body["trace"], list)
        self.assertEqual(body["trace"][0], "Error: Handler fails")
        self.assertTrue(body["trace"][1].startswith("    at "), body["trace"])
        self.assertIn("/var/task/index.js", body["trace"][1])

    def test_callback_error(self):
        name = self.make_node("exports.handler = (event, context, callback) => {\n"
                              "  callback(new TypeError('callback fails'));\n"
                              "};\n")
        body = self.assertFunctionError(self.invoke(name, {}))
        self.assertEqual(list(body), ["errorType", "errorMessage", "trace"])
        self.assertEqual(body["errorType"], "TypeError")
        self.assertEqual(body["errorMessage"], "callback fails")
        self.assertEqual(body["trace"][0], "TypeError: callback fails")

    def test_init_error(self):
        name = self.make_node("throw new Error('init boom');\n"
                              "exports.handler = async () => 1;\n")
        body = self.assertFunctionError(self.invoke(name, {}))
        self.assertEqual(list(body), ["errorType", "errorMessage", "trace"])
        self.assertEqual(body["errorType"], "Error")
        self.assertEqual(body["errorMessage"], "init boom")
        self.assertEqual(body["trace"][0], "Error: init boom")

    def test_process_exit(self):
        name = self.make_node("exports.handler = async (event) => {\n"
                              "  if (event.code !== undefined) process.exit(event.code);\n"
                              "  return 'alive';\n"
                              "};\n")
        resp = self.invoke(name, {"code": 0})
        self.assertEqual(self.assertFunctionError(resp), {
            "errorType": "Runtime.ExitError",
            "errorMessage": f"RequestId: {resp['_rid']} Error: Runtime exited without providing "
                            "a reason"})
        resp = self.invoke(name, {"code": 2})
        self.assertEqual(self.assertFunctionError(resp), {
            "errorType": "Runtime.ExitError",
            "errorMessage": f"RequestId: {resp['_rid']} Error: Runtime exited with error: "
                            "exit status 2"})
        self.assertEqual(self.invoke_ok(name, {})["_json"], "alive")

    def test_timeout(self):
        name = self.make_node("exports.handler = async (event) => {\n"
                              "  if (event.sleep) await new Promise((r) => setTimeout(r, event.sleep));\n"
                              "  return 'awake';\n"
                              "};\n", Timeout=1)
        self.assertTimedOut(self.invoke(name, {"sleep": 30000}), 1)
        self.assertEqual(self.invoke_ok(name, {})["_json"], "awake")


    def test_callback_waits_for_the_event_loop_to_drain(self):
        # The result given to the callback goes out once the handler's timers are done; with
        # callbackWaitsForEmptyEventLoop = false at once, and the timer runs on in the next
        # invocation's time.
        name = self.make_node("let fired = 0;\n"
                              "exports.handler = (event, context, callback) => {\n"
                              "  context.callbackWaitsForEmptyEventLoop = !event.eager;\n"
                              "  setTimeout(() => { fired += 1; }, 300);\n"
                              "  callback(null, {fired});\n"
                              "};\n", runtime="nodejs20.x")
        started = time.monotonic()
        self.assertEqual(self.invoke_ok(name, {})["_json"], {"fired": 0})
        self.assertGreaterEqual(time.monotonic() - started, 0.3)
        started = time.monotonic()
        self.assertEqual(self.invoke_ok(name, {"eager": True})["_json"], {"fired": 1})
        self.assertLess(time.monotonic() - started, 0.3)
        time.sleep(0.4)
        self.assertEqual(self.invoke_ok(name, {"eager": True})["_json"], {"fired": 2})

    def test_response_over_6mb_keeps_the_environment(self):
        name = self.make_node("let calls = 0;\n"
                              "exports.handler = async (event) => {\n"
                              "  calls += 1;\n"
                              "  return event.bytes ? 'x'.repeat(event.bytes) : {calls};\n"
                              "};\n", MemorySize=1024)
        self.assertEqual(self.invoke_ok(name, {})["_json"], {"calls": 1})
        body = self.assertFunctionError(self.invoke(name, {"bytes": 7 * 1024 * 1024}))
        self.assertEqual(body, {
            "errorMessage": "Response payload size exceeded maximum allowed payload size "
                            "(6291556 bytes).",
            "errorType": "Function.ResponseSizeTooLarge"})
        # Exactly 6 MB of JSON (the string and its quotes) is accepted.
        resp = self.invoke_ok(name, {"bytes": 6 * 1024 * 1024 - 2})
        self.assertEqual(len(resp["_bytes"]), 6 * 1024 * 1024)
        self.assertEqual(self.invoke_ok(name, {})["_json"], {"calls": 4})  # the same process


class InvokeProvidedTest(InvokeTestCase):
    """provided.al2 / provided.al2023: the zip's `bootstrap` is the runtime (here a small Runtime
    API client written for these tests)."""

    def test_custom_runtime_answers(self):
        for runtime in ("provided.al2023", "provided.al2"):
            with self.subTest(runtime=runtime):
                name = self.make_zip_function(provided_zip(), Runtime=runtime,
                                              Handler="my.handler")
                resp = self.invoke_ok(name, {"name": "x"})
                body = resp["_json"]
                self.assertEqual(body["event"], {"name": "x"})
                self.assertEqual(body["request_id"], resp["_rid"])
                self.assertEqual(body["arn"], self.arn(name))
                self.assertEqual(body["handler"], "my.handler")
                self.assertEqual(body["task_root"], "/var/task")
                self.assertEqual(body["cwd"], "/var/task")
                self.assertEqual(body["function_name"], name)
                self.assertIsNone(body["execution_env"])  # absent for provided runtimes
                self.assertRegex(body["deadline_ms"], r"^\d{13}$")
                self.assertRegex(body["trace_id"], r"^Root=1-[0-9a-f]{8}-[0-9a-f]{24}")
                self.assertEqual(body["count"], 1)
                self.assertEqual(resp["ExecutedVersion"], "$LATEST")
                # Warm: the same runtime process answers again.
                self.assertEqual(self.invoke_ok(name, {})["_json"]["count"], 2)

    def test_error_body_passed_through_untouched(self):
        name = self.make_zip_function(provided_zip(), Runtime="provided.al2023",
                                      Handler="x.y")
        posted = '{"errorType":"Custom.Failure", "errorMessage":"kept byte for byte","extra":[1,2]}'
        resp = self.invoke(name, {"fail": posted})
        self.assertFunctionError(resp)
        self.assertEqual(resp["_bytes"], posted.encode())
        # The runtime goes on serving.
        self.assertEqual(self.invoke_ok(name, {})["_json"]["count"], 2)

    def test_init_error_passed_through(self):
        name = self.make_zip_function(provided_zip(), Runtime="provided.al2023", Handler="x.y",
                                      Environment={"Variables": {"INIT_FAIL": "1"}})
        body = self.assertFunctionError(self.invoke(name, {}))
        self.assertEqual(body, {"errorMessage": "custom init failed",
                                "errorType": "Custom.InitFailure"})

    def test_missing_bootstrap(self):
        name = self.make_zip_function(provided_zip(bootstrap=None), Runtime="provided.al2023",
                                      Handler="x.y")
        resp = self.invoke(name, {})
        self.assertEqual(self.assertFunctionError(resp), {
            "errorType": "Runtime.InvalidEntrypoint",
            "errorMessage": f"RequestId: {resp['_rid']} Error: fork/exec /var/task/bootstrap: "
                            "no such file or directory"})

    def test_bootstrap_not_executable(self):
        name = self.make_zip_function(provided_zip(bootstrap_mode=0o644),
                                      Runtime="provided.al2023", Handler="x.y")
        resp = self.invoke(name, {})
        self.assertEqual(self.assertFunctionError(resp), {
            "errorType": "Runtime.InvalidEntrypoint",
            "errorMessage": f"RequestId: {resp['_rid']} Error: fork/exec /var/task/bootstrap: "
                            "permission denied"})

    def test_bootstrap_exits(self):
        name = self.make_zip_function(provided_zip(bootstrap="#!/bin/sh\necho bye\nexit 2\n"),
                                      Runtime="provided.al2023", Handler="x.y")
        resp = self.invoke(name, {}, LogType="Tail")
        self.assertEqual(self.assertFunctionError(resp), {
            "errorType": "Runtime.ExitError",
            "errorMessage": f"RequestId: {resp['_rid']} Error: Runtime exited with error: "
                            "exit status 2"})


class InvokeRuntimeMatrixTest(InvokeTestCase):
    """Every runtime name lambdalite advertises runs a function."""

    def test_python_runtimes(self):
        src = ("import os, sys\n"
               "def handler(event, context):\n"
               "    return {'env': os.environ.get('AWS_EXECUTION_ENV'), 'event': event}\n")
        for minor in range(9, 15):
            runtime = f"python3.{minor}"
            with self.subTest(runtime=runtime):
                name = self.make_python(src, Runtime=runtime)
                self.assertEqual(self.invoke_ok(name, {"r": runtime})["_json"],
                                 {"env": f"AWS_Lambda_{runtime}", "event": {"r": runtime}})

    def test_node_runtimes(self):
        src = ("exports.handler = async (event) => "
               "({env: process.env.AWS_EXECUTION_ENV, event});\n")
        for major in (18, 20, 22, 24):
            runtime = f"nodejs{major}.x"
            with self.subTest(runtime=runtime):
                name = self.make_node(src, runtime=runtime)
                self.assertEqual(self.invoke_ok(name, {"r": runtime})["_json"],
                                 {"env": f"AWS_Lambda_{runtime}", "event": {"r": runtime}})



class ConfiguredRuntimeTest(InvokeTestCase):
    """A runtime lambdalite ships no client for (java, ruby, dotnet) runs when
    LAMBDALITE_RUNTIME_<NAME> names an executable that speaks the Runtime API; here the zip's own
    bootstrap, so the test needs no JVM. Without the variable CreateFunction refuses it."""

    SERVER_ENV = {"LAMBDALITE_RUNTIME_JAVA21": "/var/task/bootstrap"}

    def test_configured_runtime_runs_as_a_managed_runtime(self):
        name = self.make_zip_function(provided_zip(), Runtime="java21", Handler="example.Handler")
        body = self.invoke_ok(name, {"k": "v"})["_json"]
        self.assertEqual(body["event"], {"k": "v"})
        self.assertEqual(body["handler"], "example.Handler")
        self.assertEqual(body["execution_env"], "AWS_Lambda_java21")

    def test_unconfigured_runtime_is_refused(self):
        self.assertAwsError(
            lambda: self.create_function(self.unique("rb"), Runtime="ruby3.3", wait=False), 400,
            "InvalidParameterValueException",
            "The runtime ruby3.3 cannot run on this lambdalite server: no interpreter is "
            "configured for it (LAMBDALITE_RUNTIME_RUBY3_3). Use a python, nodejs or provided "
            "runtime.")

if __name__ == "__main__":
    unittest.main()
