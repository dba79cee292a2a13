"""Capacity providers (Lambda Managed Instances), configuration only: lambdalite launches no
instances. Every operation through boto3, one path through the AWS CLI, CP1 for the tag
operations, restart persistence."""

import json
import unittest

from harness import (DEFAULT_ACCOUNT, DEFAULT_REGION, LambdaliteTestCase, aws_cli, lambda_client,
                     raw_request)

ROLE = f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/cp-operator"
VPC = {"SubnetIds": ["subnet-0123456789abcdef0"], "SecurityGroupIds": ["sg-0123456789abcdef0"]}


def cp_arn(name: str) -> str:
    return f"arn:aws:lambda:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:capacity-provider:{name}"


class CapacityProviderTest(LambdaliteTestCase):
    def create(self, name: str | None = None, **kw) -> dict:
        name = name or self.unique("cp")
        return self.client.create_capacity_provider(
            CapacityProviderName=name, VpcConfig=VPC,
            PermissionsConfig={"CapacityProviderOperatorRoleArn": ROLE}, **kw)

    def test_answer_bytes_keep_their_key_order(self):
        # The order the JSON handlers answered with before the typed shapes (wire_order.json).
        name = self.unique("cp")
        self.create(name, InstanceRequirements={"ExcludedInstanceTypes": ["m5.large"],
                                                "Architectures": ["x86_64"]},
                    CapacityProviderScalingConfig={
                        "ScalingPolicies": [{"TargetValue": 50.5, "PredefinedMetricType":
                                             "LambdaCapacityProviderAverageCPUUtilization"}],
                        "ScalingMode": "Manual", "MaxVCpuCount": 16},
                    KmsKeyArn=f"arn:aws:kms:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:key/k1")
        resp = raw_request(self.endpoint, "GET", f"/2025-11-30/capacity-providers/{name}")
        self.assertEqual(resp.status, 200)
        modified = resp.json()["CapacityProvider"]["LastModified"]
        expected = {"CapacityProvider": {
            "CapacityProviderArn": cp_arn(name), "State": "Active",
            "VpcConfig": {"SubnetIds": VPC["SubnetIds"], "SecurityGroupIds": VPC["SecurityGroupIds"]},
            "PermissionsConfig": {"CapacityProviderOperatorRoleArn": ROLE},
            "InstanceRequirements": {"Architectures": ["x86_64"],
                                     "ExcludedInstanceTypes": ["m5.large"]},
            "CapacityProviderScalingConfig": {
                "MaxVCpuCount": 16, "ScalingMode": "Manual",
                "ScalingPolicies": [{"PredefinedMetricType":
                                     "LambdaCapacityProviderAverageCPUUtilization",
                                     "TargetValue": 50.5}]},
            "KmsKeyArn": f"arn:aws:kms:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:key/k1",
            "LastModified": modified}}
        # Keys and their order, byte for byte; numbers compared as values (the JSON writer renders
        # 50.5 as 5.05E1, a valid JSON number that every client reads back as 50.5).
        self.assertEqual(json.dumps(resp.json(), separators=(",", ":")),
                         json.dumps(expected, separators=(",", ":")))
        versions = raw_request(self.endpoint, "GET",
                               f"/2025-11-30/capacity-providers/{name}/function-versions")
        self.assertEqual(versions.body.decode(),
                         json.dumps({"CapacityProviderArn": cp_arn(name), "FunctionVersions": []},
                                    separators=(",", ":")))


    def test_lifecycle(self):
        name = self.unique("cp")
        created = self.create(
            name, InstanceRequirements={"Architectures": ["arm64"]},
            CapacityProviderScalingConfig={
                "MaxVCpuCount": 64, "ScalingMode": "Manual",
                "ScalingPolicies": [{"PredefinedMetricType":
                                     "LambdaCapacityProviderAverageCPUUtilization",
                                     "TargetValue": 60.0}]},
            Tags={"team": "a"})
        self.assertStatus(created, 202)
        cp = created["CapacityProvider"]
        self.assertEqual(cp["CapacityProviderArn"], cp_arn(name))
        self.assertEqual(cp["State"], "Pending")
        self.assertEqual(cp["VpcConfig"], VPC)
        self.assertEqual(cp["PermissionsConfig"], {"CapacityProviderOperatorRoleArn": ROLE})
        self.assertEqual(cp["InstanceRequirements"], {"Architectures": ["arm64"]})
        self.assertEqual(cp["CapacityProviderScalingConfig"]["MaxVCpuCount"], 64)
        self.assertNotIn("Tags", cp)

        got = self.client.get_capacity_provider(CapacityProviderName=name)
        self.assertStatus(got, 200)
        self.assertEqual(got["CapacityProvider"]["State"], "Active")
        self.assertEqual(self.client.get_capacity_provider(
            CapacityProviderName=cp_arn(name))["CapacityProvider"]["CapacityProviderArn"],
            cp_arn(name))

        updated = self.client.update_capacity_provider(
            CapacityProviderName=name, CapacityProviderScalingConfig={"MaxVCpuCount": 8,
                                                                      "ScalingMode": "Auto"})
        self.assertStatus(updated, 202)
        self.assertEqual(updated["CapacityProvider"]["CapacityProviderScalingConfig"],
                         {"MaxVCpuCount": 8, "ScalingMode": "Auto"})
        self.assertEqual(updated["CapacityProvider"]["VpcConfig"], VPC)

        versions = self.client.list_function_versions_by_capacity_provider(
            CapacityProviderName=name)
        self.assertStatus(versions, 200)
        self.assertEqual(versions["CapacityProviderArn"], cp_arn(name))
        self.assertEqual(versions["FunctionVersions"], [])

        self.assertEqual(self.client.list_tags(Resource=cp_arn(name))["Tags"], {"team": "a"})
        self.client.tag_resource(Resource=cp_arn(name), Tags={"env": "dev"})
        self.client.untag_resource(Resource=cp_arn(name), TagKeys=["team"])
        self.assertEqual(self.client.list_tags(Resource=cp_arn(name))["Tags"], {"env": "dev"})

        deleted = self.client.delete_capacity_provider(CapacityProviderName=name)
        self.assertStatus(deleted, 202)
        self.assertEqual(deleted["CapacityProvider"]["State"], "Deleting")
        self.assertAwsError(lambda: self.client.get_capacity_provider(CapacityProviderName=name),
                            404, "ResourceNotFoundException",
                            f"Capacity provider not found: {cp_arn(name)}")

    def test_not_found_everywhere(self):
        arn = cp_arn("doesnotexist")
        msg = f"Capacity provider not found: {arn}"
        for call in (
                lambda: self.client.get_capacity_provider(CapacityProviderName="doesnotexist"),
                lambda: self.client.update_capacity_provider(CapacityProviderName="doesnotexist"),
                lambda: self.client.delete_capacity_provider(CapacityProviderName="doesnotexist"),
                lambda: self.client.list_function_versions_by_capacity_provider(
                    CapacityProviderName="doesnotexist"),
                # CP1: the tag operations.
                lambda: self.client.tag_resource(Resource=arn, Tags={"a": "b"}),
                lambda: self.client.untag_resource(Resource=arn, TagKeys=["a"]),
                lambda: self.client.list_tags(Resource=arn)):
            self.assertAwsError(call, 404, "ResourceNotFoundException", msg)

    def test_duplicate_and_validation(self):
        name = self.create()["CapacityProvider"]["CapacityProviderArn"].rsplit(":", 1)[1]
        self.assertAwsError(lambda: self.create(name), 409, "ResourceConflictException",
                            f"Capacity provider already exists: {cp_arn(name)}")
        err = self.assertAwsError(
            lambda: self.raw.create_capacity_provider(
                CapacityProviderName="bad name", VpcConfig=VPC,
                PermissionsConfig={"CapacityProviderOperatorRoleArn": ROLE}),
            400, "ValidationException",
            message_prefix="1 validation error detected: Value 'bad name' at "
                           "'capacityProviderName' failed to satisfy constraint")
        self.assertTrue(err)

    def test_list_state_filter_and_paging(self):
        names = sorted(self.unique("lst") for _ in range(3))
        for n in names:
            self.create(n)
        seen, marker = [], None
        while True:
            kw = {"MaxItems": 1}
            if marker:
                kw["Marker"] = marker
            page = self.client.list_capacity_providers(**kw)
            self.assertLessEqual(len(page["CapacityProviders"]), 1)
            seen += [c["CapacityProviderArn"] for c in page["CapacityProviders"]]
            marker = page.get("NextMarker")
            if not marker:
                break
        for n in names:
            self.assertIn(cp_arn(n), seen)
        self.assertEqual(len(seen), len(set(seen)))
        active = self.client.list_capacity_providers(State="Active")["CapacityProviders"]
        self.assertTrue(all(c["State"] == "Active" for c in active))
        self.assertEqual(self.client.list_capacity_providers(State="Pending")["CapacityProviders"],
                         [])

    def test_cli(self):
        name = self.unique("cli")
        out = aws_cli(self.endpoint, "create-capacity-provider", "--capacity-provider-name", name,
                      "--vpc-config", "SubnetIds=subnet-1,SecurityGroupIds=sg-1",
                      "--permissions-config", f"CapacityProviderOperatorRoleArn={ROLE}")
        if out.returncode != 0 and "Invalid choice" in out.stderr:
            raise unittest.SkipTest("this AWS CLI has no capacity-provider commands")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.json["CapacityProvider"]["State"], "Pending")
        got = aws_cli(self.endpoint, "get-capacity-provider", "--capacity-provider-name", name)
        self.assertEqual(got.returncode, 0, got.stderr)
        self.assertEqual(got.json["CapacityProvider"]["CapacityProviderArn"], cp_arn(name))
        listed = aws_cli(self.endpoint, "list-capacity-providers")
        self.assertEqual(listed.returncode, 0, listed.stderr)
        self.assertIn(cp_arn(name), [c["CapacityProviderArn"]
                                     for c in listed.json["CapacityProviders"]])
        deleted = aws_cli(self.endpoint, "delete-capacity-provider", "--capacity-provider-name",
                          name)
        self.assertEqual(deleted.returncode, 0, deleted.stderr)

    def test_restart_persistence(self):
        name = self.unique("keep")
        self.create(name, Tags={"k": "v"}, KmsKeyArn="arn:aws:kms:us-east-1:123456789012:key/k")
        gone = self.unique("gone")
        self.create(gone)
        self.client.delete_capacity_provider(CapacityProviderName=gone)
        before = self.client.get_capacity_provider(CapacityProviderName=name)["CapacityProvider"]
        for hard in (False, True):
            self.server.restart(hard=hard)
            client = lambda_client(self.server.endpoint)
            after = client.get_capacity_provider(CapacityProviderName=name)["CapacityProvider"]
            self.assertEqual(after, before, f"hard={hard}")
            self.assertEqual(client.list_tags(Resource=cp_arn(name))["Tags"], {"k": "v"})
            with self.assertRaises(client.exceptions.ResourceNotFoundException):
                client.get_capacity_provider(CapacityProviderName=gone)
        type(self)._make_clients()


if __name__ == "__main__":
    unittest.main()
