"""Event source mappings from SQS (issue 16): the SQS poller end to end against moto_server.

lambdalite runs with AWS_ENDPOINT_URL pointing at a moto_server on a free port; mappings are made
with boto3 (and once with the AWS CLI); the function prints every record it gets to its log,
which the tests read from the data directory.
"""

import hashlib
import json
import os
import subprocess
import time
import unittest
from pathlib import Path

import boto3
from botocore.config import Config

from harness import (DEFAULT_REGION, LambdaliteServer, LambdaliteTestCase, MotoServer, aws_cli,
                     find_binary, free_port, lambda_client, moto_available, python_zip,
                     raw_request, shared_moto)

FUNCTION_SOURCE = r'''
import json, time

def handler(event, context):
    failures = []
    for r in event.get("Records", []):
        print("ESMREC %d %d %s" % (time.time_ns(), len(event["Records"]), json.dumps(r)),
              flush=True)
        body = r["body"]
        if body.startswith("sleep:"):
            time.sleep(float(body.split(":")[1]))
        if body.startswith("fail") and r["attributes"]["ApproximateReceiveCount"] == "1":
            failures.append({"itemIdentifier": r["messageId"]})
        if body.startswith("crash") and r["attributes"]["ApproximateReceiveCount"] == "1":
            raise Exception("boom")
    return {"batchItemFailures": failures}
'''

ES32 = ("Error occurred while ReceiveMessage. SQS Error Code: "
        "AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does "
        "not exist.")


def sqs_client(endpoint: str):
    return boto3.client("sqs", endpoint_url=endpoint, region_name=DEFAULT_REGION,
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 1}))


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.25, what: str = "condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


class EsmSqsBase(LambdaliteTestCase):
    OWN_MOTO = False

    @classmethod
    def setUpClass(cls):
        if not moto_available():
            raise unittest.SkipTest("moto is not installed")
        if cls.OWN_MOTO:
            cls.own_moto = MotoServer().start()
            moto_endpoint = cls.own_moto.endpoint
        else:
            cls.own_moto = None
            moto_endpoint = shared_moto().endpoint
        cls.moto_endpoint = moto_endpoint
        cls.SERVER_ENV = {"AWS_ENDPOINT_URL": moto_endpoint}
        super().setUpClass()
        cls.sqs = sqs_client(moto_endpoint)

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        if cls.own_moto is not None:
            cls.own_moto.stop()

    # -- helpers ----------------------------------------------------------------------------------
    def make_function(self) -> str:
        name = self.unique("esm")
        self.create_function(name, zip_bytes=python_zip(FUNCTION_SOURCE), Timeout=30)
        return name

    def make_queue(self, fifo: bool = False, visibility: int = 30) -> tuple[str, str]:
        name = self.unique("q") + (".fifo" if fifo else "")
        attrs = {"VisibilityTimeout": str(visibility)}
        if fifo:
            attrs.update({"FifoQueue": "true", "ContentBasedDeduplication": "true"})
        url = self.sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        return url, arn

    def map(self, function: str, queue_arn: str, **kw) -> str:
        resp = self.client.create_event_source_mapping(FunctionName=function,
                                                       EventSourceArn=queue_arn, **kw)
        uuid = resp["UUID"]
        self.wait_state(uuid, "Disabled" if kw.get("Enabled") is False else "Enabled")
        return uuid

    def wait_state(self, uuid: str, state: str, timeout: float = 20.0) -> dict:
        return wait_for(lambda: (lambda m: m if m["State"] == state else None)(
            self.client.get_event_source_mapping(UUID=uuid)), timeout, what=f"State {state}")

    def in_queue(self, url: str) -> int:
        a = self.sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages",
                                          "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
        return int(a["ApproximateNumberOfMessages"]) + int(a["ApproximateNumberOfMessagesNotVisible"])

    def wait_empty(self, url: str, timeout: float = 60.0) -> None:
        wait_for(lambda: self.in_queue(url) == 0, timeout, what="an empty queue")

    def records(self, function: str, server: LambdaliteServer | None = None) -> list[dict]:
        """What the function printed, in the order it printed it (over all its log streams)."""
        out = []
        server = server or self.server
        for path in sorted(Path(server.data_dir, "logs").glob(f"*/*/{function}/**/*.log")):
            for line in path.read_text(errors="replace").splitlines():
                i = line.find("ESMREC ")
                if i >= 0:
                    stamp, _, rest = line[i + 7:].partition(" ")
                    size, _, text = rest.partition(" ")
                    try:
                        out.append((int(stamp), int(size), json.loads(text)))
                    except ValueError:
                        pass
        out.sort(key=lambda p: p[0])
        self.batch_sizes = [size for _, size, _ in out]
        return [r for _, _, r in out]

    def bodies(self, function: str) -> list[str]:
        return [r["body"] for r in self.records(function)]

    def send(self, url: str, bodies, **kw) -> None:
        for i in range(0, len(bodies), 10):
            entries = [dict(Id=str(j), MessageBody=b, **kw)
                       for j, b in enumerate(bodies[i:i + 10])]
            resp = self.sqs.send_message_batch(QueueUrl=url, Entries=entries)
            self.assertFalse(resp.get("Failed"), resp)

    def status_view(self) -> list[dict]:
        resp = raw_request(self.endpoint, "GET", "/_lambdalite/event-source-mappings")
        self.assertEqual(resp.status, 200, resp.body)
        return resp.json()["EventSourceMappings"]


class TestEsmSqs(EsmSqsBase):

    def test_batches_delivered_and_deleted_in_aws_shape(self):
        fn = self.make_function()
        url, arn = self.make_queue()
        uuid = self.map(fn, arn, BatchSize=10)
        self.sqs.send_message(QueueUrl=url, MessageBody="first", MessageAttributes={
            "color": {"DataType": "String", "StringValue": "red"}})
        bodies = [f"m{i}" for i in range(24)]
        self.send(url, bodies)
        self.wait_empty(url)
        got = wait_for(lambda: (lambda b: b if len(set(b)) == 25 else None)(self.bodies(fn)),
                       20, what="25 records in the log")
        self.assertEqual(set(got), set(bodies) | {"first"})
        rec = next(r for r in self.records(fn) if r["body"] == "first")
        self.assertEqual(list(rec), ["messageId", "receiptHandle", "body", "attributes",
                                     "messageAttributes", "md5OfMessageAttributes", "md5OfBody",
                                     "eventSource", "eventSourceARN", "awsRegion"])
        self.assertEqual(rec["eventSource"], "aws:sqs")
        self.assertEqual(rec["eventSourceARN"], arn)
        self.assertEqual(rec["awsRegion"], DEFAULT_REGION)
        for key in ("ApproximateReceiveCount", "SentTimestamp", "SenderId",
                    "ApproximateFirstReceiveTimestamp"):
            self.assertIn(key, rec["attributes"])
        self.assertEqual(rec["messageAttributes"], {"color": {
            "stringValue": "red", "stringListValues": [], "binaryListValues": [],
            "dataType": "String"}})
        self.assertTrue(rec["md5OfMessageAttributes"])
        self.assertEqual(rec["md5OfBody"], hashlib.md5(b"first").hexdigest())
        plain = next(r for r in self.records(fn) if r["body"] == "m0")
        self.assertIsNone(plain["md5OfMessageAttributes"])
        self.assertEqual(plain["messageAttributes"], {})
        # The status view counts what was delivered.
        row = wait_for(lambda: next((r for r in self.status_view() if r["uuid"] == uuid and
                                     r["recordsDelivered"] >= 25), None), 10,
                       what="the status view")
        self.assertEqual(row["function"], fn)
        self.assertEqual(row["eventSourceArn"], arn)
        self.assertEqual(row["state"], "Enabled")
        self.assertTrue(row["running"])
        self.assertEqual(row["lastProcessingResult"], "OK")
        self.assertEqual(row["functionErrors"], 0)
        # ... and `lambdalite esm` prints it as a table.
        proc = subprocess.run([str(find_binary()), "esm", "--endpoint", self.endpoint],
                              capture_output=True, text=True, timeout=30,
                              env={k: v for k, v in os.environ.items()
                                   if not k.startswith("AWS_")})
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("UUID", proc.stdout.splitlines()[0])
        line = next(l for l in proc.stdout.splitlines() if l.startswith(uuid))
        self.assertIn("Enabled", line)
        self.assertIn("OK", line)

    def test_batch_over_ten_gathered_within_the_window(self):
        fn = self.make_function()
        url, arn = self.make_queue()
        self.send(url, [f"w{i}" for i in range(25)])
        self.map(fn, arn, BatchSize=25, MaximumBatchingWindowInSeconds=2)
        self.wait_empty(url)
        self.assertEqual(sorted(self.bodies(fn)), sorted(f"w{i}" for i in range(25)))
        # Several receives of at most 10 made batches larger than one receive can return.
        self.assertGreater(max(self.batch_sizes), 10)

    def test_report_batch_item_failures_redelivers_only_failed(self):
        fn = self.make_function()
        url, arn = self.make_queue(visibility=2)
        self.map(fn, arn, BatchSize=10, MaximumBatchingWindowInSeconds=1,
                 FunctionResponseTypes=["ReportBatchItemFailures"])
        self.send(url, ["ok-1", "fail-1", "ok-2", "fail-2", "ok-3"])
        self.wait_empty(url)
        counts = {}
        for r in self.records(fn):
            counts.setdefault(r["body"], []).append(r["attributes"]["ApproximateReceiveCount"])
        # The failed ones came back (receive count 2); the others were deleted after one go.
        self.assertEqual(counts["ok-1"], ["1"])
        self.assertEqual(counts["ok-3"], ["1"])
        self.assertEqual(sorted(counts["fail-1"]), ["1", "2"])
        self.assertEqual(sorted(counts["fail-2"]), ["1", "2"])

    def test_function_error_leaves_batch_to_visibility_timeout(self):
        fn = self.make_function()
        url, arn = self.make_queue(visibility=2)
        uuid = self.map(fn, arn, BatchSize=1)
        self.send(url, ["crash-now"])
        self.wait_empty(url)
        counts = [r["attributes"]["ApproximateReceiveCount"] for r in self.records(fn)]
        self.assertEqual(counts, ["1", "2"])
        row = next(r for r in self.status_view() if r["uuid"] == uuid)
        self.assertEqual(row["functionErrors"], 1)

    def test_fifo_order_per_group(self):
        fn = self.make_function()
        url, arn = self.make_queue(fifo=True)
        self.map(fn, arn, BatchSize=3)
        expected = {}
        for group in ("a", "b", "c"):
            bodies = [f"{group}-{i:02d}" for i in range(12)]
            expected[group] = bodies
            # (moto gives a SequenceNumber only to messages with an explicit deduplication id)
            self.send(url, bodies, MessageGroupId=group)
            self.sqs.send_message(QueueUrl=url, MessageBody=f"{group}-99", MessageGroupId=group,
                                  MessageDeduplicationId=f"{group}-99")
            bodies.append(f"{group}-99")
        self.wait_empty(url)
        got = {}
        for r in self.records(fn):
            self.assertEqual(r["attributes"]["MessageGroupId"], r["body"][0])
            if r["body"].endswith("-99"):
                self.assertIn("SequenceNumber", r["attributes"])
            self.assertIn("MessageDeduplicationId", r["attributes"])
            got.setdefault(r["attributes"]["MessageGroupId"], []).append(r["body"])
        self.assertEqual(got, expected)

    def test_filters_invoke_matching_and_delete_others(self):
        fn = self.make_function()
        url, arn = self.make_queue()
        uuid = self.map(fn, arn, FilterCriteria={"Filters": [
            {"Pattern": json.dumps({"body": {"kind": ["keep"]}})}]})
        keep = [json.dumps({"kind": "keep", "n": i}) for i in range(3)]
        drop = [json.dumps({"kind": "drop", "n": i}) for i in range(3)] + ["not json"]
        self.send(url, keep + drop)
        self.wait_empty(url)
        time.sleep(1)
        self.assertEqual(sorted(self.bodies(fn)), sorted(keep))
        row = next(r for r in self.status_view() if r["uuid"] == uuid)
        self.assertEqual(row["recordsFiltered"], 4)

    def test_disable_stops_and_enable_resumes_within_seconds(self):
        fn = self.make_function()
        url, arn = self.make_queue()
        uuid = self.map(fn, arn)
        self.send(url, ["before"])
        wait_for(lambda: "before" in self.bodies(fn), 20, what="the first message")
        self.client.update_event_source_mapping(UUID=uuid, Enabled=False)
        started = time.monotonic()
        self.wait_state(uuid, "Disabled")
        self.assertLess(time.monotonic() - started, 15)
        self.send(url, ["while-disabled"])
        time.sleep(6)
        self.assertNotIn("while-disabled", self.bodies(fn))
        self.assertEqual(self.in_queue(url), 1)
        row = next(r for r in self.status_view() if r["uuid"] == uuid)
        self.assertFalse(row["running"])
        self.client.update_event_source_mapping(UUID=uuid, Enabled=True)
        started = time.monotonic()
        wait_for(lambda: "while-disabled" in self.bodies(fn), 20, what="the resumed poller")
        self.assertLess(time.monotonic() - started, 15)
        self.wait_empty(url)

    def test_delete_stops_polling(self):
        fn = self.make_function()
        url, arn = self.make_queue()
        uuid = self.map(fn, arn)
        self.client.delete_event_source_mapping(UUID=uuid)

        def gone():
            try:
                self.client.get_event_source_mapping(UUID=uuid)
                return False
            except self.client.exceptions.ResourceNotFoundException:
                return True
        wait_for(gone, 20, what="the mapping to go")
        self.send(url, ["after-delete"])
        time.sleep(4)
        self.assertEqual(self.in_queue(url), 1)
        self.assertEqual(self.bodies(fn), [])

    def test_missing_queue_is_refused_at_create(self):
        fn = self.make_function()
        arn = f"arn:aws:sqs:{DEFAULT_REGION}:123456789012:{self.unique('nosuchqueue')}"
        with self.assertRaises(self.client.exceptions.InvalidParameterValueException) as ctx:
            self.client.create_event_source_mapping(FunctionName=fn, EventSourceArn=arn)
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertEqual(ctx.exception.response["Error"]["Message"], ES32)  # ES32
        # Refused means nothing was stored.
        self.assertEqual(
            self.client.list_event_source_mappings(EventSourceArn=arn)["EventSourceMappings"], [])

    def test_aws_cli_creates_the_mapping(self):
        fn = self.make_function()
        url, arn = self.make_queue()
        res = aws_cli(self.endpoint, "create-event-source-mapping", "--function-name", fn,
                      "--event-source-arn", arn, "--batch-size", "5")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(res.json["BatchSize"], 5)
        self.wait_state(res.json["UUID"], "Enabled")
        self.send(url, ["from-the-cli"])
        wait_for(lambda: "from-the-cli" in self.bodies(fn), 30, what="the message")
        self.wait_empty(url)


class TestEsmSqsCrash(EsmSqsBase):
    """kill -9 with messages in flight: none is lost (at least once, via the visibility timeout)."""

    def test_kill9_loses_nothing(self):
        fn = self.make_function()
        url, arn = self.make_queue(visibility=3)
        self.map(fn, arn, BatchSize=2)
        bodies = [f"sleep:1.{i}" for i in range(6)]
        self.send(url, bodies)
        wait_for(lambda: self.bodies(fn), 20, what="the first invocation")
        self.server.kill9()
        self.server.start()
        self._make_clients()
        self.wait_empty(url, timeout=90)
        # Every message reached the function at least once (some twice: those in flight).
        self.assertEqual(set(self.bodies(fn)), set(bodies))


class TestEsmSqsOutage(EsmSqsBase):
    """The SQS endpoint goes away and comes back on the same port: the poller recovers."""

    OWN_MOTO = True

    def test_endpoint_outage_and_recovery(self):
        fn = self.make_function()
        url, arn = self.make_queue()
        uuid = self.map(fn, arn)
        self.send(url, ["before-outage"])
        wait_for(lambda: "before-outage" in self.bodies(fn), 20, what="the first message")
        port = self.own_moto.port
        self.own_moto.stop()
        row = wait_for(lambda: next((r for r in self.status_view()
                                     if r["uuid"] == uuid and r["problem"]), None), 20,
                       what="the problem to show")
        self.assertTrue(row["running"])
        # moto comes back on the same port, empty: the queue is made again.
        self.own_moto = MotoServer()
        restart_on_port(self.own_moto, port)
        type(self).own_moto = self.own_moto
        self.sqs.create_queue(QueueName=url.rsplit("/", 1)[1])
        self.send(url, ["after-outage"])
        wait_for(lambda: "after-outage" in self.bodies(fn), 40, what="the recovered poller")
        self.wait_empty(url)
        wait_for(lambda: next((r for r in self.status_view()
                               if r["uuid"] == uuid and not r["problem"]), None), 20,
                 what="the problem to clear")


ALICE = ("AKIAESMALICE", "alice-esm-secret", "111111111111")
BOB = ("AKIAESMBOB", "bob-esm-secret", "222222222222")


class TestEsmSqsStatusWithAuth(EsmSqsBase):
    """With --auth-keys the status view is signed and shows only the caller's account."""

    @classmethod
    def setUpClass(cls):
        import tempfile
        cls.keys_dir = Path(tempfile.mkdtemp(prefix="lambdalite-esm-keys-"))
        keys = cls.keys_dir / "keys"
        keys.write_text("\n".join(" ".join(k) for k in (ALICE, BOB)) + "\n")
        cls.SERVER_ARGS = ("--auth-keys", str(keys))
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        import shutil
        shutil.rmtree(cls.keys_dir, ignore_errors=True)

    @classmethod
    def _make_clients(cls):
        cls.endpoint = cls.server.endpoint
        cls.client = lambda_client(cls.endpoint, access_key=ALICE[0], secret_key=ALICE[1])
        cls.raw = cls.client

    def esm_command(self, key):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        if key:
            env.update({"AWS_ACCESS_KEY_ID": key[0], "AWS_SECRET_ACCESS_KEY": key[1]})
        return subprocess.run([str(find_binary()), "esm", "--endpoint", self.endpoint, "--json"],
                              capture_output=True, text=True, env=env, timeout=60)

    def test_signed_and_scoped(self):
        fn = self.make_function()
        url, arn = self.make_queue()
        uuid = self.map(fn, arn)
        resp = raw_request(self.endpoint, "GET", "/_lambdalite/event-source-mappings")
        self.assertEqual(resp.status, 403)
        self.assertEqual(resp.header("x-amzn-ErrorType"), "MissingAuthenticationTokenException")
        self.assertEqual(self.esm_command(None).returncode, 1)
        alice = self.esm_command(ALICE)
        self.assertEqual(alice.returncode, 0, alice.stdout + alice.stderr)
        rows = json.loads(alice.stdout)["EventSourceMappings"]
        self.assertEqual([r["uuid"] for r in rows], [uuid])
        self.assertEqual(rows[0]["account"], ALICE[2])
        bob = self.esm_command(BOB)
        self.assertEqual(bob.returncode, 0, bob.stdout + bob.stderr)
        self.assertEqual(json.loads(bob.stdout)["EventSourceMappings"], [])
        # The poller works for alice's function all the same.
        self.send(url, ["signed"])
        wait_for(lambda: "signed" in self.bodies(fn), 30, what="the message")


def restart_on_port(moto: MotoServer, port: int, timeout: float = 60.0) -> None:
    import http.client
    from harness import _LIVE_PROCESSES, _http_get
    with open(moto.log_path, "ab") as log:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
        moto.proc = subprocess.Popen(moto._command(port), stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=env, start_new_session=True)
    _LIVE_PROCESSES.add(moto.proc)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            _http_get("127.0.0.1", port, "/", timeout=1.0)
            moto.port = port
            moto.endpoint = f"http://127.0.0.1:{port}"
            return
        except (OSError, http.client.HTTPException):
            time.sleep(0.2)
    raise RuntimeError("moto did not come back")


if __name__ == "__main__":
    unittest.main()
