"""Provisioned concurrency: Put/Get/Delete/ListProvisionedConcurrencyConfig(s) on versions and
aliases, against aws-lambda-behaviour-2.md section 4 (PC1..PC35), through boto3 and the AWS CLI;
the environments they keep (IN_PROGRESS -> READY as terraform polls, FAILED on an init error,
AWS_LAMBDA_INITIALIZATION_TYPE, no Init Duration), the interplay with reserved concurrency and the
account's unreserved pool, and their persistence across restarts."""

import base64
import json
import time
import unittest

from harness import (LambdaliteServer, LambdaliteTestCase, aws_cli, create_function,
                     lambda_client, python_zip, unique_name)

RNF = "ResourceNotFoundException"
IPVE = "InvalidParameterValueException"
NOT_FOUND = "ProvisionedConcurrencyConfigNotFoundException"
NOT_ALIAS_OR_VERSION = "The function resource provided must be an alias or a published version."
KEYS = {"AllocatedProvisionedConcurrentExecutions", "AvailableProvisionedConcurrentExecutions",
        "LastModified", "RequestedProvisionedConcurrentExecutions", "Status"}

ENV_SOURCE = (
    "import os\n"
    "def handler(event, context):\n"
    "    return {'init': os.environ.get('AWS_LAMBDA_INITIALIZATION_TYPE'),\n"
    "            'version': context.function_version}\n")
BROKEN_SOURCE = "raise Exception('init fails')\ndef handler(event, context):\n    return 1\n"


def wait_status(client, fn, qualifier, status="READY", timeout=60.0):
    """Polls GetProvisionedConcurrencyConfig like terraform's waiter until `status`."""
    deadline = time.time() + timeout
    seen = []
    while True:
        got = client.get_provisioned_concurrency_config(FunctionName=fn, Qualifier=qualifier)
        seen.append(got["Status"])
        if got["Status"] == status or time.time() > deadline:
            return got, seen
        if got["Status"] == "FAILED" and status != "FAILED":
            return got, seen
        time.sleep(0.1)


class ProvisionedBase(LambdaliteTestCase):
    def setUp(self):
        self.fn = self.unique("pc")
        self.create_function(self.fn, zip_bytes=python_zip(ENV_SOURCE))
        self.publish(self.fn)

    def put(self, n=1, q="1", fn=None, client=None):
        return (client or self.client).put_provisioned_concurrency_config(
            FunctionName=fn or self.fn, Qualifier=q, ProvisionedConcurrentExecutions=n)

    def get(self, q="1", fn=None):
        return self.client.get_provisioned_concurrency_config(FunctionName=fn or self.fn,
                                                              Qualifier=q)

    def ready(self, q="1", fn=None):
        got, seen = wait_status(self.client, fn or self.fn, q)
        self.assertEqual(got["Status"], "READY", seen)
        return got

    def invoke(self, q=None, fn=None):
        kw = {"Qualifier": q} if q else {}
        resp = self.client.invoke(FunctionName=fn or self.fn, LogType="Tail", **kw)
        payload = json.loads(resp["Payload"].read())
        return payload, base64.b64decode(resp["LogResult"]).decode()


class LifecycleTest(ProvisionedBase):
    def test_pc1_pc2_pc3_put_in_progress_then_ready(self):
        resp = self.put(2)
        self.assertStatus(resp, 202)
        body = self.body(resp)
        self.assertEqual(set(body), KEYS, "PC1: no StatusReason")
        self.assertEqual(body["Status"], "IN_PROGRESS")
        self.assertEqual(body["RequestedProvisionedConcurrentExecutions"], 2)
        self.assertEqual(body["AllocatedProvisionedConcurrentExecutions"], 0)
        self.assertEqual(body["AvailableProvisionedConcurrentExecutions"], 0)
        self.assertRegex(body["LastModified"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$")
        got = self.get()
        self.assertStatus(got, 200)
        self.assertIn(got["Status"], ("IN_PROGRESS", "READY"))  # PC2
        ready = self.ready()
        self.assertEqual(set(self.body(ready)), KEYS)
        self.assertEqual(ready["AllocatedProvisionedConcurrentExecutions"], 2)  # PC3
        self.assertEqual(ready["AvailableProvisionedConcurrentExecutions"], 2)
        self.assertEqual(ready["LastModified"], body["LastModified"])

    def test_pc6_invocation_on_provisioned_environment(self):
        self.client.create_alias(FunctionName=self.fn, Name="live", FunctionVersion="1")
        self.put(1, "live")
        self.ready("live")
        for q in ("live", "1"):  # the alias, and its version directly
            payload, log = self.invoke(q)
            self.assertEqual(payload, {"init": "provisioned-concurrency", "version": "1"}, q)
            self.assertIn("REPORT RequestId:", log)
            self.assertNotIn("Init Duration", log, "the init ran when it was provisioned")
        payload, log = self.invoke()  # $LATEST: on demand
        self.assertEqual(payload["init"], "on-demand")

    def test_pc7_pc8_pc9_delete_idempotent_then_not_found(self):
        self.put(1)
        resp = self.client.delete_provisioned_concurrency_config(FunctionName=self.fn,
                                                                 Qualifier="1")
        self.assertStatus(resp, 204)
        again = self.client.delete_provisioned_concurrency_config(FunctionName=self.fn,
                                                                  Qualifier="1")
        self.assertStatus(again, 204)  # PC8
        self.assertAwsError(lambda: self.get(), 404, NOT_FOUND,
                            "No Provisioned Concurrency Config found for this function",
                            type_user=True, message_key="message")
        payload, _ = self.invoke("1")
        self.assertEqual(payload["init"], "on-demand", "the environments went with the config")

    def test_pc10_list_empty_and_pages(self):
        resp = self.client.list_provisioned_concurrency_configs(FunctionName=self.fn)
        self.assertStatus(resp, 200)
        self.assertEqual(self.body(resp), {"ProvisionedConcurrencyConfigs": []})
        self.client.create_alias(FunctionName=self.fn, Name="live", FunctionVersion="1")
        self.update_code(self.fn, python_zip(ENV_SOURCE + "# 2\n"))
        self.publish(self.fn)
        self.put(1, "2")
        self.put(1, "live")
        page = self.client.list_provisioned_concurrency_configs(FunctionName=self.fn, MaxItems=1)
        self.assertEqual(len(page["ProvisionedConcurrencyConfigs"]), 1)
        rest = self.client.list_provisioned_concurrency_configs(FunctionName=self.fn,
                                                                Marker=page["NextMarker"])
        self.assertNotIn("NextMarker", rest)
        items = page["ProvisionedConcurrencyConfigs"] + rest["ProvisionedConcurrencyConfigs"]
        self.assertEqual(sorted(i["FunctionArn"] for i in items),
                         sorted([self.arn(self.fn, "2"), self.arn(self.fn, "live")]))
        for item in items:
            self.assertEqual(set(item), KEYS | {"FunctionArn"})

    def test_pc11_config_goes_with_alias_version_and_function(self):
        self.client.create_alias(FunctionName=self.fn, Name="live", FunctionVersion="1")
        self.put(1, "live")
        self.ready("live")
        self.client.delete_alias(FunctionName=self.fn, Name="live")
        self.assertAwsError(lambda: self.get("live"), 404, RNF,
                            f"Cannot find alias arn: {self.arn(self.fn, 'live')}")
        listed = self.client.list_provisioned_concurrency_configs(FunctionName=self.fn)
        self.assertEqual(listed["ProvisionedConcurrencyConfigs"], [])
        self.put(1, "1")
        self.client.delete_function(FunctionName=self.fn, Qualifier="1")
        self.assertAwsError(lambda: self.get("1"), 404, RNF,
                            f"Function not found: {self.arn(self.fn, '1')}")
        self.client.delete_function(FunctionName=self.fn)
        settings = self.client.get_account_settings()
        self.assertEqual(settings["AccountLimit"]["UnreservedConcurrentExecutions"],
                         settings["AccountLimit"]["ConcurrentExecutions"]
                         - self._others_provisioned())

    def _others_provisioned(self):
        total = 0
        for f in self.client.list_functions()["Functions"]:
            for c in self.client.list_provisioned_concurrency_configs(
                    FunctionName=f["FunctionName"])["ProvisionedConcurrencyConfigs"]:
                total += c["RequestedProvisionedConcurrentExecutions"]
        return total

    def test_update_shrinks_and_grows_and_code_update_keeps_version(self):
        self.put(1)
        self.ready()
        grown = self.put(3)
        self.assertEqual(grown["Status"], "IN_PROGRESS")
        self.assertEqual(self.ready()["AllocatedProvisionedConcurrentExecutions"], 3)
        self.put(1)
        self.assertEqual(self.ready()["AllocatedProvisionedConcurrentExecutions"], 1)
        self.update_code(self.fn, python_zip(ENV_SOURCE + "# changed\n"))
        payload, log = self.invoke("1")
        self.assertEqual(payload["init"], "provisioned-concurrency")
        self.assertNotIn("Init Duration", log)

    def test_alias_moved_reallocates(self):
        self.update_code(self.fn, python_zip(ENV_SOURCE + "# 2\n"))
        self.publish(self.fn)
        self.client.create_alias(FunctionName=self.fn, Name="live", FunctionVersion="1")
        self.put(1, "live")
        self.ready("live")
        self.client.update_alias(FunctionName=self.fn, Name="live", FunctionVersion="2")
        self.ready("live")
        payload, log = self.invoke("live")
        self.assertEqual(payload, {"init": "provisioned-concurrency", "version": "2"})
        payload, _ = self.invoke("1")
        self.assertEqual(payload["init"], "on-demand")

    def test_pc5_failed_init(self):
        fn = self.unique("pcfail")
        self.create_function(fn, zip_bytes=python_zip(BROKEN_SOURCE))
        self.publish(fn)
        self.assertEqual(self.put(1, fn=fn)["Status"], "IN_PROGRESS")
        got, seen = wait_status(self.client, fn, "1", "FAILED")
        self.assertEqual(got["Status"], "FAILED", seen)
        self.assertEqual(got["StatusReason"], "FUNCTION_ERROR_INIT_FAILURE")
        self.assertEqual(got["AllocatedProvisionedConcurrentExecutions"], 0)
        self.assertEqual(got["AvailableProvisionedConcurrentExecutions"], 0)
        self.assertEqual(got["RequestedProvisionedConcurrentExecutions"], 1)


class ErrorsTest(ProvisionedBase):
    def test_pc12_to_pc16_not_found(self):
        missing = unique_name("nope")
        self.assertAwsError(lambda: self.get("noalias", fn=missing), 404, RNF,
                            f"Cannot find alias arn: {self.arn(missing, 'noalias')}")  # PC12
        self.assertAwsError(lambda: self.get("noalias"), 404, RNF,
                            f"Cannot find alias arn: {self.arn(self.fn, 'noalias')}")  # PC13
        self.assertAwsError(lambda: self.get("10"), 404, RNF,
                            f"Function not found: {self.arn(self.fn, '10')}")  # PC14
        self.assertAwsError(lambda: self.client.list_provisioned_concurrency_configs(
            FunctionName=missing), 404, RNF, f"Function not found: {self.arn(missing)}")  # PC16
        self.assertAwsError(lambda: self.put(1, fn=missing), 404, RNF,
                            f"Function not found: {self.arn(missing, '1')}")  # PC23

    def test_pc15_pc20_pc26_latest(self):
        self.assertAwsError(lambda: self.get("$LATEST"), 400, IPVE, NOT_ALIAS_OR_VERSION)
        self.assertAwsError(lambda: self.client.delete_provisioned_concurrency_config(
            FunctionName=self.fn, Qualifier="$LATEST"), 400, IPVE, NOT_ALIAS_OR_VERSION)
        self.assertAwsError(
            lambda: self.put(1, "$LATEST"), 400, IPVE,
            "Provisioned Concurrency Configs cannot be applied to unpublished function versions.")

    def test_pc21_zero(self):
        self.assertAwsError(
            lambda: self.put(0, client=self.raw), 400, "ValidationException",
            "1 validation error detected: Value '0' at 'provisionedConcurrentExecutions' failed "
            "to satisfy constraint: Member must have value greater than or equal to 1")
        self.assertAwsError(lambda: self.get(), 404, NOT_FOUND, type_user=True)

    def test_pc27_alias_on_provisioned_version(self):
        self.client.create_alias(FunctionName=self.fn, Name="live", FunctionVersion="1")
        self.put(1, "1")
        self.assertAwsError(
            lambda: self.put(1, "live"), 409, "ResourceConflictException",
            "Alias can't be used for Provisioned Concurrency configuration on an already "
            "Provisioned version")

    def test_weighted_alias_refused(self):
        self.update_code(self.fn, python_zip(ENV_SOURCE + "# 2\n"))
        self.publish(self.fn)
        self.client.create_alias(FunctionName=self.fn, Name="canary", FunctionVersion="1",
                                 RoutingConfig={"AdditionalVersionWeights": {"2": 0.1}})
        self.assertAwsError(lambda: self.put(1, "canary"), 400, IPVE,
                            "Alias with weights can not be used with Provisioned Concurrency")

    def test_pc29_account_limit(self):
        limit = self.client.get_account_settings()["AccountLimit"]
        err = self.assertAwsError(
            lambda: self.put(limit["ConcurrentExecutions"] + 1), 400, IPVE,
            "Specified ConcurrentExecutions for function is greater than account's unreserved "
            f"concurrency [{limit['UnreservedConcurrentExecutions']}].", type_user=False)
        self.assertNotIn("Type", err)
        self.assertAwsError(lambda: self.get(), 404, NOT_FOUND, type_user=True)

    def test_unreserved_pool_shrinks_with_provisioned(self):
        before = self.client.get_account_settings()["AccountLimit"]
        self.put(3)
        after = self.client.get_account_settings()["AccountLimit"]
        self.assertEqual(after["UnreservedConcurrentExecutions"],
                         before["UnreservedConcurrentExecutions"] - 3)
        self.client.delete_provisioned_concurrency_config(FunctionName=self.fn, Qualifier="1")
        self.assertEqual(self.client.get_account_settings()["AccountLimit"], before)


class ReservedInterplayTest(ProvisionedBase):
    def test_pc31_pc33_pc35(self):
        self.put(2)
        self.ready()
        err = self.assertAwsError(
            lambda: self.client.put_function_concurrency(FunctionName=self.fn,
                                                         ReservedConcurrentExecutions=1),
            400, IPVE, " ReservedConcurrentExecutions  1 should not be lower than function's "
            "total provisioned concurrency [2].", type_user=False)
        self.assertNotIn("Type", err)
        self.client.put_function_concurrency(FunctionName=self.fn, ReservedConcurrentExecutions=2)
        self.assertAwsError(lambda: self.client.invoke(FunctionName=self.fn), 429,
                            "TooManyRequestsException", "Rate Exceeded.")  # PC33
        payload, _ = self.invoke("1")  # the provisioned environment still serves its version
        self.assertEqual(payload["init"], "provisioned-concurrency")
        self.update_code(self.fn, python_zip(ENV_SOURCE + "# 2\n"))
        self.publish(self.fn)
        self.assertAwsError(
            lambda: self.put(1, "2"), 400, IPVE,
            "Requested Provisioned Concurrency should not be greater than the "
            "reservedConcurrentExecution for function", type_user=True)  # PC35


class CliTest(ProvisionedBase):
    def test_cli_put_get_list_delete(self):
        put = aws_cli(self.endpoint, "put-provisioned-concurrency-config", "--function-name",
                      self.fn, "--qualifier", "1", "--provisioned-concurrent-executions", "1")
        self.assertEqual(put.returncode, 0, put.stderr)
        self.assertEqual(put.json["Status"], "IN_PROGRESS")
        self.ready()
        got = aws_cli(self.endpoint, "get-provisioned-concurrency-config", "--function-name",
                      self.fn, "--qualifier", "1")
        self.assertEqual(got.json["Status"], "READY")
        listed = aws_cli(self.endpoint, "list-provisioned-concurrency-configs",
                         "--function-name", self.fn)
        self.assertEqual([c["FunctionArn"] for c in listed.json["ProvisionedConcurrencyConfigs"]],
                         [self.arn(self.fn, "1")])
        deleted = aws_cli(self.endpoint, "delete-provisioned-concurrency-config",
                          "--function-name", self.fn, "--qualifier", "1")
        self.assertEqual(deleted.returncode, 0, deleted.stderr)
        missing = aws_cli(self.endpoint, "get-provisioned-concurrency-config", "--function-name",
                          self.fn, "--qualifier", "1")
        self.assertNotEqual(missing.returncode, 0)
        self.assertIn("ProvisionedConcurrencyConfigNotFoundException", missing.stderr)
        self.assertIn("No Provisioned Concurrency Config found for this function", missing.stderr)


class PersistenceTest(unittest.TestCase):
    def test_configs_survive_restart_and_start_again(self):
        server = LambdaliteServer()
        self.addCleanup(server.cleanup)
        server.start()
        c = lambda_client(server.endpoint)
        fn = unique_name("pcp")
        create_function(c, fn, zip_bytes=python_zip(ENV_SOURCE))
        c.publish_version(FunctionName=fn)
        c.create_alias(FunctionName=fn, Name="live", FunctionVersion="1")
        c.put_provisioned_concurrency_config(FunctionName=fn, Qualifier="live",
                                             ProvisionedConcurrentExecutions=2)
        got, seen = wait_status(c, fn, "live")
        self.assertEqual(got["Status"], "READY", seen)
        for hard in (False, True):
            server.restart(hard=hard)
            c = lambda_client(server.endpoint)
            got, seen = wait_status(c, fn, "live")
            self.assertEqual(got["Status"], "READY", f"hard={hard} {seen}")
            self.assertEqual(got["AllocatedProvisionedConcurrentExecutions"], 2)
            self.assertEqual(got["RequestedProvisionedConcurrentExecutions"], 2)
            resp = c.invoke(FunctionName=fn, Qualifier="live", LogType="Tail")
            self.assertEqual(json.loads(resp["Payload"].read())["init"],
                             "provisioned-concurrency")
            self.assertNotIn("Init Duration", base64.b64decode(resp["LogResult"]).decode())


if __name__ == "__main__":
    unittest.main()
