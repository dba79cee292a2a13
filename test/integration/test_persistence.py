"""Restart persistence: after a graceful SIGTERM restart and after kill -9, everything a client
was told about is still there, byte for byte (configurations, RevisionIds, versions, aliases,
event invoke configs, concurrency, tags, code, regions), and deletions stay deleted."""

import unittest
import urllib.request

from harness import (OTHER_REGION, LambdaliteServer, LambdaliteTestCase, code_sha256,
                     create_function, lambda_client, python_zip, unique_name, wait_updated)

SQS = "arn:aws:sqs:us-east-1:123456789012:failed"


class PersistenceTest(LambdaliteTestCase):
    """Each test runs its own server so restarts do not disturb other classes."""

    @classmethod
    def setUpClass(cls):
        # No shared server: every test starts its own (see setUp).
        cls.moto = None

    @classmethod
    def tearDownClass(cls):
        pass

    def setUp(self):
        self.server = LambdaliteServer()
        self.addCleanup(self.server.cleanup)
        self.server.start()
        self._clients()

    def _clients(self):
        self.endpoint = self.server.endpoint
        self.client = lambda_client(self.endpoint)
        self.raw = lambda_client(self.endpoint, validate=False)
        self.west = lambda_client(self.endpoint, OTHER_REGION)

    def populate(self) -> dict:
        c = self.client
        name = unique_name("persist")
        v1_zip, v2_zip = python_zip(marker="p1"), python_zip(marker="p2")
        create_function(c, name, zip_bytes=v1_zip, Description="first",
                        Environment={"Variables": {"STAGE": "one"}}, Tags={"team": "core"},
                        TracingConfig={"Mode": "Active"}, MemorySize=256)
        c.publish_version(FunctionName=name)
        c.update_function_configuration(FunctionName=name, Description="second",
                                        Environment={"Variables": {"STAGE": "two"}})
        wait_updated(c, name)
        c.update_function_code(FunctionName=name, ZipFile=v2_zip)
        wait_updated(c, name)
        c.publish_version(FunctionName=name)
        c.create_alias(FunctionName=name, Name="BLUE", FunctionVersion="1",
                       RoutingConfig={"AdditionalVersionWeights": {"2": 0.25}})
        c.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0,
                                           MaximumEventAgeInSeconds=300)
        c.put_function_event_invoke_config(FunctionName=name, Qualifier="1", MaximumRetryAttempts=1)
        c.put_function_event_invoke_config(FunctionName=name, Qualifier="BLUE",
                                           DestinationConfig={"OnFailure": {"Destination": SQS}})
        c.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=7)
        c.tag_resource(Resource=self.arn(name), Tags={"extra": "tag"})
        # A function in another region, and one that is deleted before the restart.
        west_name = unique_name("persist-west")
        create_function(self.west, west_name, Description="west")
        gone = unique_name("persist-gone")
        create_function(c, gone)
        c.delete_function(FunctionName=gone)
        # A version deleted before the restart must stay deleted.
        c.update_function_configuration(FunctionName=name, Environment={"Variables": {"STAGE": "three"}})
        wait_updated(c, name)
        c.publish_version(FunctionName=name)
        c.delete_function(FunctionName=name, Qualifier="3")
        return {"name": name, "west": west_name, "gone": gone, "zips": {"1": v1_zip, "$LATEST": v2_zip,
                                                                       "2": v2_zip}}

    def snapshot(self, state: dict) -> dict:
        c, name = self.client, state["name"]
        snap = {}
        for q in (None, "$LATEST", "1", "2", "BLUE"):
            kw = {"FunctionName": name}
            if q:
                kw["Qualifier"] = q
            got = self.body(c.get_function(**kw))
            got["Code"] = {k: v for k, v in got["Code"].items() if k != "Location"}
            snap[f"get_function:{q}"] = got
            snap[f"get_configuration:{q}"] = self.body(c.get_function_configuration(**kw))
        snap["versions"] = self.body(c.list_versions_by_function(FunctionName=name))
        snap["aliases"] = self.body(c.list_aliases(FunctionName=name))
        snap["alias"] = self.body(c.get_alias(FunctionName=name, Name="BLUE"))
        snap["eic"] = sorted(c.list_function_event_invoke_configs(FunctionName=name)
                             ["FunctionEventInvokeConfigs"], key=lambda e: e["FunctionArn"])
        snap["concurrency"] = self.body(c.get_function_concurrency(FunctionName=name))
        snap["tags"] = self.body(c.list_tags(Resource=self.arn(name)))
        snap["functions"] = sorted(f["FunctionName"] for f in c.list_functions()["Functions"])
        snap["west"] = self.body(self.west.get_function_configuration(FunctionName=state["west"]))
        snap["west_functions"] = sorted(f["FunctionName"]
                                        for f in self.west.list_functions()["Functions"])
        snap["usage"] = c.get_account_settings()["AccountUsage"]
        return snap

    def check_after_restart(self, state: dict, before: dict) -> None:
        self._clients()
        after = self.snapshot(state)
        for key in before:
            with self.subTest(item=key):
                self.assertEqual(after[key], before[key])
        self.assertAwsError(lambda: self.raw.get_function(FunctionName=state["gone"]), 404,
                            "ResourceNotFoundException", f"Function not found: {self.arn(state['gone'])}")
        self.assertAwsError(lambda: self.raw.get_function(FunctionName=state["name"], Qualifier="3"),
                            404, "ResourceNotFoundException",
                            f"Function not found: {self.arn(state['name'], '3')}")
        for q, expected in state["zips"].items():
            with self.subTest(code=q):
                loc = self.client.get_function(FunctionName=state["name"], Qualifier=q)["Code"]["Location"]
                with urllib.request.urlopen(loc, timeout=30) as r:
                    data = r.read()
                self.assertEqual(data, expected)
                self.assertEqual(code_sha256(data), code_sha256(expected))
        # The state is live, not a read-only replay: it can still be changed, and the next
        # version number continues after the highest one ever published (3).
        name = state["name"]
        self.client.update_function_configuration(FunctionName=name,
                                                  Environment={"Variables": {"STAGE": "four"}})
        wait_updated(self.client, name)
        self.assertEqual(self.client.publish_version(FunctionName=name)["Version"], "4")

    def test_sigterm_restart_keeps_everything(self):
        state = self.populate()
        before = self.snapshot(state)
        self.server.stop()
        self.assertEqual(self.server.last_exit_code, 0, "graceful shutdown should exit 0\n"
                         + self.server.log_tail())
        self.server.start()
        self.check_after_restart(state, before)

    def test_kill9_restart_keeps_everything(self):
        state = self.populate()
        before = self.snapshot(state)
        self.server.kill9()
        self.server.start()
        self.check_after_restart(state, before)

    def test_kill9_immediately_after_last_write(self):
        name = unique_name("lastwrite")
        create_function(self.client, name)
        self.client.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=2)
        self.server.kill9()
        self.server.start()
        self._clients()
        self.assertEqual(
            self.client.get_function_event_invoke_config(FunctionName=name)["MaximumRetryAttempts"], 2)

    def test_repeated_restarts(self):
        state = self.populate()
        before = self.snapshot(state)
        for hard in (False, True, False):
            self.server.restart(hard=hard)
            self._clients()
            self.assertEqual(self.snapshot(state), before)

    def test_restart_of_empty_data_dir(self):
        self.server.restart()
        self._clients()
        self.assertEqual(self.client.list_functions()["Functions"], [])


if __name__ == "__main__":
    unittest.main()
