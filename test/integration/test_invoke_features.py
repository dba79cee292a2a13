"""Invoke: logs, context, environment, versions and aliases, DryRun and request errors.

Reference section 4: I4 (DryRun), I5 (LogType=Tail), I6/I7 (qualifiers, ExecutedVersion and the
context's invoked_function_arn), I8/I9 (not found), the request id facts and the runtime
environment listed under "Runtime environment inside the sandbox".
"""

import base64
import json
import re
import unittest

from harness import create_function, python_zip, unique_name
from test_invoke_common import UUID_PATTERN, InvokeTestCase, py_stateful

PY_CONTEXT = '''
import os

KEYS = ["AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_REGION", "AWS_DEFAULT_REGION", "_HANDLER",
        "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_LAMBDA_RUNTIME_API",
        "AWS_LAMBDA_INITIALIZATION_TYPE", "TZ", "LANG", "_X_AMZN_TRACE_ID", "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "USER_VAR", "OTHER_VAR", "PATH"]

def handler(event, context):
    cc = context.client_context
    return {
        "aws_request_id": context.aws_request_id,
        "function_name": context.function_name,
        "function_version": context.function_version,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "invoked_function_arn": context.invoked_function_arn,
        "remaining_ms": context.get_remaining_time_in_millis(),
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "client_context": None if cc is None else {
            "custom": cc.custom, "env": cc.env,
            "installation_id": cc.client.installation_id if cc.client else None},
        "env": {k: os.environ.get(k) for k in KEYS},
        "environ": dict(os.environ),
        "cwd": os.getcwd(),
    }
'''


class InvokeLogTailTest(InvokeTestCase):
    def test_python_log_tail_cold_then_warm(self):
        name = self.make_python("def handler(event, context):\n"
                                "    print('hello from the function', event['n'])\n"
                                "    return event['n']\n")
        for n, cold in ((1, True), (2, False)):
            with self.subTest(call=n, cold=cold):
                resp = self.invoke_ok(name, {"n": n}, LogType="Tail")
                rid = resp["_rid"]
                lines = self.log_lines(resp)
                self.assertEqual(lines[0], f"START RequestId: {rid} Version: $LATEST")
                end = lines.index(f"END RequestId: {rid}")
                self.assertIn(f"hello from the function {n}", lines[1:end])
                self.assertEqual(len(lines), end + 2, resp["_log"])
                report = self.report_line(resp)
                self.assertEqual(report["id"], rid)
                self.assertEqual(report["mem"], "128")
                self.assertTrue(lines[-1].endswith("\t"), repr(lines[-1]))
                self.assertTrue(resp["_log"].endswith("\n"))
                if cold:
                    self.assertIsNotNone(report["init"], f"cold call without Init Duration: "
                                                         f"{lines[-1]!r}")
                else:
                    self.assertIsNone(report["init"], f"warm call with Init Duration: "
                                                      f"{lines[-1]!r}")
                    self.assertNotIn("Init Duration", lines[-1])

    def test_no_log_result_without_tail(self):
        name = self.make_python("def handler(event, context):\n    print('x')\n    return 1\n")
        resp = self.invoke_ok(name, {})
        self.assertNotIn("LogResult", resp)
        resp = self.invoke_ok(name, {}, LogType="None")
        self.assertNotIn("LogResult", resp)

    def test_version_and_memory_in_log(self):
        name = self.make_python("def handler(event, context):\n    return 1\n", MemorySize=256)
        self.publish(name)
        resp = self.invoke_ok(name, {}, Qualifier="1", LogType="Tail")
        self.assertEqual(self.log_lines(resp)[0], f"START RequestId: {resp['_rid']} Version: 1")
        self.assertEqual(self.report_line(resp)["mem"], "256")

    def test_error_is_logged(self):
        name = self.make_python('def handler(event, context):\n    raise Exception("Handler fails")\n')
        resp = self.invoke(name, {}, LogType="Tail")
        self.assertFunctionError(resp)
        self.assertIn("[ERROR] Exception: Handler fails", resp["_log"])
        self.report_line(resp)

    def test_log_tail_is_the_last_4kb(self):
        name = self.make_python("def handler(event, context):\n"
                                "    for i in range(400):\n"
                                "        print('line %04d %s' % (i, 'x' * 40))\n"
                                "    return 'done'\n")
        resp = self.invoke_ok(name, {}, LogType="Tail")
        raw = base64.b64decode(resp["LogResult"])
        self.assertLessEqual(len(raw), 4096)
        self.assertGreater(len(raw), 3000)
        lines = self.log_lines(resp)
        self.assertTrue(lines[-1].startswith(f"REPORT RequestId: {resp['_rid']}\t"), lines[-1])
        self.assertIn(f"END RequestId: {resp['_rid']}", lines)
        self.assertIn("line 0399 " + "x" * 40, lines)
        self.assertNotIn(f"START RequestId: {resp['_rid']} Version: $LATEST", lines)

    def test_python_logging_format(self):
        name = self.make_python("import logging\n"
                                "def handler(event, context):\n"
                                "    logging.getLogger().warning('careful %s', 42)\n"
                                "    return 1\n")
        resp = self.invoke_ok(name, {}, LogType="Tail")
        self.assertRegex(resp["_log"], re.compile(
            r"^\[WARNING\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t" + re.escape(resp["_rid"])
            + r"\tcareful 42$", re.M))

    def test_json_log_format_from_logging_config(self):
        # LoggingConfig.LogFormat JSON reaches the runtime clients: application records are
        # JSON objects, at ApplicationLogLevel (INFO unless set).
        py = self.make_python("import logging\n"
                              "def handler(event, context):\n"
                              "    logging.getLogger('app').info('py %s', 1)\n"
                              "    logging.getLogger('app').debug('hidden')\n"
                              "    return 1\n", LoggingConfig={"LogFormat": "JSON"})
        node = self.make_node("exports.handler = async () => {\n"
                              "  console.log('node %s', 2);\n"
                              "  console.debug('hidden');\n"
                              "  return 2;\n"
                              "};\n", LoggingConfig={"LogFormat": "JSON"})
        for name, message in ((py, "py 1"), (node, "node 2")):
            with self.subTest(name=name):
                resp = self.invoke_ok(name, {}, LogType="Tail")
                records = [json.loads(l) for l in self.log_lines(resp) if l.startswith("{")]
                records = [r for r in records if "level" in r]  # not the platform's records
                self.assertEqual([(r["level"], r["message"], r["requestId"]) for r in records],
                                 [("INFO", message, resp["_rid"])], resp["_log"])

    def test_node_console_log_format(self):
        name = self.make_node("exports.handler = async (event) => {\n"
                              "  console.log('node says', event.n);\n"
                              "  console.error('node error line');\n"
                              "  return event.n;\n"
                              "};\n")
        resp = self.invoke_ok(name, {"n": 5}, LogType="Tail")
        rid = resp["_rid"]
        self.assertRegex(resp["_log"], re.compile(
            r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t" + re.escape(rid) + r"\tINFO\tnode says 5$",
            re.M))
        self.assertRegex(resp["_log"], re.compile(
            r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t" + re.escape(rid)
            + r"\tERROR\tnode error line$", re.M))
        lines = self.log_lines(resp)
        self.assertEqual(lines[0], f"START RequestId: {rid} Version: $LATEST")
        self.assertIsNotNone(self.report_line(resp)["init"])


class InvokeContextTest(InvokeTestCase):
    SERVER_ENV = {"IT_SERVER_ONLY_CANARY": "server-env-must-not-leak"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fn = create_function(
            cls.client, unique_name("ctx"), zip_bytes=python_zip(PY_CONTEXT), Timeout=30,
            MemorySize=256,
            Environment={"Variables": {"USER_VAR": "user value", "OTHER_VAR": "x=y;z"}},
        )["FunctionName"]
        cls.client.publish_version(FunctionName=cls.fn)
        cls.client.create_alias(FunctionName=cls.fn, Name="live", FunctionVersion="1")

    def test_context_unqualified(self):
        resp = self.invoke_ok(self.fn, {})
        ctx = resp["_json"]
        self.assertEqual(ctx["aws_request_id"], resp["_rid"])
        self.assertRegex(ctx["aws_request_id"], f"^{UUID_PATTERN}$")
        self.assertEqual(ctx["function_name"], self.fn)
        self.assertEqual(ctx["function_version"], "$LATEST")
        self.assertEqual(int(ctx["memory_limit_in_mb"]), 256)
        self.assertEqual(ctx["invoked_function_arn"], self.arn(self.fn))
        self.assertGreater(ctx["remaining_ms"], 0)
        self.assertLessEqual(ctx["remaining_ms"], 30_000)
        self.assertEqual(ctx["log_group_name"], f"/aws/lambda/{self.fn}")
        self.assertRegex(ctx["log_stream_name"], r"^\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$")
        self.assertIsNone(ctx["client_context"])
        self.assertEqual(resp["ExecutedVersion"], "$LATEST")

    def test_request_ids_are_unique(self):
        seen = set()
        for _ in range(3):
            resp = self.invoke_ok(self.fn, {})
            self.assertEqual(resp["_json"]["aws_request_id"], resp["_rid"])
            seen.add(resp["_rid"])
        self.assertEqual(len(seen), 3)

    def test_invoked_arn_and_executed_version_per_qualifier(self):
        cases = [
            ({"FunctionName": self.fn}, self.arn(self.fn), "$LATEST"),
            ({"FunctionName": self.fn, "Qualifier": "$LATEST"}, self.arn(self.fn, "$LATEST"),
             "$LATEST"),
            ({"FunctionName": self.fn, "Qualifier": "1"}, self.arn(self.fn, "1"), "1"),
            ({"FunctionName": f"{self.fn}:1"}, self.arn(self.fn, "1"), "1"),
            ({"FunctionName": self.fn, "Qualifier": "live"}, self.arn(self.fn, "live"), "1"),
            ({"FunctionName": self.arn(self.fn, "live")}, self.arn(self.fn, "live"), "1"),
            ({"FunctionName": self.arn(self.fn)}, self.arn(self.fn), "$LATEST"),
        ]
        for kw, arn, version in cases:
            with self.subTest(**kw):
                kw = dict(kw)
                resp = self.invoke_ok(kw.pop("FunctionName"), {}, **kw)
                self.assertEqual(resp["ExecutedVersion"], version)
                self.assertEqual(resp["ResponseMetadata"]["HTTPHeaders"]["x-amz-executed-version"],
                                 version)
                ctx = resp["_json"]
                self.assertEqual(ctx["invoked_function_arn"], arn)
                self.assertEqual(ctx["function_version"], version)
                self.assertEqual(ctx["env"]["AWS_LAMBDA_FUNCTION_VERSION"], version)

    def test_environment_variables(self):
        env = self.invoke_ok(self.fn, {})["_json"]["env"]
        self.assertEqual(env["USER_VAR"], "user value")
        self.assertEqual(env["OTHER_VAR"], "x=y;z")
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_NAME"], self.fn)
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_VERSION"], "$LATEST")
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "256")
        self.assertEqual(env["AWS_REGION"], "us-east-1")
        self.assertEqual(env["AWS_DEFAULT_REGION"], "us-east-1")
        self.assertEqual(env["_HANDLER"], "handler.handler")
        self.assertEqual(env["LAMBDA_TASK_ROOT"], "/var/task")
        self.assertEqual(env["LAMBDA_RUNTIME_DIR"], "/var/runtime")
        self.assertEqual(env["AWS_EXECUTION_ENV"], "AWS_Lambda_python3.12")
        self.assertEqual(env["AWS_LAMBDA_LOG_GROUP_NAME"], f"/aws/lambda/{self.fn}")
        self.assertEqual(env["AWS_LAMBDA_INITIALIZATION_TYPE"], "on-demand")
        self.assertEqual(env["TZ"], ":UTC")
        self.assertEqual(env["LANG"], "en_US.UTF-8")
        self.assertEqual(env["PATH"], "/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin")
        self.assertRegex(env["AWS_LAMBDA_RUNTIME_API"], r"^[\w.\-\[\]:]+:\d+$")
        self.assertRegex(env["_X_AMZN_TRACE_ID"] or "", r"^Root=1-[0-9a-f]{8}-[0-9a-f]{24}")
        for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            self.assertTrue(env[key], key)

    def test_working_directory_is_task_root(self):
        self.assertEqual(self.invoke_ok(self.fn, {})["_json"]["cwd"], "/var/task")

    def test_server_environment_does_not_leak(self):
        environ = self.invoke_ok(self.fn, {})["_json"]["environ"]
        self.assertNotIn("IT_SERVER_ONLY_CANARY", environ)
        self.assertNotIn("server-env-must-not-leak", json.dumps(environ))

    def test_client_context(self):
        client_context = {"custom": {"k": "v", "n": 1},
                          "client": {"installation_id": "install-1", "app_title": "t"},
                          "env": {"locale": "en_US"}}
        encoded = base64.b64encode(json.dumps(client_context).encode()).decode()
        resp = self.invoke_ok(self.fn, {}, ClientContext=encoded)
        self.assertEqual(resp["_json"]["client_context"],
                         {"custom": {"k": "v", "n": 1}, "env": {"locale": "en_US"},
                          "installation_id": "install-1"})
        # Not kept for the next invocation of the same environment.
        self.assertIsNone(self.invoke_ok(self.fn, {})["_json"]["client_context"])

    def test_node_context_and_client_context(self):
        name = self.make_node(
            "exports.handler = async (event, context) => ({\n"
            "  awsRequestId: context.awsRequestId, functionName: context.functionName,\n"
            "  functionVersion: context.functionVersion,\n"
            "  memoryLimitInMB: context.memoryLimitInMB,\n"
            "  invokedFunctionArn: context.invokedFunctionArn,\n"
            "  remaining: context.getRemainingTimeInMillis(),\n"
            "  logGroupName: context.logGroupName, clientContext: context.clientContext,\n"
            "  env: {name: process.env.AWS_LAMBDA_FUNCTION_NAME,\n"
            "        mem: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,\n"
            "        region: process.env.AWS_REGION, handler: process.env._HANDLER,\n"
            "        root: process.env.LAMBDA_TASK_ROOT, user: process.env.USER_VAR,\n"
            "        exec: process.env.AWS_EXECUTION_ENV}, cwd: process.cwd()})\n",
            runtime="nodejs22.x", MemorySize=512,
            Environment={"Variables": {"USER_VAR": "node user"}})
        self.publish(name)
        client_context = {"custom": {"a": "b"}, "env": {"locale": "de"}}
        encoded = base64.b64encode(json.dumps(client_context).encode()).decode()
        resp = self.invoke_ok(name, {}, Qualifier="1", ClientContext=encoded)
        ctx = resp["_json"]
        self.assertEqual(ctx["awsRequestId"], resp["_rid"])
        self.assertEqual(ctx["functionName"], name)
        self.assertEqual(ctx["functionVersion"], "1")
        self.assertEqual(str(ctx["memoryLimitInMB"]), "512")
        self.assertEqual(ctx["invokedFunctionArn"], self.arn(name, "1"))
        self.assertGreater(ctx["remaining"], 0)
        self.assertEqual(ctx["logGroupName"], f"/aws/lambda/{name}")
        self.assertEqual(ctx["clientContext"]["custom"], {"a": "b"})
        self.assertEqual(ctx["clientContext"]["env"], {"locale": "de"})
        self.assertEqual(ctx["env"], {"name": name, "mem": "512", "region": "us-east-1",
                                      "handler": "index.handler", "root": "/var/task",
                                      "user": "node user", "exec": "AWS_Lambda_nodejs22.x"})
        self.assertEqual(ctx["cwd"], "/var/task")
        self.assertEqual(resp["ExecutedVersion"], "1")


class InvokeVersionsTest(InvokeTestCase):
    def test_versions_run_their_own_code(self):
        name = self.create_function(self.unique("ver"), zip_bytes=py_stateful("code-1"),
                                    Timeout=30)["FunctionName"]
        self.publish(name)
        self.update_code(name, py_stateful("code-2"))
        self.publish(name)
        self.update_code(name, py_stateful("code-3"))
        self.lam.create_alias(FunctionName=name, Name="prod", FunctionVersion="2")
        for qualifier, marker, executed in (("1", "code-1", "1"), ("2", "code-2", "2"),
                                            ("$LATEST", "code-3", "$LATEST"),
                                            ("prod", "code-2", "2")):
            with self.subTest(qualifier=qualifier):
                resp = self.invoke_ok(name, {}, Qualifier=qualifier)
                self.assertEqual(resp["_json"]["marker"], marker)
                self.assertEqual(resp["ExecutedVersion"], executed)
                self.assertEqual(resp["_json"]["version"], executed)

    def test_weighted_alias_routes_to_both_versions(self):
        name = self.create_function(self.unique("wt"), zip_bytes=py_stateful("one"),
                                    Timeout=30)["FunctionName"]
        self.publish(name)
        self.update_code(name, py_stateful("two"))
        self.publish(name)
        self.lam.create_alias(FunctionName=name, Name="canary", FunctionVersion="1",
                              RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}})
        seen = {}
        for _ in range(40):
            resp = self.invoke_ok(name, {}, Qualifier="canary")
            executed = resp["ExecutedVersion"]
            body = resp["_json"]
            # The code that ran is the code of the version reported.
            self.assertEqual(body["marker"], {"1": "one", "2": "two"}[executed], body)
            self.assertEqual(body["version"], executed)
            self.assertEqual(body["arn"], self.arn(name, "canary"))
            seen[executed] = seen.get(executed, 0) + 1
        self.assertEqual(set(seen), {"1", "2"}, f"40 invokes of a 50/50 alias: {seen}")


class InvokeRequestErrorsTest(InvokeTestCase):
    def test_missing_function(self):
        missing = self.unique("missing")
        expected = f"Function not found: arn:aws:lambda:us-east-1:123456789012:function:{missing}:$LATEST"
        self.assertAwsError(lambda: self.lam_raw.invoke(FunctionName=missing, Payload=b"{}"),
                            404, "ResourceNotFoundException", expected)
        self.assertAwsError(lambda: self.lam_raw.invoke(FunctionName=self.arn(missing)), 404,
                            "ResourceNotFoundException", expected)

    def test_missing_alias_and_version(self):
        name = self.make_python("def handler(event, context):\n    return 1\n")
        self.assertAwsError(
            lambda: self.lam_raw.invoke(FunctionName=name, Qualifier="nope", Payload=b"{}"), 404,
            "ResourceNotFoundException",
            f"Function not found: arn:aws:lambda:us-east-1:123456789012:function:{name}:nope")
        self.assertAwsError(
            lambda: self.lam_raw.invoke(FunctionName=f"{name}:nope"), 404,
            "ResourceNotFoundException",
            f"Function not found: arn:aws:lambda:us-east-1:123456789012:function:{name}:nope")
        self.assertAwsError(
            lambda: self.lam_raw.invoke(FunctionName=name, Qualifier="7"), 404,
            "ResourceNotFoundException",
            f"Function not found: arn:aws:lambda:us-east-1:123456789012:function:{name}:7")

    def test_invalid_json_payload(self):
        name = self.create_function(self.unique("json"), zip_bytes=py_stateful(),
                                    Timeout=30)["FunctionName"]
        for payload in (b"not json", b'{"a": 1', b"{'single': 'quotes'}"):
            with self.subTest(payload=payload):
                self.assertAwsError(
                    lambda: self.lam_raw.invoke(FunctionName=name, Payload=payload), 400,
                    "InvalidRequestContentException",
                    message_prefix="Could not parse request body into json: Could not parse "
                                   "payload into json: ")
        # Nothing ran: the first real invocation is the environment's first.
        resp = self.invoke_ok(name, {}, LogType="Tail")
        self.assertEqual(resp["_json"]["count"], 1)
        self.assertIsNotNone(self.report_line(resp)["init"])

    def test_invalid_json_message(self):
        # Jackson's wording behind AWS's two prefixes; the position suffix is not pinned down.
        name = self.make_python("def handler(event, context):\n    return 1\n")
        self.assertAwsError(
            lambda: self.lam_raw.invoke(FunctionName=name, Payload=b"not json"), 400,
            "InvalidRequestContentException",
            message_regex=r"^Could not parse request body into json: Could not parse payload "
                          r"into json: Unrecognized token 'not': was expecting \(JSON String, "
                          r"Number, Array, Object or token 'null', 'true' or 'false'\)")

    def test_dry_run(self):
        name = self.create_function(self.unique("dry"), zip_bytes=py_stateful(),
                                    Timeout=30)["FunctionName"]
        resp = self.lam.invoke(FunctionName=name, InvocationType="DryRun", Payload=b'{"a":1}')
        self.assertEqual(resp["StatusCode"], 204)
        self.assertEqual(resp["Payload"].read(), b"")
        self.assertNotIn("ExecutedVersion", resp)
        self.assertNotIn("FunctionError", resp)
        self.assertTrue(resp["ResponseMetadata"]["HTTPHeaders"].get("x-amzn-requestid"))
        # Nothing ran: no environment was started for the dry run.
        first = self.invoke_ok(name, {}, LogType="Tail")
        self.assertEqual(first["_json"]["count"], 1)
        self.assertIsNotNone(self.report_line(first)["init"])
        # A dry run against a warm environment does not touch it either.
        self.lam.invoke(FunctionName=name, InvocationType="DryRun")
        self.assertEqual(self.invoke_ok(name, {})["_json"]["count"], 2)

    def test_dry_run_checks_the_target(self):
        name = self.make_python("def handler(event, context):\n    return 1\n")
        self.publish(name)
        self.assertEqual(self.lam.invoke(FunctionName=name, Qualifier="1",
                                         InvocationType="DryRun")["StatusCode"], 204)
        missing = self.unique("missing")
        self.assertAwsError(
            lambda: self.lam_raw.invoke(FunctionName=missing, InvocationType="DryRun"), 404,
            "ResourceNotFoundException",
            f"Function not found: arn:aws:lambda:us-east-1:123456789012:function:{missing}:$LATEST")
        self.assertAwsError(
            lambda: self.lam_raw.invoke(FunctionName=name, Qualifier="nope",
                                        InvocationType="DryRun"), 404,
            "ResourceNotFoundException",
            f"Function not found: arn:aws:lambda:us-east-1:123456789012:function:{name}:nope")


if __name__ == "__main__":
    unittest.main()
