"""GetFunction and GetFunctionConfiguration (reference section 2).

Rows F1..F7, the qualifier -> response mapping table, the state machine facts, the field facts,
and the presigned Code.Location that lambdalite serves itself.
"""

import datetime
import unittest
import urllib.error
import urllib.parse
import urllib.request

from harness import (DEFAULT_ACCOUNT, DEFAULT_REGION, LAST_MODIFIED_RE, ROLE_ARN, UUID_RE,
                     LambdaliteTestCase, code_sha256, python_zip, unique_name)

RNF = "ResourceNotFoundException"
IPVE = "InvalidParameterValueException"
DERIVED = "The derived qualifier from the function name does not match the specified qualifier."
CREATING = "The function is being created."


def download(url: str, timeout: float = 30) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def tamper(url: str) -> str:
    """Change one character of the signature-bearing part of a presigned URL."""
    parts = urllib.parse.urlsplit(url)
    if parts.query:
        q = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        # Prefer a parameter that looks like a signature; otherwise the last one.
        idx = next((i for i, (k, _) in enumerate(q) if "signature" in k.lower()), len(q) - 1)
        k, v = q[idx]
        v = (v[:-1] + ("0" if v[-1:] != "0" else "1")) if v else "x"
        q[idx] = (k, v)
        return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(q)))
    path = parts.path
    path = path[:-1] + ("0" if path[-1:] != "0" else "1")
    return urllib.parse.urlunsplit(parts._replace(path=path))


class NotFoundRowsTest(LambdaliteTestCase):
    """F1..F7 and the delete notes of 2.2."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fn = unique_name("gf")
        cls.client.create_function(FunctionName=cls.fn, Runtime="python3.12", Role=ROLE_ARN,
                                   Handler="handler.handler", Code={"ZipFile": python_zip()})
        cls.client.get_waiter("function_active_v2").wait(FunctionName=cls.fn)

    def test_f1_nonexistent_function_every_op(self):
        name = unique_name("missing")
        msg = f"Function not found: {self.arn(name)}"
        ops = {
            "get_function": lambda: self.raw.get_function(FunctionName=name),
            "get_function_configuration": lambda: self.raw.get_function_configuration(FunctionName=name),
            "delete_function": lambda: self.raw.delete_function(FunctionName=name),
            "get_function_code_signing_config":
                lambda: self.raw.get_function_code_signing_config(FunctionName=name),
            "get_function_concurrency": lambda: self.raw.get_function_concurrency(FunctionName=name),
        }
        for op, call in ops.items():
            with self.subTest(op=op):
                self.assertAwsError(call, 404, RNF, msg)

    def test_f2_nonexistent_function_url_config(self):
        self.assertAwsError(lambda: self.raw.get_function_url_config(FunctionName=unique_name("m")),
                            404, RNF, "The resource you requested does not exist.")

    def test_f3_nonexistent_function_event_invoke_config(self):
        name = unique_name("missing")
        self.assertAwsError(
            lambda: self.raw.get_function_event_invoke_config(FunctionName=name), 404, RNF,
            f"The function {self.arn(name, '$LATEST')} doesn't have an EventInvokeConfig")

    def test_f4_nonexistent_version(self):
        msg = f"Function not found: {self.arn(self.fn, '1221')}"
        for op in ("get_function", "get_function_configuration"):
            with self.subTest(op=op):
                self.assertAwsError(
                    lambda: getattr(self.raw, op)(FunctionName=self.fn, Qualifier="1221"),
                    404, RNF, msg)

    def test_f5_nonexistent_alias(self):
        msg = f"Function not found: {self.arn(self.fn, 'aliasdoesnotexist')}"
        self.assertAwsError(lambda: self.raw.get_function(FunctionName=self.fn,
                                                          Qualifier="aliasdoesnotexist"),
                            404, RNF, msg)
        self.assertAwsError(
            lambda: self.raw.get_function(FunctionName=self.arn(self.fn, "aliasdoesnotexist")),
            404, RNF, msg)

    def test_f5b_nonexistent_alias_configuration(self):
        self.assertAwsError(lambda: self.raw.get_function_configuration(
            FunctionName=self.fn, Qualifier="aliasdoesnotexist"), 404, RNF,
            f"Function not found: {self.arn(self.fn, 'aliasdoesnotexist')}")

    def test_f6_arn_qualifier_mismatch_checked_before_existence(self):
        name = self.arn("some-function", "1")
        for op in ("get_function", "get_function_configuration", "delete_function"):
            with self.subTest(op=op):
                self.assertAwsError(
                    lambda: getattr(self.raw, op)(FunctionName=name, Qualifier="$LATEST"),
                    400, IPVE, DERIVED)

    def test_f6b_shorthand_mismatch_existing_function(self):
        self.assertAwsError(lambda: self.raw.get_function(FunctionName=f"{self.fn}:1",
                                                          Qualifier="$LATEST"), 400, IPVE, DERIVED)

    def test_f7_latest_arn_matching_qualifier_missing_function(self):
        name = self.arn("some-function", "$LATEST")
        msg = f"Function not found: {self.arn('some-function', '$LATEST')}"
        for op in ("get_function", "get_function_configuration"):
            with self.subTest(op=op):
                self.assertAwsError(
                    lambda: getattr(self.raw, op)(FunctionName=name, Qualifier="$LATEST"),
                    404, RNF, msg)

    def test_f7b_delete_latest_qualifier(self):
        # Recorded 20-11-2023 (test_ops_with_arn_qualifier_mismatch[delete_function] / match_exception).
        self.assertAwsError(
            lambda: self.raw.delete_function(FunctionName=self.arn("some-function", "$LATEST"),
                                             Qualifier="$LATEST"),
            400, IPVE, "$LATEST version cannot be deleted without deleting the function.")

    def test_delete_nonexistent_version_is_idempotent(self):
        name = self.unique("delv")
        self.create_function(name)
        for _ in range(2):
            resp = self.client.delete_function(FunctionName=name, Qualifier="1233")
            self.assertStatus(resp, 204)
        self.client.delete_function(FunctionName=name)
        msg = f"Function not found: {self.arn(name)}"
        self.assertAwsError(lambda: self.raw.delete_function(FunctionName=name), 404, RNF, msg)
        self.assertAwsError(lambda: self.raw.delete_function(FunctionName=name, Qualifier="1233"),
                            404, RNF, msg)

    def test_delete_function_204_then_not_found(self):
        name = self.unique("del")
        self.create_function(name)
        resp = self.client.delete_function(FunctionName=name)
        self.assertStatus(resp, 204)
        # botocore's DeleteFunction output models the HTTP status as a StatusCode member.
        self.assertEqual({k: v for k, v in self.body(resp).items() if k != "StatusCode"}, {})
        msg = f"Function not found: {self.arn(name)}"
        self.assertAwsError(lambda: self.raw.delete_function(FunctionName=name), 404, RNF, msg)
        self.assertAwsError(lambda: self.raw.get_function(FunctionName=name), 404, RNF, msg)


class QualifierMappingTest(LambdaliteTestCase):
    """The qualifier -> response table of 2.1."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        c = cls.client
        cls.fn = unique_name("qm")
        c.create_function(FunctionName=cls.fn, Runtime="python3.12", Role=ROLE_ARN,
                          Handler="handler.handler", Code={"ZipFile": python_zip()},
                          Environment={"Variables": {"testenv": "staging"}})
        c.get_waiter("function_active_v2").wait(FunctionName=cls.fn)
        cls.v1 = c.publish_version(FunctionName=cls.fn)
        c.update_function_configuration(FunctionName=cls.fn,
                                        Environment={"Variables": {"testenv": "prod"}})
        c.get_waiter("function_updated_v2").wait(FunctionName=cls.fn)
        cls.alias = c.create_alias(FunctionName=cls.fn, Name="aliasname1_1", FunctionVersion="1")
        cls.latest_rev = c.get_function_configuration(FunctionName=cls.fn)["RevisionId"]

    def check(self, cfg, arn, version, revision):
        self.assertEqual(cfg["FunctionArn"], arn)
        self.assertEqual(cfg["Version"], version)
        self.assertEqual(cfg["RevisionId"], revision)
        self.assertEqual(cfg["FunctionName"], self.fn)

    def test_no_qualifier_is_unqualified_latest(self):
        for call in (self.client.get_function, self.client.get_function_configuration):
            resp = call(FunctionName=self.fn)
            cfg = resp.get("Configuration", resp)
            self.check(cfg, self.arn(self.fn), "$LATEST", self.latest_rev)
            self.assertEqual(cfg["Environment"], {"Variables": {"testenv": "prod"}})

    def test_latest_qualifier(self):
        for call in (self.client.get_function, self.client.get_function_configuration):
            resp = call(FunctionName=self.fn, Qualifier="$LATEST")
            cfg = resp.get("Configuration", resp)
            self.check(cfg, self.arn(self.fn, "$LATEST"), "$LATEST", self.latest_rev)

    def test_version_qualifier(self):
        self.assertNotEqual(self.v1["RevisionId"], self.latest_rev)
        for call in (self.client.get_function, self.client.get_function_configuration):
            resp = call(FunctionName=self.fn, Qualifier="1")
            cfg = resp.get("Configuration", resp)
            self.check(cfg, self.arn(self.fn, "1"), "1", self.v1["RevisionId"])
            self.assertEqual(cfg["Environment"], {"Variables": {"testenv": "staging"}})

    def test_alias_qualifier_and_alias_arn(self):
        alias_arn = self.arn(self.fn, "aliasname1_1")
        for kw in ({"FunctionName": self.fn, "Qualifier": "aliasname1_1"},
                   {"FunctionName": alias_arn}, {"FunctionName": f"{self.fn}:aliasname1_1"}):
            for call in (self.client.get_function, self.client.get_function_configuration):
                with self.subTest(kw=kw, op=call.__name__):
                    resp = call(**kw)
                    cfg = resp.get("Configuration", resp)
                    # RevisionId is the target version's, not the alias's.
                    self.check(cfg, alias_arn, "1", self.v1["RevisionId"])
                    self.assertNotEqual(cfg["RevisionId"], self.alias["RevisionId"])

    def test_version_arn_and_partial_arn(self):
        for name in (self.arn(self.fn, "1"), f"{DEFAULT_ACCOUNT}:function:{self.fn}:1",
                     f"{self.fn}:1"):
            with self.subTest(FunctionName=name):
                cfg = self.client.get_function(FunctionName=name)["Configuration"]
                self.check(cfg, self.arn(self.fn, "1"), "1", self.v1["RevisionId"])

    def test_configuration_equals_get_function_configuration(self):
        for q in (None, "$LATEST", "1", "aliasname1_1"):
            kw = {"FunctionName": self.fn}
            if q:
                kw["Qualifier"] = q
            with self.subTest(qualifier=q):
                a = self.client.get_function(**kw)["Configuration"]
                b = self.body(self.client.get_function_configuration(**kw))
                self.assertEqual(a, b)


class StateMachineTest(LambdaliteTestCase):
    """Pending -> Active, LastUpdateStatus InProgress -> Successful (2.1 'The state machine')."""

    def test_create_returns_pending_then_active(self):
        name = self.unique("sm")
        resp = self.create_function(name, wait=False)
        self.assertStatus(resp, 201)
        self.assertEqual(resp["State"], "Pending")
        self.assertEqual(resp["StateReason"], CREATING)
        self.assertEqual(resp["StateReasonCode"], "Creating")
        self.assertNotIn("LastUpdateStatus", resp)
        self.assertEqual(resp["Version"], "$LATEST")
        self.assertEqual(resp["FunctionArn"], self.arn(name))
        self.wait_active(name)
        cfg = self.client.get_function(FunctionName=name)["Configuration"]
        self.assertEqual(cfg["State"], "Active")
        self.assertEqual(cfg["LastUpdateStatus"], "Successful")
        for gone in ("StateReason", "StateReasonCode", "LastUpdateStatusReason",
                     "LastUpdateStatusReasonCode"):
            self.assertNotIn(gone, cfg)

    def test_update_configuration_in_progress_then_successful(self):
        name = self.unique("sm")
        before = self.create_function(name)
        rev0 = self.client.get_function_configuration(FunctionName=name)["RevisionId"]
        resp = self.client.update_function_configuration(FunctionName=name, Description="changed")
        self.assertStatus(resp, 200)
        self.assertEqual(resp["LastUpdateStatus"], "InProgress")
        self.assertEqual(resp["LastUpdateStatusReason"], CREATING)
        self.assertEqual(resp["LastUpdateStatusReasonCode"], "Creating")
        self.assertEqual(resp["State"], "Active")
        self.assertEqual(resp["Description"], "changed")
        self.assertNotEqual(resp["RevisionId"], rev0)
        self.assertNotEqual(resp["RevisionId"], before["RevisionId"])
        self.wait_updated(name)
        cfg = self.client.get_function_configuration(FunctionName=name)
        self.assertEqual(cfg["LastUpdateStatus"], "Successful")
        self.assertNotIn("LastUpdateStatusReason", cfg)
        self.assertNotIn("LastUpdateStatusReasonCode", cfg)
        self.assertEqual(cfg["Description"], "changed")

    def test_update_code_in_progress_then_successful(self):
        name = self.unique("sm")
        self.create_function(name)
        rev0 = self.client.get_function_configuration(FunctionName=name)["RevisionId"]
        new_zip = python_zip(marker="v2")
        resp = self.client.update_function_code(FunctionName=name, ZipFile=new_zip)
        self.assertStatus(resp, 200)
        self.assertEqual(resp["LastUpdateStatus"], "InProgress")
        self.assertEqual(resp["LastUpdateStatusReason"], CREATING)
        self.assertEqual(resp["LastUpdateStatusReasonCode"], "Creating")
        self.assertEqual(resp["CodeSha256"], code_sha256(new_zip))
        self.assertEqual(resp["CodeSize"], len(new_zip))
        self.assertNotEqual(resp["RevisionId"], rev0)
        self.wait_updated(name)
        self.assertEqual(self.client.get_function(FunctionName=name)["Configuration"]["CodeSha256"],
                         code_sha256(new_zip))

    def test_create_with_publish_returns_version_1_unqualified_arn(self):
        name = self.unique("smp")
        resp = self.create_function(name, wait=False, Publish=True)
        self.assertStatus(resp, 201)
        self.assertEqual(resp["Version"], "1")
        self.assertEqual(resp["FunctionArn"], self.arn(name))
        self.assertEqual(resp["State"], "Pending")
        self.wait_active(name)
        cfg = self.client.get_function_configuration(FunctionName=name, Qualifier="1")
        self.assertEqual(cfg["FunctionArn"], self.arn(name, "1"))
        self.assertEqual(cfg["Version"], "1")

    def test_redundant_update_accepted(self):
        name = self.unique("sm")
        self.create_function(name)
        self.update_config(name, Description="1st update description")
        resp = self.client.update_function_configuration(FunctionName=name,
                                                         Description="1st update description")
        self.assertStatus(resp, 200)
        self.wait_updated(name)

    def test_every_update_changes_revision(self):
        name = self.unique("sm")
        self.create_function(name)
        seen = {self.client.get_function_configuration(FunctionName=name)["RevisionId"]}
        for i in range(3):
            resp = self.update_config(name, Description=f"d{i}")
            self.assertNotIn(resp["RevisionId"], seen)
            seen.add(resp["RevisionId"])
            settled = self.client.get_function_configuration(FunctionName=name)["RevisionId"]
            seen.add(settled)

    def test_second_update_while_in_progress_conflicts(self):
        name = self.unique("sm")
        self.create_function(name)
        self.client.update_function_configuration(FunctionName=name, Description="a")
        status = self.client.get_function_configuration(FunctionName=name).get("LastUpdateStatus")
        if status != "InProgress":
            self.skipTest("the update finished before a second request could see InProgress")
        self.assertAwsError(
            lambda: self.raw.update_function_configuration(FunctionName=name, Description="b"),
            409, "ResourceConflictException",
            f"The operation cannot be performed at this time. An update is in progress for "
            f"resource: {self.arn(name)}")
        self.wait_updated(name)


class FieldFactsTest(LambdaliteTestCase):
    """Field facts of 2.1: defaults, optional members, Code, Tags, Concurrency."""

    def test_defaults_of_fresh_function(self):
        name = self.unique("ff")
        zip_bytes = python_zip()
        self.create_function(name, zip_bytes=zip_bytes)
        resp = self.client.get_function(FunctionName=name)
        self.assertStatus(resp, 200)
        cfg = resp["Configuration"]
        expected = {
            "Architectures": ["x86_64"], "CodeSha256": code_sha256(zip_bytes),
            "CodeSize": len(zip_bytes), "Description": "", "EphemeralStorage": {"Size": 512},
            "FunctionArn": self.arn(name), "FunctionName": name, "Handler": "handler.handler",
            "LastUpdateStatus": "Successful",
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
            "MemorySize": 128, "PackageType": "Zip", "Role": ROLE_ARN, "Runtime": "python3.12",
            "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"}, "State": "Active",
            "Timeout": 3, "TracingConfig": {"Mode": "PassThrough"}, "Version": "$LATEST",
        }
        for key, value in expected.items():
            with self.subTest(field=key):
                self.assertEqual(cfg.get(key), value)
        self.assertRegex(cfg["RevisionId"], UUID_RE)
        self.assertRegex(cfg["LastModified"], LAST_MODIFIED_RE)
        self.assertTrue(cfg["RuntimeVersionConfig"]["RuntimeVersionArn"].startswith(
            f"arn:aws:lambda:{DEFAULT_REGION}::runtime:"))
        for absent in ("Environment", "DeadLetterConfig", "Layers", "VpcConfig", "KMSKeyArn"):
            with self.subTest(absent=absent):
                self.assertNotIn(absent, cfg)
        self.assertEqual(resp["Code"]["RepositoryType"], "S3")
        self.assertTrue(resp["Code"]["Location"].startswith("http"))
        self.assertNotIn("Tags", resp)
        self.assertNotIn("Concurrency", resp)

    def test_environment_empty_variables_round_trip(self):
        name = self.unique("ff")
        resp = self.create_function(name, Environment={"Variables": {}})
        self.assertEqual(resp["Environment"], {"Variables": {}})
        cfg = self.client.get_function_configuration(FunctionName=name)
        self.assertEqual(cfg["Environment"], {"Variables": {}})

    def test_dead_letter_config_only_when_configured(self):
        name = self.unique("ff")
        dlq = "arn:aws:sqs:us-east-1:123456789012:dlq"
        resp = self.create_function(name, DeadLetterConfig={"TargetArn": dlq})
        self.assertEqual(resp["DeadLetterConfig"], {"TargetArn": dlq})
        self.assertEqual(self.client.get_function_configuration(FunctionName=name)["DeadLetterConfig"],
                         {"TargetArn": dlq})

    def test_tags_present_only_while_tagged(self):
        name = self.unique("ff")
        self.create_function(name)
        fn_arn = self.arn(name)
        self.client.tag_resource(Resource=fn_arn, Tags={"A": "tag-a"})
        self.assertEqual(self.client.get_function(FunctionName=name)["Tags"], {"A": "tag-a"})
        self.client.untag_resource(Resource=fn_arn, TagKeys=["A"])
        self.assertNotIn("Tags", self.client.get_function(FunctionName=name))

    def test_concurrency_present_only_while_reserved(self):
        name = self.unique("ff")
        self.create_function(name)
        self.client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=3)
        self.assertEqual(self.client.get_function(FunctionName=name)["Concurrency"],
                         {"ReservedConcurrentExecutions": 3})
        self.client.delete_function_concurrency(FunctionName=name)
        self.assertNotIn("Concurrency", self.client.get_function(FunctionName=name))
        after = self.client.get_function_concurrency(FunctionName=name)
        self.assertStatus(after, 200)
        self.assertEqual(self.body(after), {})

    def test_list_versions_entries_lack_state_fields(self):
        name = self.unique("ff")
        self.create_function(name)
        self.publish(name)
        resp = self.client.list_versions_by_function(FunctionName=name)
        self.assertStatus(resp, 200)
        versions = resp["Versions"]
        self.assertEqual([v["FunctionArn"] for v in versions],
                         [self.arn(name, "$LATEST"), self.arn(name, "1")])
        self.assertEqual([v["Version"] for v in versions], ["$LATEST", "1"])
        for v in versions:
            for absent in ("State", "LastUpdateStatus", "RuntimeVersionConfig"):
                with self.subTest(version=v["Version"], absent=absent):
                    self.assertNotIn(absent, v)

    def test_last_modified_is_string(self):
        name = self.unique("ff")
        self.create_function(name)
        cfg = self.client.get_function_configuration(FunctionName=name)
        self.assertIsInstance(cfg["LastModified"], str)
        self.assertNotIsInstance(cfg["LastModified"], datetime.datetime)


class CodeLocationTest(LambdaliteTestCase):
    """GetFunction's Code.Location: a presigned URL served by lambdalite (10 minutes)."""

    def test_download_matches_zip_and_sha(self):
        name = self.unique("cl")
        zip_bytes = python_zip(marker="download")
        self.create_function(name, zip_bytes=zip_bytes)
        resp = self.client.get_function(FunctionName=name)
        status, data = download(resp["Code"]["Location"])
        self.assertEqual(status, 200)
        self.assertEqual(data, zip_bytes)
        self.assertEqual(code_sha256(data), resp["Configuration"]["CodeSha256"])

    def test_version_location_serves_version_code(self):
        name = self.unique("cl")
        v1_zip = python_zip(marker="v1")
        v2_zip = python_zip(marker="v2")
        self.create_function(name, zip_bytes=v1_zip)
        self.publish(name)
        self.update_code(name, v2_zip)
        for qualifier, expected in (("1", v1_zip), ("$LATEST", v2_zip)):
            with self.subTest(qualifier=qualifier):
                resp = self.client.get_function(FunctionName=name, Qualifier=qualifier)
                status, data = download(resp["Code"]["Location"])
                self.assertEqual(status, 200)
                self.assertEqual(data, expected)
                self.assertEqual(code_sha256(data), resp["Configuration"]["CodeSha256"])

    def test_tampered_url_is_forbidden(self):
        name = self.unique("cl")
        self.create_function(name)
        url = self.client.get_function(FunctionName=name)["Code"]["Location"]
        status, _ = download(tamper(url))
        self.assertEqual(status, 403)
        self.assertServerAlive()

    def test_every_query_parameter_is_signed(self):
        # Changing any single parameter (expiry included) must invalidate the URL; so must
        # dropping it. An expired URL is therefore covered without waiting 10 minutes.
        name = self.unique("cl")
        self.create_function(name)
        url = self.client.get_function(FunctionName=name)["Code"]["Location"]
        parts = urllib.parse.urlsplit(url)
        params = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        if not params:
            self.skipTest("Location carries no query parameters")
        for i, (key, value) in enumerate(params):
            changed = list(params)
            changed[i] = (key, (value[:-1] + ("1" if value[-1:] != "1" else "2")) if value else "1")
            dropped = params[:i] + params[i + 1:]
            for label, q in (("changed", changed), ("dropped", dropped)):
                with self.subTest(param=key, how=label):
                    bad = urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(q)))
                    self.assertEqual(download(bad)[0], 403)
        self.assertEqual(download(url)[0], 200)

    def test_location_points_at_this_server(self):
        name = self.unique("cl")
        self.create_function(name)
        url = self.client.get_function(FunctionName=name)["Code"]["Location"]
        parts = urllib.parse.urlsplit(url)
        self.assertEqual(parts.port, self.server.port)


if __name__ == "__main__":
    unittest.main()
