"""Aliases: Create / Get / Update / Delete / List, RoutingConfig weights (reference 3 'Aliases';
shapes and messages as recorded in TestLambdaAlias::test_alias_lifecycle and
test_notfound_and_invalid_routingconfigs)."""

import unittest

from harness import LambdaliteTestCase, UUID_RE, unique_name

RNF = "ResourceNotFoundException"
IPVE = "InvalidParameterValueException"
WEIGHT_CONSTRAINT = ("failed to satisfy constraint: Map value must satisfy constraint: [Member "
                     "must have value less than or equal to 1.0, Member must have value greater "
                     "than or equal to 0.0, Member must not be null]")


class AliasTest(LambdaliteTestCase):
    def setUp(self):
        self.fn = self.unique("al")
        self.create_function(self.fn, Environment={"Variables": {"testenv": "staging"}})
        self.v1 = self.publish(self.fn)
        self.update_config(self.fn, Environment={"Variables": {"testenv": "prod"}})
        self.v2 = self.publish(self.fn)
        self.assertEqual((self.v1["Version"], self.v2["Version"]), ("1", "2"))

    def alias_arn(self, name):
        return self.arn(self.fn, name)

    def assertAlias(self, resp, name, version, description="", weights=None, status=None):
        if status is not None:
            self.assertStatus(resp, status)
        body = self.body(resp)
        expected_keys = {"AliasArn", "Description", "FunctionVersion", "Name", "RevisionId"}
        if weights is not None:
            expected_keys.add("RoutingConfig")
        self.assertEqual(set(body), expected_keys, body)
        self.assertEqual(body["AliasArn"], self.alias_arn(name))
        self.assertEqual(body["Name"], name)
        self.assertEqual(body["FunctionVersion"], version)
        self.assertEqual(body["Description"], description)
        self.assertRegex(body["RevisionId"], UUID_RE)
        if weights is not None:
            self.assertEqual(body["RoutingConfig"], {"AdditionalVersionWeights": weights})

    def test_lifecycle(self):
        created = self.client.create_alias(FunctionName=self.fn, Name="aliasname1_1",
                                           FunctionVersion="1", Description="custom-alias",
                                           RoutingConfig={"AdditionalVersionWeights": {"2": 0.2}})
        self.assertAlias(created, "aliasname1_1", "1", "custom-alias", {"2": 0.2}, status=201)
        got = self.client.get_alias(FunctionName=self.fn, Name="aliasname1_1")
        self.assertAlias(got, "aliasname1_1", "1", "custom-alias", {"2": 0.2}, status=200)
        self.assertEqual(got["RevisionId"], created["RevisionId"])

        self.client.create_alias(FunctionName=self.fn, Name="aliasname1_2", FunctionVersion="1",
                                 Description="custom-alias")
        self.client.create_alias(FunctionName=self.fn, Name="aliasname1_3", FunctionVersion="1")
        self.client.create_alias(FunctionName=self.fn, Name="aliasname2", FunctionVersion="2",
                                 Description="custom-alias")
        listed = self.client.list_aliases(FunctionName=self.fn)
        self.assertStatus(listed, 200)
        self.assertEqual([a["Name"] for a in listed["Aliases"]],
                         ["aliasname1_1", "aliasname1_2", "aliasname1_3", "aliasname2"])
        self.assertEqual(listed["Aliases"][0]["RoutingConfig"],
                         {"AdditionalVersionWeights": {"2": 0.2}})
        self.assertNotIn("RoutingConfig", listed["Aliases"][1])

        # Update with an empty weight map removes the routing config; RevisionId changes.
        updated = self.client.update_alias(FunctionName=self.fn, Name="aliasname1_1",
                                           RoutingConfig={"AdditionalVersionWeights": {}})
        self.assertAlias(updated, "aliasname1_1", "1", "custom-alias", status=200)
        self.assertNotEqual(updated["RevisionId"], created["RevisionId"])
        self.assertAlias(self.client.get_alias(FunctionName=self.fn, Name="aliasname1_1"),
                         "aliasname1_1", "1", "custom-alias")

        by_version = self.client.list_aliases(FunctionName=self.fn, FunctionVersion="1")
        self.assertEqual([a["Name"] for a in by_version["Aliases"]],
                         ["aliasname1_1", "aliasname1_2", "aliasname1_3"])

        deleted = self.client.delete_alias(FunctionName=self.fn, Name="aliasname1_1")
        self.assertStatus(deleted, 204)
        self.assertEqual(self.body(deleted), {})
        self.assertEqual([a["Name"] for a in self.client.list_aliases(FunctionName=self.fn)["Aliases"]],
                         ["aliasname1_2", "aliasname1_3", "aliasname2"])

    def test_update_alias_moves_version(self):
        self.client.create_alias(FunctionName=self.fn, Name="live", FunctionVersion="1")
        resp = self.client.update_alias(FunctionName=self.fn, Name="live", FunctionVersion="2",
                                        Description="now v2")
        self.assertAlias(resp, "live", "2", "now v2", status=200)
        cfg = self.client.get_function_configuration(FunctionName=self.fn, Qualifier="live")
        self.assertEqual(cfg["Version"], "2")
        self.assertEqual(cfg["RevisionId"], self.v2["RevisionId"])
        self.assertEqual(cfg["Environment"], {"Variables": {"testenv": "prod"}})

    def test_alias_to_latest(self):
        resp = self.client.create_alias(FunctionName=self.fn, Name="custom-latest",
                                        FunctionVersion="$LATEST")
        self.assertAlias(resp, "custom-latest", "$LATEST", status=201)

    def test_empty_routing_config_is_omitted(self):
        resp = self.client.create_alias(FunctionName=self.fn, Name="custom-empty-routingconfig",
                                        FunctionVersion="1",
                                        RoutingConfig={"AdditionalVersionWeights": {}})
        self.assertAlias(resp, "custom-empty-routingconfig", "1", status=201)

    def test_alias_by_function_arn(self):
        self.client.create_alias(FunctionName=self.arn(self.fn), Name="byarn", FunctionVersion="1")
        self.assertAlias(self.client.get_alias(FunctionName=self.arn(self.fn), Name="byarn"),
                         "byarn", "1")

    def test_already_exists(self):
        self.client.create_alias(FunctionName=self.fn, Name="custom", FunctionVersion="1",
                                 RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}})
        self.assertAwsError(
            lambda: self.raw.create_alias(FunctionName=self.fn, Name="custom", FunctionVersion="1",
                                          RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}}),
            409, "ResourceConflictException", f"Alias already exists: {self.alias_arn('custom')}")

    def test_get_missing_alias(self):
        self.assertAwsError(lambda: self.raw.get_alias(FunctionName=self.fn, Name="non-existent"),
                            404, RNF, f"Cannot find alias arn: {self.alias_arn('non-existent')}")

    def test_target_version_does_not_exist(self):
        self.assertAwsError(
            lambda: self.raw.create_alias(FunctionName=self.fn, Name="custom", FunctionVersion="10"),
            404, RNF, f"Function not found: {self.arn(self.fn, '10')}")

    def test_weighted_version_does_not_exist(self):
        self.assertAwsError(
            lambda: self.raw.create_alias(FunctionName=self.fn, Name="custom", FunctionVersion="1",
                                          RoutingConfig={"AdditionalVersionWeights": {"10": 0.5}}),
            404, RNF, f"Function not found: {self.arn(self.fn, '10')}")

    def test_function_does_not_exist(self):
        missing = self.fn + "-unknown"
        self.assertAwsError(
            lambda: self.raw.create_alias(FunctionName=missing, Name="custom", FunctionVersion="1"),
            404, RNF, f"Function not found: {self.arn(missing, '1')}")

    def test_too_many_weights(self):
        self.update_config(self.fn, Description="for a third version")
        self.publish(self.fn)
        self.assertAwsError(
            lambda: self.raw.create_alias(
                FunctionName=self.fn, Name="custom", FunctionVersion="1",
                RoutingConfig={"AdditionalVersionWeights": {"2": 0.5, "3": 0.2}}),
            400, IPVE, "Number of items in AdditionalVersionWeights cannot be greater than 1")

    def test_weight_too_high(self):
        self.assertAwsError(
            lambda: self.raw.create_alias(FunctionName=self.fn, Name="custom", FunctionVersion="1",
                                          RoutingConfig={"AdditionalVersionWeights": {"2": 2}}),
            400, "ValidationException",
            "1 validation error detected: Value '{2=2.0}' at 'routingConfig.additionalVersionWeights' "
            + WEIGHT_CONSTRAINT)

    def test_weight_below_zero(self):
        self.assertAwsError(
            lambda: self.raw.create_alias(FunctionName=self.fn, Name="custom", FunctionVersion="1",
                                          RoutingConfig={"AdditionalVersionWeights": {"2": -1}}),
            400, "ValidationException",
            "1 validation error detected: Value '{2=-1.0}' at 'routingConfig.additionalVersionWeights' "
            + WEIGHT_CONSTRAINT)

    def test_weight_on_target_version(self):
        self.assertAwsError(
            lambda: self.raw.create_alias(FunctionName=self.fn, Name="custom", FunctionVersion="1",
                                          RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}}),
            400, IPVE,
            "Invalid function version 1. Function version 1 is already included in routing "
            "configuration.")

    def test_latest_with_weights(self):
        # This body carries no Type (recorded as target_version_exc_version_latest).
        self.assertAwsError(
            lambda: self.raw.create_alias(FunctionName=self.fn, Name="custom",
                                          FunctionVersion="$LATEST",
                                          RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}}),
            400, IPVE, "$LATEST is not supported for an alias pointing to more than 1 version",
            type_user=False)

    def test_latest_as_weight_key(self):
        self.assertAwsError(
            lambda: self.raw.create_alias(FunctionName=self.fn, Name="custom", FunctionVersion="1",
                                          RoutingConfig={"AdditionalVersionWeights": {"$LATEST": 0.5}}),
            400, "ValidationException",
            "1 validation error detected: Value '{$LATEST=0.5}' at "
            "'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map keys must "
            "satisfy constraint: [Member must have length less than or equal to 1024, Member must "
            "have length greater than or equal to 1, Member must satisfy regular expression "
            "pattern: [0-9]+, Member must not be null]")

    def test_alias_naming(self):
        resp = self.client.create_alias(FunctionName=self.fn, Name="2024-01-02", FunctionVersion="1",
                                        Description="custom-alias")
        self.assertAlias(resp, "2024-01-02", "1", "custom-alias", status=201)
        self.assertAwsError(
            lambda: self.raw.create_alias(FunctionName=self.fn, Name="2024", FunctionVersion="1"),
            400, "ValidationException",
            "1 validation error detected: Value '2024' at 'name' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)")

    def test_update_missing_alias(self):
        # No snapshot; quoted from AWS in apex/up#606 and localstack#11878 (tested against AWS).
        self.assertAwsError(lambda: self.raw.update_alias(FunctionName=self.fn, Name="nope",
                                                          FunctionVersion="1"), 404, RNF,
                            f"Alias not found: {self.alias_arn('nope')}")

    def test_delete_missing_alias_is_idempotent(self):
        # localstack#11878: AWS answers 204 for a missing alias (the model lists no 404 either).
        resp = self.client.delete_alias(FunctionName=self.fn, Name="never-created")
        self.assertStatus(resp, 204)

    def test_delete_version_referenced_by_alias(self):
        # Quoted from AWS in several issues (go-lambda-cleanup#45 with status 409, Zappa#960).
        self.client.create_alias(FunctionName=self.fn, Name="live", FunctionVersion="1")
        self.assertAwsError(lambda: self.raw.delete_function(FunctionName=self.fn, Qualifier="1"),
                            409, "ResourceConflictException",
                            "Unable to delete version because the following aliases reference "
                            "it: [live]", type_user=None, message_key=None)
        self.client.get_function(FunctionName=self.fn, Qualifier="1")

    def test_delete_function_with_alias_qualifier(self):
        # Not a recording: LocalStack's provider and floci (measured live) agree on this text.
        self.client.create_alias(FunctionName=self.fn, Name="live", FunctionVersion="1")
        self.assertAwsError(lambda: self.raw.delete_function(FunctionName=self.fn, Qualifier="live"),
                            400, IPVE, "Deletion of aliases is not currently supported.",
                            type_user=None, message_key=None)

    def test_list_aliases_paging(self):
        names = [f"a{i}" for i in range(5)]
        for n in names:
            self.client.create_alias(FunctionName=self.fn, Name=n, FunctionVersion="1")
        first = self.client.list_aliases(FunctionName=self.fn, MaxItems=2)
        self.assertEqual(len(first["Aliases"]), 2)
        self.assertTrue(first.get("NextMarker"))
        pages = self.client.get_paginator("list_aliases").paginate(
            FunctionName=self.fn, PaginationConfig={"PageSize": 2})
        self.assertEqual(sorted(a["Name"] for p in pages for a in p["Aliases"]), names)

    def test_list_aliases_missing_function(self):
        # unverified message
        self.assertAwsError(lambda: self.raw.list_aliases(FunctionName=unique_name("missing")),
                            404, RNF)

    def test_alias_revision_changes_on_update(self):
        created = self.client.create_alias(FunctionName=self.fn, Name="rev", FunctionVersion="1")
        updated = self.client.update_alias(FunctionName=self.fn, Name="rev", Description="d")
        self.assertNotEqual(created["RevisionId"], updated["RevisionId"])
        # unverified for UpdateAlias: the text is the recorded function one, which names GetAlias.
        self.assertAwsError(
            lambda: self.raw.update_alias(FunctionName=self.fn, Name="rev", Description="e",
                                          RevisionId=created["RevisionId"]),
            412, "PreconditionFailedException",
            "The Revision Id provided does not match the latest Revision Id. Call the "
            "GetFunction/GetAlias API to retrieve the latest Revision Id")


if __name__ == "__main__":
    unittest.main()
