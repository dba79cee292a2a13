"""Lambda Managed Instances on functions: CapacityProviderConfig on CreateFunction /
UpdateFunctionConfiguration / GetFunction, ListFunctionVersionsByCapacityProvider, the in-use
refusal of DeleteCapacityProvider, and Put/GetFunctionScalingConfig. Configuration only:
lambdalite runs such functions in its own sandboxes. Texts marked UNVERIFIED in
docs/research/aws-error-messages.md section 22 are lambdalite's own."""

import unittest

from harness import (DEFAULT_ACCOUNT, DEFAULT_REGION, LambdaliteTestCase, aws_cli, lambda_client,
                     python_zip)

ROLE = f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/cp-operator"
VPC = {"SubnetIds": ["subnet-0123456789abcdef0"], "SecurityGroupIds": ["sg-0123456789abcdef0"]}
NO_CP = "The function provided by the arn does not contain a capacity provider configuration"


def cp_arn(name: str, account: str = DEFAULT_ACCOUNT) -> str:
    return f"arn:aws:lambda:{DEFAULT_REGION}:{account}:capacity-provider:{name}"


def mi(arn: str, **kw) -> dict:
    return {"LambdaManagedInstancesCapacityProviderConfig": {"CapacityProviderArn": arn, **kw}}


class ScalingConfigTest(LambdaliteTestCase):
    def provider(self) -> str:
        name = self.unique("cp")
        self.client.create_capacity_provider(
            CapacityProviderName=name, VpcConfig=VPC,
            PermissionsConfig={"CapacityProviderOperatorRoleArn": ROLE})
        return name

    def mi_function(self, cp: str, **kw) -> str:
        name = self.unique("mi")
        self.create_function(name, CapacityProviderConfig=mi(cp_arn(cp), **kw))
        return name

    def test_function_config_defaults_and_members(self):
        cp = self.provider()
        name = self.unique("mi")
        created = self.create_function(name, CapacityProviderConfig=mi(cp_arn(cp)))
        self.assertEqual(created["CapacityProviderConfig"], {
            "LambdaManagedInstancesCapacityProviderConfig": {
                "CapacityProviderArn": cp_arn(cp), "PerExecutionEnvironmentMaxConcurrency": 16,
                "ExecutionEnvironmentMemoryGiBPerVCpu": 2.0}})
        self.assertEqual(created["MemorySize"], 2048)
        self.update_config(name, CapacityProviderConfig=mi(
            cp_arn(cp), PerExecutionEnvironmentMaxConcurrency=64,
            ExecutionEnvironmentMemoryGiBPerVCpu=4.0))
        got = self.client.get_function(FunctionName=name)["Configuration"]
        self.assertEqual(got["CapacityProviderConfig"]["LambdaManagedInstancesCapacityProviderConfig"],
                         {"CapacityProviderArn": cp_arn(cp),
                          "PerExecutionEnvironmentMaxConcurrency": 64,
                          "ExecutionEnvironmentMemoryGiBPerVCpu": 4.0})
        v = self.publish(name)
        self.assertEqual(v["CapacityProviderConfig"], got["CapacityProviderConfig"])
        cfg = self.client.get_function_configuration(FunctionName=name, Qualifier=v["Version"])
        self.assertEqual(cfg["CapacityProviderConfig"], got["CapacityProviderConfig"])
        # A Lambda Default function shows no CapacityProviderConfig.
        plain = self.create_function()
        self.assertNotIn("CapacityProviderConfig", plain)

    def test_function_config_refusals(self):
        missing = cp_arn(self.unique("nope"))
        self.assertAwsError(
            lambda: self.create_function(CapacityProviderConfig=mi(missing)), 404,
            "ResourceNotFoundException", f"Capacity provider not found: {missing}")
        other = cp_arn("elsewhere", account="210987654321")
        self.assertAwsError(
            lambda: self.create_function(CapacityProviderConfig=mi(other)), 404,
            "ResourceNotFoundException", f"Capacity provider not found: {other}")
        plain = self.create_function()["FunctionName"]
        cp = self.provider()
        self.assertAwsError(
            lambda: self.client.update_function_configuration(
                FunctionName=plain, CapacityProviderConfig=mi(cp_arn(cp))), 400,
            "InvalidParameterValueException",
            "CapacityProviderConfig isn't supported for Lambda Default functions.")
        self.assertNotIn("CapacityProviderConfig",
                         self.client.get_function_configuration(FunctionName=plain))
        name = self.mi_function(cp)
        self.assertAwsError(
            lambda: self.client.update_function_configuration(
                FunctionName=name, CapacityProviderConfig=mi(missing)), 404,
            "ResourceNotFoundException", f"Capacity provider not found: {missing}")
        # Model constraints (request_decoder): 1..1600 and 2.0..8.0.
        with self.assertRaises(Exception):
            self.client.update_function_configuration(
                FunctionName=name,
                CapacityProviderConfig=mi(cp_arn(cp), PerExecutionEnvironmentMaxConcurrency=0))
        with self.assertRaises(self.client.exceptions.ClientError) as cm:
            self.raw.update_function_configuration(
                FunctionName=name,
                CapacityProviderConfig=mi(cp_arn(cp), ExecutionEnvironmentMemoryGiBPerVCpu=9.0))
        self.assertEqual(cm.exception.response["Error"]["Code"], "ValidationException")

    def test_versions_by_provider_and_delete_in_use(self):
        cp = self.provider()
        name = self.mi_function(cp)
        listed = self.client.list_function_versions_by_capacity_provider(
            CapacityProviderName=cp)
        self.assertEqual(listed["CapacityProviderArn"], cp_arn(cp))
        self.assertEqual(listed["FunctionVersions"], [])  # $LATEST is not provisioned
        self.assertAwsError(
            lambda: self.client.delete_capacity_provider(CapacityProviderName=cp), 409,
            "ResourceConflictException",
            f"Capacity provider {cp_arn(cp)} cannot be deleted because it is used by one or more "
            "function versions.")
        v1 = self.publish(name)["Version"]
        self.update_config(name, Description="two")
        v2 = self.publish(name)["Version"]
        listed = self.client.list_function_versions_by_capacity_provider(
            CapacityProviderName=cp)["FunctionVersions"]
        self.assertEqual(listed, [{"FunctionArn": self.arn(name, v1), "State": "Active"},
                                  {"FunctionArn": self.arn(name, v2), "State": "Active"}])
        page = self.client.list_function_versions_by_capacity_provider(
            CapacityProviderName=cp, MaxItems=1)
        self.assertEqual(len(page["FunctionVersions"]), 1)
        rest = self.client.list_function_versions_by_capacity_provider(
            CapacityProviderName=cp, Marker=page["NextMarker"])
        self.assertEqual(rest["FunctionVersions"][0]["FunctionArn"], self.arn(name, v2))
        self.client.delete_function(FunctionName=name)
        deleted = self.client.delete_capacity_provider(CapacityProviderName=cp)
        self.assertEqual(deleted["CapacityProvider"]["State"], "Deleting")

    def test_put_get_scaling_config(self):
        cp = self.provider()
        name = self.mi_function(cp)
        v = self.publish(name)["Version"]
        got = self.client.get_function_scaling_config(FunctionName=name, Qualifier=v)
        self.assertEqual(self.body(got), {"FunctionArn": self.arn(name, v)})
        put = self.client.put_function_scaling_config(
            FunctionName=name, Qualifier=v,
            FunctionScalingConfig={"MinExecutionEnvironments": 2, "MaxExecutionEnvironments": 10})
        self.assertStatus(put, 202)
        self.assertEqual(self.body(put), {"FunctionState": "Active"})
        got = self.client.get_function_scaling_config(FunctionName=self.arn(name), Qualifier=v)
        self.assertStatus(got, 200)
        want = {"MinExecutionEnvironments": 2, "MaxExecutionEnvironments": 10}
        self.assertEqual(self.body(got), {"FunctionArn": self.arn(name, v),
                                          "AppliedFunctionScalingConfig": want,
                                          "RequestedFunctionScalingConfig": want})
        # Replaced as a whole; one bound may be left out.
        self.client.put_function_scaling_config(
            FunctionName=name, Qualifier=v, FunctionScalingConfig={"MaxExecutionEnvironments": 0})
        got = self.client.get_function_scaling_config(FunctionName=name, Qualifier=v)
        self.assertEqual(got["RequestedFunctionScalingConfig"], {"MaxExecutionEnvironments": 0})
        # Deleting the version removes its config.
        self.client.delete_function(FunctionName=name, Qualifier=v)
        self.assertAwsError(
            lambda: self.client.get_function_scaling_config(FunctionName=name, Qualifier=v), 404,
            "ResourceNotFoundException", f"Function not found: {self.arn(name, v)}")

    def test_scaling_config_refusals(self):
        cp = self.provider()
        name = self.mi_function(cp)
        v = self.publish(name)["Version"]
        self.assertAwsError(
            lambda: self.client.put_function_scaling_config(
                FunctionName=name, Qualifier=v, FunctionScalingConfig={
                    "MinExecutionEnvironments": 5, "MaxExecutionEnvironments": 4}), 400,
            "InvalidParameterValueException",
            "MinExecutionEnvironments must be less than or equal to MaxExecutionEnvironments.")
        self.assertEqual(self.body(self.client.get_function_scaling_config(
            FunctionName=name, Qualifier=v)), {"FunctionArn": self.arn(name, v)})
        for q in ("99", "$LATEST.PUBLISHED"):  # never published to $LATEST.PUBLISHED
            self.assertAwsError(
                lambda q=q: self.client.put_function_scaling_config(
                    FunctionName=name, Qualifier=q, FunctionScalingConfig={}), 404,
                "ResourceNotFoundException", f"Function not found: {self.arn(name, q)}")
        missing = self.unique("ghost")
        self.assertAwsError(
            lambda: self.client.get_function_scaling_config(FunctionName=missing, Qualifier="1"),
            404, "ResourceNotFoundException", f"Function not found: {self.arn(missing, '1')}")
        # A Lambda Default function (AWS, live probe quoted in go-to-k/cdkd#1616).
        plain = self.create_function()["FunctionName"]
        pv = self.publish(plain)["Version"]
        for call in (lambda: self.client.put_function_scaling_config(
                         FunctionName=plain, Qualifier=pv,
                         FunctionScalingConfig={"MinExecutionEnvironments": 1}),
                     lambda: self.client.get_function_scaling_config(FunctionName=plain,
                                                                     Qualifier=pv)):
            self.assertAwsError(call, 403, "AccessDeniedException", NO_CP)
        # Model: Qualifier is $LATEST.PUBLISHED or a number; bounds 0..15000.
        for q in ("$LATEST", "alias"):
            with self.assertRaises(self.client.exceptions.ClientError) as cm:
                self.raw.put_function_scaling_config(FunctionName=name, Qualifier=q,
                                                     FunctionScalingConfig={})
            self.assertEqual(cm.exception.response["Error"]["Code"], "ValidationException")
        with self.assertRaises(self.client.exceptions.ClientError) as cm:
            self.raw.put_function_scaling_config(
                FunctionName=name, Qualifier=v,
                FunctionScalingConfig={"MaxExecutionEnvironments": 15001})
        self.assertEqual(cm.exception.response["Error"]["Code"], "ValidationException")

    def test_cli(self):
        cp = self.provider()
        name = self.mi_function(cp)
        v = self.publish(name)["Version"]
        out = aws_cli(self.endpoint, "put-function-scaling-config", "--function-name", name,
                      "--qualifier", v, "--function-scaling-config",
                      "MinExecutionEnvironments=1,MaxExecutionEnvironments=3")
        if out.returncode != 0 and "Invalid choice" in out.stderr:
            raise unittest.SkipTest("this AWS CLI has no function-scaling-config commands")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.json, {"FunctionState": "Active"})
        got = aws_cli(self.endpoint, "get-function-scaling-config", "--function-name", name,
                      "--qualifier", v)
        self.assertEqual(got.returncode, 0, got.stderr)
        self.assertEqual(got.json["AppliedFunctionScalingConfig"],
                         {"MinExecutionEnvironments": 1, "MaxExecutionEnvironments": 3})
        bad = aws_cli(self.endpoint, "get-function-scaling-config", "--function-name", name,
                      "--qualifier", "77")
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("ResourceNotFoundException", bad.stderr)
        conf = aws_cli(self.endpoint, "get-function-configuration", "--function-name", name)
        self.assertEqual(conf.returncode, 0, conf.stderr)
        self.assertEqual(conf.json["CapacityProviderConfig"][
            "LambdaManagedInstancesCapacityProviderConfig"]["CapacityProviderArn"], cp_arn(cp))

    def test_latest_published(self):
        cp = self.provider()
        name = self.mi_function(cp)
        lp = "$LATEST.PUBLISHED"
        pub = self.publish(name, PublishTo="LATEST_PUBLISHED")
        self.assertStatus(pub, 201)
        self.assertEqual(pub["Version"], lp)
        self.assertEqual(pub["FunctionArn"], self.arn(name, lp))
        self.assertIn("CapacityProviderConfig", pub)
        again = self.publish(name, PublishTo="LATEST_PUBLISHED")
        self.assertEqual(again["RevisionId"], pub["RevisionId"])  # nothing changed
        self.assertEqual(self.client.list_versions_by_function(FunctionName=name)["Versions"][-1][
            "Version"], "$LATEST")  # no numbered version was made
        got = self.client.get_function_configuration(FunctionName=name, Qualifier=lp)
        self.assertEqual((got["Version"], got["FunctionArn"]), (lp, self.arn(name, lp)))
        self.update_config(name, Description="next")
        republished = self.publish(name, PublishTo="LATEST_PUBLISHED")
        self.assertNotEqual(republished["RevisionId"], pub["RevisionId"])
        self.assertEqual(republished["Description"], "next")
        self.client.put_function_scaling_config(
            FunctionName=name, Qualifier=lp, FunctionScalingConfig={"MinExecutionEnvironments": 1})
        self.assertEqual(self.client.get_function_scaling_config(
            FunctionName=name, Qualifier=lp)["FunctionArn"], self.arn(name, lp))
        listed = self.client.list_function_versions_by_capacity_provider(
            CapacityProviderName=cp)["FunctionVersions"]
        self.assertEqual([f["FunctionArn"] for f in listed], [self.arn(name, lp)])
        inv = self.client.invoke(FunctionName=name, Qualifier=lp, Payload=b"{}")
        self.assertEqual(inv["StatusCode"], 200)
        self.assertNotIn("FunctionError", inv)
        out = aws_cli(self.endpoint, "publish-version", "--function-name", name, "--publish-to",
                      "LATEST_PUBLISHED")
        if not (out.returncode != 0 and "Unknown options" in out.stderr):
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertEqual(out.json["Version"], lp)
        self.server.restart()
        client = lambda_client(self.server.endpoint)
        after = client.get_function_configuration(FunctionName=name, Qualifier=lp)
        self.assertEqual(after["RevisionId"], republished["RevisionId"])
        self.assertEqual(client.get_function_scaling_config(FunctionName=name, Qualifier=lp)[
            "RequestedFunctionScalingConfig"], {"MinExecutionEnvironments": 1})
        type(self)._make_clients()

    def test_create_and_update_code_publish_to(self):
        cp = self.provider()
        lp = "$LATEST.PUBLISHED"
        name = self.unique("mi")
        created = self.create_function(name, CapacityProviderConfig=mi(cp_arn(cp)), Publish=True,
                                       PublishTo="LATEST_PUBLISHED")
        self.assertEqual(created["FunctionArn"], self.arn(name))
        self.assertEqual(created["Version"], lp)
        self.assertEqual([v["Version"] for v in self.client.list_versions_by_function(
            FunctionName=name)["Versions"]], ["$LATEST"])
        first = self.client.get_function(FunctionName=name, Qualifier=lp)["Configuration"]
        self.assertEqual(first["Version"], lp)
        self.wait_updated(name)
        code = self.client.update_function_code(
            FunctionName=name, ZipFile=python_zip("def handler(e, c):\n    return 2\n"),
            Publish=True, PublishTo="LATEST_PUBLISHED")
        self.assertEqual(code["Version"], lp)
        self.assertEqual(code["FunctionArn"], self.arn(name, lp))
        self.assertNotEqual(code["RevisionId"], first["RevisionId"])
        inv = self.client.invoke(FunctionName=name, Qualifier=lp, Payload=b"{}")
        self.assertEqual(inv["Payload"].read(), b"2")
        bad = "LATEST"
        with self.assertRaises(self.client.exceptions.ClientError) as cm:
            self.raw.publish_version(FunctionName=name, PublishTo=bad)
        self.assertEqual(cm.exception.response["Error"]["Code"], "ValidationException")

    def test_restart_persistence(self):
        cp = self.provider()
        name = self.mi_function(cp, PerExecutionEnvironmentMaxConcurrency=8)
        v = self.publish(name)["Version"]
        self.client.put_function_scaling_config(
            FunctionName=name, Qualifier=v,
            FunctionScalingConfig={"MinExecutionEnvironments": 3, "MaxExecutionEnvironments": 7})
        gone = self.mi_function(cp)
        gv = self.publish(gone)["Version"]
        self.client.put_function_scaling_config(FunctionName=gone, Qualifier=gv,
                                                FunctionScalingConfig={})
        self.client.delete_function(FunctionName=gone)
        before = self.client.get_function_scaling_config(FunctionName=name, Qualifier=v)
        conf = self.client.get_function_configuration(FunctionName=name, Qualifier=v)
        for hard in (False, True):
            self.server.restart(hard=hard)
            client = lambda_client(self.server.endpoint)
            after = client.get_function_scaling_config(FunctionName=name, Qualifier=v)
            self.assertEqual(self.body(after), self.body(before), f"hard={hard}")
            self.assertEqual(client.get_function_configuration(
                FunctionName=name, Qualifier=v)["CapacityProviderConfig"],
                conf["CapacityProviderConfig"])
            self.assertEqual(
                [f["FunctionArn"] for f in client.list_function_versions_by_capacity_provider(
                    CapacityProviderName=cp)["FunctionVersions"]], [self.arn(name, v)])
            with self.assertRaises(client.exceptions.ResourceConflictException):
                client.delete_capacity_provider(CapacityProviderName=cp)
        type(self)._make_clients()


if __name__ == "__main__":
    unittest.main()
