"""Resource-based policies: AddPermission, GetPolicy, RemovePermission on functions, versions and
aliases, against aws-lambda-behaviour-2.md section 1 (RP1..RP41), through boto3 and the AWS CLI,
and their persistence across restarts."""

import json
import unittest

from harness import (LambdaliteServer, LambdaliteTestCase, aws_cli, create_function,
                     lambda_client, unique_name)

RNF = "ResourceNotFoundException"
IPVE = "InvalidParameterValueException"
STALE = ("The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API "
         "to retrieve the latest Revision Id")
S3_ARN = "arn:aws:s3:::my-bucket"
UUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


class PolicyTestBase(LambdaliteTestCase):
    def setUp(self):
        self.fn = self.unique("pol")
        self.create_function(self.fn)

    def add(self, sid="s3", fn=None, client=None, **kw):
        params = {"FunctionName": fn or self.fn, "StatementId": sid,
                  "Action": "lambda:InvokeFunction", "Principal": "s3.amazonaws.com"}
        params.update(kw)
        return (client or self.client).add_permission(**params)

    def policy(self, fn=None, **kw):
        resp = self.client.get_policy(FunctionName=fn or self.fn, **kw)
        return json.loads(resp["Policy"]), resp["RevisionId"]


class AddPermissionShapesTest(PolicyTestBase):
    def test_rp1_rp2_statement_and_policy_text(self):
        resp = self.add(SourceArn=S3_ARN)
        self.assertStatus(resp, 201)
        self.assertEqual(set(self.body(resp)), {"Statement"}, "RP1: no RevisionId member")
        expected = ('{"Sid":"s3","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},'
                    '"Action":"lambda:InvokeFunction","Resource":"' + self.arn(self.fn) + '",'
                    '"Condition":{"ArnLike":{"AWS:SourceArn":"' + S3_ARN + '"}}}')
        self.assertEqual(resp["Statement"], expected, "key order as recorded")
        got = self.client.get_policy(FunctionName=self.fn)
        self.assertStatus(got, 200)
        self.assertEqual(set(self.body(got)), {"Policy", "RevisionId"})
        self.assertRegex(got["RevisionId"], UUID_RE)
        self.assertEqual(got["Policy"],
                         '{"Version":"2012-10-17","Id":"default","Statement":[' + expected + "]}")

    def test_rp3_no_condition_without_source(self):
        st = json.loads(self.add()["Statement"])
        self.assertNotIn("Condition", st)
        self.assertEqual(list(st), ["Sid", "Effect", "Principal", "Action", "Resource"])

    def test_rp4_insertion_order(self):
        self.add("logs", Principal="logs.amazonaws.com")
        self.add("kinesis", Principal="kinesis.amazonaws.com")
        self.add("alpha", Principal="sns.amazonaws.com")
        doc, _ = self.policy()
        self.assertEqual([s["Sid"] for s in doc["Statement"]], ["logs", "kinesis", "alpha"])

    def test_rp6_service_principal_and_source_account(self):
        st = json.loads(self.add(Principal="lambda.amazonaws.com",
                                 SourceAccount="123456789012")["Statement"])
        self.assertEqual(st["Principal"], {"Service": "lambda.amazonaws.com"})
        self.assertEqual(st["Condition"], {"StringEquals": {"AWS:SourceAccount": "123456789012"}})

    def test_rp7_account_principal(self):
        st = json.loads(self.add(Principal="210987654321")["Statement"])
        self.assertEqual(st["Principal"], {"AWS": "arn:aws:iam::210987654321:root"})
        self.assertNotIn("Condition", st)

    def test_arn_principal(self):
        role = "arn:aws:iam::210987654321:role/caller"
        st = json.loads(self.add(Principal=role)["Statement"])
        self.assertEqual(st["Principal"], {"AWS": role})

    def test_rp9_optional_fields_order(self):
        resp = self.add("url", Action="lambda:InvokeFunctionUrl", Principal="*",
                        SourceArn=S3_ARN, SourceAccount="123456789012",
                        PrincipalOrgID="o-1234567890", FunctionUrlAuthType="NONE")
        self.assertIn(
            '"Principal":"*","Action":"lambda:InvokeFunctionUrl","Resource":"'
            + self.arn(self.fn) + '","Condition":{"StringEquals":{"AWS:SourceAccount":'
            '"123456789012","lambda:FunctionUrlAuthType":"NONE","aws:PrincipalOrgID":'
            '"o-1234567890"},"ArnLike":{"AWS:SourceArn":"' + S3_ARN + '"}}}',
            resp["Statement"])

    def test_rp11_function_url_auth_type_only(self):
        st = json.loads(self.add("u", Action="lambda:InvokeFunctionUrl", Principal="*",
                                 FunctionUrlAuthType="NONE")["Statement"])
        self.assertEqual(st["Principal"], "*")
        self.assertEqual(st["Condition"], {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}})

    def test_event_source_token_and_invoked_via_function_url(self):
        st = json.loads(self.add("alexa", Principal="alexa-appkit.amazon.com",
                                 EventSourceToken="amzn1.ask.skill.abc")["Statement"])
        self.assertEqual(st["Condition"],
                         {"StringEquals": {"lambda:EventSourceToken": "amzn1.ask.skill.abc"}})
        st = json.loads(self.add("via", Principal="*", InvokedViaFunctionUrl=True)["Statement"])
        self.assertEqual(st["Condition"], {"Bool": {"lambda:InvokedViaFunctionUrl": "true"}})

    def test_action_forms(self):
        for i, action in enumerate(["lambda:*", "*", "lambda:GetFunction"]):
            st = json.loads(self.add(f"a{i}", Action=action)["Statement"])
            self.assertEqual(st["Action"], action)


class RevisionAndRemovalTest(PolicyTestBase):
    def test_rp12_remove_one_changes_revision(self):
        self.add("a")
        self.add("b")
        _, rev1 = self.policy()
        resp = self.client.remove_permission(FunctionName=self.fn, StatementId="a")
        self.assertStatus(resp, 204)
        doc, rev2 = self.policy()
        self.assertEqual([s["Sid"] for s in doc["Statement"]], ["b"])
        self.assertNotEqual(rev1, rev2)

    def test_each_add_changes_revision(self):
        self.add("a")
        _, rev1 = self.policy()
        self.add("b", RevisionId=rev1)
        _, rev2 = self.policy()
        self.assertNotEqual(rev1, rev2)
        self.assertRegex(rev2, UUID_RE)

    def test_rp14_last_statement_removed_policy_gone(self):
        self.add("a")
        _, rev = self.policy()
        self.client.remove_permission(FunctionName=self.fn, StatementId="a", RevisionId=rev)
        self.assertAwsError(lambda: self.client.get_policy(FunctionName=self.fn), 404, RNF,
                            "The resource you requested does not exist.")
        # With no policy, the Sid may be used again and a RevisionId names nothing.
        self.add("a")

    def test_rp22_wrong_revision_on_add(self):
        self.add("a")
        self.assertAwsError(lambda: self.add("b", RevisionId="wrong"), 412,
                            "PreconditionFailedException", STALE)
        doc, _ = self.policy()
        self.assertEqual(len(doc["Statement"]), 1, "a refused add changes nothing")

    def test_wrong_revision_without_policy(self):
        self.assertAwsError(lambda: self.add("b", RevisionId="wrong"), 412,
                            "PreconditionFailedException", STALE)

    def test_wrong_revision_on_remove(self):
        self.add("a")
        self.assertAwsError(
            lambda: self.client.remove_permission(FunctionName=self.fn, StatementId="a",
                                                  RevisionId="wrong"),
            412, "PreconditionFailedException", STALE)
        self.policy()

    def test_rp35_duplicate_sid(self):
        self.add("s3")
        self.assertAwsError(lambda: self.add("s3"), 409, "ResourceConflictException",
                            "The statement id (s3) provided already exists. Please provide a new "
                            "statement id, or remove the existing statement.")

    def test_rp38_remove_without_policy(self):
        self.assertAwsError(
            lambda: self.client.remove_permission(FunctionName=self.fn, StatementId="x"),
            404, RNF, "No policy is associated with the given resource.")

    def test_rp39_remove_on_missing_function(self):
        self.assertAwsError(
            lambda: self.client.remove_permission(FunctionName="doesnotexist", StatementId="x"),
            404, RNF, f"No policy found for: {self.arn('doesnotexist')}")

    def test_rp41_remove_unknown_sid(self):
        self.add("a")
        self.assertAwsError(
            lambda: self.client.remove_permission(FunctionName=self.fn,
                                                  StatementId="non-existent"),
            404, RNF, "Statement non-existent is not found in resource policy.")

    def test_policy_length_exceeded(self):
        # 20 KB of rendered document (AWS: "The final policy size (N) is bigger than the limit
        # (20480)."), 400 with Type User and a lower-case message.
        long_arn = "arn:aws:s3:::" + "b" * 1500
        added = 0
        while True:
            _, rev_before = self.policy() if added else (None, None)
            try:
                self.add(f"sid-{added}", SourceArn=long_arn)
            except self.client.exceptions.PolicyLengthExceededException as e:
                err = e.response
                break
            added += 1
            self.assertLess(added, 40)
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertEqual(err["Type"], "User")
        self.assertRegex(err["message"],
                         r"^The final policy size \((\d+)\) is bigger than the limit \(20480\)\.$")
        size = int(err["message"].split("(")[1].split(")")[0])
        self.assertGreater(size, 20480)
        policy = self.client.get_policy(FunctionName=self.fn)
        self.assertLessEqual(len(policy["Policy"]), 20480)
        self.assertEqual(len(json.loads(policy["Policy"])["Statement"]), added)
        self.assertEqual(policy["RevisionId"], rev_before, "the refused add changed nothing")


class QualifierTest(PolicyTestBase):
    def setUp(self):
        super().setUp()
        self.client.publish_version(FunctionName=self.fn)
        self.client.create_alias(FunctionName=self.fn, Name="live", FunctionVersion="1")

    def test_rp15_to_rp20_policies_per_qualifier(self):
        self.add("s3", SourceArn=S3_ARN)
        _, unqualified_rev = self.policy()
        self.client.update_function_configuration(FunctionName=self.fn, Description="x")
        self.wait_updated(self.fn)
        self.client.publish_version(FunctionName=self.fn)
        doc, _ = self.policy()
        self.assertEqual(doc["Statement"][0]["Resource"], self.arn(self.fn), "RP15")
        self.assertAwsError(lambda: self.client.get_policy(FunctionName=self.fn, Qualifier="1"),
                            404, RNF, "The resource you requested does not exist.")  # RP16
        # RP17: the same Sid on the version's own policy, through the name and the qualifier.
        self.add("s3", fn=f"{self.fn}:1", Qualifier="1")
        doc, _ = self.policy(Qualifier="1")
        self.assertEqual(doc["Statement"][0]["Resource"], self.arn(self.fn, "1"))
        self.add("s3", Qualifier="live")
        doc, alias_rev = self.policy(Qualifier="live")
        self.assertEqual(doc["Statement"][0]["Resource"], self.arn(self.fn, "live"))
        self.assertAwsError(lambda: self.add("other", Qualifier="live", RevisionId="wrong"), 412,
                            "PreconditionFailedException", STALE)  # RP18
        doc, rev = self.policy()
        self.assertEqual(len(doc["Statement"]), 1)
        self.assertEqual(rev, unqualified_rev, "RP20: unchanged by the version and alias adds")
        # An alias ARN names the alias's policy too.
        doc, _ = self.policy(fn=self.arn(self.fn, "live"))
        self.assertEqual(doc["Statement"][0]["Resource"], self.arn(self.fn, "live"))

    def test_latest_shares_the_unqualified_policy(self):
        self.add("a")
        doc, rev = self.policy(Qualifier="$LATEST")
        self.assertEqual(doc["Statement"][0]["Resource"], self.arn(self.fn))
        self.client.remove_permission(FunctionName=self.fn, StatementId="a",
                                      Qualifier="$LATEST", RevisionId=rev)
        self.assertAwsError(lambda: self.client.get_policy(FunctionName=self.fn), 404, RNF,
                            "The resource you requested does not exist.")

    def test_rp27_qualifier_mismatch_before_existence(self):
        for fn in (self.fn, "doesnotexist"):
            self.assertAwsError(
                lambda: self.add(fn=f"{fn}:alias-not-42", Qualifier="42"), 400, IPVE,
                "The derived qualifier from the function name does not match the specified "
                "qualifier.")

    def test_rp28_latest_refused_before_existence(self):
        for fn in (self.fn, "doesnotexist"):
            for kw in ({"fn": f"{fn}:$LATEST", "Qualifier": "$LATEST"}, {"fn": fn,
                                                                           "Qualifier": "$LATEST"}):
                self.assertAwsError(lambda: self.add(**kw), 400, IPVE,
                                    "We currently do not support adding policies for $LATEST.")

    def test_rp30_to_rp32_not_found(self):
        self.assertAwsError(lambda: self.add(fn="doesnotexist"), 404, RNF,
                            f"Function not found: {self.arn('doesnotexist')}")
        self.assertAwsError(lambda: self.add(fn=f"{self.fn}:alias-doesnotexist"), 404, RNF,
                            f"Cannot find alias arn: {self.arn(self.fn, 'alias-doesnotexist')}")
        self.assertAwsError(lambda: self.add(Qualifier="42"), 404, RNF,
                            f"Function not found: {self.arn(self.fn, '42')}")

    def test_rp36_get_policy_not_found(self):
        for kw in ({"FunctionName": "doesnotexist"}, {"FunctionName": self.fn},
                   {"FunctionName": self.fn, "Qualifier": "42"},
                   {"FunctionName": self.fn, "Qualifier": "nope"}):
            self.assertAwsError(lambda: self.client.get_policy(**kw), 404, RNF,
                                "The resource you requested does not exist.")

    def test_rp26_invalid_statement_id(self):
        self.assertAwsError(
            lambda: self.add("example.com", client=self.raw), 400, "ValidationException",
            "1 validation error detected: Value 'example.com' at 'statementId' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)")

    def test_policies_go_with_alias_version_and_function(self):
        self.add("fn-level")
        self.add("v", Qualifier="1")
        self.add("a", Qualifier="live")
        self.client.delete_alias(FunctionName=self.fn, Name="live")
        self.client.create_alias(FunctionName=self.fn, Name="live", FunctionVersion="1")
        self.assertAwsError(lambda: self.client.get_policy(FunctionName=self.fn, Qualifier="live"),
                            404, RNF, "The resource you requested does not exist.")
        self.client.delete_alias(FunctionName=self.fn, Name="live")
        self.client.delete_function(FunctionName=self.fn, Qualifier="1")
        self.assertAwsError(lambda: self.client.get_policy(FunctionName=self.fn, Qualifier="1"),
                            404, RNF, "The resource you requested does not exist.")
        self.policy()
        self.client.delete_function(FunctionName=self.fn)
        self.create_function(self.fn)
        self.assertAwsError(lambda: self.client.get_policy(FunctionName=self.fn), 404, RNF,
                            "The resource you requested does not exist.")


class PolicyCliTest(PolicyTestBase):
    def test_cli_add_get_remove(self):
        add = aws_cli(self.endpoint, "add-permission", "--function-name", self.fn,
                      "--statement-id", "cli", "--action", "lambda:InvokeFunction",
                      "--principal", "events.amazonaws.com", "--source-arn",
                      "arn:aws:events:us-east-1:123456789012:rule/r")
        self.assertEqual(add.returncode, 0, add.stderr)
        self.assertEqual(json.loads(add.json["Statement"])["Sid"], "cli")
        got = aws_cli(self.endpoint, "get-policy", "--function-name", self.fn)
        self.assertEqual(got.returncode, 0, got.stderr)
        self.assertEqual(json.loads(got.json["Policy"])["Statement"][0]["Principal"],
                         {"Service": "events.amazonaws.com"})
        rm = aws_cli(self.endpoint, "remove-permission", "--function-name", self.fn,
                     "--statement-id", "cli", "--revision-id", got.json["RevisionId"],
                     parse_json=False)
        self.assertEqual(rm.returncode, 0, rm.stderr)
        missing = aws_cli(self.endpoint, "get-policy", "--function-name", self.fn)
        self.assertNotEqual(missing.returncode, 0)
        self.assertIn("ResourceNotFoundException", missing.stderr)
        self.assertIn("The resource you requested does not exist.", missing.stderr)


class PolicyPersistenceTest(unittest.TestCase):
    def test_policies_survive_restart_and_kill9(self):
        server = LambdaliteServer()
        self.addCleanup(server.cleanup)
        server.start()
        c = lambda_client(server.endpoint)
        fn = unique_name("polp")
        create_function(c, fn)
        c.publish_version(FunctionName=fn)
        c.create_alias(FunctionName=fn, Name="live", FunctionVersion="1")
        for q in (None, "1", "live"):
            kw = {"Qualifier": q} if q else {}
            c.add_permission(FunctionName=fn, StatementId="a", Action="lambda:InvokeFunction",
                             Principal="*", PrincipalOrgID="o-1234567890", **kw)
            c.add_permission(FunctionName=fn, StatementId="b", Action="lambda:InvokeFunction",
                             Principal="s3.amazonaws.com", SourceArn=S3_ARN, **kw)
        c.remove_permission(FunctionName=fn, StatementId="a", Qualifier="1")
        gone = unique_name("polgone")
        create_function(c, gone)
        c.add_permission(FunctionName=gone, StatementId="x", Action="lambda:InvokeFunction",
                         Principal="*")
        c.remove_permission(FunctionName=gone, StatementId="x")

        def snapshot():
            out = {}
            for q in (None, "1", "live"):
                kw = {"Qualifier": q} if q else {}
                r = c.get_policy(FunctionName=fn, **kw)
                out[q] = (r["Policy"], r["RevisionId"])
            return out

        before = snapshot()
        for hard in (False, True):
            server.restart(hard=hard)
            c = lambda_client(server.endpoint)
            self.assertEqual(snapshot(), before, f"hard={hard}")
            with self.assertRaises(c.exceptions.ResourceNotFoundException):
                c.get_policy(FunctionName=gone)
        # Still a working policy after the restart: RevisionIds and Sids are honoured.
        with self.assertRaises(c.exceptions.ResourceConflictException):
            c.add_permission(FunctionName=fn, StatementId="b", Action="lambda:InvokeFunction",
                             Principal="*")
        c.add_permission(FunctionName=fn, StatementId="c", Action="lambda:InvokeFunction",
                         Principal="*", RevisionId=before[None][1])


if __name__ == "__main__":
    unittest.main()
