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


class PersistenceTest(unittest.TestCase):
    def test_url_configs_survive_restart(self):
        server = LambdaliteServer()
        self.addCleanup(server.cleanup)
        server.start()
        c = lambda_client(server.endpoint)
        fn = unique_name("urlp")
        create_function(c, fn)
        c.publish_version(FunctionName=fn)
        c.create_alias(FunctionName=fn, Name="live", FunctionVersion="1")
        base = c.create_function_url_config(FunctionName=fn, AuthType="NONE",
                                            Cors={"AllowOrigins": ["*"]})
        alias = c.create_function_url_config(FunctionName=fn, Qualifier="live",
                                             AuthType="AWS_IAM", InvokeMode="RESPONSE_STREAM")
        ids = {URL_RE.match(base["FunctionUrl"]).group(1),
               URL_RE.match(alias["FunctionUrl"]).group(1)}
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


if __name__ == "__main__":
    unittest.main()
