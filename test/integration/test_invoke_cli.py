"""Invoke through the AWS CLI, as in the issue:

    aws lambda invoke --function-name f --payload '{"name":"x"}' \
        --cli-binary-format raw-in-base64-out --log-type Tail out.json

AWS CLI v2 needs --cli-binary-format raw-in-base64-out for a raw JSON payload; v1 does not know
the option and sends the payload raw anyway, so the helper drops it for v1.
"""

import base64
import json
import re
import tempfile
import unittest
from pathlib import Path

from harness import ROLE_ARN, aws_cli, python_zip
from test_invoke_common import UUID_PATTERN, InvokeTestCase, node_zip


class InvokeCliTest(InvokeTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.work = Path(tempfile.mkdtemp(prefix="lambdalite-it-cli-"))

    @classmethod
    def tearDownClass(cls):
        import shutil
        shutil.rmtree(cls.work, ignore_errors=True)
        super().tearDownClass()

    def cli(self, *args, check=True):
        result = aws_cli(self.endpoint, *args)
        if check:
            self.assertEqual(result.returncode, 0, f"{result.args}\n{result.stderr}")
        return result

    def cli_invoke(self, *args, payload=None, check=True):
        """`aws lambda invoke ... OUT`; returns (CliResult, outfile bytes)."""
        out = self.work / f"out-{self.unique('o')}.json"
        extra = []
        if payload is not None:
            extra = ["--payload", payload, "--cli-binary-format", "raw-in-base64-out"]
        cmd = ["invoke", *args, *extra, str(out)]
        result = aws_cli(self.endpoint, *cmd)
        if result.returncode != 0 and "--cli-binary-format" in result.stderr:
            # AWS CLI v1: no such option, and the payload is sent raw by default.
            cmd.remove("--cli-binary-format")
            cmd.remove("raw-in-base64-out")
            result = aws_cli(self.endpoint, *cmd)
        if check:
            self.assertEqual(result.returncode, 0, f"{result.args}\n{result.stderr}")
        return result, (out.read_bytes() if out.exists() else None)

    def create_with_cli(self, name, zip_bytes, runtime="python3.12", handler="handler.handler"):
        zip_path = self.work / f"{name}.zip"
        zip_path.write_bytes(zip_bytes)
        created = self.cli("create-function", "--function-name", name, "--runtime", runtime,
                           "--role", ROLE_ARN, "--handler", handler, "--timeout", "30",
                           "--zip-file", f"fileb://{zip_path}").json
        self.assertEqual(created["FunctionName"], name)
        self.cli("wait", "function-active-v2", "--function-name", name)

    def test_issue_flow(self):
        name = self.unique("cli")
        self.create_with_cli(name, python_zip(
            "def handler(event, context):\n"
            "    print('hello', event['name'])\n"
            "    return {'greeting': 'hello ' + event['name']}\n"))
        result, out = self.cli_invoke("--function-name", name, "--log-type", "Tail",
                                      payload='{"name":"x"}')
        self.assertEqual(json.loads(out), {"greeting": "hello x"})
        meta = result.json
        self.assertEqual(meta["StatusCode"], 200)
        self.assertEqual(meta["ExecutedVersion"], "$LATEST")
        self.assertNotIn("FunctionError", meta)
        log = base64.b64decode(meta["LogResult"]).decode()
        lines = log.splitlines()
        m = re.match(rf"^START RequestId: ({UUID_PATTERN}) Version: \$LATEST$", lines[0])
        self.assertIsNotNone(m, lines[0])
        rid = m.group(1)
        self.assertIn("hello x", lines)
        self.assertIn(f"END RequestId: {rid}", lines)
        self.assertTrue(lines[-1].startswith(f"REPORT RequestId: {rid}\tDuration: "), lines[-1])
        self.assertIn("Init Duration: ", lines[-1])

    def test_qualifier_and_function_error(self):
        name = self.unique("cli")
        self.create_with_cli(name, node_zip(
            "exports.handler = async (event) => {\n"
            "  if (event.fail) throw new Error('cli fails');\n"
            "  return {node: event};\n"
            "};\n"), runtime="nodejs20.x", handler="index.handler")
        self.cli("publish-version", "--function-name", name)
        result, out = self.cli_invoke("--function-name", name, "--qualifier", "1",
                                      payload='{"a":1}')
        self.assertEqual(json.loads(out), {"node": {"a": 1}})
        self.assertEqual(result.json["ExecutedVersion"], "1")
        # A function error is still a successful CLI call (exit 0) with FunctionError set.
        result, out = self.cli_invoke("--function-name", name, payload='{"fail":true}')
        self.assertEqual(result.json["StatusCode"], 200)
        self.assertEqual(result.json["FunctionError"], "Unhandled")
        body = json.loads(out)
        self.assertEqual(body["errorType"], "Error")
        self.assertEqual(body["errorMessage"], "cli fails")

    def test_no_payload_and_dry_run(self):
        name = self.unique("cli")
        self.create_with_cli(name, python_zip("def handler(event, context):\n    return event\n"))
        result, out = self.cli_invoke("--function-name", name)
        self.assertEqual(json.loads(out), {})
        result, out = self.cli_invoke("--function-name", name, "--invocation-type", "DryRun")
        self.assertEqual(result.json["StatusCode"], 204)
        self.assertEqual(out, b"")

    def test_missing_function(self):
        name = self.unique("missing")
        result, _ = self.cli_invoke("--function-name", name, payload="{}", check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("ResourceNotFoundException", result.stderr)
        self.assertIn(f"Function not found: arn:aws:lambda:us-east-1:123456789012:function:"
                      f"{name}:$LATEST", result.stderr)

    def test_throttled(self):
        name = self.unique("cli")
        self.create_with_cli(name, python_zip("def handler(event, context):\n    return 1\n"))
        self.cli("put-function-concurrency", "--function-name", name,
                 "--reserved-concurrent-executions", "0")
        result, _ = self.cli_invoke("--function-name", name, payload="{}", check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("TooManyRequestsException", result.stderr)
        self.assertIn("Rate Exceeded.", result.stderr)


if __name__ == "__main__":
    unittest.main()
