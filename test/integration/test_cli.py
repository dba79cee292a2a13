"""The AWS CLI against lambdalite: create-function with fileb://, put-function-event-invoke-config
with --destination-config JSON, get-function, and an error as the CLI prints it."""

import json
import re
import tempfile
import unittest
from pathlib import Path

from harness import ROLE_ARN, LambdaliteTestCase, aws_cli, code_sha256, python_zip

FAILED_QUEUE = "arn:aws:sqs:us-east-1:123456789012:failed"


class AwsCliTest(LambdaliteTestCase):
    def cli(self, *args, ok=True):
        res = aws_cli(self.endpoint, *args)
        if ok:
            self.assertEqual(res.returncode, 0, f"{' '.join(res.args)}\n{res.stderr}")
        return res

    def test_cli_flow(self):
        name = self.unique("cli")
        zip_bytes = python_zip(marker="cli")
        with tempfile.TemporaryDirectory() as tmp:
            zip_path = Path(tmp) / "function.zip"
            zip_path.write_bytes(zip_bytes)
            created = self.cli("create-function", "--function-name", name, "--runtime", "python3.12",
                               "--role", ROLE_ARN, "--handler", "handler.handler",
                               "--zip-file", f"fileb://{zip_path}",
                               "--environment", "Variables={STAGE=cli}").json
        self.assertEqual(created["FunctionName"], name)
        self.assertEqual(created["FunctionArn"], self.arn(name))
        self.assertEqual(created["CodeSha256"], code_sha256(zip_bytes))
        self.assertEqual(created["State"], "Pending")
        self.assertEqual(created["Environment"], {"Variables": {"STAGE": "cli"}})

        self.cli("wait", "function-active-v2", "--function-name", name)

        dest = json.dumps({"OnFailure": {"Destination": FAILED_QUEUE}})
        put = self.cli("put-function-event-invoke-config", "--function-name", name,
                       "--maximum-retry-attempts", "1", "--destination-config", dest).json
        self.assertEqual(put["FunctionArn"], self.arn(name, "$LATEST"))
        self.assertEqual(put["MaximumRetryAttempts"], 1)
        self.assertEqual(put["DestinationConfig"],
                         {"OnFailure": {"Destination": FAILED_QUEUE}, "OnSuccess": {}})
        self.assertIn("LastModified", put)

        got = self.cli("get-function", "--function-name", name).json
        self.assertEqual(got["Configuration"]["FunctionName"], name)
        self.assertEqual(got["Configuration"]["State"], "Active")
        self.assertEqual(got["Configuration"]["CodeSha256"], code_sha256(zip_bytes))
        self.assertEqual(got["Code"]["RepositoryType"], "S3")
        self.assertTrue(got["Code"]["Location"].startswith("http"))

        eic = self.cli("get-function-event-invoke-config", "--function-name", name).json
        self.assertEqual(eic["DestinationConfig"]["OnFailure"]["Destination"], FAILED_QUEUE)

        listed = self.cli("list-functions").json
        self.assertIn(name, [f["FunctionName"] for f in listed["Functions"]])

        published = self.cli("publish-version", "--function-name", name).json
        self.assertEqual(published["Version"], "1")
        alias = self.cli("create-alias", "--function-name", name, "--name", "BLUE",
                         "--function-version", "1").json
        self.assertEqual(alias["AliasArn"], self.arn(name, "BLUE"))

        self.cli("delete-function-event-invoke-config", "--function-name", name)
        self.cli("delete-function", "--function-name", name)

    def test_cli_fidelity_fixes(self):
        # Runtimes without an interpreter are refused at create; "$latest" and an ARN without
        # "function:" are 404s on delete-function; get-account-settings counts the packages.
        with tempfile.TemporaryDirectory() as tmp:
            zip_path = Path(tmp) / "function.zip"
            zip_path.write_bytes(python_zip())
            refused = self.cli("create-function", "--function-name", self.unique("cli"),
                               "--runtime", "ruby3.3", "--role", ROLE_ARN, "--handler", "h.h",
                               "--zip-file", f"fileb://{zip_path}", ok=False)
            self.assertNotEqual(refused.returncode, 0)
            self.assertIn("InvalidParameterValueException", refused.stderr)
            self.assertIn("The runtime ruby3.3 cannot run on this lambdalite server", refused.stderr)
            name = self.unique("cli")
            self.cli("create-function", "--function-name", name, "--runtime", "python3.12",
                     "--role", ROLE_ARN, "--handler", "handler.handler",
                     "--zip-file", f"fileb://{zip_path}")
        lower = self.cli("delete-function", "--function-name", name, "--qualifier", "$latest",
                         ok=False)
        self.assertIn("ResourceNotFoundException", lower.stderr)
        self.assertIn(f"Function not found: {self.arn(name, '$latest')}", lower.stderr)
        arn = "arn:aws:lambda:us-east-1:123456789012:function"
        incomplete = self.cli("delete-function", "--function-name", arn, ok=False)
        self.assertIn("ResourceNotFoundException", incomplete.stderr)
        self.assertIn(f"Function not found: {self.arn('function')}", incomplete.stderr)
        usage = self.cli("get-account-settings").json["AccountUsage"]
        size = self.cli("get-function-configuration", "--function-name", name).json["CodeSize"]
        self.assertGreaterEqual(usage["TotalCodeSize"], size)

    def test_cli_error_output(self):
        res = self.cli("get-function", "--function-name", "doesnotexist-cli", ok=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertRegex(res.stderr, re.escape("An error occurred (ResourceNotFoundException) when "
                                               "calling the GetFunction operation")
                         + r"( \(reached max retries: \d+\))?: "
                         + re.escape("Function not found: " + self.arn("doesnotexist-cli")))

    def test_cli_event_invoke_config_errors(self):
        res = self.cli("put-function-event-invoke-config", "--function-name", "doesnotexist-cli",
                       "--maximum-retry-attempts", "1", ok=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertRegex(res.stderr, re.escape("(ResourceNotFoundException) when calling the "
                                               "PutFunctionEventInvokeConfig operation")
                         + r"( \(reached max retries: \d+\))?: "
                         + re.escape("The function doesn't exist."))


if __name__ == "__main__":
    unittest.main()
