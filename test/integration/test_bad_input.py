"""Bad input over raw HTTP: malformed JSON, wrong types, unknown routes, oversized bodies,
bad zips, invalid UTF-8. Every answer must be a JSON error (never HTML, never a dropped
connection) and the server must keep answering afterwards."""

import base64
import json
import unittest

from harness import ROLE_ARN, LambdaliteTestCase, python_zip, raw_request, unique_name

CREATE_PATH = "/2015-03-31/functions"
MAX_CREATE_BODY = 70167211


def create_body(name: str, zip_bytes: bytes | None = None, **extra) -> dict:
    body = {"FunctionName": name, "Runtime": "python3.12", "Role": ROLE_ARN,
            "Handler": "handler.handler",
            "Code": {"ZipFile": base64.b64encode(zip_bytes or python_zip()).decode()}}
    body.update(extra)
    return body


class BadInputTest(LambdaliteTestCase):
    def assertJsonError(self, resp, status=None, code=None, *, statuses=None, message=None):
        ctx = f"HTTP {resp.status} {resp.headers} {resp.body[:500]!r}"
        if status is not None:
            self.assertEqual(resp.status, status, ctx)
        if statuses is not None:
            self.assertIn(resp.status, statuses, ctx)
        self.assertGreaterEqual(resp.status, 400, ctx)
        self.assertTrue(resp.header("x-amzn-RequestId"), f"x-amzn-RequestId missing: {ctx}")
        error_type = resp.header("x-amzn-ErrorType")
        self.assertTrue(error_type, f"x-amzn-ErrorType missing: {ctx}")
        self.assertIn("json", (resp.header("content-type") or "").lower(), ctx)
        try:
            body = resp.json()
        except ValueError:
            self.fail(f"error body is not JSON: {ctx}")
        self.assertIsInstance(body, dict, ctx)
        if code is not None:
            self.assertEqual(error_type.split(":")[0], code, ctx)
        if message is not None:
            self.assertEqual(body.get("message", body.get("Message")), message, ctx)
        self.assertServerAlive()
        return body

    # -- malformed / wrong-typed JSON --------------------------------------------------------
    def test_malformed_json_create(self):
        # unverified message and code: AWS answers unparseable JSON for Invoke with
        # InvalidRequestContentException "Could not parse request body into json: ...". The
        # control-plane wording is not recorded; only a 400 JSON error is asserted.
        resp = raw_request(self.endpoint, "POST", CREATE_PATH, b'{"FunctionName": "x", ')
        self.assertJsonError(resp, 400)

    def test_malformed_json_event_invoke_config(self):
        name = self.unique("bad")
        self.create_function(name)
        for body in (b"{", b"not json at all", b'{"MaximumRetryAttempts": }', b"[1,2,3]"):
            with self.subTest(body=body):
                resp = raw_request(self.endpoint, "PUT",
                                   f"/2019-09-25/functions/{name}/event-invoke-config", body)
                self.assertJsonError(resp, 400)  # unverified message

    def test_wrong_types(self):
        name = self.unique("types")
        cases = [
            create_body(name, MemorySize="lots"),
            create_body(name, Timeout=[3]),
            create_body(name, Environment={"Variables": ["A", "B"]}),
            create_body(name, Publish="yes please"),
            dict(create_body(name), FunctionName=123),
            dict(create_body(name), Code="not an object"),
        ]
        for body in cases:
            with self.subTest(body={k: v for k, v in body.items() if k != "Code"}):
                resp = raw_request(self.endpoint, "POST", CREATE_PATH, json.dumps(body))
                self.assertJsonError(resp, 400)  # unverified message
        self.assertAwsError(lambda: self.client.get_function(FunctionName=name), 404,
                            "ResourceNotFoundException", f"Function not found: {self.arn(name)}")

    def test_wrong_types_event_invoke_config(self):
        name = self.unique("types")
        self.create_function(name)
        for body in ({"MaximumRetryAttempts": "two"}, {"MaximumEventAgeInSeconds": 1.5e99},
                     {"DestinationConfig": "sqs"}, {"DestinationConfig": {"OnFailure": 5}}):
            with self.subTest(body=body):
                resp = raw_request(self.endpoint, "PUT",
                                   f"/2019-09-25/functions/{name}/event-invoke-config",
                                   json.dumps(body))
                self.assertJsonError(resp, 400)  # unverified message

    def test_empty_body_create(self):
        # unverified message: AWS reports missing required members as a ValidationException.
        resp = raw_request(self.endpoint, "POST", CREATE_PATH, b"")
        self.assertJsonError(resp, 400)
        resp = raw_request(self.endpoint, "POST", CREATE_PATH, b"{}")
        self.assertJsonError(resp, 400)

    def test_invalid_utf8_body(self):
        for body in (b'{"FunctionName": "\xff\xfe\xfd", "Runtime": "python3.12"}',
                     b'\xc3\x28{"a": 1}'):
            with self.subTest(body=body):
                resp = raw_request(self.endpoint, "POST", CREATE_PATH, body)
                self.assertJsonError(resp, 400)  # unverified message

    def test_invalid_utf8_in_description(self):
        name = self.unique("utf")
        self.create_function(name)
        resp = raw_request(self.endpoint, "PUT", f"/2015-03-31/functions/{name}/configuration",
                           b'{"Description": "caf\xe9"}')
        self.assertJsonError(resp, 400)  # unverified message
        cfg = self.client.get_function_configuration(FunctionName=name)
        self.assertEqual(cfg["Description"], "")

    def test_unicode_description_round_trip(self):
        name = self.unique("utf")
        resp = self.create_function(name, Description="café ☕ 日本")
        self.assertEqual(resp["Description"], "café ☕ 日本")
        self.assertEqual(self.client.get_function_configuration(FunctionName=name)["Description"],
                         "café ☕ 日本")

    def test_invalid_utf8_in_path(self):
        resp = raw_request(self.endpoint, "GET", "/2015-03-31/functions/%FF%FE/configuration")
        self.assertJsonError(resp, statuses=(400, 404))  # unverified code and message

    # -- routes -------------------------------------------------------------------------------
    def test_unknown_route_is_json(self):
        # unverified code and message: only "a JSON error, not HTML" is asserted.
        for method, path in (("GET", "/"), ("GET", "/no/such/route"),
                             ("GET", "/2015-03-31/functionz"),
                             ("POST", "/2015-03-31/functions/x/unknown-subresource"),
                             ("GET", "/2099-01-01/functions")):
            with self.subTest(method=method, path=path):
                resp = raw_request(self.endpoint, method, path, b"{}" if method == "POST" else None)
                self.assertJsonError(resp, statuses=(400, 403, 404))

    def test_wrong_method_on_known_path(self):
        name = self.unique("meth")
        self.create_function(name)
        for method in ("PATCH", "POST"):
            with self.subTest(method=method):
                resp = raw_request(self.endpoint, method, f"/2015-03-31/functions/{name}/configuration",
                                   b"{}")
                self.assertJsonError(resp, statuses=(400, 403, 404, 405))  # unverified

    # -- sizes ------------------------------------------------------------------------------
    def test_oversized_create_body(self):
        name = unique_name("huge")
        # A syntactically valid CreateFunction body whose ZipFile makes it exceed the limit.
        head = (b'{"FunctionName": "' + name.encode() + b'", "Runtime": "python3.12", "Role": "'
                + ROLE_ARN.encode() + b'", "Handler": "handler.handler", "Code": {"ZipFile": "')
        tail = b'"}}'
        fill = MAX_CREATE_BODY + 1024 - len(head) - len(tail)
        body = head + b"A" * (fill - fill % 4) + tail
        self.assertGreater(len(body), MAX_CREATE_BODY)
        resp = raw_request(self.endpoint, "POST", CREATE_PATH, body)
        self.assertJsonError(resp, 413, "RequestEntityTooLargeException",
                             message="Request must be smaller than 70167211 bytes for the "
                                     "CreateFunction operation")
        self.assertAwsError(lambda: self.client.get_function(FunctionName=name), 404,
                            "ResourceNotFoundException", f"Function not found: {self.arn(name)}")

    def test_oversized_create_via_boto3(self):
        big = b"\0" * (53 * 1024 * 1024)  # base64 of this alone is > 70167211 bytes
        self.assertAwsError(
            lambda: self.raw.create_function(FunctionName=unique_name("huge"), Runtime="python3.12",
                                             Role=ROLE_ARN, Handler="handler.handler",
                                             Code={"ZipFile": big}),
            413, "RequestEntityTooLargeException",
            "Request must be smaller than 70167211 bytes for the CreateFunction operation")
        self.assertServerAlive()

    # -- zips -------------------------------------------------------------------------------
    def test_bad_zip_raw(self):
        for data in (b"this is not a zipfile, just a simple string", b"PK\x03\x04garbage", b""):
            with self.subTest(data=data):
                body = create_body(unique_name("badzip"))
                body["Code"]["ZipFile"] = base64.b64encode(data).decode()
                resp = raw_request(self.endpoint, "POST", CREATE_PATH, json.dumps(body))
                if data == b"":
                    self.assertJsonError(resp, 400)  # unverified message for an empty ZipFile
                else:
                    self.assertJsonError(
                        resp, 400, "InvalidParameterValueException",
                        message="Could not unzip uploaded file. Please check your file, then try "
                                "to upload again.")

    def test_zipfile_not_base64(self):
        body = create_body(unique_name("b64"))
        body["Code"]["ZipFile"] = "%%% not base64 %%%"
        resp = raw_request(self.endpoint, "POST", CREATE_PATH, json.dumps(body))
        self.assertJsonError(resp, 400)  # unverified message

    def test_server_survives_a_burst_of_garbage(self):
        for i in range(30):
            raw_request(self.endpoint, "POST", CREATE_PATH, bytes([i % 256]) * (i * 37 + 1))
        self.assertServerAlive()
        self.create_function(self.unique("after-garbage"))


if __name__ == "__main__":
    unittest.main()
