"""Event source mappings, the control plane (aws-lambda-behaviour-2.md section 8: ES*, ET*).

Every operation through boto3, Create/List/Delete through the AWS CLI, the answers' key order,
tags, restart persistence and the recorded errors with their exact texts.

CreateEventSourceMapping asks the source whether it exists (ES32), so the queues, streams and
tables named here are real ones in moto_server (queue_arn, stream_arn and table_stream_arn create
them), and the poller manager settles every mapping: Creating, Enabling and Updating become
Enabled, Disabling becomes Disabled, and a Deleting mapping goes away."""

import json
import time
import unittest

import boto3

from botocore.exceptions import ClientError

from harness import (DEFAULT_ACCOUNT, DEFAULT_REGION, UUID_RE, LambdaliteTestCase, aws_cli,
                     create_function, lambda_client, raw_request, shared_moto, wait_updated)

PREFIX = f"arn:aws:lambda:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}"
IPVE = "InvalidParameterValueException"
RNF = "ResourceNotFoundException"
NOT_EXIST = "The resource you requested does not exist."


class _Sources:
    """The moto_server the mappings' sources live in (set up by EsmTestCase)."""
    sqs = kinesis = dynamodb = None


def queue_arn(name: str) -> str:
    """The ARN of the queue `name`, created in moto if need be."""
    url = _Sources.sqs.create_queue(QueueName=name)["QueueUrl"]
    return _Sources.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]


def stream_arn(name: str) -> str:
    """The ARN of the Kinesis stream `name`, created in moto if need be."""
    try:
        _Sources.kinesis.create_stream(StreamName=name, ShardCount=1)
    except _Sources.kinesis.exceptions.ResourceInUseException:
        pass
    return _Sources.kinesis.describe_stream_summary(StreamName=name)[
        "StreamDescriptionSummary"]["StreamARN"]


def table_stream_arn(name: str) -> str:
    """The stream ARN of the DynamoDB table `name`, created in moto (with a stream) if need be."""
    try:
        _Sources.dynamodb.create_table(
            TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    except _Sources.dynamodb.exceptions.ResourceInUseException:
        pass
    return _Sources.dynamodb.describe_table(TableName=name)["Table"]["LatestStreamArn"]


class EsmTestCase(LambdaliteTestCase):
    """lambdalite with moto_server as SQS, Kinesis and DynamoDB (AWS_ENDPOINT_URL)."""

    NEEDS_S3 = True

    @classmethod
    def setUpClass(cls):
        moto = shared_moto()
        cls.SERVER_ENV = {"AWS_ENDPOINT_URL": moto.endpoint}
        kw = dict(endpoint_url=moto.endpoint, region_name=DEFAULT_REGION,
                  aws_access_key_id="test", aws_secret_access_key="test")
        _Sources.sqs = boto3.client("sqs", **kw)
        _Sources.kinesis = boto3.client("kinesis", **kw)
        _Sources.dynamodb = boto3.client("dynamodb", **kw)
        super().setUpClass()

    def wait_state(self, uuid: str, want: str, client=None, timeout: float = 30.0) -> dict:
        client = client or self.client
        deadline = time.monotonic() + timeout
        while True:
            got = client.get_event_source_mapping(UUID=uuid)
            if got["State"] == want or time.monotonic() > deadline:
                self.assertEqual(got["State"], want, got.get("StateTransitionReason"))
                return got
            time.sleep(0.1)


def esm_arn(uuid: str) -> str:
    return f"{PREFIX}:event-source-mapping:{uuid}"


SQS_KEYS = ["BatchSize", "EventSourceArn", "EventSourceMappingArn", "FunctionArn",
            "FunctionResponseTypes", "LastModified", "MaximumBatchingWindowInSeconds", "State",
            "StateTransitionReason", "UUID"]
STREAM_KEYS = ["BatchSize", "BisectBatchOnFunctionError", "DestinationConfig", "EventSourceArn",
               "EventSourceMappingArn", "FunctionArn", "FunctionResponseTypes", "LastModified",
               "LastProcessingResult", "MaximumBatchingWindowInSeconds",
               "MaximumRecordAgeInSeconds", "MaximumRetryAttempts", "ParallelizationFactor",
               "StartingPosition", "State", "StateTransitionReason", "TumblingWindowInSeconds",
               "UUID"]

# The state a mapping settles in once the poller manager has acted on it.
SETTLED = {"Creating": "Enabled", "Enabling": "Enabled", "Updating": "Enabled",
           "Enabled": "Enabled", "Disabling": "Disabled", "Disabled": "Disabled"}


class EsmControlTest(EsmTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fn = "esm-target"
        create_function(cls.client, cls.fn)
        cls.client.publish_version(FunctionName=cls.fn)
        cls.client.update_function_configuration(FunctionName=cls.fn, Description="second")
        wait_updated(cls.client, cls.fn)
        assert cls.client.publish_version(FunctionName=cls.fn)["Version"] == "2"
        cls.client.create_alias(FunctionName=cls.fn, Name="myalias", FunctionVersion="1")

    def sqs(self, function=None, queue=None, **kw):
        resp = self.client.create_event_source_mapping(
            FunctionName=function or self.fn, EventSourceArn=queue or queue_arn(self.unique("q")),
            **kw)
        self.assertStatus(resp, 202)
        return resp

    def get_raw(self, uuid):
        resp = raw_request(self.endpoint, "GET", f"/2015-03-31/event-source-mappings/{uuid}")
        self.assertEqual(resp.status, 200, resp.body)
        return json.loads(resp.body)

    # --- shapes and defaults --------------------------------------------------------------------
    def test_es1_sqs_shape_and_defaults(self):
        q = queue_arn(self.unique("q"))
        resp = raw_request(self.endpoint, "POST", "/2015-03-31/event-source-mappings/",
                           json.dumps({"FunctionName": self.fn, "EventSourceArn": q}))
        self.assertEqual(resp.status, 202, resp.body)
        body = json.loads(resp.body)
        self.assertEqual(list(body), SQS_KEYS)  # 10 keys, in AWS's order
        self.assertEqual(body["BatchSize"], 10)
        self.assertEqual(body["EventSourceArn"], q)
        self.assertRegex(body["UUID"], UUID_RE)
        self.assertEqual(body["EventSourceMappingArn"], esm_arn(body["UUID"]))
        self.assertEqual(body["FunctionArn"], f"{PREFIX}:function:{self.fn}")  # unqualified
        self.assertEqual(body["FunctionResponseTypes"], [])
        self.assertIsInstance(body["LastModified"], (int, float))
        self.assertEqual(body["MaximumBatchingWindowInSeconds"], 0)
        self.assertEqual(body["State"], "Creating")
        self.assertEqual(body["StateTransitionReason"], "USER_INITIATED")
        self.wait_state(body["UUID"], "Enabled")  # ES7: settled by the poller manager
        got = self.get_raw(body["UUID"])
        self.assertEqual(list(got), SQS_KEYS)
        self.assertEqual(got["State"], "Enabled")
        self.assertEqual({k: v for k, v in got.items() if k != "State"},
                         {k: v for k, v in body.items() if k != "State"})
        self.assertStatus(self.client.get_event_source_mapping(UUID=body["UUID"]), 200)

    def test_es2_es4_function_name_forms(self):
        cases = {f"{self.fn}:$LATEST": f"{PREFIX}:function:{self.fn}:$LATEST",
                 f"{self.fn}:1": f"{PREFIX}:function:{self.fn}:1",
                 f"{self.fn}:myalias": f"{PREFIX}:function:{self.fn}:myalias",
                 f"{PREFIX}:function:{self.fn}": f"{PREFIX}:function:{self.fn}",
                 f"{PREFIX}:function:{self.fn}:2": f"{PREFIX}:function:{self.fn}:2",
                 f"{DEFAULT_ACCOUNT}:function:{self.fn}:1": f"{PREFIX}:function:{self.fn}:1"}
        for name, arn in cases.items():
            with self.subTest(name=name):
                self.assertEqual(self.sqs(function=name)["FunctionArn"], arn)

    def test_es8_es9_disabled_then_enabling(self):
        created = self.sqs(Enabled=False, BatchSize=1)
        self.assertEqual(created["State"], "Disabled")  # directly, no Creating
        self.assertEqual(created["BatchSize"], 1)
        self.assertEqual(self.client.get_event_source_mapping(UUID=created["UUID"])["State"],
                         "Disabled")
        updated = self.client.update_event_source_mapping(UUID=created["UUID"], Enabled=True)
        self.assertStatus(updated, 202)
        self.assertEqual(updated["State"], "Enabling")
        self.wait_state(created["UUID"], "Enabled")

    def test_es10_update_function_name(self):
        created = self.sqs()
        v2 = f"{PREFIX}:function:{self.fn}:2"
        updated = self.client.update_event_source_mapping(UUID=created["UUID"], FunctionName=v2)
        self.assertStatus(updated, 202)
        self.assertEqual(updated["State"], "Updating")
        self.assertEqual(updated["FunctionArn"], v2)
        self.assertEqual(updated["UUID"], created["UUID"])
        got = self.wait_state(created["UUID"], "Enabled")
        self.assertEqual(got["FunctionArn"], v2)
        # Only Enabled changes: Disabling.
        disabled = self.client.update_event_source_mapping(UUID=created["UUID"], Enabled=False)
        self.assertEqual(disabled["State"], "Disabling")
        self.wait_state(created["UUID"], "Disabled")
        # Other members: echoed.
        batched = self.client.update_event_source_mapping(
            UUID=created["UUID"], BatchSize=50, MaximumBatchingWindowInSeconds=5)
        self.assertEqual(batched["State"], "Updating")
        self.assertEqual((batched["BatchSize"], batched["MaximumBatchingWindowInSeconds"]), (50, 5))

    def test_es12_delete_answers_deleting(self):
        created = self.sqs(Tags={"a": "b"})
        deleted = self.client.delete_event_source_mapping(UUID=created["UUID"])
        self.assertStatus(deleted, 202)
        self.assertEqual(deleted["State"], "Deleting")
        self.assertEqual(deleted["UUID"], created["UUID"])
        self.assertEqual(deleted["BatchSize"], 10)
        self.assertEqual(deleted["FunctionArn"], created["FunctionArn"])
        # Until the poller manager removes it, it is still there as Deleting; then it is gone.
        deadline = time.monotonic() + 30
        while True:
            try:
                state = self.client.get_event_source_mapping(UUID=created["UUID"])["State"]
            except ClientError as exc:
                self.assertEqual(exc.response["Error"]["Code"], RNF)
                self.assertEqual(exc.response["Error"]["Message"], NOT_EXIST)
                break
            self.assertEqual(state, "Deleting")
            self.assertLess(time.monotonic(), deadline, "the mapping was never removed")
            time.sleep(0.1)

    def test_es14_stream_shape(self):
        dlq = queue_arn(self.unique("dlq"))
        s = stream_arn(self.unique("s"))
        body = {"FunctionName": self.fn, "EventSourceArn": s, "BatchSize": 1,
                "StartingPosition": "TRIM_HORIZON", "MaximumBatchingWindowInSeconds": 1,
                "MaximumRetryAttempts": 1,
                "DestinationConfig": {"OnFailure": {"Destination": dlq}}}
        resp = raw_request(self.endpoint, "POST", "/2015-03-31/event-source-mappings/",
                           json.dumps(body))
        self.assertEqual(resp.status, 202, resp.body)
        got = json.loads(resp.body)
        self.assertEqual(list(got), STREAM_KEYS)  # 18 keys, in AWS's order
        self.assertEqual(got["BatchSize"], 1)
        self.assertIs(got["BisectBatchOnFunctionError"], False)
        self.assertEqual(got["DestinationConfig"], {"OnFailure": {"Destination": dlq}})
        self.assertEqual(got["EventSourceArn"], s)
        self.assertEqual(got["FunctionResponseTypes"], [])
        self.assertEqual(got["LastProcessingResult"], "No records processed")
        self.assertEqual(got["MaximumBatchingWindowInSeconds"], 1)
        self.assertEqual(got["MaximumRecordAgeInSeconds"], -1)
        self.assertEqual(got["MaximumRetryAttempts"], 1)
        self.assertEqual(got["ParallelizationFactor"], 1)
        self.assertEqual(got["StartingPosition"], "TRIM_HORIZON")
        self.assertEqual(got["State"], "Creating")
        self.assertEqual(got["StateTransitionReason"], "User action")
        self.assertEqual(got["TumblingWindowInSeconds"], 0)
        self.wait_state(got["UUID"], "Enabled")
        again = self.get_raw(got["UUID"])
        self.assertEqual(list(again), STREAM_KEYS)

    def test_dynamodb_stream_defaults(self):
        created = self.client.create_event_source_mapping(
            FunctionName=self.fn, EventSourceArn=table_stream_arn(self.unique("t")),
            StartingPosition="LATEST")
        self.assertStatus(created, 202)
        self.assertEqual(created["BatchSize"], 100)
        self.assertEqual(created["DestinationConfig"], {"OnFailure": {}})
        self.assertEqual(created["MaximumRetryAttempts"], -1)
        self.assertEqual(created["StateTransitionReason"], "User action")

    def test_es16_filter_echoed_es17_scaling_config(self):
        pattern = "{\"body\": {\"my-key\": [\"my-value\"]}}"
        created = self.sqs(FilterCriteria={"Filters": [{"Pattern": pattern}]})
        self.assertEqual(created["FilterCriteria"], {"Filters": [{"Pattern": pattern}]})
        scaled = self.sqs(ScalingConfig={"MaximumConcurrency": 2}, BatchSize=20,
                          MaximumBatchingWindowInSeconds=1)
        self.assertEqual(scaled["ScalingConfig"], {"MaximumConcurrency": 2})
        self.assertEqual(scaled["BatchSize"], 20)
        raw = self.get_raw(scaled["UUID"])
        self.assertEqual(list(raw), SQS_KEYS[:6] + ["MaximumBatchingWindowInSeconds",
                                                    "ScalingConfig", "State",
                                                    "StateTransitionReason", "UUID"])
        # An Update with an empty FilterCriteria removes the filters.
        cleared = self.client.update_event_source_mapping(UUID=created["UUID"],
                                                          FilterCriteria={})
        self.assertNotIn("FilterCriteria", cleared)

    def test_es19_es20_list_filters_and_paging(self):
        q = queue_arn(self.unique("lq"))
        a = self.sqs(queue=q)
        b = self.sqs(queue=q, function=f"{self.fn}:1")
        listed = self.client.list_event_source_mappings(EventSourceArn=q)
        self.assertStatus(listed, 200)
        self.assertEqual(sorted(m["UUID"] for m in listed["EventSourceMappings"]),
                         sorted([a["UUID"], b["UUID"]]))
        raw = raw_request(self.endpoint, "GET",
                          f"/2015-03-31/event-source-mappings/?EventSourceArn={q}")
        self.assertEqual(raw.status, 200)
        self.assertEqual(list(json.loads(raw.body)), ["EventSourceMappings"])
        for entry in json.loads(raw.body)["EventSourceMappings"]:
            self.assertEqual(list(entry), SQS_KEYS)  # full entries, in AWS's order
        self.assertEqual(
            [m["UUID"] for m in self.client.list_event_source_mappings(
                EventSourceArn=q, FunctionName=f"{self.fn}:1")["EventSourceMappings"]],
            [b["UUID"]])
        # ES20: no error for filters naming nothing.
        for kw in ({}, {"FunctionName": "doesnotexist"},
                   {"EventSourceArn": queue_arn("doesnotexist")}):
            resp = self.client.list_event_source_mappings(**kw)
            self.assertStatus(resp, 200)
        self.assertEqual(self.client.list_event_source_mappings(
            FunctionName="doesnotexist")["EventSourceMappings"], [])
        # Paging with Marker / MaxItems covers every mapping once.
        everything = {m["UUID"] for m in
                      self.client.list_event_source_mappings()["EventSourceMappings"]}
        seen, marker = [], None
        while True:
            kw = {"MaxItems": 2}
            if marker:
                kw["Marker"] = marker
            page = self.client.list_event_source_mappings(**kw)
            self.assertLessEqual(len(page["EventSourceMappings"]), 2)
            seen += [m["UUID"] for m in page["EventSourceMappings"]]
            marker = page.get("NextMarker")
            if not marker:
                break
        self.assertEqual(sorted(seen), sorted(everything))
        paginated = [m["UUID"] for p in self.client.get_paginator(
            "list_event_source_mappings").paginate(PaginationConfig={"PageSize": 3})
            for m in p["EventSourceMappings"]]
        self.assertEqual(sorted(paginated), sorted(everything))

    # --- errors ---------------------------------------------------------------------------------
    def test_es23_es25_unknown_uuid(self):
        unknown = "0a1b2c3d-0000-4000-8000-333344445555"
        self.assertAwsError(lambda: self.client.get_event_source_mapping(UUID=unknown), 404, RNF,
                            NOT_EXIST)
        self.assertAwsError(
            lambda: self.client.update_event_source_mapping(UUID=unknown, Enabled=False), 404,
            RNF, NOT_EXIST)
        self.assertAwsError(lambda: self.client.delete_event_source_mapping(UUID=unknown), 404,
                            RNF, NOT_EXIST)

    def test_es26_es27_es28_create_order(self):
        self.assertAwsError(
            lambda: self.client.create_event_source_mapping(FunctionName="doesnotexist"), 400,
            IPVE, "Unrecognized event source.")
        self.assertAwsError(
            lambda: self.client.create_event_source_mapping(
                FunctionName="doesnotexist", EventSourceArn=queue_arn("q")),
            400, IPVE, "Function does not exist")
        self.assertAwsError(
            lambda: self.client.create_event_source_mapping(
                FunctionName="doesnotexist", EventSourceArn=queue_arn("q"),
                DestinationConfig={"OnSuccess": {"Destination": queue_arn("d")}}),
            400, IPVE, "Unsupported DestinationConfig parameter for given event source mapping "
                       "type.")

    def test_es29_duplicate(self):
        q = queue_arn(self.unique("dup"))
        first = self.sqs(queue=q)
        self.assertAwsError(
            lambda: self.client.create_event_source_mapping(FunctionName=self.fn,
                                                            EventSourceArn=q),
            409, "ResourceConflictException",
            f'An event source mapping with SQS arn (" {q} ") and function (" {self.fn} ") '
            f"already exists. Please update or delete the existing mapping with UUID "
            f"{first['UUID']}")
        s = stream_arn(self.unique("dups"))
        stream = self.client.create_event_source_mapping(FunctionName=self.fn, EventSourceArn=s,
                                                         StartingPosition="LATEST")
        self.assertAwsError(
            lambda: self.client.create_event_source_mapping(FunctionName=self.fn,
                                                            EventSourceArn=s,
                                                            StartingPosition="LATEST"),
            409, "ResourceConflictException",
            f'The event source arn (" {s} ") and function (" {self.fn} ") provided mapping '
            f"already exists. Please update or delete the existing mapping with UUID "
            f"{stream['UUID']}")

    def test_es31_sqs_batch_over_ten_needs_window(self):
        msg = ("Maximum batch window in seconds must be greater than 0 if maximum batch size is "
               "greater than 10")
        self.assertAwsError(lambda: self.sqs(BatchSize=11), 400, IPVE, msg)
        created = self.sqs()
        self.assertAwsError(
            lambda: self.client.update_event_source_mapping(UUID=created["UUID"], BatchSize=11),
            400, IPVE, msg)
        self.assertEqual(self.client.get_event_source_mapping(UUID=created["UUID"])["BatchSize"],
                         10)  # nothing changed

    def test_es34_es35_starting_position(self):
        for arn in (stream_arn("s"), table_stream_arn("t")):
            with self.subTest(arn=arn):
                self.assertAwsError(
                    lambda: self.client.create_event_source_mapping(FunctionName=self.fn,
                                                                    EventSourceArn=arn),
                    400, IPVE, "1 validation error detected: Value null at 'startingPosition' "
                               "failed to satisfy constraint: Member must not be null.")
                self.assertAwsError(
                    lambda: self.client.create_event_source_mapping(
                        FunctionName=self.fn, EventSourceArn=arn, StartingPosition="invalid"),
                    400, "ValidationException",
                    "1 validation error detected: Value 'invalid' at 'startingPosition' failed to "
                    "satisfy constraint: Member must satisfy enum value set: [LATEST, "
                    "AT_TIMESTAMP, TRIM_HORIZON]")

    def test_es37_invalid_filter_patterns(self):
        for pattern in ("null", "simple string", '{"eventSource": "aws:sqs"}',
                        '{"eventSource": []}'):
            with self.subTest(pattern=pattern):
                self.assertAwsError(
                    lambda: self.sqs(FilterCriteria={"Filters": [{"Pattern": pattern}]}), 400,
                    IPVE, "Invalid filter pattern definition.")

    def test_unrecorded_source_rules(self):
        # Texts sourced in docs/research/aws-error-messages.md ("Event source mappings").
        self.assertAwsError(lambda: self.sqs(StartingPosition="LATEST"), 400, IPVE,
                            "StartingPosition is not valid for SQS event sources.")
        self.assertAwsError(
            lambda: self.sqs(queue=queue_arn(self.unique("q")) + ".fifo", BatchSize=5,
                             MaximumBatchingWindowInSeconds=1),
            400, IPVE, "Batching window is not supported for FIFO queues")
        t = table_stream_arn(self.unique("t"))
        self.assertAwsError(
            lambda: self.client.create_event_source_mapping(
                FunctionName=self.fn, EventSourceArn=t, StartingPosition="AT_TIMESTAMP",
                StartingPositionTimestamp=1700000000),
            400, IPVE, f"Unsupported starting position for arn type: {t}")

    def test_model_ranges_are_validation_errors(self):
        # The model's ranges, checked by the decoder before any rule (ValidationException).
        self.assertAwsError(
            lambda: self.raw.create_event_source_mapping(
                FunctionName=self.fn, EventSourceArn=queue_arn("q"),
                ScalingConfig={"MaximumConcurrency": 1}),
            400, "ValidationException",
            "1 validation error detected: Value '1' at 'scalingConfig.maximumConcurrency' failed "
            "to satisfy constraint: Member must have value greater than or equal to 2")
        self.assertAwsError(
            lambda: self.raw.create_event_source_mapping(
                FunctionName=self.fn, EventSourceArn=stream_arn("s"), StartingPosition="LATEST",
                ParallelizationFactor=11),
            400, "ValidationException",
            "1 validation error detected: Value '11' at 'parallelizationFactor' failed to satisfy "
            "constraint: Member must have value less than or equal to 10")

    def test_bad_input_changes_nothing(self):
        before = self.client.list_event_source_mappings()["EventSourceMappings"]
        for call in (lambda: self.sqs(BatchSize=11),
                     lambda: self.sqs(FilterCriteria={"Filters": [{"Pattern": "x"}]}),
                     lambda: self.sqs(function="doesnotexist")):
            with self.assertRaises(ClientError):
                call()
        self.assertEqual(len(self.client.list_event_source_mappings()["EventSourceMappings"]),
                         len(before))

    # --- tags -----------------------------------------------------------------------------------
    def test_et1_et2_tags(self):
        created = self.sqs(Tags={"testtag": "v1"})
        arn = created["EventSourceMappingArn"]
        self.assertEqual(self.client.list_tags(Resource=arn)["Tags"], {"testtag": "v1"})
        self.assertStatus(self.client.tag_resource(Resource=arn, Tags={"a": "1", "testtag": "v2"}),
                          204)
        self.assertEqual(self.client.list_tags(Resource=arn)["Tags"],
                         {"a": "1", "testtag": "v2"})
        self.assertStatus(self.client.untag_resource(Resource=arn, TagKeys=["a", "absent"]), 204)
        self.client.untag_resource(Resource=arn, TagKeys=["testtag"])
        resp = self.client.list_tags(Resource=arn)
        self.assertStatus(resp, 200)
        self.assertEqual(resp["Tags"], {})

    def test_et3_unknown_mapping(self):
        arn = esm_arn("0a1b2c3d-0000-1111-2222-333344445555")
        msg = f"Event source mapping not found: {arn}"
        for call in (lambda: self.raw.tag_resource(Resource=arn, Tags={"a": "b"}),
                     lambda: self.raw.untag_resource(Resource=arn, TagKeys=["a"]),
                     lambda: self.raw.list_tags(Resource=arn)):
            self.assertAwsError(call, 404, RNF, msg)

    # --- the function goes, the mapping stays -----------------------------------------------------
    def test_mapping_outlives_its_function(self):
        name = self.unique("gone")
        self.create_function(name)
        created = self.sqs(function=name)
        self.client.delete_function(FunctionName=name)
        got = self.client.get_event_source_mapping(UUID=created["UUID"])
        self.assertEqual(got["FunctionArn"], f"{PREFIX}:function:{name}")
        # Updating it to a function that does not exist is refused like Create (ES27).
        self.assertAwsError(
            lambda: self.client.update_event_source_mapping(UUID=created["UUID"],
                                                            FunctionName="doesnotexist"),
            400, IPVE, "Function does not exist")

    # --- AWS CLI --------------------------------------------------------------------------------
    def test_cli_create_list_get_update_delete(self):
        q = queue_arn(self.unique("cliq"))
        created = aws_cli(self.endpoint, "create-event-source-mapping", "--function-name", self.fn,
                          "--event-source-arn", q, "--batch-size", "5",
                          "--tags", "team=cli")
        self.assertEqual(created.returncode, 0, created.stderr)
        uuid = created.json["UUID"]
        self.assertEqual(created.json["BatchSize"], 5)
        self.assertEqual(created.json["State"], "Creating")
        listed = aws_cli(self.endpoint, "list-event-source-mappings", "--event-source-arn", q)
        self.assertEqual(listed.returncode, 0, listed.stderr)
        self.assertEqual([m["UUID"] for m in listed.json["EventSourceMappings"]], [uuid])
        got = aws_cli(self.endpoint, "get-event-source-mapping", "--uuid", uuid)
        self.assertEqual(got.returncode, 0, got.stderr)
        updated = aws_cli(self.endpoint, "update-event-source-mapping", "--uuid", uuid,
                          "--no-enabled")
        self.assertEqual(updated.returncode, 0, updated.stderr)
        self.assertEqual(updated.json["State"], "Disabling")
        tags = aws_cli(self.endpoint, "list-tags", "--resource", esm_arn(uuid))
        self.assertEqual(tags.json, {"Tags": {"team": "cli"}})
        deleted = aws_cli(self.endpoint, "delete-event-source-mapping", "--uuid", uuid)
        self.assertEqual(deleted.returncode, 0, deleted.stderr)
        self.assertEqual(deleted.json["State"], "Deleting")
        missing = aws_cli(self.endpoint, "get-event-source-mapping", "--uuid",
                          "0a1b2c3d-0000-4000-8000-333344445555")
        self.assertNotEqual(missing.returncode, 0)
        self.assertIn("ResourceNotFoundException", missing.stderr)
        self.assertIn(NOT_EXIST, missing.stderr)


class EsmPersistenceTest(EsmTestCase):
    def test_restart_persistence(self):
        create_function(self.client, "keepfn")
        q = queue_arn("keepq")
        kept = self.client.create_event_source_mapping(
            FunctionName="keepfn", EventSourceArn=q, Tags={"k": "v"},
            FilterCriteria={"Filters": [{"Pattern": '{"body": {"a": ["b"]}}'}]})
        s = self.client.create_event_source_mapping(
            FunctionName="keepfn", EventSourceArn=stream_arn("keeps"), StartingPosition="LATEST",
            BatchSize=7, ParallelizationFactor=3, Enabled=False)
        before = {m["UUID"]: m for m in
                  self.client.list_event_source_mappings()["EventSourceMappings"]}
        self.assertEqual(set(before), {kept["UUID"], s["UUID"]})
        for hard in (False, True):
            self.server.restart(hard=hard)
            client = lambda_client(self.server.endpoint)
            for uuid, m in before.items():
                self.wait_state(uuid, SETTLED[m["State"]], client=client)
            after = {m["UUID"]: m for m in
                     client.list_event_source_mappings()["EventSourceMappings"]}
            self.assertEqual(set(after), set(before), f"hard={hard}")
            for uuid, m in before.items():
                a = dict(after[uuid])
                self.assertEqual(a.pop("State"), SETTLED[m["State"]])
                self.assertEqual(a, {k: v for k, v in m.items() if k != "State"})
            self.assertEqual(client.list_tags(Resource=esm_arn(kept["UUID"]))["Tags"],
                             {"k": "v"})
        type(self)._make_clients()


if __name__ == "__main__":
    unittest.main()
