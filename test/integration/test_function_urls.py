"""Function URLs: the control plane (Create/Get/Update/Delete/ListFunctionUrlConfig(s)) against
aws-lambda-behaviour-2.md section 7 (FU1..FU26) through boto3 and the AWS CLI, persistence across
restarts; and the data plane (Host-header and /_lambdalite/url/ routing, the payload 2.0 event,
result mapping, errors, resource-policy and SigV4 authorization, CORS) through curl and
http.client."""

import base64
import http.client
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest
import urllib.parse

from harness import (DEFAULT_ACCOUNT, DEFAULT_REGION, LambdaliteServer, LambdaliteTestCase,
                     aws_cli, create_function, lambda_client, python_zip, unique_name)

RNF = "ResourceNotFoundException"
RCE = "ResourceConflictException"
IPVE = "InvalidParameterValueException"
VE = "ValidationException"
NODOC = "The resource you requested does not exist."
NOFN = "Function does not exist"
DERIVED = "The derived qualifier from the function name does not match the specified qualifier."
URL_RE = re.compile(r"^http://([a-z0-9]{32})\.lambda-url\.us-east-1\.localhost:\d+/$")
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def qualifier_error(q):
    return (f"1 validation error detected: Value '{q}' at 'qualifier' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: "
            "((?!^\\d+$)^[0-9a-zA-Z-_]+$)")


class ControlPlaneTest(LambdaliteTestCase):
    def setUp(self):
        self.fn = self.unique("url")
        self.create_function(self.fn)

    def test_fu1_fu3_fu4_fu7_fu8_lifecycle(self):
        created = self.client.create_function_url_config(FunctionName=self.fn, AuthType="NONE")
        self.assertStatus(created, 201)
        body = self.body(created)
        self.assertEqual(set(body), {"AuthType", "CreationTime", "FunctionArn", "FunctionUrl"},
                         "FU1: exactly four keys")
        self.assertEqual(body["AuthType"], "NONE")
        self.assertEqual(body["FunctionArn"], self.arn(self.fn))
        self.assertRegex(body["FunctionUrl"], URL_RE)
        self.assertRegex(body["CreationTime"], TIME_RE)

        got = self.body(self.client.get_function_url_config(FunctionName=self.fn))
        self.assertEqual(set(got), {"AuthType", "CreationTime", "FunctionArn", "FunctionUrl",
                                    "InvokeMode", "LastModifiedTime"}, "FU3")
        self.assertEqual(got["InvokeMode"], "BUFFERED")
        self.assertEqual(got["FunctionUrl"], body["FunctionUrl"])
        self.assertEqual(got["CreationTime"], body["CreationTime"])

        updated = self.client.update_function_url_config(FunctionName=self.fn, AuthType="AWS_IAM")
        self.assertStatus(updated, 200)
        upd = self.body(updated)
        self.assertEqual(set(upd), {"AuthType", "CreationTime", "FunctionArn", "FunctionUrl",
                                    "LastModifiedTime"}, "FU4: no InvokeMode")
        self.assertEqual(upd["AuthType"], "AWS_IAM")
        self.assertEqual(upd["FunctionUrl"], body["FunctionUrl"])

        self.assertAwsError(
            lambda: self.client.create_function_url_config(FunctionName=self.fn, AuthType="NONE"),
            409, RCE,
            f"Failed to create function url config for [functionArn = {self.arn(self.fn)}]. "
            "Error message:  FunctionUrlConfig exists for this Lambda function")

        deleted = self.client.delete_function_url_config(FunctionName=self.fn)
        self.assertStatus(deleted, 204)
        self.assertAwsError(lambda: self.client.get_function_url_config(FunctionName=self.fn),
                            404, RNF, NODOC)

    def test_fu2_fu5_invoke_mode(self):
        for mode in ("BUFFERED", "RESPONSE_STREAM"):
            fn = self.unique("urlm")
            self.create_function(fn)
            created = self.body(self.client.create_function_url_config(
                FunctionName=fn, AuthType="NONE", InvokeMode=mode))
            self.assertEqual(created["InvokeMode"], mode)
            self.assertNotIn("LastModifiedTime", created)
        self.client.create_function_url_config(FunctionName=self.fn, AuthType="AWS_IAM")
        upd = self.client.update_function_url_config(FunctionName=self.fn,
                                                     InvokeMode="RESPONSE_STREAM")
        self.assertEqual(upd["InvokeMode"], "RESPONSE_STREAM")
        self.assertEqual(upd["AuthType"], "AWS_IAM")
        got = self.client.get_function_url_config(FunctionName=self.fn)
        self.assertEqual(got["InvokeMode"], "RESPONSE_STREAM")
        self.assertEqual(got["AuthType"], "AWS_IAM")

    def test_fu16_invalid_invoke_mode(self):
        self.assertAwsError(
            lambda: self.raw.create_function_url_config(FunctionName=self.fn, AuthType="NONE",
                                                        InvokeMode="UNKNOWN"),
            400, VE,
            "1 validation error detected: Value 'UNKNOWN' at 'invokeMode' failed to satisfy "
            "constraint: Member must satisfy enum value set: [RESPONSE_STREAM, BUFFERED]")

    def test_cors_is_kept_and_shown(self):
        cors = {"AllowCredentials": True, "AllowHeaders": ["x-custom"],
                "AllowMethods": ["GET", "POST"], "AllowOrigins": ["https://example.com"],
                "ExposeHeaders": ["x-exposed"], "MaxAge": 300}
        created = self.client.create_function_url_config(FunctionName=self.fn, AuthType="NONE",
                                                         Cors=cors)
        self.assertEqual(created["Cors"], cors)
        self.assertEqual(self.client.get_function_url_config(FunctionName=self.fn)["Cors"], cors)
        upd = self.client.update_function_url_config(FunctionName=self.fn,
                                                     Cors={"AllowOrigins": ["*"]})
        self.assertEqual(upd["Cors"], {"AllowOrigins": ["*"]})

    def test_fu9_fu10_fu11_fu14_alias_list_and_delete(self):
        self.assertEqual(
            self.body(self.client.list_function_url_configs(FunctionName=self.fn)),
            {"FunctionUrlConfigs": []}, "FU11")
        self.publish(self.fn)
        self.client.create_alias(FunctionName=self.fn, Name="live", FunctionVersion="1")
        base = self.client.create_function_url_config(FunctionName=self.fn, AuthType="NONE")
        alias = self.client.create_function_url_config(FunctionName=f"{self.fn}:live",
                                                       Qualifier="live", AuthType="NONE")
        self.assertStatus(alias, 201)
        self.assertEqual(alias["FunctionArn"], self.arn(self.fn, "live"), "FU9")
        self.assertNotEqual(alias["FunctionUrl"], base["FunctionUrl"])
        listed = self.client.list_function_url_configs(FunctionName=self.fn)["FunctionUrlConfigs"]
        self.assertEqual(len(listed), 2, "FU10")
        for item in listed:
            self.assertEqual(set(item), {"AuthType", "CreationTime", "FunctionArn",
                                         "FunctionUrl", "InvokeMode", "LastModifiedTime"})
        self.assertEqual({i["FunctionArn"] for i in listed},
                         {self.arn(self.fn), self.arn(self.fn, "live")})
        self.client.delete_function_url_config(FunctionName=self.fn)  # FU14
        self.assertAwsError(lambda: self.client.get_function_url_config(FunctionName=self.fn),
                            404, RNF, NODOC)
        got = self.client.get_function_url_config(FunctionName=self.fn, Qualifier="live")
        self.assertEqual(got["FunctionUrl"], alias["FunctionUrl"])
        # Deleting the alias takes its URL config with it.
        self.client.delete_alias(FunctionName=self.fn, Name="live")
        self.client.create_alias(FunctionName=self.fn, Name="live", FunctionVersion="1")
        self.assertAwsError(
            lambda: self.client.get_function_url_config(FunctionName=self.fn, Qualifier="live"),
            404, RNF, NODOC)

    def test_fu13_list_missing_function(self):
        self.assertAwsError(
            lambda: self.client.list_function_url_configs(FunctionName="doesnotexist"),
            404, RNF, NOFN)

    def test_fu18_to_fu26_name_and_qualifier_matrix(self):
        self.publish(self.fn)
        self.client.create_alias(FunctionName=self.fn, Name="urlalias", FunctionVersion="1")
        c = self.raw

        def calls(name, q=None):
            kw = {"FunctionName": name}
            if q is not None:
                kw["Qualifier"] = q
            return {
                "create": lambda: c.create_function_url_config(AuthType="NONE", **kw),
                "get": lambda: c.get_function_url_config(**kw),
                "delete": lambda: c.delete_function_url_config(**kw),
                "update": lambda: c.update_function_url_config(AuthType="AWS_IAM", **kw),
            }

        nofn = (404, RNF, NOFN)
        nodoc = (404, RNF, NODOC)
        matrix = [
            ("FU18", "doesnotexist", None, {"create": nofn, "get": nodoc, "delete": nodoc,
                                            "update": nofn}),
            ("FU23", self.fn, "v1", {"create": nofn, "get": nodoc, "delete": nodoc,
                                     "update": nofn}),
            ("FU26", self.fn, None, {"get": nodoc, "delete": nodoc, "update": nodoc}),
        ]
        for q in ("1", "$LATEST"):
            ve = (400, VE, qualifier_error(q))
            matrix.append((f"VE({q})", self.fn, q, dict.fromkeys(
                ("create", "get", "delete", "update"), ve)))
            matrix.append((f"VE({q}) missing fn", "doesnotexist", q, dict.fromkeys(
                ("create", "get", "delete", "update"), ve)))
        derived = (400, IPVE, DERIVED)
        matrix.append(("FU24", f"{self.fn}:urlalias-doesnotmatch", "urlalias",
                       dict.fromkeys(("create", "get", "delete", "update"), derived)))
        for label, name, q, expected in matrix:
            ops = calls(name, q)
            for op, (status, code, msg) in expected.items():
                with self.subTest(row=label, op=op):
                    self.assertAwsError(ops[op], status, code, msg)
        # Still nothing was created.
        self.assertEqual(c.list_function_url_configs(FunctionName=self.fn)["FunctionUrlConfigs"],
                         [])

    def test_delete_function_removes_its_urls(self):
        self.client.create_function_url_config(FunctionName=self.fn, AuthType="NONE")
        self.client.delete_function(FunctionName=self.fn)
        self.create_function(self.fn)
        self.assertAwsError(lambda: self.client.get_function_url_config(FunctionName=self.fn),
                            404, RNF, NODOC)

    def test_cli_create_get_update_list_delete(self):
        created = aws_cli(self.endpoint, "create-function-url-config", "--function-name", self.fn,
                          "--auth-type", "NONE")
        self.assertEqual(created.returncode, 0, created.stderr)
        self.assertRegex(created.json["FunctionUrl"], URL_RE)
        got = aws_cli(self.endpoint, "get-function-url-config", "--function-name", self.fn)
        self.assertEqual(got.json["InvokeMode"], "BUFFERED")
        upd = aws_cli(self.endpoint, "update-function-url-config", "--function-name", self.fn,
                      "--auth-type", "AWS_IAM", "--cors", "AllowOrigins=https://a.example")
        self.assertEqual(upd.returncode, 0, upd.stderr)
        self.assertEqual(upd.json["AuthType"], "AWS_IAM")
        self.assertEqual(upd.json["Cors"], {"AllowOrigins": ["https://a.example"]})
        listed = aws_cli(self.endpoint, "list-function-url-configs", "--function-name", self.fn)
        self.assertEqual([c["FunctionUrl"] for c in listed.json["FunctionUrlConfigs"]],
                         [created.json["FunctionUrl"]])
        dup = aws_cli(self.endpoint, "create-function-url-config", "--function-name", self.fn,
                      "--auth-type", "NONE")
        self.assertNotEqual(dup.returncode, 0)
        self.assertIn("FunctionUrlConfig exists for this Lambda function", dup.stderr)
        deleted = aws_cli(self.endpoint, "delete-function-url-config", "--function-name", self.fn,
                          parse_json=False)
        self.assertEqual(deleted.returncode, 0, deleted.stderr)
        missing = aws_cli(self.endpoint, "get-function-url-config", "--function-name", self.fn)
        self.assertNotEqual(missing.returncode, 0)
        self.assertIn(NODOC, missing.stderr)


# --------------------------------------------------------------------------------------------
# Data plane
# --------------------------------------------------------------------------------------------

ECHO_SOURCE = (
    "import json\n"
    "def handler(event, context):\n"
    "    path = event['rawPath']\n"
    "    if path == '/raise':\n"
    "        raise Exception('boom')\n"
    "    if path == '/respond':\n"
    "        return json.loads(event['body'])\n"
    "    if path == '/version':\n"
    "        return {'version': context.function_version}\n"
    "    return {'event': event}\n")
FORBIDDEN = ('{"Message":"Forbidden. For troubleshooting Function URL authorization issues, '
             'see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"}')
ALICE = ("AKIAALICEEXAMPLE", "alice/secret+Key", "111111111111")
BOB = ("AKIABOBEXAMPLE", "bob-secret", "222222222222")


def url_id(function_url):
    return URL_RE.match(function_url).group(1)


def send(function_url, method="GET", path="", body=None, headers=None, *, prefix=False):
    """One request with http.client to 127.0.0.1: by Host header, or (prefix) by the
    /_lambdalite/url/<id> path. Returns (status, headers as a list, body bytes)."""
    parts = urllib.parse.urlsplit(function_url)
    conn = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=60)
    headers = dict(headers or {})
    if prefix:
        target = f"/_lambdalite/url/{url_id(function_url)}/{path}"
        headers.setdefault("Host", f"127.0.0.1:{parts.port}")
    else:
        target = "/" + path
        headers.setdefault("Host", parts.netloc)
    conn.request(method, target, body=body, headers=headers)
    resp = conn.getresponse()
    out = resp.status, resp.getheaders(), resp.read()
    conn.close()
    return out


def header(headers, name):
    values = [v for k, v in headers if k.lower() == name.lower()]
    return values[0] if values else None


def signed_headers(function_url, method, path, body, key, region=DEFAULT_REGION):
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    url = function_url + path
    req = AWSRequest(method=method, url=url, data=body or b"",
                     headers={"Host": urllib.parse.urlsplit(url).netloc})
    SigV4Auth(Credentials(key[0], key[1]), "lambda", region).add_auth(req)
    return dict(req.headers.items())


class UrlCase(LambdaliteTestCase):
    def make_url(self, auth="NONE", permit=True, invoke_permission=True, **kw):
        fn = self.unique("urld")
        self.create_function(fn, zip_bytes=python_zip(ECHO_SOURCE))
        url = self.client.create_function_url_config(FunctionName=fn, AuthType=auth,
                                                     **kw)["FunctionUrl"]
        if permit:
            self.client.add_permission(FunctionName=fn, StatementId="url",
                                       Action="lambda:InvokeFunctionUrl", Principal="*",
                                       FunctionUrlAuthType=auth)
        if permit and invoke_permission:
            self.client.add_permission(FunctionName=fn, StatementId="invoke",
                                       Action="lambda:InvokeFunction", Principal="*",
                                       InvokedViaFunctionUrl=True)
        return fn, url


class DataPlaneTest(UrlCase):
    def test_event_fields_by_host_header(self):
        fn, url = self.make_url()
        status, headers, body = send(
            url, "POST", "custom_path/extend?test_param=test_value&m=1&m=2",
            body=b'{"k": 1}',
            headers={"Content-Type": "application/json", "X-Custom": "Value",
                     "Cookie": "c1=v1; c2=v2", "User-Agent": "lambdalite-test"})
        self.assertEqual(status, 200, body)
        self.assertEqual(header(headers, "Content-Type"), "application/json")
        event = json.loads(body)["event"]
        self.assertEqual(event["version"], "2.0")
        self.assertEqual(event["routeKey"], "$default")
        self.assertEqual(event["rawPath"], "/custom_path/extend")
        self.assertEqual(event["rawQueryString"], "test_param=test_value&m=1&m=2")
        self.assertEqual(event["queryStringParameters"], {"test_param": "test_value", "m": "1,2"})
        self.assertEqual(event["cookies"], ["c1=v1", "c2=v2"])
        self.assertEqual(event["headers"]["x-custom"], "Value")
        self.assertEqual(event["headers"]["content-type"], "application/json")
        self.assertNotIn("cookie", event["headers"])
        self.assertEqual(event["body"], '{"k": 1}')
        self.assertIs(event["isBase64Encoded"], False)
        rc = event["requestContext"]
        uid = url_id(url)
        self.assertEqual(rc["accountId"], "anonymous")
        self.assertEqual(rc["apiId"], uid)
        self.assertEqual(rc["domainName"], f"{uid}.lambda-url.us-east-1.localhost")
        self.assertEqual(rc["domainPrefix"], uid)
        self.assertEqual(rc["http"], {"method": "POST", "path": "/custom_path/extend",
                                      "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1",
                                      "userAgent": "lambdalite-test"})
        self.assertRegex(rc["requestId"], r"^[0-9a-f-]{36}$")
        self.assertRegex(rc["time"], r"^\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000$")
        self.assertIsInstance(rc["timeEpoch"], int)
        self.assertEqual(header(headers, "x-amzn-RequestId"), rc["requestId"])

    def test_repeated_headers_are_comma_joined(self):
        fn, url = self.make_url()
        parts = urllib.parse.urlsplit(url)
        conn = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=60)
        conn.putrequest("GET", "/", skip_host=True)
        conn.putheader("Host", parts.netloc)
        conn.putheader("X-Multi", "a")
        conn.putheader("X-Multi", "b")
        conn.endheaders()
        resp = conn.getresponse()
        event = json.loads(resp.read())["event"]
        conn.close()
        self.assertEqual(event["headers"]["x-multi"], "a,b")
        self.assertNotIn("queryStringParameters", event)
        self.assertNotIn("body", event)
        self.assertNotIn("cookies", event)
        self.assertEqual(event["rawQueryString"], "")

    def test_binary_body_is_base64(self):
        fn, url = self.make_url()
        raw = bytes(range(256))
        status, _, body = send(url, "PUT", "bin", body=raw,
                               headers={"Content-Type": "application/octet-stream"})
        event = json.loads(body)["event"]
        self.assertIs(event["isBase64Encoded"], True)
        self.assertEqual(base64.b64decode(event["body"]), raw)
        _, _, body = send(url, "POST", "txt", body=b"text", headers={"Content-Type": "text/plain"})
        event = json.loads(body)["event"]
        self.assertEqual(event["body"], "text")
        self.assertIs(event["isBase64Encoded"], False)

    def test_prefix_route_for_clients_without_host(self):
        fn, url = self.make_url()
        status, _, body = send(url, "GET", "a/b?x=1", prefix=True)
        self.assertEqual(status, 200, body)
        event = json.loads(body)["event"]
        self.assertEqual(event["rawPath"], "/a/b")
        self.assertEqual(event["rawQueryString"], "x=1")
        # The bare id answers the root path.
        parts = urllib.parse.urlsplit(url)
        conn = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=60)
        conn.request("GET", f"/_lambdalite/url/{url_id(url)}")
        event = json.loads(conn.getresponse().read())["event"]
        conn.close()
        self.assertEqual(event["rawPath"], "/")

    def test_curl_opens_the_function_url_as_returned(self):
        curl = shutil.which("curl")
        if not curl:
            self.skipTest("curl is not installed")
        fn, url = self.make_url()
        out = subprocess.run([curl, "-s", "-i", "-X", "POST", "--data-binary", "hello",
                              "-H", "Content-Type: text/plain", "-b", "a=1",
                              url + "path?q=1"],
                             capture_output=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        head, _, body = out.stdout.partition(b"\r\n\r\n")
        self.assertIn(b"200", head.split(b"\r\n")[0])
        event = json.loads(body)["event"]
        self.assertEqual(event["rawPath"], "/path")
        self.assertEqual(event["body"], "hello")
        self.assertEqual(event["cookies"], ["a=1"])
        self.assertTrue(event["headers"]["user-agent"].startswith("curl/"))
        # And the prefix form.
        parts = urllib.parse.urlsplit(url)
        out = subprocess.run([curl, "-s", f"http://127.0.0.1:{parts.port}/_lambdalite/url/"
                              f"{url_id(url)}/p"], capture_output=True, timeout=60)
        self.assertEqual(json.loads(out.stdout)["event"]["rawPath"], "/p")

    def test_result_mapping(self):
        fn, url = self.make_url()

        def respond(result):
            return send(url, "POST", "respond", body=json.dumps(result).encode(),
                        headers={"Content-Type": "application/json"})

        status, headers, body = respond({"hello": "world"})  # UI1 (the event's body echoed)
        self.assertEqual((status, body), (200, b'{"hello":"world"}'))
        self.assertEqual(header(headers, "Content-Type"), "application/json")
        status, headers, body = respond({"statusCode": 200, "body": "body123"})  # UI2
        self.assertEqual((status, body), (200, b"body123"))
        self.assertEqual(header(headers, "Content-Type"), "application/json")
        status, _, body = respond("hello")  # UI5
        self.assertEqual((status, body), (200, b"hello"))
        status, _, body = respond(["hello", 3, True])
        self.assertEqual((status, body), (200, b'["hello",3,true]'))
        status, headers, body = respond({
            "statusCode": 201, "headers": {"Content-Type": "text/html", "My-Custom-Header": "v"},
            "cookies": ["s=1; Path=/", "t=2"], "body": "<p>made</p>"})
        self.assertEqual((status, body), (201, b"<p>made</p>"))
        self.assertEqual(header(headers, "Content-Type"), "text/html")
        self.assertEqual(header(headers, "my-custom-header"), "v")
        self.assertEqual([v for k, v in headers if k.lower() == "set-cookie"],
                         ["s=1; Path=/", "t=2"])
        status, _, body = respond({"statusCode": "418", "body": "i'm a teapot"})
        self.assertEqual((status, body), (418, b"i'm a teapot"))
        status, _, body = respond({"statusCode": 200, "isBase64Encoded": True,
                                   "body": base64.b64encode(b"\x00\x01binary").decode()})
        self.assertEqual((status, body), (200, b"\x00\x01binary"))

    def test_function_error_is_502(self):  # UI7
        fn, url = self.make_url()
        status, _, body = send(url, "POST", "raise", body=b"{}")
        self.assertEqual((status, body), (502, b"Internal Server Error"))

    def test_throttled_is_429(self):
        fn, url = self.make_url()
        self.client.put_function_concurrency(FunctionName=fn, ReservedConcurrentExecutions=0)
        status, headers, body = send(url)
        self.assertEqual(status, 429, body)
        self.assertEqual(header(headers, "x-amzn-ErrorType"), "TooManyRequestsException")

    def test_unknown_url_id(self):
        fn, url = self.make_url()
        missing = url.replace(url_id(url), "0123456789abcdefghijklmnopqrstuv")
        for prefix in (False, True):
            status, headers, body = send(missing, prefix=prefix)
            self.assertEqual((status, body), (403, b'{"Message":null}'))
            self.assertEqual(header(headers, "Content-Type"), "application/json")
            self.assertEqual(header(headers, "x-amzn-ErrorType"), "AccessDeniedException")
        # A deleted config stops answering.
        self.client.delete_function_url_config(FunctionName=fn)
        self.assertEqual(send(url)[0], 403)

    def test_none_needs_both_permissions(self):
        fn, url = self.make_url(permit=False)
        status, headers, body = send(url)
        self.assertEqual((status, body.decode()), (403, FORBIDDEN))
        self.assertEqual(header(headers, "x-amzn-ErrorType"), "AccessDeniedException")
        self.client.add_permission(FunctionName=fn, StatementId="url",
                                   Action="lambda:InvokeFunctionUrl", Principal="*",
                                   FunctionUrlAuthType="NONE")
        self.assertEqual(send(url)[0], 403, "since October 2025 InvokeFunction is needed too")
        self.client.add_permission(FunctionName=fn, StatementId="invoke",
                                   Action="lambda:InvokeFunction", Principal="*")
        self.assertEqual(send(url)[0], 200)
        self.client.remove_permission(FunctionName=fn, StatementId="url")
        self.assertEqual(send(url)[0], 403)

    def test_alias_url_runs_the_alias(self):
        fn = self.unique("urla")
        self.create_function(fn, zip_bytes=python_zip(ECHO_SOURCE))
        self.publish(fn)
        self.client.create_alias(FunctionName=fn, Name="live", FunctionVersion="1")
        url = self.client.create_function_url_config(FunctionName=fn, Qualifier="live",
                                                     AuthType="NONE")["FunctionUrl"]
        for sid, action, kw in (("u", "lambda:InvokeFunctionUrl", {"FunctionUrlAuthType": "NONE"}),
                                ("i", "lambda:InvokeFunction", {})):
            self.client.add_permission(FunctionName=fn, Qualifier="live", StatementId=sid,
                                       Action=action, Principal="*", **kw)
        status, _, body = send(url, "GET", "version")
        self.assertEqual((status, json.loads(body)), (200, {"version": "1"}))

    def test_cors(self):
        cors = {"AllowOrigins": ["https://app.example"], "AllowMethods": ["GET", "POST"],
                "AllowHeaders": ["x-custom"], "ExposeHeaders": ["x-exposed"], "MaxAge": 600,
                "AllowCredentials": True}
        fn, url = self.make_url(Cors=cors, permit=False)
        # A preflight is answered before authorization and without running the function.
        status, headers, body = send(url, "OPTIONS", "any", headers={
            "Origin": "https://app.example", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-custom"})
        self.assertEqual(status, 200)
        self.assertEqual(header(headers, "Access-Control-Allow-Origin"), "https://app.example")
        self.assertEqual(header(headers, "Access-Control-Allow-Methods"), "GET,POST")
        self.assertEqual(header(headers, "Access-Control-Allow-Headers"), "x-custom")
        self.assertEqual(header(headers, "Access-Control-Max-Age"), "600")
        self.assertEqual(header(headers, "Access-Control-Allow-Credentials"), "true")
        status, headers, _ = send(url, "OPTIONS", "", headers={
            "Origin": "https://other.example", "Access-Control-Request-Method": "GET"})
        self.assertIsNone(header(headers, "Access-Control-Allow-Origin"))
        for sid, action, kw in (("u", "lambda:InvokeFunctionUrl", {"FunctionUrlAuthType": "NONE"}),
                                ("i", "lambda:InvokeFunction", {})):
            self.client.add_permission(FunctionName=fn, StatementId=sid, Action=action,
                                       Principal="*", **kw)
        status, headers, _ = send(url, "POST", "respond", body=json.dumps({
            "statusCode": 200, "headers": {"Access-Control-Allow-Origin": "https://evil.example"},
            "body": "x"}).encode(), headers={"Origin": "https://app.example",
                                              "Content-Type": "application/json"})
        self.assertEqual(status, 200)
        self.assertEqual([v for k, v in headers if k.lower() == "access-control-allow-origin"],
                         ["https://app.example"], "the URL's CORS replaces the function's")
        self.assertEqual(header(headers, "Access-Control-Expose-Headers"), "x-exposed")
        self.assertEqual(header(headers, "Access-Control-Allow-Credentials"), "true")
        status, headers, _ = send(url, "GET", "", headers={"Origin": "https://other.example"})
        self.assertIsNone(header(headers, "Access-Control-Allow-Origin"))

    def test_lambda_api_is_unchanged_for_other_hosts(self):
        fn, url = self.make_url()
        got = self.client.get_function(FunctionName=fn)
        self.assertEqual(got["Configuration"]["FunctionName"], fn)
        resp = self.client.invoke(FunctionName=fn, Payload=json.dumps({"rawPath": "/version"}))
        self.assertEqual(json.loads(resp["Payload"].read()), {"version": "$LATEST"})


class IamWithoutKeysTest(UrlCase):
    """Without --auth-keys the server trusts signatures as the Lambda API does: a well-formed
    SigV4 signature is needed, its 12-digit access key id names the caller's account."""

    def test_aws_iam_url(self):
        fn, url = self.make_url(auth="AWS_IAM", permit=False)
        status, _, body = send(url)
        self.assertEqual((status, body.decode()), (403, FORBIDDEN), "unsigned")
        own = (DEFAULT_ACCOUNT, "any-secret")
        status, _, body = send(url, "GET", "p", headers=signed_headers(url, "GET", "p", b"", own))
        self.assertEqual(status, 200, body)
        rc = json.loads(body)["event"]["requestContext"]
        self.assertEqual(rc["accountId"], DEFAULT_ACCOUNT)
        self.assertEqual(rc["authorizer"]["iam"]["accessKey"], DEFAULT_ACCOUNT)
        # Another account needs the policy.
        other = ("222222222222", "x")
        self.assertEqual(send(url, "GET", "p",
                              headers=signed_headers(url, "GET", "p", b"", other))[0], 403)
        for sid, action, kw in (("u", "lambda:InvokeFunctionUrl",
                                 {"FunctionUrlAuthType": "AWS_IAM"}),
                                ("i", "lambda:InvokeFunction", {})):
            self.client.add_permission(FunctionName=fn, StatementId=sid, Action=action,
                                       Principal="222222222222", **kw)
        self.assertEqual(send(url, "GET", "p",
                              headers=signed_headers(url, "GET", "p", b"", other))[0], 200)


KEYS_DIR = tempfile.mkdtemp(prefix="lambdalite-url-keys-")
KEYS_FILE = os.path.join(KEYS_DIR, "keys")
__import__("atexit").register(shutil.rmtree, KEYS_DIR, True)
with open(KEYS_FILE, "w") as f:
    f.write(" ".join(ALICE) + "\n" + " ".join(BOB) + "\n")


class IamWithKeysTest(UrlCase):
    SERVER_ARGS = ("--auth-keys", KEYS_FILE)

    @classmethod
    def _make_clients(cls):
        cls.endpoint = cls.server.endpoint
        cls.client = lambda_client(cls.endpoint, access_key=ALICE[0], secret_key=ALICE[1])
        cls.raw = cls.client

    def test_none_url_needs_no_signature(self):
        fn, url = self.make_url()
        status, _, body = send(url)
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["event"]["requestContext"]["accountId"], "anonymous")

    def test_aws_iam_verifies_the_signature(self):
        fn, url = self.make_url(auth="AWS_IAM", permit=False)
        self.assertEqual(send(url)[0], 403)
        status, _, body = send(url, "POST", "x", body=b"{}",
                               headers=signed_headers(url, "POST", "x", b"{}", ALICE))
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["event"]["requestContext"]["accountId"], ALICE[2])
        wrong = (ALICE[0], "not-the-secret")
        status, headers, body = send(url, "POST", "x", body=b"{}",
                                     headers=signed_headers(url, "POST", "x", b"{}", wrong))
        self.assertEqual(status, 403)
        self.assertEqual(header(headers, "x-amzn-ErrorType"), "InvalidSignatureException")
        self.assertIn("signature we calculated does not match", json.loads(body)["Message"])
        # BOB's account is not the function's and the policy grants it nothing.
        self.assertEqual(send(url, "GET", "", headers=signed_headers(url, "GET", "", b"",
                                                                     BOB))[0], 403)
        # The prefix form verifies the path the client signed.
        parts = urllib.parse.urlsplit(url)
        base = f"http://127.0.0.1:{parts.port}/_lambdalite/url/{url_id(url)}/"
        signed = signed_headers(base, "GET", "q", b"", ALICE)
        conn = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=60)
        conn.request("GET", f"/_lambdalite/url/{url_id(url)}/q", headers=signed)
        resp = conn.getresponse()
        self.assertEqual(resp.status, 200, resp.read())
        conn.close()


class PersistenceTest(unittest.TestCase):
    def test_url_configs_survive_restart(self):
        server = LambdaliteServer()
        self.addCleanup(server.cleanup)
        server.start()
        c = lambda_client(server.endpoint)
        fn = unique_name("urlp")
        create_function(c, fn, zip_bytes=python_zip(ECHO_SOURCE))
        c.publish_version(FunctionName=fn)
        c.create_alias(FunctionName=fn, Name="live", FunctionVersion="1")
        base = c.create_function_url_config(FunctionName=fn, AuthType="NONE",
                                            Cors={"AllowOrigins": ["*"]})
        alias = c.create_function_url_config(FunctionName=fn, Qualifier="live",
                                             AuthType="AWS_IAM", InvokeMode="RESPONSE_STREAM")
        ids = {URL_RE.match(base["FunctionUrl"]).group(1),
               URL_RE.match(alias["FunctionUrl"]).group(1)}
        for sid, action, kw in (("u", "lambda:InvokeFunctionUrl", {"FunctionUrlAuthType": "NONE"}),
                                ("i", "lambda:InvokeFunction", {})):
            c.add_permission(FunctionName=fn, StatementId=sid, Action=action, Principal="*", **kw)
        for hard in (False, True):
            server.restart(hard=hard)
            c = lambda_client(server.endpoint)
            got = c.get_function_url_config(FunctionName=fn)
            self.assertEqual(got["Cors"], {"AllowOrigins": ["*"]})
            self.assertEqual(got["CreationTime"], base["CreationTime"])
            got_alias = c.get_function_url_config(FunctionName=fn, Qualifier="live")
            self.assertEqual(got_alias["InvokeMode"], "RESPONSE_STREAM")
            self.assertEqual(got_alias["AuthType"], "AWS_IAM")
            self.assertEqual({URL_RE.match(got["FunctionUrl"]).group(1),
                              URL_RE.match(got_alias["FunctionUrl"]).group(1)}, ids,
                             f"hard={hard}: the URL ids are stable")
            status, _, body = send(got["FunctionUrl"], "GET", "after-restart")
            self.assertEqual(status, 200, body)
            self.assertEqual(json.loads(body)["event"]["rawPath"], "/after-restart")


if __name__ == "__main__":
    unittest.main()
