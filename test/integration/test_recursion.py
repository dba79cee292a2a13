"""Recursive loop detection: Put/GetFunctionRecursionConfig (reference part 2, section 5: RC1..RC4)
and the loop that lambdalite stops, with real python functions that invoke themselves through the
server with boto3 (which forwards _X_AMZN_TRACE_ID as the X-Amzn-Trace-Id header, Lineage and
all), synchronously and through a chain of Event invocations.

The server runs with LAMBDALITE_ASYNC_TIME_SCALE=60 (the documented testing aid), and moto_server
is the SQS of the on-failure destination that receives a stopped Event invocation.
"""

import io
import json
import os
import time
import unittest
import urllib.request
import zipfile

import boto3

from harness import DEFAULT_ACCOUNT, DEFAULT_REGION, LambdaliteServer, LambdaliteTestCase
from harness import aws_cli, lambda_client, moto_available, shared_moto

RECURSION_MESSAGE = ("Lambda has detected your function being invoked in a recursive loop with "
                     "other Amazon Web Services resources and stopped your function's invocation.")

# Invokes itself (sync, or Event with "event": true) until "left" reaches 0, through the server
# whose endpoint it is given in LL_ENDPOINT. It reports how deep it got and how the chain ended.
RECURSIVE_SOURCE = '''
import json, os
import boto3
from botocore.config import Config

def handler(event, context):
    client = boto3.client(
        "lambda", endpoint_url=os.environ["LL_ENDPOINT"], region_name=os.environ["AWS_REGION"],
        aws_access_key_id="test", aws_secret_access_key="test",
        config=Config(retries={"total_max_attempts": 1}, read_timeout=120))
    depth = event.get("depth", 1)
    trace = os.environ.get("_X_AMZN_TRACE_ID", "")
    if event.get("left", 0) <= 0:
        return {"depth": depth, "stopped": False, "trace": trace}
    nxt = dict(event, depth=depth + 1, left=event["left"] - 1)
    if event.get("event"):
        client.invoke(FunctionName=context.function_name, InvocationType="Event",
                      Payload=json.dumps(nxt))
        return {"depth": depth}
    try:
        resp = client.invoke(FunctionName=context.function_name, Payload=json.dumps(nxt))
    except client.exceptions.RecursiveInvocationException as e:
        return {"depth": depth, "stopped": True, "trace": trace,
                "status": e.response["ResponseMetadata"]["HTTPStatusCode"],
                "message": e.response["Error"]["Message"]}
    return json.loads(resp["Payload"].read())
'''


_SDK_ZIP: bytes | None = None


def sdk_zip(source: str) -> bytes:
    """A zip of handler.py plus boto3 and its dependencies from this machine (AWS's python
    runtime ships boto3; the host interpreter the sandbox runs does not). botocore keeps only the
    Lambda model, which is all the function needs."""
    import boto3
    import botocore
    import dateutil
    import jmespath
    import s3transfer
    import urllib3
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("handler.py", source)
        for mod in (boto3, botocore, dateutil, jmespath, s3transfer, urllib3):
            root = os.path.dirname(mod.__file__)
            base = os.path.dirname(root)
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames[:] = [d for d in dirnames if d != "__pycache__"]
                rel = os.path.relpath(dirpath, base)
                parts = rel.split(os.sep)
                if parts[:2] == ["botocore", "data"] and len(parts) > 2 and parts[2] != "lambda":
                    continue
                for f in filenames:
                    zf.write(os.path.join(dirpath, f), os.path.join(rel, f))
        six = os.path.join(os.path.dirname(os.path.dirname(dateutil.__file__)), "six.py")
        if os.path.exists(six):
            zf.write(six, "six.py")
    return buf.getvalue()


def fnv_key(function_arn: str) -> str:
    """lambdalite's Lineage key of a function (domain/recursion.h): FNV-1a of its ARN."""
    h = 2166136261
    for b in function_arn.encode():
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return f"{h:08x}"


def with_trace_header(client, value: str):
    """A client whose Invoke calls carry X-Amzn-Trace-Id: value (as boto3 in a function does)."""
    def add(request, **_):
        request.headers["X-Amzn-Trace-Id"] = value
    client.meta.events.register("before-sign.lambda.Invoke", add)
    return client


class RecursionConfigTest(LambdaliteTestCase):
    """RC1..RC4 and the not-found / qualified-name answers, with boto3 and the AWS CLI."""

    def test_rc1_to_rc3_default_put_get(self):
        name = self.create_function()["FunctionName"]
        got = self.client.get_function_recursion_config(FunctionName=name)
        self.assertStatus(got, 200)
        self.assertEqual(got["RecursiveLoop"], "Terminate")  # RC1
        put = self.client.put_function_recursion_config(FunctionName=name, RecursiveLoop="Allow")
        self.assertStatus(put, 200)
        self.assertEqual(put["RecursiveLoop"], "Allow")  # RC2
        self.assertEqual(
            self.client.get_function_recursion_config(FunctionName=name)["RecursiveLoop"], "Allow")
        # By ARN too, and back to Terminate.
        self.client.put_function_recursion_config(FunctionName=self.arn(name),
                                                  RecursiveLoop="Terminate")
        self.assertEqual(self.client.get_function_recursion_config(
            FunctionName=self.arn(name))["RecursiveLoop"], "Terminate")

    def test_rc4_invalid_value(self):
        name = self.create_function()["FunctionName"]
        self.assertAwsError(
            lambda: self.raw.put_function_recursion_config(FunctionName=name,
                                                           RecursiveLoop="InvalidValue"),
            400, "ValidationException",
            "1 validation error detected: Value 'InvalidValue' at 'recursiveLoop' failed to "
            "satisfy constraint: Member must satisfy enum value set: [Terminate, Allow]")
        self.assertEqual(
            self.client.get_function_recursion_config(FunctionName=name)["RecursiveLoop"],
            "Terminate", "a refused Put changes nothing")

    def test_missing_function(self):
        arn = self.arn("doesnotexist")
        self.assertAwsError(lambda: self.client.get_function_recursion_config(
            FunctionName="doesnotexist"), 404, "ResourceNotFoundException",
            f"Function not found: {arn}")
        self.assertAwsError(lambda: self.client.put_function_recursion_config(
            FunctionName="doesnotexist", RecursiveLoop="Allow"), 404, "ResourceNotFoundException",
            f"Function not found: {arn}")

    def test_qualified_name_is_refused_by_the_model(self):
        name = self.create_function()["FunctionName"]
        err = self.assertAwsError(lambda: self.raw.get_function_recursion_config(
            FunctionName=f"{name}:1"), 400, "ValidationException",
            message_prefix="1 validation error detected: Value '" + name + ":1' at "
                           "'functionName' failed to satisfy constraint: Member must satisfy "
                           "regular expression pattern: ")
        self.assertTrue(err)

    def test_config_goes_with_the_function(self):
        name = self.create_function()["FunctionName"]
        self.client.put_function_recursion_config(FunctionName=name, RecursiveLoop="Allow")
        self.client.delete_function(FunctionName=name)
        self.create_function(name)
        self.assertEqual(
            self.client.get_function_recursion_config(FunctionName=name)["RecursiveLoop"],
            "Terminate")

    def test_cli(self):
        name = self.create_function()["FunctionName"]
        got = aws_cli(self.endpoint, "get-function-recursion-config", "--function-name", name)
        self.assertEqual(got.returncode, 0, got.stderr)
        self.assertEqual(got.json, {"RecursiveLoop": "Terminate"})
        put = aws_cli(self.endpoint, "put-function-recursion-config", "--function-name", name,
                      "--recursive-loop", "Allow")
        self.assertEqual(put.returncode, 0, put.stderr)
        self.assertEqual(put.json, {"RecursiveLoop": "Allow"})
        bad = aws_cli(self.endpoint, "get-function-recursion-config", "--function-name",
                      "doesnotexist")
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("ResourceNotFoundException", bad.stderr)

    def test_restart_persistence(self):
        allow = self.create_function()["FunctionName"]
        default = self.create_function()["FunctionName"]
        self.client.put_function_recursion_config(FunctionName=allow, RecursiveLoop="Allow")
        for hard in (False, True):
            self.server.restart(hard=hard)
            client = lambda_client(self.server.endpoint)
            self.assertEqual(client.get_function_recursion_config(FunctionName=allow)
                             ["RecursiveLoop"], "Allow", f"hard={hard}")
            self.assertEqual(client.get_function_recursion_config(FunctionName=default)
                             ["RecursiveLoop"], "Terminate", f"hard={hard}")
        type(self)._make_clients()


class RecursiveLoopTest(LambdaliteTestCase):
    """Real loops: a python function that invokes itself through this server with boto3.

    The function reaches the server on the host's loopback: only the host network allows it."""

    SERVER_ARGS = ("--function-network", "host")
    SERVER_ENV = {"LAMBDALITE_ASYNC_TIME_SCALE": "60"}

    def recursive_function(self, loop: str | None = None, **kw) -> str:
        name = self.create_function(
            zip_bytes=sdk_zip(RECURSIVE_SOURCE), Timeout=120,
            Environment={"Variables": {"LL_ENDPOINT": self.endpoint}}, **kw)["FunctionName"]
        if loop:
            self.client.put_function_recursion_config(FunctionName=name, RecursiveLoop=loop)
        return name

    def lineage(self, name: str, count: int) -> str:
        return f"Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=0;" \
               f"Lineage={fnv_key(self.arn(name))}:{count}"

    def test_sync_invoke_past_the_limit_is_refused(self):
        name = self.recursive_function()
        client = with_trace_header(lambda_client(self.endpoint), self.lineage(name, 16))
        self.assertAwsError(lambda: client.invoke(FunctionName=name, Payload=b"{}"), 400,
                            "RecursiveInvocationException", RECURSION_MESSAGE,
                            type_user=True, message_key="Message")
        # The 16th invocation still runs, and carries its count on in _X_AMZN_TRACE_ID.
        client = with_trace_header(lambda_client(self.endpoint), self.lineage(name, 15))
        out = json.loads(client.invoke(FunctionName=name, Payload=b"{}")["Payload"].read())
        self.assertIn(f"Lineage={fnv_key(self.arn(name))}:16", out["trace"])
        # Allow: no limit.
        self.client.put_function_recursion_config(FunctionName=name, RecursiveLoop="Allow")
        client = with_trace_header(lambda_client(self.endpoint), self.lineage(name, 500))
        out = json.loads(client.invoke(FunctionName=name, Payload=b"{}")["Payload"].read())
        self.assertIn(f"Lineage={fnv_key(self.arn(name))}:501", out["trace"])

    def test_first_invocation_starts_the_count(self):
        name = self.recursive_function()
        out = json.loads(self.client.invoke(FunctionName=name, Payload=b"{}")["Payload"].read())
        self.assertRegex(out["trace"], r"^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};"
                                       r"Sampled=0;Lineage=" + fnv_key(self.arn(name)) + ":1$")

    def test_self_invoking_function_is_stopped_under_terminate(self):
        # Start the chain at count 13 so that only a few environments are nested: the function
        # runs as the 14th, 15th and 16th invocation and its call for the 17th is refused.
        name = self.recursive_function()
        client = with_trace_header(lambda_client(self.endpoint), self.lineage(name, 13))
        out = json.loads(client.invoke(FunctionName=name,
                                       Payload=json.dumps({"left": 10}))["Payload"].read())
        self.assertTrue(out["stopped"], out)
        self.assertEqual(out["depth"], 3, out)
        self.assertEqual(out["status"], 400)
        self.assertEqual(out["message"], RECURSION_MESSAGE)

    def test_self_invoking_function_runs_on_under_allow(self):
        name = self.recursive_function("Allow")
        client = with_trace_header(lambda_client(self.endpoint), self.lineage(name, 13))
        out = json.loads(client.invoke(FunctionName=name,
                                       Payload=json.dumps({"left": 6}))["Payload"].read())
        self.assertFalse(out["stopped"], out)
        self.assertEqual(out["depth"], 7, out)
        self.assertIn(f"Lineage={fnv_key(self.arn(name))}:20", out["trace"])

    def async_status(self, name: str) -> dict:
        with urllib.request.urlopen(
                f"{self.endpoint}/_lambdalite/async?function={name}") as resp:
            return json.loads(resp.read())

    def wait_async(self, name: str, total: int, timeout: float = 180) -> dict:
        deadline, status = time.time() + timeout, {}
        while time.time() < deadline:
            status = self.async_status(name)
            if status.get("succeeded", 0) + status.get("failed", 0) >= total:
                break
            time.sleep(0.3)
        return status

    def test_event_chain_is_stopped_at_the_17th_invocation(self):
        name = self.recursive_function()
        # A whole chain of Event invocations from a plain first call: 16 run, the 17th is stopped.
        self.client.invoke(FunctionName=name, InvocationType="Event",
                           Payload=json.dumps({"event": True, "left": 40}))
        status = self.wait_async(name, 17)
        self.assertEqual(status.get("succeeded"), 16, status)
        self.assertEqual(status.get("failed"), 1, status)
        time.sleep(1.5)
        status = self.async_status(name)
        self.assertEqual((status.get("succeeded"), status.get("failed")), (16, 1),
                         "the loop stays stopped")

    def test_event_chain_runs_on_under_allow(self):
        name = self.recursive_function("Allow")
        self.client.invoke(FunctionName=name, InvocationType="Event",
                           Payload=json.dumps({"event": True, "left": 19}))
        status = self.wait_async(name, 20)
        self.assertEqual((status.get("succeeded"), status.get("failed", 0)), (20, 0), status)


@unittest.skipUnless(moto_available(), "moto_server is not installed")
class StoppedEventDestinationTest(unittest.TestCase):
    """A stopped Event invocation goes to the on-failure destination (moto's SQS)."""

    @classmethod
    def setUpClass(cls):
        cls.moto = shared_moto()
        # The function invokes itself through the server's loopback port: host network.
        cls.server = LambdaliteServer(env={"AWS_ENDPOINT_URL": cls.moto.endpoint,
                                           "LAMBDALITE_ASYNC_TIME_SCALE": "60"},
                                      args=("--function-network", "host"))
        cls.server.start()
        cls.client = lambda_client(cls.server.endpoint)
        cls.sqs = boto3.client("sqs", endpoint_url=cls.moto.endpoint, region_name=DEFAULT_REGION,
                               aws_access_key_id="test", aws_secret_access_key="test")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def test_on_failure_receives_the_stopped_event(self):
        from harness import create_function, unique_name
        qname = unique_name("recq")
        url = self.sqs.create_queue(QueueName=qname)["QueueUrl"]
        qarn = f"arn:aws:sqs:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:{qname}"
        name = create_function(self.client, zip_bytes=sdk_zip(RECURSIVE_SOURCE), Timeout=120,
                               Environment={"Variables": {"LL_ENDPOINT": self.server.endpoint}}
                               )["FunctionName"]
        self.client.put_function_event_invoke_config(
            FunctionName=name, DestinationConfig={"OnFailure": {"Destination": qarn}})
        self.client.invoke(FunctionName=name, InvocationType="Event",
                           Payload=json.dumps({"event": True, "left": 40}))
        deadline, messages = time.time() + 180, []
        while time.time() < deadline and not messages:
            messages = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
        self.assertEqual(len(messages), 1)
        record = json.loads(messages[0]["Body"])
        self.assertEqual(record["requestPayload"]["depth"], 17, record)
        self.assertEqual(record["requestContext"]["functionArn"],
                         f"arn:aws:lambda:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:function:{name}:$LATEST")


if __name__ == "__main__":
    unittest.main()
