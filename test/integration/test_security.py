"""Security (issue 14): request values that reach file names, SigV4 verification (--auth-keys),
and the startup order.

Item 1, input that reaches a path: a credential scope whose region is no AWS region (e.g. "..",
which once made the server create <data-dir>/pwn1 outside logs/) is refused before any operation
runs, with AWS's answer to a request scoped to a region it does not serve:
  403 InvalidSignatureException {"message": "Credential should be scoped to a valid region, not
  '<region>'. "}
and nothing is created in the data directory. Logs are kept per account:
<data>/logs/<account>/<region>/<function>/...
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import time
import unittest
import urllib.parse
from pathlib import Path
from unittest import mock

import botocore.auth
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from harness import (DEFAULT_ACCOUNT, LambdaliteServer, LambdaliteTestCase, aws_cli, find_binary,
                     lambda_client, python_zip, raw_request, unique_name)

ROLE = f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/lambda-test-role"


def signed(endpoint: str, method: str, path: str, body: bytes = b"", *, region: str = "us-east-1",
           access_key: str = "test", secret_key: str = "test", service: str = "lambda",
           headers: dict[str, str] | None = None):
    """Sends a request signed by botocore's own SigV4 signer for any region, even one botocore's
    clients would refuse to be configured with (".."), and returns the raw response."""
    url = endpoint + path
    hdrs = {"Content-Type": "application/json"}
    hdrs.update(headers or {})
    req = AWSRequest(method=method, url=url, data=body, headers=hdrs)
    SigV4Auth(Credentials(access_key, secret_key), service, region).add_auth(req)
    prepared = req.prepare()
    return raw_request(endpoint, method, path, body if body else None, dict(prepared.headers))


def walk(root: Path) -> set[str]:
    out = set()
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            out.add(os.path.relpath(os.path.join(dirpath, name), root))
    return out


def walk_outside(server: LambdaliteServer) -> set[str]:
    """Everything in the server's temporary directory (which holds the data directory) and beside
    it, so a file made outside the data directory is seen too."""
    return walk(server.tmp)


CREATE_BODY = lambda name: json.dumps({  # noqa: E731
    "FunctionName": name, "Runtime": "python3.12", "Role": ROLE, "Handler": "handler.handler",
    "Code": {"ZipFile": __import__("base64").b64encode(python_zip()).decode()}}).encode()


class ForgedRegionTest(LambdaliteTestCase):
    def expect_invalid_region(self, resp, region: str) -> None:
        self.assertEqual(resp.status, 403, resp.body)
        self.assertEqual(resp.header("x-amzn-ErrorType"), "InvalidSignatureException")
        self.assertTrue(resp.header("x-amzn-RequestId"))
        self.assertEqual(resp.json(), {
            "message": f"Credential should be scoped to a valid region, not '{region}'. "})

    def test_forged_regions_are_refused_and_create_nothing(self):
        # One ordinary request first, so the database and its journal already exist.
        self.client.list_functions()
        before = walk_outside(self.server)
        # (A region holding "/" makes the credential unparseable: without --auth such a request
        # counts as unsigned and lands in the default scope.)
        for region in ["..", ".", "pwn", "US-EAST-1", "us-east-1a", "us-east-", "x" * 300]:
            with self.subTest(region=region):
                resp = signed(self.endpoint, "POST", "/2015-03-31/functions",
                              CREATE_BODY("pwn1"), region=region)
                self.expect_invalid_region(resp, region)
                resp = signed(self.endpoint, "POST", "/2015-03-31/functions/pwn1/invocations",
                              b"{}", region=region)
                self.expect_invalid_region(resp, region)
                resp = signed(self.endpoint, "GET", "/2015-03-31/functions/pwn1", region=region)
                self.expect_invalid_region(resp, region)
        time.sleep(0.3)  # logs are written in the background
        self.assertEqual(walk_outside(self.server) - before, set())
        self.assertFalse((self.server.data_dir / "pwn1").exists())
        self.assertAwsError(lambda: self.client.get_function(FunctionName="pwn1"), 404,
                            "ResourceNotFoundException", message_prefix="Function not found")
        self.assertServerAlive()

    def test_presigned_query_region_is_checked_too(self):
        req = AWSRequest(method="GET", url=self.endpoint + "/2015-03-31/functions/pwn1")
        SigV4QueryAuth(Credentials("test", "test"), "lambda", "..", expires=300).add_auth(req)
        path = req.url[len(self.endpoint):]
        self.expect_invalid_region(raw_request(self.endpoint, "GET", path), "..")

    def test_aws_cli_with_forged_region(self):
        # The AWS CLI itself refuses "..": a region it accepts but AWS has not ("zz-test-1").
        result = aws_cli(self.endpoint, "list-functions", region="zz-test-1")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("InvalidSignatureException", result.stderr)
        self.assertIn("Credential should be scoped to a valid region, not 'zz-test-1'.",
                      result.stderr)

    def test_path_like_names_are_refused_and_create_nothing(self):
        self.client.list_functions()
        before = walk_outside(self.server)
        for name in ["..", "../pwn2", "a/b", "%2e%2e", "pwn3%2F..", "."]:
            with self.subTest(name=name):
                quoted = urllib.parse.quote(name, safe="")
                resp = signed(self.endpoint, "POST", "/2015-03-31/functions", CREATE_BODY(name))
                self.assertIn(resp.status, (400, 403), resp.body)
                resp = signed(self.endpoint, "POST",
                              f"/2015-03-31/functions/{quoted}/invocations", b"{}")
                self.assertIn(resp.status, (400, 403, 404), resp.body)
                resp = signed(self.endpoint, "POST",
                              f"/2015-03-31/functions/fn/invocations?Qualifier={quoted}", b"{}")
                self.assertIn(resp.status, (400, 403, 404), resp.body)
        time.sleep(0.3)
        self.assertEqual(walk_outside(self.server) - before, set())
        self.assertServerAlive()

    def test_logs_are_kept_per_account(self):
        name = unique_name("logacct")
        other = lambda_client(self.endpoint, access_key="210987654321")
        for client in (self.client, other):
            self.create_function(name, client=client)
            client.invoke(FunctionName=name, Payload=b"{}")
        logs = self.server.data_dir / "logs"
        deadline = time.time() + 10
        while time.time() < deadline:
            if (list((logs / DEFAULT_ACCOUNT / "us-east-1" / name).rglob("*.log"))
                    and list((logs / "210987654321" / "us-east-1" / name).rglob("*.log"))):
                break
            time.sleep(0.1)
        self.assertTrue(list((logs / DEFAULT_ACCOUNT / "us-east-1" / name).rglob("*.log")))
        self.assertTrue(list((logs / "210987654321" / "us-east-1" / name).rglob("*.log")))
        self.assertFalse((logs / "us-east-1").exists())
        # `lambdalite logs` reads the account's logs (--account, default the default account).
        for account in (DEFAULT_ACCOUNT, "210987654321"):
            proc = subprocess.run([str(find_binary()), "logs", name, "--data-dir",
                                   str(self.server.data_dir), "--account", account],
                                  capture_output=True, text=True, timeout=60)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertIn("START RequestId:", proc.stdout)
        proc = subprocess.run([str(find_binary()), "logs", "..", "--data-dir",
                               str(self.server.data_dir)], capture_output=True, text=True,
                              timeout=60)
        self.assertEqual(proc.returncode, 2)

    def test_logs_command_reads_the_layout_without_accounts(self):
        old = self.server.data_dir / "logs" / "us-east-1" / "oldfn" / "2024" / "01" / "31"
        old.mkdir(parents=True)
        (old / "[$LATEST]abc.log").write_text("2024-01-31T00:00:00.000Z START RequestId: old\n")
        proc = subprocess.run([str(find_binary()), "logs", "oldfn", "--data-dir",
                               str(self.server.data_dir)], capture_output=True, text=True,
                              timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("START RequestId: old", proc.stdout)


if __name__ == "__main__":
    unittest.main()
