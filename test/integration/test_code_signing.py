"""Code signing configs, their binding to functions, and the deployment check.

Rows CS1..CS21 of reference part 2, section 3 (TestCodeSigningConfig, recorded 25-11-2025). The
deployment check: lambdalite cannot verify AWS Signer signatures, so under Enforce every package
deployed to a bound function is refused with AWS's CodeVerificationFailedException; Warn deploys."""

import re
import unittest

from harness import (DEFAULT_ACCOUNT, DEFAULT_REGION, LambdaliteServer, LambdaliteTestCase,
                     aws_cli, lambda_client, python_zip, unique_name)

RNF = "ResourceNotFoundException"
PROFILE = f"arn:aws:signer:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:/signing-profiles/test"
CSC_ARN_RE = re.compile(
    rf"^arn:aws:lambda:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:code-signing-config:csc-[a-z0-9]{{17}}$")
LAST_MODIFIED_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$")
DEPLOY_REFUSED = ("Lambda cannot deploy the function. The function or layer might be signed using a "
                  "signature that the client is not configured to accept. Check the provided "
                  "signature for {}.")


def bad_arn(arn: str) -> str:
    """The reference's <bad>: the real ARN with its last character replaced by x."""
    return arn[:-1] + ("x" if arn[-1] != "x" else "y")


class CodeSigningConfigTest(LambdaliteTestCase):
    def create_csc(self, policy="Enforce", **kw):
        resp = self.client.create_code_signing_config(
            Description="Testing CodeSigning Config",
            AllowedPublishers={"SigningProfileVersionArns": [PROFILE]},
            CodeSigningPolicies={"UntrustedArtifactOnDeployment": policy}, **kw)
        return resp

    def test_lifecycle_cs1_to_cs8(self):
        created = self.create_csc()
        self.assertStatus(created, 201)  # CS1
        csc = created["CodeSigningConfig"]
        arn = csc["CodeSigningConfigArn"]
        self.assertRegex(arn, CSC_ARN_RE)
        self.assertEqual(csc["CodeSigningConfigId"], arn.rsplit(":", 1)[1])
        self.assertEqual(csc["AllowedPublishers"], {"SigningProfileVersionArns": [PROFILE]})
        self.assertEqual(csc["CodeSigningPolicies"], {"UntrustedArtifactOnDeployment": "Enforce"})
        self.assertEqual(csc["Description"], "Testing CodeSigning Config")
        self.assertRegex(csc["LastModified"], LAST_MODIFIED_RE)
        self.assertEqual(sorted(self.body(created)), ["CodeSigningConfig"])

        updated = self.client.update_code_signing_config(  # CS2
            CodeSigningConfigArn=arn, CodeSigningPolicies={"UntrustedArtifactOnDeployment": "Warn"})
        self.assertStatus(updated, 200)
        expected = dict(csc, CodeSigningPolicies={"UntrustedArtifactOnDeployment": "Warn"})
        expected["LastModified"] = updated["CodeSigningConfig"]["LastModified"]
        self.assertEqual(updated["CodeSigningConfig"], expected)
        got = self.client.get_code_signing_config(CodeSigningConfigArn=arn)  # CS3
        self.assertStatus(got, 200)
        self.assertEqual(self.body(got), self.body(updated))

        fn = self.unique("csc")
        self.create_function(fn)
        put = self.client.put_function_code_signing_config(CodeSigningConfigArn=arn,
                                                           FunctionName=fn)  # CS4
        self.assertStatus(put, 200)
        self.assertEqual(self.body(put), {"CodeSigningConfigArn": arn, "FunctionName": fn})
        got_fn = self.client.get_function_code_signing_config(FunctionName=fn)  # CS5
        self.assertEqual(self.body(got_fn), {"CodeSigningConfigArn": arn, "FunctionName": fn})
        by_arn = self.client.get_function_code_signing_config(FunctionName=self.arn(fn))
        self.assertEqual(self.body(by_arn), {"CodeSigningConfigArn": arn, "FunctionName": fn})
        listed = self.client.list_functions_by_code_signing_config(CodeSigningConfigArn=arn)  # CS7
        self.assertEqual(self.body(listed), {"FunctionArns": [self.arn(fn)]})

        deleted_fn = self.client.delete_function_code_signing_config(FunctionName=fn)  # CS8
        self.assertStatus(deleted_fn, 204)
        self.assertEqual(self.body(deleted_fn), {})
        self.assertEqual(self.body(self.client.list_functions_by_code_signing_config(
            CodeSigningConfigArn=arn)), {"FunctionArns": []})
        deleted = self.client.delete_code_signing_config(CodeSigningConfigArn=arn)
        self.assertStatus(deleted, 204)
        self.assertEqual(self.body(deleted), {})
        self.assertAwsError(lambda: self.raw.get_code_signing_config(CodeSigningConfigArn=arn),
                            404, RNF, f"The Lambda code signing configuration {arn} can not be found.",
                            type_user=False)

    def test_nothing_to_delete_cs9_and_empty_get_cs10(self):
        fn = self.unique("csc")
        self.create_function(fn)
        resp = self.client.delete_function_code_signing_config(FunctionName=fn)
        self.assertStatus(resp, 204)
        got = self.client.get_function_code_signing_config(FunctionName=fn)
        self.assertStatus(got, 200)
        self.assertEqual(self.body(got), {})

    def test_update_without_change_cs11(self):
        csc = self.create_csc()["CodeSigningConfig"]
        resp = self.client.update_code_signing_config(CodeSigningConfigArn=csc["CodeSigningConfigArn"])
        self.assertStatus(resp, 200)
        self.assertEqual(resp["CodeSigningConfig"], csc)
        # Description and publishers replace the stored values.
        other = f"arn:aws:signer:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:/signing-profiles/other"
        resp = self.client.update_code_signing_config(
            CodeSigningConfigArn=csc["CodeSigningConfigArn"], Description="new",
            AllowedPublishers={"SigningProfileVersionArns": [other]})
        self.assertEqual(resp["CodeSigningConfig"]["Description"], "new")
        self.assertEqual(resp["CodeSigningConfig"]["AllowedPublishers"],
                         {"SigningProfileVersionArns": [other]})
        self.assertEqual(resp["CodeSigningConfig"]["CodeSigningPolicies"],
                         {"UntrustedArtifactOnDeployment": "Enforce"})

    def test_not_found_cs13_cs15(self):
        arn = self.create_csc()["CodeSigningConfig"]["CodeSigningConfigArn"]
        bad = bad_arn(arn)
        msg = f"The Lambda code signing configuration {bad} can not be found."
        for call in (lambda: self.raw.delete_code_signing_config(CodeSigningConfigArn=bad),
                     lambda: self.raw.get_code_signing_config(CodeSigningConfigArn=bad),
                     lambda: self.raw.update_code_signing_config(CodeSigningConfigArn=bad,
                                                                 Description="x"),
                     lambda: self.raw.list_functions_by_code_signing_config(
                         CodeSigningConfigArn=bad)):
            self.assertAwsError(call, 404, RNF, msg, type_user=False)

    def test_function_not_found_cs17_cs21(self):
        name = "csc-test-doesnotexist"
        msg = f"Function not found: {self.arn(name)}"
        self.assertAwsError(lambda: self.raw.delete_function_code_signing_config(FunctionName=name),
                            404, RNF, msg)
        self.assertAwsError(lambda: self.raw.get_function_code_signing_config(FunctionName=name),
                            404, RNF, msg)
        arn = self.create_csc()["CodeSigningConfig"]["CodeSigningConfigArn"]
        self.assertAwsError(lambda: self.raw.put_function_code_signing_config(
            CodeSigningConfigArn=arn, FunctionName=name), 404, RNF, msg)

    def test_put_unknown_config_cs19(self):
        arn = self.create_csc()["CodeSigningConfig"]["CodeSigningConfigArn"]
        bad = bad_arn(arn)
        fn = self.unique("csc")
        self.create_function(fn)
        self.assertAwsError(
            lambda: self.raw.put_function_code_signing_config(CodeSigningConfigArn=bad,
                                                              FunctionName=fn),
            404, "CodeSigningConfigNotFoundException",
            "The code signing configuration cannot be found. Check that the provided configuration "
            f"is not deleted: {bad}.", type_user=True, message_key="Message")
        self.assertEqual(self.body(self.client.get_function_code_signing_config(FunctionName=fn)), {})

    def test_list_paging(self):
        arns = {self.create_csc()["CodeSigningConfig"]["CodeSigningConfigArn"] for _ in range(3)}
        seen, marker = [], None
        while True:
            kw = {"Marker": marker} if marker else {}
            page = self.client.list_code_signing_configs(MaxItems=1, **kw)
            self.assertLessEqual(len(page["CodeSigningConfigs"]), 1)
            seen += [c["CodeSigningConfigArn"] for c in page["CodeSigningConfigs"]]
            marker = page.get("NextMarker")
            if not marker:
                break
        self.assertTrue(arns.issubset(set(seen)))
        self.assertEqual(len(seen), len(set(seen)))
        everything = self.client.list_code_signing_configs()
        self.assertNotIn("NextMarker", everything)
        self.assertEqual({c["CodeSigningConfigArn"] for c in everything["CodeSigningConfigs"]},
                         set(seen))

    def test_default_policy_is_warn(self):
        resp = self.client.create_code_signing_config(
            AllowedPublishers={"SigningProfileVersionArns": [PROFILE]})
        csc = resp["CodeSigningConfig"]
        self.assertEqual(csc["CodeSigningPolicies"], {"UntrustedArtifactOnDeployment": "Warn"})
        self.assertEqual(csc["Description"], "")

    def test_delete_config_in_use_is_refused(self):
        arn = self.create_csc()["CodeSigningConfig"]["CodeSigningConfigArn"]
        fn = self.unique("csc")
        self.create_function(fn)
        self.client.put_function_code_signing_config(CodeSigningConfigArn=arn, FunctionName=fn)
        self.assertAwsError(lambda: self.raw.delete_code_signing_config(CodeSigningConfigArn=arn),
                            409, "ResourceConflictException",
                            f"The code signing configuration {arn} cannot be deleted because it is "
                            f"used by the following functions: [{self.arn(fn)}]")
        # Deleting the function releases the config.
        self.client.delete_function(FunctionName=fn)
        self.assertStatus(self.client.delete_code_signing_config(CodeSigningConfigArn=arn), 204)

    def test_validation_of_the_arn(self):
        self.assertAwsError(
            lambda: self.raw.get_code_signing_config(CodeSigningConfigArn="csc-nope"), 400,
            "ValidationException",
            message_prefix="1 validation error detected: Value 'csc-nope' at 'codeSigningConfigArn' "
                           "failed to satisfy constraint: Member must satisfy regular expression "
                           "pattern: ")


class EnforcementTest(LambdaliteTestCase):
    def csc(self, policy):
        return self.client.create_code_signing_config(
            AllowedPublishers={"SigningProfileVersionArns": [PROFILE]},
            CodeSigningPolicies={"UntrustedArtifactOnDeployment": policy}
        )["CodeSigningConfig"]["CodeSigningConfigArn"]

    def assertRefused(self, call, name):
        self.assertAwsError(call, 400, "CodeVerificationFailedException",
                            DEPLOY_REFUSED.format(name), type_user=True, message_key="Message")

    def test_create_with_enforce_config_is_refused(self):
        arn = self.csc("Enforce")
        name = self.unique("enf")
        self.assertRefused(lambda: self.create_function(name, client=self.raw,
                                                        CodeSigningConfigArn=arn), name)
        self.assertAwsError(lambda: self.raw.get_function(FunctionName=name), 404, RNF)
        self.assertEqual(self.body(self.client.list_functions_by_code_signing_config(
            CodeSigningConfigArn=arn)), {"FunctionArns": []})

    def test_create_with_warn_config_deploys_and_binds(self):
        arn = self.csc("Warn")
        name = self.unique("warn")
        created = self.create_function(name, CodeSigningConfigArn=arn)
        self.assertEqual(created["FunctionName"], name)
        self.assertEqual(self.body(self.client.get_function_code_signing_config(FunctionName=name)),
                         {"CodeSigningConfigArn": arn, "FunctionName": name})
        self.assertEqual(self.client.list_functions_by_code_signing_config(
            CodeSigningConfigArn=arn)["FunctionArns"], [self.arn(name)])
        # Warn lets code updates through too.
        resp = self.update_code(name, python_zip("def handler(e, c):\n    return 2\n"))
        self.assertEqual(resp["FunctionName"], name)

    def test_create_with_unknown_config(self):
        arn = bad_arn(self.csc("Enforce"))
        name = self.unique("enf")
        self.assertAwsError(
            lambda: self.create_function(name, client=self.raw, CodeSigningConfigArn=arn), 404,
            "CodeSigningConfigNotFoundException",
            "The code signing configuration cannot be found. Check that the provided configuration "
            f"is not deleted: {arn}.", type_user=True, message_key="Message")
        self.assertAwsError(lambda: self.raw.get_function(FunctionName=name), 404, RNF)

    def test_update_code_under_enforce_is_refused(self):
        arn = self.csc("Warn")
        name = self.unique("enf")
        self.create_function(name)
        sha = self.client.get_function(FunctionName=name)["Configuration"]["CodeSha256"]
        self.client.put_function_code_signing_config(CodeSigningConfigArn=arn, FunctionName=name)
        self.client.update_code_signing_config(
            CodeSigningConfigArn=arn, CodeSigningPolicies={"UntrustedArtifactOnDeployment": "Enforce"})
        new_zip = python_zip("def handler(e, c):\n    return 3\n")
        self.assertRefused(lambda: self.raw.update_function_code(FunctionName=name, ZipFile=new_zip),
                           name)
        self.assertRefused(lambda: self.raw.update_function_code(FunctionName=self.arn(name),
                                                                 ZipFile=new_zip), self.arn(name))
        self.assertEqual(self.client.get_function(FunctionName=name)["Configuration"]["CodeSha256"],
                         sha)
        # Configuration updates are not code deployments.
        self.update_config(name, Description="still allowed")
        # Unbinding the config lets the code through again.
        self.client.delete_function_code_signing_config(FunctionName=name)
        resp = self.update_code(name, new_zip)
        self.assertNotEqual(resp["CodeSha256"], sha)

    def layer_arn(self):
        """A layer version: published when this build has layers, else a bare reference."""
        try:
            resp = self.client.publish_layer_version(LayerName=self.unique("lyr"),
                                                     Content={"ZipFile": python_zip()})
            return resp["LayerVersionArn"]
        except Exception:  # noqa: BLE001  (no layer API in this build)
            return f"arn:aws:lambda:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:layer:shared-lib:3"

    def test_adding_a_layer_under_enforce_is_refused(self):
        arn = self.csc("Warn")
        layer = self.layer_arn()  # PublishLayerVersion itself is never checked
        name = self.unique("enf")
        self.create_function(name, CodeSigningConfigArn=arn)
        self.client.update_code_signing_config(
            CodeSigningConfigArn=arn, CodeSigningPolicies={"UntrustedArtifactOnDeployment": "Enforce"})
        self.assertRefused(lambda: self.raw.update_function_configuration(FunctionName=name,
                                                                          Layers=[layer]), layer)
        self.assertNotIn("Layers", self.client.get_function_configuration(FunctionName=name))
        self.client.update_code_signing_config(
            CodeSigningConfigArn=arn, CodeSigningPolicies={"UntrustedArtifactOnDeployment": "Warn"})
        resp = self.update_config(name, Layers=[layer])
        self.assertEqual([entry["Arn"] for entry in resp["Layers"]], [layer])

    def test_invoke_is_not_affected(self):
        arn = self.csc("Warn")
        name = self.unique("enf")
        self.create_function(name, CodeSigningConfigArn=arn)
        self.client.update_code_signing_config(
            CodeSigningConfigArn=arn, CodeSigningPolicies={"UntrustedArtifactOnDeployment": "Enforce"})
        resp = self.client.invoke(FunctionName=name, Payload=b"{}")
        self.assertEqual(resp["StatusCode"], 200)
        self.assertNotIn("FunctionError", resp)


class CodeSigningCliTest(LambdaliteTestCase):
    def cli(self, *args):
        result = aws_cli(self.endpoint, *args)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.json

    def test_cli_lifecycle(self):
        created = self.cli("create-code-signing-config", "--description", "cli",
                           "--allowed-publishers", f"SigningProfileVersionArns={PROFILE}",
                           "--code-signing-policies", "UntrustedArtifactOnDeployment=Warn",
                           "--tags", "team=a")
        arn = created["CodeSigningConfig"]["CodeSigningConfigArn"]
        self.assertRegex(arn, CSC_ARN_RE)
        self.assertEqual(self.cli("get-code-signing-config", "--code-signing-config-arn", arn),
                         created)
        self.assertIn(arn, [c["CodeSigningConfigArn"] for c in
                            self.cli("list-code-signing-configs")["CodeSigningConfigs"]])
        self.assertEqual(self.cli("list-tags", "--resource", arn), {"Tags": {"team": "a"}})
        updated = self.cli("update-code-signing-config", "--code-signing-config-arn", arn,
                           "--description", "cli2")
        self.assertEqual(updated["CodeSigningConfig"]["Description"], "cli2")
        fn = self.unique("cli")
        self.create_function(fn)
        self.assertEqual(self.cli("put-function-code-signing-config", "--function-name", fn,
                                  "--code-signing-config-arn", arn),
                         {"CodeSigningConfigArn": arn, "FunctionName": fn})
        self.assertEqual(self.cli("get-function-code-signing-config", "--function-name", fn),
                         {"CodeSigningConfigArn": arn, "FunctionName": fn})
        self.assertEqual(self.cli("list-functions-by-code-signing-config",
                                  "--code-signing-config-arn", arn)["FunctionArns"], [self.arn(fn)])
        result = aws_cli(self.endpoint, "delete-function-code-signing-config", "--function-name", fn)
        self.assertEqual(result.returncode, 0, result.stderr)
        result = aws_cli(self.endpoint, "delete-code-signing-config", "--code-signing-config-arn",
                         arn)
        self.assertEqual(result.returncode, 0, result.stderr)
        missing = aws_cli(self.endpoint, "get-code-signing-config", "--code-signing-config-arn", arn)
        self.assertNotEqual(missing.returncode, 0)
        self.assertIn("ResourceNotFoundException", missing.stderr)
        self.assertIn(f"The Lambda code signing configuration {arn} can not be found.",
                      missing.stderr)


class CodeSigningPersistenceTest(unittest.TestCase):
    """Configs, their tags and function bindings survive a graceful and a kill -9 restart."""

    def check_restart(self, hard):
        server = LambdaliteServer()
        self.addCleanup(server.cleanup)
        server.start()
        client = lambda_client(server.endpoint)
        csc = client.create_code_signing_config(
            Description="persist", AllowedPublishers={"SigningProfileVersionArns": [PROFILE]},
            CodeSigningPolicies={"UntrustedArtifactOnDeployment": "Enforce"},
            Tags={"k": "v"})["CodeSigningConfig"]
        arn = csc["CodeSigningConfigArn"]
        gone = client.create_code_signing_config(
            AllowedPublishers={"SigningProfileVersionArns": [PROFILE]}
        )["CodeSigningConfig"]["CodeSigningConfigArn"]
        client.delete_code_signing_config(CodeSigningConfigArn=gone)
        name = unique_name("cscp")
        from harness import create_function
        create_function(client, name)
        client.put_function_code_signing_config(CodeSigningConfigArn=arn, FunctionName=name)
        client.tag_resource(Resource=arn, Tags={"k2": "v2"})
        server.restart(hard=hard)
        client = lambda_client(server.endpoint)
        got = client.get_code_signing_config(CodeSigningConfigArn=arn)["CodeSigningConfig"]
        self.assertEqual(got, csc)
        self.assertEqual(client.list_tags(Resource=arn)["Tags"], {"k": "v", "k2": "v2"})
        fn_csc = client.get_function_code_signing_config(FunctionName=name)
        self.assertEqual(fn_csc["CodeSigningConfigArn"], arn)
        self.assertEqual(client.list_functions_by_code_signing_config(
            CodeSigningConfigArn=arn)["FunctionArns"],
            [f"arn:aws:lambda:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:function:{name}"])
        with self.assertRaises(client.exceptions.ResourceNotFoundException):
            client.get_code_signing_config(CodeSigningConfigArn=gone)
        # Still enforced after the restart.
        with self.assertRaises(client.exceptions.CodeVerificationFailedException):
            client.update_function_code(FunctionName=name, ZipFile=python_zip())

    def test_sigterm_restart(self):
        self.check_restart(hard=False)

    def test_kill9_restart(self):
        self.check_restart(hard=True)


if __name__ == "__main__":
    unittest.main()
