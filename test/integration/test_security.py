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

import boto3
import botocore.auth
import botocore.config
import botocore.exceptions
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


# --------------------------------------------------------------------------------------------
# Item 2: SigV4 verification (--auth-keys FILE)
# --------------------------------------------------------------------------------------------

ALICE = ("AKIAALICEEXAMPLE", "alice/secret+Key", "111111111111")
ALICE2 = ("AKIAALICE2EXAMPLE", "alice-second-secret", "111111111111")
BOB = ("AKIABOBEXAMPLE", "bob-secret", "222222222222")
KEYS_FILE = Path(__import__("tempfile").mkdtemp(prefix="lambdalite-keys-")) / "keys"
__import__("atexit").register(__import__("shutil").rmtree, KEYS_FILE.parent, True)
KEYS_FILE.write_text("# access key id, secret access key, account id\n"
                     + "\n".join(" ".join(k) for k in (ALICE, ALICE2, BOB)) + "\n")
MISMATCH = ("The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service "
            "documentation for details.")
ENV_HANDLER = ("import os\n"
               "def handler(event, context):\n"
               "    return {k: os.environ.get(k) for k in ('AWS_ACCESS_KEY_ID', "
               "'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN')}\n")


def keyed_client(endpoint: str, key: tuple[str, str, str], secret: str | None = None):
    return lambda_client(endpoint, access_key=key[0], secret_key=secret or key[1])


def cli(endpoint: str, key: tuple[str, str, str], *args: str, secret: str | None = None):
    import shutil
    exe = shutil.which("aws")
    if not exe:
        raise unittest.SkipTest("the AWS CLI (aws) is not installed")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_ACCESS_KEY_ID": key[0], "AWS_SECRET_ACCESS_KEY": secret or key[1],
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_PAGER": "", "AWS_MAX_ATTEMPTS": "1",
                "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                "AWS_EC2_METADATA_DISABLED": "true"})
    return subprocess.run([exe, "--endpoint-url", endpoint, "lambda", *args, "--output", "json"],
                          capture_output=True, text=True, env=env, timeout=120,
                          stdin=subprocess.DEVNULL)


class AuthTest(LambdaliteTestCase):
    SERVER_ARGS = ("--auth-keys", str(KEYS_FILE))

    @classmethod
    def _make_clients(cls):
        cls.endpoint = cls.server.endpoint
        cls.client = keyed_client(cls.endpoint, ALICE)
        cls.raw = cls.client
        cls.bob = keyed_client(cls.endpoint, BOB)

    def refused(self, call, code: str, message: str | None = None, *, regex: str | None = None):
        # (These types are not in the Lambda model: botocore keeps only Error.Code/Message; the raw
        # body shape {"message": ...} is checked by the raw-request tests.)
        err = self.assertAwsError(call, 403, code, message, message_regex=regex, type_user=None,
                                  message_key=None)
        return err

    def test_health_reports_auth(self):
        status, body = self.server.health()
        self.assertEqual(status, 200)
        self.assertEqual(body.get("auth"), "sigv4")
        self.assertNotIn("warnings", body)

    def test_signed_requests_act_for_the_keys_account(self):
        name = unique_name("authfn")
        resp = self.create_function(name)
        self.assertEqual(resp["FunctionArn"], f"arn:aws:lambda:us-east-1:111111111111:function:{name}")
        # Another key of the same account sees it; the other account does not.
        alice2 = keyed_client(self.endpoint, ALICE2)
        self.assertEqual(alice2.get_function(FunctionName=name)["Configuration"]["FunctionName"],
                         name)
        self.assertAwsError(lambda: self.bob.get_function(FunctionName=name), 404,
                            "ResourceNotFoundException",
                            f"Function not found: arn:aws:lambda:us-east-1:222222222222:function:{name}")
        self.assertNotIn(name, [f["FunctionName"] for f in self.bob.list_functions()["Functions"]])
        self.assertAwsError(lambda: self.bob.invoke(FunctionName=name, Payload=b"{}"), 404,
                            "ResourceNotFoundException")
        self.assertAwsError(lambda: self.bob.delete_function(FunctionName=name), 404,
                            "ResourceNotFoundException")
        # Naming the function by its ARN does not cross accounts either.
        with self.assertRaises(ClientError) as cm:
            self.bob.get_function(FunctionName=resp["FunctionArn"])
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)
        self.assertEqual(self.client.get_function(FunctionName=name)["Configuration"]["FunctionName"], name)

    def test_wrong_secret(self):
        wrong = keyed_client(self.endpoint, ALICE, secret="not-the-secret")
        self.refused(lambda: wrong.list_functions(), "InvalidSignatureException", MISMATCH)

    def test_unknown_key_and_digits_key(self):
        for key in (("AKIANOBODY", "x", ""), ("111111111111", "test", "")):
            client = lambda_client(self.endpoint, access_key=key[0], secret_key=key[1])
            self.refused(lambda: client.list_functions(), "UnrecognizedClientException",
                         "The security token included in the request is invalid.")

    def test_tampered_body(self):
        body = CREATE_BODY(unique_name("tamper"))
        req = AWSRequest(method="POST", url=self.endpoint + "/2015-03-31/functions", data=body,
                         headers={"Content-Type": "application/json"})
        SigV4Auth(Credentials(ALICE[0], ALICE[1]), "lambda", "us-east-1").add_auth(req)
        tampered = body.replace(b'"Handler": "handler.handler"', b'"Handler": "evil.handler"')
        self.assertNotEqual(tampered, body)
        headers = {k: v for k, v in req.prepare().headers.items() if k.lower() != "content-length"}
        resp = raw_request(self.endpoint, "POST", "/2015-03-31/functions", tampered, headers)
        self.assertEqual(resp.status, 403)
        self.assertEqual(resp.header("x-amzn-ErrorType"), "InvalidSignatureException")
        self.assertEqual(resp.json(), {"message": MISMATCH})
        # The untampered request goes through.
        resp = raw_request(self.endpoint, "POST", "/2015-03-31/functions", body, headers)
        self.assertEqual(resp.status, 201, resp.body)

    def test_expired_and_future_signatures(self):
        real = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        for delta, regex in ((-10, r"^Signature expired: \d{8}T\d{6}Z is now earlier than "
                                   r"\d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$"),
                             (10, r"^Signature not yet current: \d{8}T\d{6}Z is still later than "
                                  r"\d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 5 min\.\)$")):
            with self.subTest(minutes=delta), mock.patch.object(
                    botocore.auth, "get_current_datetime",
                    return_value=real + datetime.timedelta(minutes=delta)):
                self.refused(lambda: self.client.list_functions(), "InvalidSignatureException",
                             regex=regex)
        # Within the window (4 minutes off) it is fine.
        with mock.patch.object(botocore.auth, "get_current_datetime",
                               return_value=real - datetime.timedelta(minutes=4)):
            self.client.list_functions()

    def test_missing_authentication(self):
        for method, path in (("GET", "/2015-03-31/functions/"), ("POST", "/2015-03-31/functions"),
                             ("GET", "/no/such/path")):
            resp = raw_request(self.endpoint, method, path, b"{}" if method == "POST" else None)
            self.assertEqual(resp.status, 403, resp.body)
            self.assertEqual(resp.header("x-amzn-ErrorType"), "MissingAuthenticationTokenException")
            self.assertEqual(resp.json(), {"message": "Missing Authentication Token"})
            self.assertTrue(resp.header("x-amzn-RequestId"))
        resp = raw_request(self.endpoint, "GET", "/2015-03-31/functions/",
                           headers={"Authorization": "Bearer abc", "X-Amz-Date": "20260101T000000Z"})
        self.assertEqual(resp.status, 403)
        self.assertEqual(resp.header("x-amzn-ErrorType"), "IncompleteSignatureException")
        self.assertEqual(resp.json()["message"],
                         "Authorization header requires 'Credential' parameter. Authorization "
                         "header requires 'Signature' parameter. Authorization header requires "
                         "'SignedHeaders' parameter. Authorization=Bearer abc")

    def test_presigned_query_url(self):
        name = unique_name("presign")
        self.create_function(name)
        req = AWSRequest(method="GET", url=f"{self.endpoint}/2015-03-31/functions/{name}")
        SigV4QueryAuth(Credentials(ALICE[0], ALICE[1]), "lambda", "us-east-1",
                       expires=60).add_auth(req)
        path = req.url[len(self.endpoint):]
        resp = raw_request(self.endpoint, "GET", path)
        self.assertEqual(resp.status, 200, resp.body)
        self.assertEqual(resp.json()["Configuration"]["FunctionName"], name)
        # A changed parameter breaks it.
        resp = raw_request(self.endpoint, "GET", path.replace(name, name + "x"))
        self.assertEqual(resp.status, 403)
        self.assertEqual(resp.header("x-amzn-ErrorType"), "InvalidSignatureException")
        # So does the wrong secret.
        req = AWSRequest(method="GET", url=f"{self.endpoint}/2015-03-31/functions/{name}")
        SigV4QueryAuth(Credentials(ALICE[0], "wrong"), "lambda", "us-east-1").add_auth(req)
        resp = raw_request(self.endpoint, "GET", req.url[len(self.endpoint):])
        self.assertEqual(resp.json(), {"message": MISMATCH})

    def test_unsigned_payload(self):
        body = b"{}"
        req = AWSRequest(method="GET", url=self.endpoint + "/2015-03-31/functions/",
                         headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
        SigV4Auth(Credentials(ALICE[0], ALICE[1]), "lambda", "us-east-1").add_auth(req)
        # botocore hashes the body even when the header says otherwise; sign by hand instead.
        self.assertIsNotNone(body)
        from botocore.auth import UNSIGNED_PAYLOAD  # noqa: F401

        class Unsigned(SigV4Auth):
            def payload(self, request):
                return "UNSIGNED-PAYLOAD"
        req = AWSRequest(method="GET", url=self.endpoint + "/2015-03-31/functions/",
                         headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
        Unsigned(Credentials(ALICE[0], ALICE[1]), "lambda", "us-east-1").add_auth(req)
        resp = raw_request(self.endpoint, "GET", "/2015-03-31/functions/",
                           headers=dict(req.prepare().headers))
        self.assertEqual(resp.status, 200, resp.body)

    def test_streaming_chunked_payload(self):
        """x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD: the seed signature and each
        chunk's are checked (computed here in Python, independently of the server's code) and
        the operation sees the decoded payload."""
        import hashlib
        import hmac
        name = unique_name("chunked")
        self.create_function(name)
        payload = json.dumps({"n": 1, "pad": "x" * 70000}).encode()
        chunks = [payload[:65536], payload[65536:], b""]

        class Streaming(SigV4Auth):
            def payload(self, request):
                return "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"

        path = f"/2015-03-31/functions/{name}/invocations"

        def build(tamper: bool) -> tuple[dict, bytes]:
            req = AWSRequest(method="POST", url=self.endpoint + path, headers={
                "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
                "Content-Encoding": "aws-chunked",
                "x-amz-decoded-content-length": str(len(payload))})
            Streaming(Credentials(ALICE[0], ALICE[1]), "lambda", "us-east-1").add_auth(req)
            amz_date = req.headers["X-Amz-Date"]
            seed = req.headers["Authorization"].rsplit("Signature=", 1)[1]
            key = ("AWS4" + ALICE[1]).encode()
            for part in (amz_date[:8], "us-east-1", "lambda", "aws4_request"):
                key = hmac.new(key, part.encode(), hashlib.sha256).digest()
            scope = f"{amz_date[:8]}/us-east-1/lambda/aws4_request"
            body, previous = b"", seed
            for chunk in chunks:
                sts = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, previous,
                                 hashlib.sha256(b"").hexdigest(),
                                 hashlib.sha256(chunk).hexdigest()])
                previous = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
                data = chunk.replace(b"x", b"y", 1) if tamper and chunk else chunk
                body += f"{len(chunk):x};chunk-signature={previous}\r\n".encode() + data + b"\r\n"
            headers = {k: v for k, v in req.prepare().headers.items()
                       if k.lower() != "content-length"}
            return headers, body

        headers, body = build(False)
        resp = raw_request(self.endpoint, "POST", path, body, headers)
        self.assertEqual(resp.status, 200, resp.body)
        self.assertEqual(json.loads(resp.body)["event"]["n"], 1)
        headers, body = build(True)
        resp = raw_request(self.endpoint, "POST", path, body, headers)
        self.assertEqual(resp.status, 403, resp.body)
        self.assertEqual(resp.json(), {"message": MISMATCH})

    def test_aws_cli(self):
        name = unique_name("authcli")
        zip_path = Path(self.server.tmp) / f"{name}.zip"
        zip_path.write_bytes(python_zip())
        ok = cli(self.endpoint, BOB, "create-function", "--function-name", name, "--runtime",
                 "python3.12", "--handler", "handler.handler", "--role", ROLE, "--zip-file",
                 f"fileb://{zip_path}")
        self.assertEqual(ok.returncode, 0, ok.stderr)
        self.assertIn(":222222222222:function:", json.loads(ok.stdout)["FunctionArn"])
        listed = cli(self.endpoint, BOB, "list-functions")
        self.assertIn(name, listed.stdout)
        self.assertNotIn(name, cli(self.endpoint, ALICE, "list-functions").stdout)
        bad = cli(self.endpoint, BOB, "list-functions", secret="wrong")
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("An error occurred (InvalidSignatureException) when calling the "
                      f"ListFunctions operation: {MISMATCH}", bad.stderr)
        unknown = cli(self.endpoint, ("AKIANOBODY", "x", ""), "list-functions")
        self.assertIn("(UnrecognizedClientException) when calling the ListFunctions operation: "
                      "The security token included in the request is invalid.", unknown.stderr)

    def test_function_gets_credentials_of_its_own(self):
        # As AWS hands a function its role's session credentials: per function, with a session
        # token, and (below) valid for the function's account only.
        seen = {}
        for key, label in ((ALICE, "a1"), (ALICE, "a2"), (BOB, "b1")):
            name = unique_name("envkey")
            client = keyed_client(self.endpoint, key)
            self.create_function(name, client=client, zip_bytes=python_zip(ENV_HANDLER))
            out = json.loads(client.invoke(FunctionName=name, Payload=b"{}")["Payload"].read())
            self.assertRegex(out["AWS_ACCESS_KEY_ID"], r"^ASIA[0-9A-F]{16}$")
            self.assertEqual(len(out["AWS_SECRET_ACCESS_KEY"]), 40)
            self.assertTrue(out["AWS_SESSION_TOKEN"])
            self.assertNotIn(out["AWS_SECRET_ACCESS_KEY"], (ALICE[1], ALICE2[1], BOB[1]))
            seen[label] = out
        self.assertEqual(len({o["AWS_ACCESS_KEY_ID"] for o in seen.values()}), 3)

        def session_client(creds, token=None):
            return boto3.session.Session().client(
                "lambda", endpoint_url=self.endpoint, region_name="us-east-1",
                aws_access_key_id=creds["AWS_ACCESS_KEY_ID"],
                aws_secret_access_key=creds["AWS_SECRET_ACCESS_KEY"],
                aws_session_token=token or creds["AWS_SESSION_TOKEN"],
                config=botocore.config.Config(retries={"max_attempts": 1}))

        alice_names = {f["FunctionName"]
                       for f in keyed_client(self.endpoint, ALICE).list_functions()["Functions"]}
        as_alice_fn = {f["FunctionName"]
                       for f in session_client(seen["a1"]).list_functions()["Functions"]}
        self.assertEqual(as_alice_fn, alice_names)
        as_bob_fn = {f["FunctionName"]
                     for f in session_client(seen["b1"]).list_functions()["Functions"]}
        self.assertFalse(as_bob_fn & alice_names, "a function of bob's account sees alice's")
        # One function's key with another's token, or a token altered: refused as unknown.
        for token in (seen["b1"]["AWS_SESSION_TOKEN"], seen["a1"]["AWS_SESSION_TOKEN"][:-1] + "x"):
            with self.assertRaises(botocore.exceptions.ClientError) as caught:
                session_client(seen["a1"], token).list_functions()
            err = caught.exception.response
            self.assertEqual(err["Error"]["Code"], "UnrecognizedClientException")
            self.assertEqual(err["Error"]["Message"],
                             "The security token included in the request is invalid.")

    def test_async_introspection_needs_a_signature(self):
        resp = raw_request(self.endpoint, "GET", "/_lambdalite/async?function=x&account=111111111111")
        self.assertEqual(resp.status, 403)
        self.assertEqual(resp.header("x-amzn-ErrorType"), "MissingAuthenticationTokenException")
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        cmd = [str(find_binary()), "events", "x", "--endpoint", self.endpoint]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("Missing Authentication Token", proc.stdout)
        env.update({"AWS_ACCESS_KEY_ID": BOB[0], "AWS_SECRET_ACCESS_KEY": BOB[1]})
        proc = subprocess.run(cmd + ["--account", "111111111111"], capture_output=True, text=True,
                              env=env, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(json.loads(proc.stdout)["function"], "x")

    def test_restart_keeps_accounts_apart(self):
        name = unique_name("authpersist")
        self.create_function(name)
        self.server.restart()
        type(self)._make_clients()
        self.assertEqual(self.client.get_function(FunctionName=name)["Configuration"]["FunctionName"],
                         name)
        self.assertAwsError(lambda: self.bob.get_function(FunctionName=name), 404,
                            "ResourceNotFoundException")


class ExposedWithoutAuthTest(LambdaliteTestCase):
    """--host other than loopback without --auth-keys: a warning at start and in health."""

    @classmethod
    def setUpClass(cls):
        unittest.TestCase.setUpClass()
        cls.moto = None
        cls.server = LambdaliteServer(host="0.0.0.0")
        try:
            cls.server.start()
        except BaseException:
            cls.server.cleanup()
            raise
        cls._make_clients()

    def test_warning(self):
        status, body = self.server.health()
        self.assertEqual(status, 200)
        self.assertEqual(body.get("auth"), "none")
        self.assertEqual(len(body.get("warnings", [])), 1)
        self.assertIn("without --auth-keys", body["warnings"][0])
        self.assertIn("WARNING: lambdalite listens on 0.0.0.0 without --auth-keys",
                      self.server.log_tail(200))
        # Still the zero-config emulator: any key works.
        self.client.list_functions()


# --------------------------------------------------------------------------------------------
# Item 6: no startup race
# --------------------------------------------------------------------------------------------

class StartupOrderTest(unittest.TestCase):
    """From the first connection the server accepts, every route is there: the first answer to
    an Invoke of a missing function is its 404, never a 501 from a route not yet registered, and
    the first health answer is ok. The port is refused (not accepted and left hanging) before."""

    def test_first_answers_come_from_a_fully_wired_server(self):
        import socket
        from harness import _server_env, free_port
        for attempt in range(3):
            tmp = Path(__import__("tempfile").mkdtemp(prefix="lambdalite-startup-"))
            port = free_port()
            proc = subprocess.Popen([str(find_binary()), "serve", "--port", str(port),
                                     "--data-dir", str(tmp / "data")],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                    env=_server_env(None), start_new_session=True)
            try:
                endpoint = f"http://127.0.0.1:{port}"
                first = None
                deadline = time.time() + 30
                while time.time() < deadline and first is None:
                    try:
                        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                            pass
                    except OSError:
                        time.sleep(0.001)
                        continue
                    first = signed(endpoint, "POST", "/2015-03-31/functions/nope/invocations",
                                   b"{}")
                self.assertIsNotNone(first, "server never accepted a connection")
                self.assertEqual(first.status, 404, first.body)
                self.assertEqual(first.header("x-amzn-ErrorType"), "ResourceNotFoundException")
                health = raw_request(endpoint, "GET", "/_lambdalite/health")
                self.assertEqual(health.status, 200)
                self.assertEqual(health.json()["status"], "ok")
            finally:
                os.killpg(proc.pid, 15)
                proc.wait(timeout=30)
                __import__("shutil").rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
