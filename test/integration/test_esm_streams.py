"""Kinesis and DynamoDB Streams event source mappings end to end, against moto_server.

lambdalite runs with AWS_ENDPOINT_URL at moto (its pollers read the streams there) and
--function-network host, so the test functions can report every event they get to a small HTTP
sink in this process. Covers: records in order in AWS's event shapes (Kinesis data base64,
DynamoDB Keys/NewImage/eventName), checkpoints across a restart, the on-failure record in an SQS
queue after MaximumRetryAttempts, BisectBatchOnFunctionError, filters on Kinesis data, and the
answer for a stream that does not exist.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
from botocore.config import Config

from harness import (DEFAULT_REGION, LambdaliteServer, MotoServer, lambda_client, moto_available,
                     python_zip, raw_request, unique_name, create_function)

ACCOUNT = "123456789012"

# Reports each event to the sink, then fails when a record's data (Kinesis) or key (DynamoDB)
# contains "fail".
FUNCTION_SOURCE = r'''
import json, os, time, urllib.request, base64

def _texts(event):
    for r in event.get("Records", []):
        if "kinesis" in r:
            yield base64.b64decode(r["kinesis"]["data"]).decode("utf-8", "replace")
        else:
            yield json.dumps(r.get("dynamodb", {}).get("Keys", {}))

def handler(event, context):
    failing = any("fail" in t for t in _texts(event))
    body = json.dumps({"event": event, "failed": failing}).encode()
    req = urllib.request.Request(os.environ["SINK_URL"], data=body,
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=10).read()
    if any("slow" in t for t in _texts(event)):
        time.sleep(2)  # still running when a test kills the server
    if failing:
        raise Exception("record asked to fail")
    return {"ok": True}
'''


class _Sink:
    """Collects what the functions post, per function name."""

    def __init__(self):
        self.lock = threading.Lock()
        self.posts: list[dict] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                data = json.loads(self.rfile.read(length) or b"{}")
                with sink.lock:
                    sink.posts.append(data)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def for_source(self, arn: str) -> list[dict]:
        with self.lock:
            return [p for p in self.posts
                    if p["event"].get("Records") and
                    p["event"]["Records"][0].get("eventSourceARN") == arn]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def _wait(predicate, timeout=60.0, interval=0.25, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("timed out waiting for " + what)


@unittest.skipUnless(moto_available(), "moto is not installed")
class EsmStreamsTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.moto = MotoServer().start()
        cls.sink = _Sink()
        cls.server = LambdaliteServer(env={"AWS_ENDPOINT_URL": cls.moto.endpoint,
                                           "AWS_REGION": DEFAULT_REGION},
                                      args=["--function-network", "host"])
        try:
            cls.server.start()
        except BaseException:
            cls.server.cleanup()
            cls.moto.stop()
            raise
        cls.client = lambda_client(cls.server.endpoint)
        aws = dict(endpoint_url=cls.moto.endpoint, region_name=DEFAULT_REGION,
                   aws_access_key_id="test", aws_secret_access_key="test",
                   config=Config(retries={"max_attempts": 2}))
        cls.kinesis = boto3.client("kinesis", **aws)
        cls.dynamodb = boto3.client("dynamodb", **aws)
        cls.sqs = boto3.client("sqs", **aws)

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        cls.sink.stop()
        cls.moto.stop()

    # -- helpers ------------------------------------------------------------------------------
    def make_function(self) -> str:
        name = unique_name("esm")
        create_function(self.client, name, zip_bytes=python_zip(FUNCTION_SOURCE),
                        Environment={"Variables": {"SINK_URL": self.sink.url}}, Timeout=30)
        return name

    def make_stream(self) -> str:
        name = unique_name("ks")
        self.kinesis.create_stream(StreamName=name, ShardCount=1)
        return self.kinesis.describe_stream_summary(
            StreamName=name)["StreamDescriptionSummary"]["StreamARN"]

    def put(self, stream_arn: str, data: str, key: str = "pk") -> str:
        name = stream_arn.split("/", 1)[1]
        return self.kinesis.put_record(StreamName=name, Data=data.encode(),
                                       PartitionKey=key)["SequenceNumber"]

    def make_queue(self) -> tuple[str, str]:
        url = self.sqs.create_queue(QueueName=unique_name("dlq"))["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        return url, arn

    def create_mapping(self, **params) -> dict:
        params.setdefault("StartingPosition", "TRIM_HORIZON")
        mapping = self.client.create_event_source_mapping(**params)
        self.addCleanup(self._delete_mapping, mapping["UUID"])
        _wait(lambda: self.client.get_event_source_mapping(UUID=mapping["UUID"])["State"]
              == "Enabled", timeout=30, what="the mapping to be Enabled")
        return mapping

    def _delete_mapping(self, uuid):
        try:
            self.client.delete_event_source_mapping(UUID=uuid)
        except Exception:  # noqa: BLE001 - cleanup only
            pass

    def delivered_data(self, arn: str) -> list[str]:
        """Decoded data of the records of every successful invocation, in order."""
        out = []
        for post in self.sink.for_source(arn):
            if post["failed"]:
                continue
            for r in post["event"]["Records"]:
                out.append(base64.b64decode(r["kinesis"]["data"]).decode())
        return out

    # -- Kinesis ------------------------------------------------------------------------------
    def test_kinesis_records_in_order_with_aws_shape(self):
        fn = self.make_function()
        arn = self.make_stream()
        seqs = [self.put(arn, "record-%d" % i) for i in range(5)]
        uuid = self.create_mapping(FunctionName=fn, EventSourceArn=arn, BatchSize=2)["UUID"]
        _wait(lambda: len(self.delivered_data(arn)) >= 5, what="5 records")

        def status():
            resp = raw_request(self.server.endpoint, "GET", "/_lambdalite/event-source-mappings")
            self.assertEqual(resp.status, 200, resp.body)
            rows = [r for r in resp.json()["EventSourceMappings"] if r["uuid"] == uuid]
            return rows[0] if rows and rows[0]["recordsDelivered"] >= 5 else None

        row = _wait(status, what="the status view to count 5 records")
        self.assertTrue(row["running"])
        self.assertEqual(row["lagUnit"], "milliseconds")
        self.assertEqual(row["lag"], 0)  # caught up (moto's MillisBehindLatest)
        self.assertEqual(row["batches"], 3)
        self.assertEqual(row["lastProcessingResult"], "OK")
        self.assertEqual(row["problem"], "")
        got = self.client.get_event_source_mapping(UUID=uuid)
        self.assertEqual(got["LastProcessingResult"], "OK")
        self.assertEqual(self.delivered_data(arn), ["record-%d" % i for i in range(5)])
        posts = self.sink.for_source(arn)
        self.assertTrue(all(len(p["event"]["Records"]) <= 2 for p in posts))
        record = posts[0]["event"]["Records"][0]
        shard_id = "shardId-000000000000"
        self.assertEqual(sorted(record.keys()), sorted([
            "kinesis", "eventSource", "eventVersion", "eventID", "eventName", "invokeIdentityArn",
            "awsRegion", "eventSourceARN"]))
        self.assertEqual(record["eventSource"], "aws:kinesis")
        self.assertEqual(record["eventVersion"], "1.0")
        self.assertEqual(record["eventName"], "aws:kinesis:record")
        self.assertEqual(record["eventID"], "%s:%s" % (shard_id, seqs[0]))
        self.assertEqual(record["awsRegion"], DEFAULT_REGION)
        self.assertEqual(record["eventSourceARN"], arn)
        k = record["kinesis"]
        self.assertEqual(k["kinesisSchemaVersion"], "1.0")
        self.assertEqual(k["partitionKey"], "pk")
        self.assertEqual(k["sequenceNumber"], seqs[0])
        self.assertEqual(k["data"], base64.b64encode(b"record-0").decode())
        self.assertIsInstance(k["approximateArrivalTimestamp"], float)
        self.assertLess(abs(k["approximateArrivalTimestamp"] - time.time()), 600)

    def test_filter_on_kinesis_data(self):
        fn = self.make_function()
        arn = self.make_stream()
        for kind in ["drop", "keep", "drop", "keep"]:
            self.put(arn, json.dumps({"kind": kind, "n": 1}))
        self.put(arn, "not json")
        self.put(arn, json.dumps({"kind": "keep", "last": True}))
        self.create_mapping(FunctionName=fn, EventSourceArn=arn, BatchSize=10,
                            FilterCriteria={"Filters": [
                                {"Pattern": json.dumps({"data": {"kind": ["keep"]}})}]})
        _wait(lambda: any("last" in d for d in self.delivered_data(arn)), what="the last record")
        kinds = [json.loads(d)["kind"] for d in self.delivered_data(arn)]
        self.assertEqual(kinds, ["keep", "keep", "keep"])

    def test_on_failure_destination_after_maximum_retry_attempts(self):
        fn = self.make_function()
        arn = self.make_stream()
        queue_url, queue_arn = self.make_queue()
        first = self.put(arn, "fail-1")
        last = self.put(arn, "fail-2")
        mapping = self.create_mapping(
            FunctionName=fn, EventSourceArn=arn, BatchSize=10, MaximumRetryAttempts=1,
            DestinationConfig={"OnFailure": {"Destination": queue_arn}})
        self.assertEqual(mapping["MaximumRetryAttempts"], 1)
        msgs = _wait(lambda: self.sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1)
                     .get("Messages"), what="the on-failure record")
        record = json.loads(msgs[0]["Body"])
        self.assertEqual(set(record), {"requestContext", "responseContext", "version",
                                       "timestamp", "KinesisBatchInfo"})
        rc = record["requestContext"]
        self.assertEqual(rc["condition"], "RetryAttemptsExhausted")
        self.assertEqual(rc["approximateInvokeCount"], 2)
        self.assertEqual(rc["functionArn"],
                         "arn:aws:lambda:%s:%s:function:%s" % (DEFAULT_REGION, ACCOUNT, fn))
        self.assertTrue(rc["requestId"])
        self.assertEqual(record["responseContext"],
                         {"statusCode": 200, "executedVersion": "$LATEST",
                          "functionError": "Unhandled"})
        self.assertEqual(record["version"], "1.0")
        self.assertRegex(record["timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        info = record["KinesisBatchInfo"]
        self.assertEqual(info["shardId"], "shardId-000000000000")
        self.assertEqual(info["startSequenceNumber"], first)
        self.assertEqual(info["endSequenceNumber"], last)
        self.assertEqual(info["batchSize"], 2)
        self.assertEqual(info["streamArn"], arn)
        self.assertRegex(info["approximateArrivalOfFirstRecord"], r"Z$")
        self.assertRegex(info["approximateArrivalOfLastRecord"], r"Z$")
        attempts = [p for p in self.sink.for_source(arn) if p["failed"]]
        self.assertEqual(len(attempts), 2)  # the first try and one retry

        # The shard moved on: the next record is delivered.
        self.put(arn, "after")
        _wait(lambda: self.delivered_data(arn) == ["after"], what="the record after the failure")

    def test_bisect_isolates_the_bad_record(self):
        fn = self.make_function()
        arn = self.make_stream()
        queue_url, queue_arn = self.make_queue()
        self.put(arn, "ok-1")
        self.put(arn, "ok-2")
        bad = self.put(arn, "fail-3")
        self.put(arn, "ok-4")
        self.create_mapping(FunctionName=fn, EventSourceArn=arn, BatchSize=4,
                            MaximumBatchingWindowInSeconds=1, MaximumRetryAttempts=0,
                            BisectBatchOnFunctionError=True,
                            DestinationConfig={"OnFailure": {"Destination": queue_arn}})
        msgs = _wait(lambda: self.sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1)
                     .get("Messages"), what="the on-failure record")
        info = json.loads(msgs[0]["Body"])["KinesisBatchInfo"]
        self.assertEqual(info["batchSize"], 1)
        self.assertEqual(info["startSequenceNumber"], bad)
        _wait(lambda: "ok-4" in self.delivered_data(arn), what="ok-4")
        self.assertEqual(self.delivered_data(arn), ["ok-1", "ok-2", "ok-4"])
        sizes = [len(p["event"]["Records"]) for p in self.sink.for_source(arn)]
        self.assertEqual(sizes, [4, 2, 2, 1, 1])

    def test_missing_stream(self):
        fn = self.make_function()
        arn = "arn:aws:kinesis:%s:%s:stream/%s" % (DEFAULT_REGION, ACCOUNT, unique_name("none"))
        with self.assertRaises(self.client.exceptions.InvalidParameterValueException) as ctx:
            self.client.create_event_source_mapping(FunctionName=fn, EventSourceArn=arn,
                                                    StartingPosition="LATEST")
        self.assertEqual(
            ctx.exception.response["Error"]["Message"],
            "Cannot access stream %s. Please ensure the role can perform the GetRecords, "
            "GetShardIterator, DescribeStream, ListShards, and ListStreams Actions on your "
            "stream in IAM." % arn)

    # -- DynamoDB Streams ---------------------------------------------------------------------
    def test_dynamodb_stream_records(self):
        fn = self.make_function()
        table = unique_name("tbl")
        desc = self.dynamodb.create_table(
            TableName=table, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
        arn = desc["TableDescription"]["LatestStreamArn"]
        self.dynamodb.put_item(TableName=table, Item={"id": {"S": "a"}, "v": {"N": "1"}})
        self.dynamodb.put_item(TableName=table, Item={"id": {"S": "a"}, "v": {"N": "2"}})
        self.dynamodb.delete_item(TableName=table, Key={"id": {"S": "a"}})
        self.create_mapping(FunctionName=fn, EventSourceArn=arn, BatchSize=10)

        def records():
            return [r for p in self.sink.for_source(arn) for r in p["event"]["Records"]]

        _wait(lambda: len(records()) >= 3, what="3 stream records")
        got = records()
        self.assertEqual([r["eventName"] for r in got], ["INSERT", "MODIFY", "REMOVE"])
        first = got[0]
        self.assertEqual(first["eventVersion"], "1.1")
        self.assertEqual(first["eventSource"], "aws:dynamodb")
        self.assertEqual(first["awsRegion"], DEFAULT_REGION)
        self.assertEqual(first["eventSourceARN"], arn)
        self.assertTrue(first["eventID"])
        ddb = first["dynamodb"]
        self.assertEqual(ddb["Keys"], {"id": {"S": "a"}})
        self.assertEqual(ddb["NewImage"], {"id": {"S": "a"}, "v": {"N": "1"}})
        self.assertEqual(ddb["StreamViewType"], "NEW_AND_OLD_IMAGES")
        self.assertTrue(ddb["SequenceNumber"])
        self.assertIn("SizeBytes", ddb)
        self.assertIn("ApproximateCreationDateTime", ddb)
        self.assertEqual(got[1]["dynamodb"]["OldImage"], {"id": {"S": "a"}, "v": {"N": "1"}})
        self.assertEqual(got[2]["dynamodb"]["OldImage"], {"id": {"S": "a"}, "v": {"N": "2"}})
        self.assertNotIn("NewImage", got[2]["dynamodb"])

    def test_dynamodb_filter_on_the_record(self):
        fn = self.make_function()
        table = unique_name("tbl")
        desc = self.dynamodb.create_table(
            TableName=table, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
        arn = desc["TableDescription"]["LatestStreamArn"]
        self.dynamodb.put_item(TableName=table, Item={"id": {"S": "a"}, "v": {"N": "1"}})
        self.dynamodb.put_item(TableName=table, Item={"id": {"S": "a"}, "v": {"N": "2"}})
        self.dynamodb.put_item(TableName=table, Item={"id": {"S": "b"}, "v": {"N": "3"}})
        self.create_mapping(FunctionName=fn, EventSourceArn=arn, BatchSize=10,
                            FilterCriteria={"Filters": [
                                {"Pattern": json.dumps({"eventName": ["INSERT"]})}]})

        def keys():
            return [r["dynamodb"]["Keys"]["id"]["S"]
                    for p in self.sink.for_source(arn) for r in p["event"]["Records"]]

        _wait(lambda: len(keys()) >= 2, what="the two INSERT records")
        time.sleep(1.5)
        self.assertEqual(keys(), ["a", "b"])


@unittest.skipUnless(moto_available(), "moto is not installed")
class EsmStreamsRestartTest(unittest.TestCase):
    """The checkpoint survives a restart and kill -9: records before it are not delivered again,
    and a batch in flight at the kill is."""

    def _start(self, stream: str, **function_args):
        """moto, the sink, a lambdalite (host network: the function posts to the sink), a
        Kinesis stream with one shard and the function; returns (server, client, kinesis, arn,
        function name)."""
        moto = MotoServer().start()
        self.addCleanup(moto.stop)
        self.sink = _Sink()
        self.addCleanup(self.sink.stop)
        server = LambdaliteServer(env={"AWS_ENDPOINT_URL": moto.endpoint,
                                       "AWS_REGION": DEFAULT_REGION},
                                  args=["--function-network", "host"])
        self.addCleanup(server.cleanup)
        server.start()
        client = lambda_client(server.endpoint)
        kinesis = boto3.client("kinesis", endpoint_url=moto.endpoint, region_name=DEFAULT_REGION,
                               aws_access_key_id="test", aws_secret_access_key="test")
        kinesis.create_stream(StreamName=stream, ShardCount=1)
        arn = kinesis.describe_stream_summary(
            StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
        name = unique_name("esm")
        create_function(client, name, zip_bytes=python_zip(FUNCTION_SOURCE),
                        Environment={"Variables": {"SINK_URL": self.sink.url}}, **function_args)
        return server, client, kinesis, arn, name

    def _data(self, arn):
        return [base64.b64decode(r["kinesis"]["data"]).decode()
                for p in self.sink.for_source(arn) for r in p["event"]["Records"]]

    def test_checkpoint_across_restart(self):
        self._checkpoint_across_restart(hard=False)

    def test_checkpoint_across_kill9(self):
        self._checkpoint_across_restart(hard=True)

    def test_batch_in_flight_at_kill9_is_delivered_again(self):
        """At least once: a batch whose invocation was cut short by kill -9 was not checkpointed,
        so it is delivered again after the restart, before anything newer."""
        server, client, kinesis, arn, name = self._start("inflight", Timeout=10)
        kinesis.put_record(StreamName="inflight", Data=b"slow-0", PartitionKey="k")
        client.create_event_source_mapping(FunctionName=name, EventSourceArn=arn,
                                           StartingPosition="TRIM_HORIZON")

        def data():
            return self._data(arn)

        _wait(lambda: data() == ["slow-0"], what="the first delivery")
        server.restart(hard=True)  # while the function sleeps: no checkpoint yet
        kinesis.put_record(StreamName="inflight", Data=b"after-0", PartitionKey="k")
        _wait(lambda: "after-0" in data(), what="the record after the restart")
        got = data()
        self.assertGreaterEqual(got.count("slow-0"), 2, got)  # delivered again, not lost
        self.assertEqual(got[-1], "after-0", got)  # and in order

    def _checkpoint_across_restart(self, hard: bool):
        server, client, kinesis, arn, name = self._start("restart")
        for i in range(2):
            kinesis.put_record(StreamName="restart", Data=b"before-%d" % i, PartitionKey="k")
        uuid = client.create_event_source_mapping(FunctionName=name, EventSourceArn=arn,
                                                  StartingPosition="TRIM_HORIZON")["UUID"]

        def data():
            return self._data(arn)

        _wait(lambda: len(data()) >= 2, what="the records before the restart")
        time.sleep(1)  # the checkpoint follows the invocation
        server.restart(hard=hard)
        client = lambda_client(server.endpoint)
        self.assertEqual(client.get_event_source_mapping(UUID=uuid)["UUID"], uuid)
        for i in range(2):
            kinesis.put_record(StreamName="restart", Data=b"after-%d" % i, PartitionKey="k")
        _wait(lambda: len(data()) >= 4, what="the records after the restart")
        time.sleep(2)  # nothing else arrives
        self.assertEqual(data(), ["before-0", "before-1", "after-0", "after-1"])


if __name__ == "__main__":
    unittest.main()
