"""The two seed examples of the issue.

(a) GetFunction of a published version carrying environment variables, tags and active tracing.
(b) Alias BLUE with an event invoke config whose OnFailure destination is an SQS queue, read back
    by name:BLUE, by the full alias ARN, by the partial ARN and with Qualifier.
"""

import datetime
import unittest
import urllib.request

from harness import DEFAULT_ACCOUNT, LambdaliteTestCase, code_sha256, python_zip

FAILED_QUEUE = "arn:aws:sqs:us-east-1:123456789012:failed"


class SeedExampleA(LambdaliteTestCase):
    def test_get_function_of_published_version(self):
        name = self.unique("seed-a")
        zip_bytes = python_zip(marker="seed-a")
        env = {"Variables": {"STAGE": "prod", "LOG_LEVEL": "debug"}}
        self.create_function(name, zip_bytes=zip_bytes, Environment=env,
                             Tags={"team": "platform", "cost-center": "42"},
                             TracingConfig={"Mode": "Active"})
        published = self.publish(name, Description="release 1")
        self.assertStatus(published, 201)
        self.assertEqual(published["Version"], "1")

        resp = self.client.get_function(FunctionName=name, Qualifier="1")
        self.assertStatus(resp, 200)
        cfg = resp["Configuration"]
        self.assertEqual(cfg["FunctionArn"], self.arn(name, "1"))
        self.assertEqual(cfg["FunctionName"], name)
        self.assertEqual(cfg["Version"], "1")
        self.assertEqual(cfg["Description"], "release 1")
        self.assertEqual(cfg["Environment"], env)
        self.assertEqual(cfg["TracingConfig"], {"Mode": "Active"})
        self.assertEqual(cfg["RevisionId"], published["RevisionId"])
        self.assertEqual(cfg["CodeSha256"], code_sha256(zip_bytes))
        self.assertEqual(cfg["State"], "Active")
        self.assertEqual(cfg["LastUpdateStatus"], "Successful")
        self.assertEqual(resp["Tags"], {"team": "platform", "cost-center": "42"})
        self.assertEqual(resp["Code"]["RepositoryType"], "S3")
        with urllib.request.urlopen(resp["Code"]["Location"], timeout=30) as r:
            self.assertEqual(r.read(), zip_bytes)
        # The same version through its ARN and the name:1 shorthand.
        for fn in (self.arn(name, "1"), f"{name}:1"):
            with self.subTest(FunctionName=fn):
                self.assertEqual(self.client.get_function(FunctionName=fn)["Configuration"], cfg)


class SeedExampleB(LambdaliteTestCase):
    def setUp(self):
        self.fn = self.unique("seed-b")
        self.create_function(self.fn)
        self.publish(self.fn)
        self.client.create_alias(FunctionName=self.fn, Name="BLUE", FunctionVersion="1")
        self.alias_arn = self.arn(self.fn, "BLUE")
        self.put = self.client.put_function_event_invoke_config(
            FunctionName=self.fn, Qualifier="BLUE", MaximumRetryAttempts=1,
            DestinationConfig={"OnFailure": {"Destination": FAILED_QUEUE}})

    def expected(self):
        return {"DestinationConfig": {"OnFailure": {"Destination": FAILED_QUEUE}, "OnSuccess": {}},
                "FunctionArn": self.alias_arn, "MaximumRetryAttempts": 1}

    def check(self, resp):
        body = self.body(resp)
        self.assertIsInstance(body.pop("LastModified"), datetime.datetime)
        self.assertEqual(body, self.expected())

    def test_put_response(self):
        self.assertStatus(self.put, 200)
        self.check(self.put)

    def test_get_by_every_form(self):
        forms = [
            {"FunctionName": f"{self.fn}:BLUE"},
            {"FunctionName": self.alias_arn},
            {"FunctionName": f"{DEFAULT_ACCOUNT}:function:{self.fn}:BLUE"},
            {"FunctionName": self.fn, "Qualifier": "BLUE"},
            {"FunctionName": self.arn(self.fn), "Qualifier": "BLUE"},
            {"FunctionName": self.alias_arn, "Qualifier": "BLUE"},
        ]
        for kw in forms:
            with self.subTest(**kw):
                resp = self.client.get_function_event_invoke_config(**kw)
                self.assertStatus(resp, 200)
                self.check(resp)
                self.assertEqual(resp["LastModified"], self.put["LastModified"])

    def test_listed_and_latest_has_none(self):
        listed = self.client.list_function_event_invoke_configs(FunctionName=self.fn)
        entries = listed["FunctionEventInvokeConfigs"]
        self.assertEqual(len(entries), 1)
        self.check(entries[0])
        self.assertAwsError(
            lambda: self.raw.get_function_event_invoke_config(FunctionName=self.fn), 404,
            "ResourceNotFoundException",
            f"The function {self.arn(self.fn, '$LATEST')} doesn't have an EventInvokeConfig")


if __name__ == "__main__":
    unittest.main()
