"""Invoke: concurrency limits, warm environment reuse and retirement, payload size limits.

Reference section 4: I16 (response > 6 MB), I19/I20 (reserved concurrency throttling), I23 (a 5 MB
request echoed intact). In-flight invocations are detected with a Rendezvous (the function calls
a test HTTP server), never with sleeps.
"""

import json
import threading
import time
import unittest

from harness import raw_request
from test_invoke_common import (PY_RENDEZVOUS_CLIENT, PY_STATEFUL, InvokeTestCase, Rendezvous,
                                node_stateful, py_stateful, wait_until)

# PY_STATEFUL plus an optional rendezvous: {"url": ..., "tag": ...} makes the handler announce
# itself and wait for the test's release before answering.
PY_GATED = PY_RENDEZVOUS_CLIENT + '''
import os, uuid
TOKEN = uuid.uuid4().hex
COUNT = 0

def handler(event, context):
    global COUNT
    COUNT += 1
    if isinstance(event, dict) and event.get("tag"):
        _rv(event["url"], "/arrive/" + event["tag"])
        _rv(event["url"], "/wait/" + event["tag"])
    return {"token": TOKEN, "count": COUNT}
'''


class GatedInvokeTestCase(InvokeTestCase):
    """InvokeTestCase plus a Rendezvous, and invocations started in the background.

    The functions call the Rendezvous on the host's loopback, which only the host network
    reaches (the default, nat, keeps functions off it)."""

    SERVER_ARGS = ("--function-network", "host")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rv = Rendezvous()

    @classmethod
    def tearDownClass(cls):
        cls.rv.close()
        super().tearDownClass()

    def gated(self, tag):
        return {"url": self.rv.url(), "tag": tag}

    def start_invoke(self, name, event, results, key):
        def run():
            try:
                results[key] = self.invoke(name, event)
            except Exception as exc:  # reported by the test body
                results[key] = exc
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread


class InvokeConcurrencyTest(GatedInvokeTestCase):

    def assertThrottled(self, name):
        err = self.assertAwsError(lambda: self.lam.invoke(FunctionName=name, Payload=b"{}"), 429,
                                  "TooManyRequestsException", "Rate Exceeded.")
        self.assertEqual(err.get("Reason"), "ReservedFunctionConcurrentInvocationLimitExceeded",
                         err)

    def test_reserved_concurrency_zero(self):
        # I19
        name = self.make_python(PY_GATED)
        self.lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
        self.assertThrottled(name)
        self.assertThrottled(name)
        self.lam.delete_function_concurrency(FunctionName=name)
        # Nothing ran while throttled: this is the first invocation of the first environment.
        self.assertEqual(self.invoke_ok(name, {})["_json"]["count"], 1)

    def test_reserved_concurrency_one_throttles_the_second_caller(self):
        # I20: one invocation in flight, reserved concurrency 1 -> the next one gets 429.
        name = self.make_python(PY_GATED)
        self.lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
        results = {}
        tag = self.unique("r1")
        thread = self.start_invoke(name, self.gated(tag), results, "first")
        try:
            self.assertTrue(self.rv.wait_arrivals(tag), "the first invocation never started")
            self.assertThrottled(name)
        finally:
            self.rv.release(tag)
            thread.join(180)
        first = results["first"]
        self.assertNotIsInstance(first, Exception)
        self.assertEqual(first["StatusCode"], 200)
        self.assertIsNone(first.get("FunctionError"), first["_bytes"])
        # Once it finished, the function takes the next caller (on the warm environment).
        body = self.invoke_ok(name, {})["_json"]
        self.assertEqual(body, {"token": first["_json"]["token"], "count": 2})

    def test_unreserved_invocations_run_in_parallel_environments(self):
        name = self.make_python(PY_GATED)
        results = {}
        tag = self.unique("par")
        threads = [self.start_invoke(name, self.gated(tag), results, i) for i in range(2)]
        try:
            # Both handlers are running at the same time: a second environment was started.
            self.assertTrue(self.rv.wait_arrivals(tag, 2), "two invocations never overlapped")
        finally:
            self.rv.release(tag)
            for thread in threads:
                thread.join(180)
        tokens = set()
        for i in range(2):
            resp = results[i]
            self.assertNotIsInstance(resp, Exception)
            self.assertIsNone(resp.get("FunctionError"), resp["_bytes"])
            self.assertEqual(resp["_json"]["count"], 1)
            tokens.add(resp["_json"]["token"])
        self.assertEqual(len(tokens), 2)
        # Both environments are warm now; the next call reuses one of them.
        self.assertIn(self.invoke_ok(name, {})["_json"]["token"], tokens)


class ServerLimitsTest(GatedInvokeTestCase):
    """The account limit and the idle keep-alive are server settings (--concurrency-limit,
    --idle-keep-alive). An account of 2 keeps all of it unreserved, as AWS does for accounts
    under 100."""

    SERVER_ARGS = ("--function-network", "host", "--concurrency-limit", "2",
                   "--idle-keep-alive", "1")

    def test_account_settings_and_reservations_follow_the_limit(self):
        limits = self.lam.get_account_settings()["AccountLimit"]
        self.assertEqual((limits["ConcurrentExecutions"], limits["UnreservedConcurrentExecutions"]),
                         (2, 2))
        name = self.make_python(PY_GATED)
        self.assertAwsError(
            lambda: self.lam.put_function_concurrency(FunctionName=name,
                                                      ReservedConcurrentExecutions=1),
            400, "InvalidParameterValueException",
            "Specified ReservedConcurrentExecutions for function decreases account's "
            "UnreservedConcurrentExecution below its minimum value of [2].", type_user=False)

    def test_invocations_beyond_the_account_limit_are_throttled(self):
        names = [self.make_python(PY_GATED) for _ in range(3)]
        tag = self.unique("acct")
        results = {}
        threads = [self.start_invoke(name, self.gated(tag), results, i)
                   for i, name in enumerate(names[:2])]
        try:
            self.assertTrue(self.rv.wait_arrivals(tag, 2), "two invocations never overlapped")
            err = self.assertAwsError(
                lambda: self.lam.invoke(FunctionName=names[2], Payload=b"{}"), 429,
                "TooManyRequestsException", "Rate Exceeded.")
            self.assertEqual(err.get("Reason"), "ConcurrentInvocationLimitExceeded", err)
        finally:
            self.rv.release(tag)
            for thread in threads:
                thread.join(180)
        for i in range(2):
            self.assertNotIsInstance(results[i], Exception)
            self.assertEqual(results[i]["StatusCode"], 200)
            self.assertIsNone(results[i].get("FunctionError"), results[i]["_bytes"])
        # With both done, the third function runs.
        self.assertEqual(self.invoke_ok(names[2], {})["_json"]["count"], 1)

    def test_an_idle_environment_is_reaped_after_the_keep_alive(self):
        name = self.make_python(PY_GATED)

        def reused_within_keep_alive():
            # Two invocations well inside the one-second keep-alive share an environment. On a
            # loaded machine a pair may straddle a reap, so a pair is timed and only a fast one
            # counts.
            start = time.monotonic()
            first = self.invoke_ok(name, {})["_json"]["token"]
            second = self.invoke_ok(name, {})["_json"]["token"]
            return time.monotonic() - start > 0.5 or first == second

        self.assertTrue(all(reused_within_keep_alive() for _ in range(3)), "no warm reuse")
        # One second of keep-alive; the reaper looks every second.
        self.assertTrue(wait_until(lambda: self.invoke_ok(name, {})["_json"]["count"] == 1,
                                   timeout=30, interval=2.5),
                        "the idle environment was never reaped")


class InvokeEnvironmentReuseTest(InvokeTestCase):
    def test_python_environment_is_reused(self):
        name = self.create_function(self.unique("warm"), zip_bytes=py_stateful(),
                                    Timeout=30)["FunctionName"]
        first = self.invoke_ok(name, {"n": 1}, LogType="Tail")
        second = self.invoke_ok(name, {"n": 2}, LogType="Tail")
        self.assertEqual(first["_json"]["count"], 1)
        self.assertEqual(second["_json"]["count"], 2)
        self.assertEqual(second["_json"]["token"], first["_json"]["token"])
        self.assertEqual(second["_json"]["pid"], first["_json"]["pid"])
        self.assertIsNotNone(self.report_line(first)["init"])
        self.assertIsNone(self.report_line(second)["init"])

    def test_node_environment_is_reused(self):
        name = self.create_function(self.unique("warm"), zip_bytes=node_stateful(),
                                    Runtime="nodejs20.x", Handler="index.handler",
                                    Timeout=30)["FunctionName"]
        first = self.invoke_ok(name, {})["_json"]
        second = self.invoke_ok(name, {})["_json"]
        self.assertEqual((first["count"], second["count"]), (1, 2))
        self.assertEqual(second["token"], first["token"])

    def test_update_configuration_retires_the_environment(self):
        name = self.create_function(self.unique("cfg"), zip_bytes=py_stateful(), Timeout=30,
                                    Environment={"Variables": {"STAGE": "one"}})["FunctionName"]
        before = self.invoke_ok(name, {})["_json"]
        self.assertEqual(self.invoke_ok(name, {})["_json"]["token"], before["token"])
        self.update_config(name, Environment={"Variables": {"STAGE": "two"}})
        after = self.invoke_ok(name, {})["_json"]
        self.assertNotEqual(after["token"], before["token"])
        self.assertEqual(after["count"], 1)
        self.assertEqual(after["env"], "two")
        # Any configuration change, not only the environment variables.
        self.update_config(name, MemorySize=256)
        again = self.invoke_ok(name, {})["_json"]
        self.assertNotEqual(again["token"], after["token"])
        self.assertEqual(again["count"], 1)

    def test_update_code_retires_the_environment(self):
        name = self.create_function(self.unique("code"), zip_bytes=py_stateful("old"),
                                    Timeout=30)["FunctionName"]
        before = self.invoke_ok(name, {})["_json"]
        self.assertEqual(before["marker"], "old")
        self.update_code(name, py_stateful("new"))
        after = self.invoke_ok(name, {})["_json"]
        self.assertEqual(after["marker"], "new")
        self.assertNotEqual(after["token"], before["token"])
        self.assertEqual(after["count"], 1)

    def test_node_update_code_retires_the_environment(self):
        name = self.create_function(self.unique("code"), zip_bytes=node_stateful("old"),
                                    Runtime="nodejs22.x", Handler="index.handler",
                                    Timeout=30)["FunctionName"]
        before = self.invoke_ok(name, {})["_json"]
        self.update_code(name, node_stateful("new"))
        after = self.invoke_ok(name, {})["_json"]
        self.assertEqual((before["marker"], after["marker"]), ("old", "new"))
        self.assertNotEqual(after["token"], before["token"])

    def test_versions_get_their_own_environments(self):
        name = self.create_function(self.unique("vers"), zip_bytes=py_stateful("a"),
                                    Timeout=30)["FunctionName"]
        self.publish(name)
        latest = self.invoke_ok(name, {})["_json"]
        v1 = self.invoke_ok(name, {}, Qualifier="1")["_json"]
        self.assertNotEqual(latest["token"], v1["token"])
        self.assertEqual(self.invoke_ok(name, {}, Qualifier="1")["_json"]["token"], v1["token"])
        self.assertEqual(self.invoke_ok(name, {})["_json"]["token"], latest["token"])

    def test_handler_error_keeps_the_environment(self):
        name = self.make_python(PY_STATEFUL.format(marker="m").replace(
            "    return {", "    if event.get('fail'):\n        raise RuntimeError('boom')\n"
                            "    return {", 1))
        first = self.invoke_ok(name, {})["_json"]
        self.assertFunctionError(self.invoke(name, {"fail": True}))
        after = self.invoke_ok(name, {})["_json"]
        self.assertEqual(after["token"], first["token"])
        self.assertEqual(after["count"], 3)


class InvokePayloadSizeTest(InvokeTestCase):
    ECHO = ("def handler(event, context):\n"
            "    if isinstance(event, dict) and 'respond_bytes' in event:\n"
            "        return 'x' * (event['respond_bytes'] - 2)  # plus the two quotes\n"
            "    return event\n")

    def test_5mb_request_echoed_intact(self):
        # I23
        name = self.make_python(self.ECHO, MemorySize=1024)
        event = {"data": "a" * (5 * 1024 * 1024), "tail": "\u00e9\u2603 end", "n": [1, 2, 3]}
        resp = self.invoke_ok(name, event)
        self.assertEqual(resp["_json"], event)

    def test_5mb_request_echoed_by_node(self):
        name = self.make_node("exports.handler = async (event) => event;\n", MemorySize=1024)
        event = {"data": "b" * (5 * 1024 * 1024), "k": "v"}
        payload = json.dumps(event, separators=(",", ":")).encode()
        resp = self.invoke_ok(name, raw_payload=payload)
        self.assertEqual(resp["_bytes"], payload)  # JSON.stringify keeps the compact form

    def test_response_over_6mb(self):
        # I16: the exact payload, and the next invoke works normally.
        name = self.make_python(self.ECHO, MemorySize=1024)
        resp = self.invoke(name, {"respond_bytes": 7 * 1024 * 1024})
        body = self.assertFunctionError(resp)
        self.assertEqual(list(body), ["errorMessage", "errorType"])
        self.assertEqual(body, {
            "errorMessage": "Response payload size exceeded maximum allowed payload size "
                            "(6291556 bytes).",
            "errorType": "Function.ResponseSizeTooLarge"})
        self.assertEqual(self.invoke_ok(name, {"small": 1})["_json"], {"small": 1})

    def test_response_of_exactly_6mb(self):
        name = self.make_python(self.ECHO, MemorySize=1024)
        resp = self.invoke_ok(name, {"respond_bytes": 6 * 1024 * 1024})
        self.assertEqual(len(resp["_bytes"]), 6 * 1024 * 1024)

    def test_request_over_6mb_rejected(self):
        name = self.make_python(self.ECHO)
        body = json.dumps({"data": "c" * (7 * 1024 * 1024)}).encode()
        resp = raw_request(self.endpoint, "POST", f"/2015-03-31/functions/{name}/invocations",
                           body)
        self.assertEqual(resp.status, 413, resp.body[:500])
        self.assertEqual(resp.header("x-amzn-errortype").split(":")[0],
                         "RequestEntityTooLargeException")
        self.assertTrue(resp.header("x-amzn-requestid"))
        # AWS: "RequestEntityTooLargeException: Request must be smaller than 6291456 bytes for
        # the InvokeFunction operation" (seen in pelmers/streetwarp-web#14); reference 0.1: this
        # code's body carries the message only, no Type.
        parsed = resp.json()
        self.assertNotIn("Type", parsed)
        message = parsed.get("message", parsed.get("Message"))
        self.assertEqual(message,
                         "Request must be smaller than 6291456 bytes for the InvokeFunction "
                         "operation")
        self.assertServerAlive()
        self.assertEqual(self.invoke_ok(name, {"ok": 1})["_json"], {"ok": 1})


if __name__ == "__main__":
    unittest.main()
