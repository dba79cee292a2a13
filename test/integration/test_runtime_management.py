"""Put/GetRuntimeManagementConfig (reference part 2, section 6: RM1..RM3; nothing recorded).

RM1: a new function is in Auto mode and Auto/FunctionUpdate answer a null RuntimeVersionArn.
RM2: RuntimeVersionArn is only required for Manual. RM3: GetFunction's RuntimeVersionConfig
shows the runtime version; a Manual pin shows there for the version it was put on."""

import unittest

from harness import (DEFAULT_REGION, LambdaliteServer, LambdaliteTestCase, aws_cli,
                     create_function, lambda_client, unique_name)

RNF = "ResourceNotFoundException"
PIN = f"arn:aws:lambda:{DEFAULT_REGION}::runtime:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"


class RuntimeManagementTest(LambdaliteTestCase):
    def runtime_arn(self, name, qualifier=None):
        kw = {"Qualifier": qualifier} if qualifier else {}
        return self.client.get_function(FunctionName=name, **kw)[
            "Configuration"]["RuntimeVersionConfig"]["RuntimeVersionArn"]

    def test_new_function_is_auto(self):
        name = self.unique("rm")
        self.create_function(name)
        resp = self.client.get_runtime_management_config(FunctionName=name)
        self.assertStatus(resp, 200)
        self.assertEqual(self.body(resp), {"UpdateRuntimeOn": "Auto", "FunctionArn": self.arn(name)})

    def test_put_and_get_modes(self):
        name = self.unique("rm")
        self.create_function(name)
        own = self.runtime_arn(name)
        put = self.client.put_runtime_management_config(FunctionName=name,
                                                        UpdateRuntimeOn="FunctionUpdate")
        self.assertStatus(put, 200)
        self.assertEqual(self.body(put), {"UpdateRuntimeOn": "FunctionUpdate",
                                          "FunctionArn": self.arn(name)})
        self.assertEqual(self.body(self.client.get_runtime_management_config(FunctionName=name)),
                         {"UpdateRuntimeOn": "FunctionUpdate", "FunctionArn": self.arn(name)})
        put = self.client.put_runtime_management_config(FunctionName=name, UpdateRuntimeOn="Manual",
                                                        RuntimeVersionArn=PIN)
        self.assertEqual(self.body(put), {"UpdateRuntimeOn": "Manual", "FunctionArn": self.arn(name),
                                          "RuntimeVersionArn": PIN})
        self.assertEqual(self.body(self.client.get_runtime_management_config(FunctionName=name)),
                         {"UpdateRuntimeOn": "Manual", "FunctionArn": self.arn(name),
                          "RuntimeVersionArn": PIN})
        # RM3: the pin is the version's runtime version in GetFunction and GetFunctionConfiguration.
        self.assertEqual(self.runtime_arn(name), PIN)
        self.assertEqual(self.client.get_function_configuration(FunctionName=name)[
            "RuntimeVersionConfig"]["RuntimeVersionArn"], PIN)
        # Back to Auto: the ARN is dropped (RM1) and GetFunction shows the runtime's own again.
        put = self.client.put_runtime_management_config(FunctionName=name, UpdateRuntimeOn="Auto",
                                                        RuntimeVersionArn=PIN)
        self.assertEqual(self.body(put), {"UpdateRuntimeOn": "Auto", "FunctionArn": self.arn(name)})
        self.assertEqual(self.runtime_arn(name), own)

    def test_qualifiers(self):
        name = self.unique("rm")
        self.create_function(name)
        self.publish(name)
        put = self.client.put_runtime_management_config(FunctionName=name, Qualifier="1",
                                                        UpdateRuntimeOn="Manual",
                                                        RuntimeVersionArn=PIN)
        self.assertEqual(put["FunctionArn"], self.arn(name, "1"))
        got = self.client.get_runtime_management_config(FunctionName=name, Qualifier="1")
        self.assertEqual(self.body(got), {"UpdateRuntimeOn": "Manual",
                                          "FunctionArn": self.arn(name, "1"),
                                          "RuntimeVersionArn": PIN})
        # Per version: $LATEST keeps Auto.
        latest = self.client.get_runtime_management_config(FunctionName=name, Qualifier="$LATEST")
        self.assertEqual(self.body(latest), {"UpdateRuntimeOn": "Auto",
                                             "FunctionArn": self.arn(name, "$LATEST")})
        self.assertEqual(self.runtime_arn(name, "1"), PIN)
        self.assertNotEqual(self.runtime_arn(name), PIN)
        # A qualified name works like the Qualifier parameter.
        by_arn = self.client.get_runtime_management_config(FunctionName=self.arn(name, "1"))
        self.assertEqual(by_arn["UpdateRuntimeOn"], "Manual")
        # Deleting the version deletes its config.
        self.client.delete_function(FunctionName=name, Qualifier="1")
        self.assertAwsError(lambda: self.raw.get_runtime_management_config(FunctionName=name,
                                                                           Qualifier="1"),
                            404, RNF, f"Function not found: {self.arn(name, '1')}")

    def test_missing_function_and_version(self):
        self.assertAwsError(
            lambda: self.raw.get_runtime_management_config(FunctionName="doesnotexist"), 404, RNF,
            f"Function not found: {self.arn('doesnotexist')}")
        self.assertAwsError(
            lambda: self.raw.put_runtime_management_config(FunctionName="doesnotexist",
                                                           UpdateRuntimeOn="Auto"), 404, RNF,
            f"Function not found: {self.arn('doesnotexist')}")
        name = self.unique("rm")
        self.create_function(name)
        self.assertAwsError(
            lambda: self.raw.put_runtime_management_config(FunctionName=name, Qualifier="7",
                                                           UpdateRuntimeOn="Auto"), 404, RNF,
            f"Function not found: {self.arn(name, '7')}")

    def test_manual_without_arn(self):
        name = self.unique("rm")
        self.create_function(name)
        self.assertAwsError(
            lambda: self.raw.put_runtime_management_config(FunctionName=name,
                                                           UpdateRuntimeOn="Manual"),
            400, "InvalidParameterValueException",
            "RuntimeVersionArn is required when UpdateRuntimeOn is Manual.")
        self.assertEqual(self.client.get_runtime_management_config(FunctionName=name)[
            "UpdateRuntimeOn"], "Auto")

    def test_model_validation(self):
        name = self.unique("rm")
        self.create_function(name)
        self.assertAwsError(
            lambda: self.raw.put_runtime_management_config(FunctionName=name,
                                                           UpdateRuntimeOn="Sometimes"),
            400, "ValidationException",
            message_prefix="1 validation error detected: Value 'Sometimes' at 'updateRuntimeOn' "
                           "failed to satisfy constraint: Member must satisfy enum value set: ")
        self.assertAwsError(
            lambda: self.raw.put_runtime_management_config(
                FunctionName=name, UpdateRuntimeOn="Manual",
                RuntimeVersionArn="arn:aws:lambda:us-east-1:123456789012:function:x"),
            400, "ValidationException",
            "1 validation error detected: Value 'arn:aws:lambda:us-east-1:123456789012:function:x' "
            "at 'runtimeVersionArn' failed to satisfy constraint: Member must satisfy regular "
            "expression pattern: arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-"
            "\\d{1}::runtime:.+")

    def test_cli(self):
        name = self.unique("rmcli")
        self.create_function(name)
        put = aws_cli(self.endpoint, "put-runtime-management-config", "--function-name", name,
                      "--update-runtime-on", "Manual", "--runtime-version-arn", PIN)
        self.assertEqual(put.returncode, 0, put.stderr)
        self.assertEqual(put.json, {"UpdateRuntimeOn": "Manual", "FunctionArn": self.arn(name),
                                    "RuntimeVersionArn": PIN})
        got = aws_cli(self.endpoint, "get-runtime-management-config", "--function-name", name)
        self.assertEqual(got.returncode, 0, got.stderr)
        self.assertEqual(got.json, put.json)


class RuntimeManagementPersistenceTest(unittest.TestCase):
    def check(self, hard):
        server = LambdaliteServer()
        self.addCleanup(server.cleanup)
        server.start()
        client = lambda_client(server.endpoint)
        name = unique_name("rmp")
        create_function(client, name)
        client.publish_version(FunctionName=name)
        client.put_runtime_management_config(FunctionName=name, UpdateRuntimeOn="Manual",
                                             RuntimeVersionArn=PIN)
        client.put_runtime_management_config(FunctionName=name, Qualifier="1",
                                             UpdateRuntimeOn="FunctionUpdate")
        server.restart(hard=hard)
        client = lambda_client(server.endpoint)
        got = client.get_runtime_management_config(FunctionName=name)
        self.assertEqual(got["UpdateRuntimeOn"], "Manual")
        self.assertEqual(got["RuntimeVersionArn"], PIN)
        self.assertEqual(client.get_runtime_management_config(
            FunctionName=name, Qualifier="1")["UpdateRuntimeOn"], "FunctionUpdate")
        self.assertEqual(client.get_function(FunctionName=name)["Configuration"][
            "RuntimeVersionConfig"]["RuntimeVersionArn"], PIN)

    def test_sigterm_restart(self):
        self.check(hard=False)

    def test_kill9_restart(self):
        self.check(hard=True)


if __name__ == "__main__":
    unittest.main()
