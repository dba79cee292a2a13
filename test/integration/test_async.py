"""Asynchronous invocation (InvocationType=Event) end to end, with moto_server as the real SQS,
SNS, EventBridge and S3.

The server runs with LAMBDALITE_ASYNC_TIME_SCALE=60, the documented testing aid: AWS's 1 and
2 minute retry delays take 1 and 2 seconds, and event ages shrink by the same factor.
"""

import io
import json
import time
import unittest
import urllib.request
import zipfile

import boto3

from harness import DEFAULT_ACCOUNT, DEFAULT_REGION, LambdaliteServer, lambda_client, shared_moto
from harness import unique_name

ROLE = f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/lambda-role"
HANDLER = (
    "import os\n"
    "def handler(event, context):\n"
    "    if event.get('fail'):\n"
    "        raise Exception('intentional failure')\n"
    "    return {'echo': event}\n"
)


def zip_of(source: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("index.py", source)
    return buf.getvalue()


class AsyncTestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = shared_moto()
        cls.server = LambdaliteServer(env={"AWS_ENDPOINT_URL": cls.moto.endpoint,
                                           "LAMBDALITE_ASYNC_TIME_SCALE": "60"})
        cls.server.start()
        cls.client = lambda_client(cls.server.endpoint)
        kw = dict(endpoint_url=cls.moto.endpoint, region_name=DEFAULT_REGION,
                  aws_access_key_id="test", aws_secret_access_key="test")
        cls.sqs = boto3.client("sqs", **kw)
        cls.sns = boto3.client("sns", **kw)
        cls.events = boto3.client("events", **kw)
        cls.s3 = boto3.client("s3", **kw)

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def queue(self, prefix="q"):
        name = unique_name(prefix)
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        return name, url, f"arn:aws:sqs:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:{name}"

    def function(self, **kw):
        name = unique_name("async")
        self.client.create_function(FunctionName=name, Runtime="python3.12",
                                    Handler="index.handler", Role=ROLE,
                                    Code={"ZipFile": zip_of(kw.pop("source", HANDLER))}, **kw)
        self.client.get_waiter("function_active_v2").wait(FunctionName=name)
        return name

    def receive(self, url, count=1, timeout=60.0):
        got, deadline = [], time.time() + timeout
        while len(got) < count and time.time() < deadline:
            got += self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, MaxNumberOfMessages=10,
                                            MessageAttributeNames=["All"]).get("Messages", [])
        return got

    def arn(self, name, qualifier="$LATEST"):
        return f"arn:aws:lambda:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:function:{name}:{qualifier}"


class AcceptTest(AsyncTestCase):
    def test_event_answers_202_with_empty_body(self):
        name = self.function()
        resp = self.client.invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")
        self.assertEqual(resp["StatusCode"], 202)
        self.assertEqual(resp["Payload"].read(), b"")
        self.assertNotIn("ExecutedVersion", resp)
        self.assertTrue(resp["ResponseMetadata"]["RequestId"])

    def test_payload_over_1mb_is_refused(self):
        name = self.function()
        with self.assertRaises(self.client.exceptions.ClientError) as cm:
            self.client.invoke(FunctionName=name, InvocationType="Event",
                               Payload=json.dumps({"x": "a" * (1024 * 1024)}).encode())
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 413)
        error = cm.exception.response["Error"]
        self.assertEqual(error["Code"], "RequestEntityTooLargeException")
        size = len(json.dumps({"x": "a" * (1024 * 1024)}).encode())
        self.assertEqual(error["Message"], f"{size} byte payload is too large for the Event "
                                           "invocation type (limit 1048576 bytes)")

    def test_missing_function_is_404(self):
        with self.assertRaises(self.client.exceptions.ResourceNotFoundException):
            self.client.invoke(FunctionName=unique_name("nope"), InvocationType="Event",
                               Payload=b"{}")

    def test_legacy_invoke_async(self):
        name = self.function()
        resp = self.client.invoke_async(FunctionName=name, InvokeArgs=b'{"legacy": true}')
        self.assertEqual(resp["Status"], 202)


class DestinationTest(AsyncTestCase):
    def test_success_record_on_sqs_has_aws_shape_and_key_order(self):
        _, url, queue_arn = self.queue("ok")
        name = self.function()
        self.client.put_function_event_invoke_config(
            FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": queue_arn}})
        resp = self.client.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"a": 1}')
        request_id = resp["ResponseMetadata"]["RequestId"]
        [msg] = self.receive(url)
        record = json.loads(msg["Body"])
        self.assertEqual(list(record), ["version", "timestamp", "requestContext", "requestPayload",
                                        "responseContext", "responsePayload"])
        self.assertEqual(record["version"], "1.0")
        self.assertEqual(record["requestContext"], {
            "requestId": request_id, "functionArn": self.arn(name), "condition": "Success",
            "approximateInvokeCount": 1})
        self.assertEqual(list(record["requestContext"]),
                         ["requestId", "functionArn", "condition", "approximateInvokeCount"])
        self.assertEqual(record["requestPayload"], {"a": 1})
        self.assertEqual(record["responseContext"], {"statusCode": 200, "executedVersion": "$LATEST"})
        self.assertEqual(record["responsePayload"], {"echo": {"a": 1}})

    def test_failure_after_default_retries_counts_three_attempts(self):
        _, url, queue_arn = self.queue("failed")
        name = self.function()
        self.client.put_function_event_invoke_config(
            FunctionName=name, DestinationConfig={"OnFailure": {"Destination": queue_arn}})
        resp = self.client.invoke(FunctionName=name, InvocationType="Event",
                                  Payload=b'{"fail": true}')
        request_id = resp["ResponseMetadata"]["RequestId"]
        [msg] = self.receive(url, timeout=90)
        record = json.loads(msg["Body"])
        self.assertEqual(record["requestContext"]["condition"], "RetriesExhausted")
        self.assertEqual(record["requestContext"]["approximateInvokeCount"], 3)
        self.assertEqual(record["responseContext"]["functionError"], "Unhandled")
        self.assertEqual(record["responsePayload"]["errorMessage"], "intentional failure")
        # Every attempt keeps the request id.
        self.assertEqual(record["responsePayload"]["requestId"], request_id)
        self.assertEqual(record["requestContext"]["requestId"], request_id)

    def test_zero_retries_counts_one_attempt(self):
        _, url, queue_arn = self.queue("failed0")
        name = self.function()
        self.client.put_function_event_invoke_config(
            FunctionName=name, MaximumRetryAttempts=0,
            DestinationConfig={"OnFailure": {"Destination": queue_arn}})
        self.client.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"fail": 1}')
        [msg] = self.receive(url)
        record = json.loads(msg["Body"])
        self.assertEqual(record["requestContext"]["condition"], "RetriesExhausted")
        self.assertEqual(record["requestContext"]["approximateInvokeCount"], 1)

    def test_event_age_look_ahead(self):
        # Recorded: retries 2 with a 60 s age limit -> no retry, EventAgeExceeded, count 1.
        _, url, queue_arn = self.queue("age")
        name = self.function()
        self.client.put_function_event_invoke_config(
            FunctionName=name, MaximumRetryAttempts=2, MaximumEventAgeInSeconds=60,
            DestinationConfig={"OnFailure": {"Destination": queue_arn}})
        self.client.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"fail": 1}')
        [msg] = self.receive(url)
        record = json.loads(msg["Body"])
        self.assertEqual(record["requestContext"]["condition"], "EventAgeExceeded")
        self.assertEqual(record["requestContext"]["approximateInvokeCount"], 1)

    def test_zero_reserved_concurrency(self):
        _, url, queue_arn = self.queue("zrc")
        name = self.function()
        self.client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
        self.client.put_function_event_invoke_config(
            FunctionName=name, MaximumRetryAttempts=0,
            DestinationConfig={"OnFailure": {"Destination": queue_arn}})
        resp = self.client.invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")
        self.assertEqual(resp["StatusCode"], 202)
        [msg] = self.receive(url)
        record = json.loads(msg["Body"])
        self.assertEqual(record["requestContext"]["condition"], "ZeroReservedConcurrency")
        self.assertEqual(record["requestContext"]["approximateInvokeCount"], 0)
        self.assertNotIn("responseContext", record)
        self.assertNotIn("responsePayload", record)

    def test_dead_letter_queue_gets_original_payload_and_attributes(self):
        _, url, dlq_arn = self.queue("dlq")
        name = self.function(DeadLetterConfig={"TargetArn": dlq_arn})
        self.client.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
        resp = self.client.invoke(FunctionName=name, InvocationType="Event",
                                  Payload=b'{"fail": 1}')
        [msg] = self.receive(url)
        self.assertEqual(json.loads(msg["Body"]), {"fail": 1})
        attrs = msg["MessageAttributes"]
        self.assertEqual(attrs["RequestID"], {"StringValue": resp["ResponseMetadata"]["RequestId"],
                                              "DataType": "String"})
        self.assertEqual(attrs["ErrorCode"], {"StringValue": "200", "DataType": "Number"})
        self.assertEqual(attrs["ErrorMessage"]["StringValue"], "intentional failure")

    def test_qualifier_specific_config_applies(self):
        _, url_latest, arn_latest = self.queue("latest")
        _, url_v1, arn_v1 = self.queue("v1")
        name = self.function()
        self.client.publish_version(FunctionName=name)
        self.client.put_function_event_invoke_config(
            FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": arn_latest}})
        self.client.put_function_event_invoke_config(
            FunctionName=name, Qualifier="1", DestinationConfig={"OnSuccess": {"Destination": arn_v1}})
        self.client.invoke(FunctionName=name, Qualifier="1", InvocationType="Event", Payload=b"{}")
        [msg] = self.receive(url_v1)
        record = json.loads(msg["Body"])
        self.assertEqual(record["requestContext"]["functionArn"], self.arn(name, "1"))
        self.assertEqual(record["responseContext"]["executedVersion"], "1")
        self.assertEqual(self.receive(url_latest, timeout=2), [])

    def test_lambda_to_lambda_destination(self):
        _, url, queue_arn = self.queue("chain")
        target = self.function()
        self.client.put_function_event_invoke_config(
            FunctionName=target, DestinationConfig={"OnSuccess": {"Destination": queue_arn}})
        source = self.function()
        target_arn = f"arn:aws:lambda:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:function:{target}"
        self.client.put_function_event_invoke_config(
            FunctionName=source, DestinationConfig={"OnSuccess": {"Destination": target_arn}})
        self.client.invoke(FunctionName=source, InvocationType="Event", Payload=b'{"hop": 1}')
        [msg] = self.receive(url)
        record = json.loads(msg["Body"])
        # The target ran with the source's invocation record as its event.
        inner = record["requestPayload"]
        self.assertEqual(inner["requestContext"]["functionArn"], self.arn(source))
        self.assertEqual(inner["responsePayload"], {"echo": {"hop": 1}})

    def test_sns_destination(self):
        topic = self.sns.create_topic(Name=unique_name("topic"))["TopicArn"]
        _, url, queue_arn = self.queue("snssub")
        self.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn,
                           Attributes={"RawMessageDelivery": "true"})
        name = self.function()
        self.client.put_function_event_invoke_config(
            FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": topic}})
        self.client.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"via": "sns"}')
        [msg] = self.receive(url)
        self.assertEqual(json.loads(msg["Body"])["requestPayload"], {"via": "sns"})

    def test_eventbridge_destination(self):
        bus = unique_name("bus")
        bus_arn = self.events.create_event_bus(Name=bus)["EventBusArn"]
        _, url, queue_arn = self.queue("ebsub")
        self.events.put_rule(Name="all", EventBusName=bus, EventPattern=json.dumps({"source": ["lambda"]}))
        self.events.put_targets(Rule="all", EventBusName=bus, Targets=[{"Id": "q", "Arn": queue_arn}])
        name = self.function()
        self.client.put_function_event_invoke_config(
            FunctionName=name, MaximumRetryAttempts=0,
            DestinationConfig={"OnFailure": {"Destination": bus_arn}})
        self.client.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"fail": 1}')
        [msg] = self.receive(url)
        event = json.loads(msg["Body"])
        self.assertEqual(event["source"], "lambda")
        self.assertEqual(event["detail-type"], "Lambda Function Invocation Result - Failure")
        self.assertEqual(event["detail"]["requestContext"]["condition"], "RetriesExhausted")

    def test_s3_failure_destination(self):
        bucket = unique_name("bucket")
        self.s3.create_bucket(Bucket=bucket)
        name = self.function()
        self.client.put_function_event_invoke_config(
            FunctionName=name, MaximumRetryAttempts=0,
            DestinationConfig={"OnFailure": {"Destination": f"arn:aws:s3:::{bucket}"}})
        self.client.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"fail": 1}')
        deadline, keys = time.time() + 60, []
        while not keys and time.time() < deadline:
            keys = [o["Key"] for o in self.s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
            time.sleep(0.5)
        self.assertEqual(len(keys), 1)
        self.assertTrue(keys[0].startswith(f"aws/lambda/async/{name}/"), keys[0])
        body = json.loads(self.s3.get_object(Bucket=bucket, Key=keys[0])["Body"].read())
        self.assertEqual(body["requestContext"]["condition"], "RetriesExhausted")

    def test_introspection_endpoint(self):
        _, url, queue_arn = self.queue("intro")
        name = self.function()
        self.client.put_function_event_invoke_config(
            FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": queue_arn}})
        self.client.invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")
        self.receive(url)
        deadline, status = time.time() + 30, {}
        while time.time() < deadline:
            with urllib.request.urlopen(
                    f"{self.server.endpoint}/_lambdalite/async?function={name}") as resp:
                status = json.loads(resp.read())
            if status.get("succeeded") == 1:
                break
            time.sleep(0.2)
        self.assertEqual(status["succeeded"], 1)
        self.assertEqual(status["recent"][0]["condition"], "Success")


class CrashTest(AsyncTestCase):
    """Accept many events, kill -9 the server while they are queued and in flight, restart it,
    and check every accepted event reached a final outcome (none lost)."""

    EVENTS = 1000
    # Each event takes a while, so that when the server is killed some events are in flight (their
    # leases held by the dead process) and most are still queued.
    SLOW_HANDLER = (
        "import time\n"
        "def handler(event, context):\n"
        "    time.sleep(0.05)\n"
        "    return {'echo': event}\n"
    )

    def status(self, name):
        with urllib.request.urlopen(
                f"{self.server.endpoint}/_lambdalite/async?function={name}") as resp:
            return json.loads(resp.read())

    def test_no_accepted_event_is_lost_across_kill_9(self):
        _, url, queue_arn = self.queue("crash")
        name = self.function(source=self.SLOW_HANDLER)
        self.client.put_function_event_invoke_config(
            FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": queue_arn}})
        accepted = set()
        for i in range(self.EVENTS):
            resp = self.client.invoke(FunctionName=name, InvocationType="Event",
                                      Payload=json.dumps({"i": i}).encode())
            self.assertEqual(resp["StatusCode"], 202)
            accepted.add(i)
        before = self.status(name)
        self.server.kill9()
        self.server.start()
        self.client = lambda_client(self.server.endpoint)
        seen, duplicates, deadline = set(), 0, time.time() + 600
        while len(seen) < len(accepted) and time.time() < deadline:
            for msg in self.receive(url, count=10, timeout=2):
                i = json.loads(msg["Body"])["requestPayload"]["i"]
                if i in seen:
                    duplicates += 1
                seen.add(i)
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"])
        print(f"\ncrash test: {len(accepted)} accepted; at the kill {before.get('queued')} queued, "
              f"{before.get('inFlight')} in flight, {before.get('succeeded')} succeeded; after "
              f"the restart {len(seen)} completed, {duplicates} duplicates (at-least-once)")
        self.assertEqual(seen, accepted)
        # Proof the kill interrupted work in progress (otherwise the test proves nothing).
        self.assertGreater(before["queued"] + before["inFlight"], 0)


if __name__ == "__main__":
    unittest.main()
