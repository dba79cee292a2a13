"""The server's own contract: `lambdalite --version`, `serve` flags and LAMBDALITE_* environment,
--port 0 with --port-file, the startup line, /_lambdalite/health, SIGTERM, request ids."""

import base64
import re
import shutil
import subprocess
import tempfile
import threading
import unittest
from pathlib import Path

from harness import (DEFAULT_ACCOUNT, LambdaliteServer, LambdaliteTestCase, ROLE_ARN,
                     create_function, find_binary, free_port, function_arn, lambda_client,
                     python_zip, raw_request, unique_name)


def create_body(name: str) -> str:
    return ('{"FunctionName": "%s", "Runtime": "python3.12", "Role": "%s", '
            '"Handler": "handler.handler", "Code": {"ZipFile": "%s"}}'
            % (name, ROLE_ARN, base64.b64encode(python_zip()).decode()))


class VersionTest(unittest.TestCase):
    def test_version_flag(self):
        proc = subprocess.run([str(find_binary()), "--version"], capture_output=True, text=True,
                              timeout=30)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertRegex(proc.stdout + proc.stderr, r"\d+\.\d+\.\d+")


class StartupTest(unittest.TestCase):
    def start(self, **kw) -> LambdaliteServer:
        server = LambdaliteServer(**kw)
        self.addCleanup(server.cleanup)
        return server.start()

    def test_port_file_startup_line_and_health(self):
        server = self.start()
        self.assertGreater(server.port, 0)
        self.assertIn(f"lambdalite listening on http://127.0.0.1:{server.port}", server.log_tail())
        status, body = server.health()
        self.assertEqual(status, 200)
        self.assertEqual(body["status"], "ok")
        resp = raw_request(server.endpoint, "GET", "/_lambdalite/health")
        self.assertIn("json", resp.header("content-type") or "")

    def test_sigterm_is_graceful(self):
        server = self.start()
        c = lambda_client(server.endpoint)
        create_function(c, unique_name("term"))
        self.assertEqual(server.stop(), 0, server.log_tail())

    def test_sigterm_while_requests_are_running(self):
        server = self.start()
        c = lambda_client(server.endpoint)
        stop = threading.Event()
        errors = []

        def hammer():
            while not stop.is_set():
                try:
                    c.list_functions()
                except Exception as exc:  # noqa: BLE001 - connection errors are expected here
                    errors.append(exc)
                    return

        threads = [threading.Thread(target=hammer) for _ in range(4)]
        for t in threads:
            t.start()
        try:
            code = server.stop()
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=30)
        self.assertEqual(code, 0, server.log_tail())

    def test_two_servers_do_not_share_state_or_ports(self):
        a, b = self.start(), self.start()
        self.assertNotEqual(a.port, b.port)
        name = unique_name("iso")
        create_function(lambda_client(a.endpoint), name)
        self.assertNotIn(name, [f["FunctionName"] for f in
                                lambda_client(b.endpoint).list_functions()["Functions"]])

    def test_account_and_region_flags(self):
        server = self.start(args=("--account", "210987654321", "--region", "eu-central-1"))
        name = unique_name("flags")
        created = raw_request(server.endpoint, "POST", "/2015-03-31/functions", create_body(name))
        self.assertEqual(created.status, 201, created.body[:300])
        self.assertEqual(created.json()["FunctionArn"],
                         function_arn(name, region="eu-central-1", account="210987654321"))
        # A signed request still uses its own credential scope.
        signed = lambda_client(server.endpoint, "us-west-2")
        self.assertNotIn(name, [f["FunctionName"] for f in signed.list_functions()["Functions"]])

    def test_environment_equivalents(self):
        tmp = Path(tempfile.mkdtemp(prefix="lambdalite-env-"))
        self.addCleanup(shutil.rmtree, tmp, True)
        data_dir = tmp / "envdata"
        server = LambdaliteServer(env={"LAMBDALITE_ACCOUNT": "222233334444",
                                       "LAMBDALITE_REGION": "ap-south-1",
                                       "LAMBDALITE_DATA_DIR": str(data_dir)})
        self.addCleanup(server.cleanup)
        # Drop --data-dir from the command so LAMBDALITE_DATA_DIR is what decides.
        server.command = lambda: [str(server.binary), "serve", "--host", "127.0.0.1", "--port", "0",
                                  "--port-file", str(server.port_file)]
        server.start()
        resp = raw_request(server.endpoint, "GET", "/2015-03-31/functions")
        self.assertEqual(resp.status, 200, resp.body[:300])
        name = unique_name("envscope")
        created = raw_request(server.endpoint, "POST", "/2015-03-31/functions", create_body(name))
        self.assertEqual(created.status, 201, created.body[:300])
        self.assertEqual(created.json()["FunctionArn"],
                         function_arn(name, region="ap-south-1", account="222233334444"))
        server.stop()
        self.assertTrue(data_dir.exists() and any(data_dir.iterdir()),
                        "LAMBDALITE_DATA_DIR was not used for the data")

    def test_port_env(self):
        port = free_port()
        server = LambdaliteServer(env={"LAMBDALITE_PORT": str(port)})
        self.addCleanup(server.cleanup)
        server.command = lambda: [str(server.binary), "serve", "--host", "127.0.0.1",
                                  "--data-dir", str(server.data_dir),
                                  "--port-file", str(server.port_file)]
        server.start()
        self.assertEqual(server.port, port)


class RequestIdTest(LambdaliteTestCase):
    def test_every_response_has_a_request_id(self):
        name = self.unique("rid")
        ids = set()
        for resp in (self.create_function(name), self.client.get_function(FunctionName=name),
                     self.client.list_functions(), self.client.get_account_settings()):
            rid = resp["ResponseMetadata"]["HTTPHeaders"].get("x-amzn-requestid")
            self.assertTrue(rid)
            ids.add(rid)
        self.assertEqual(len(ids), 4, "request ids must be unique")
        self.assertTrue(all(re.fullmatch(r"[0-9a-f-]{36}", i) for i in ids), ids)

    def test_content_type_json(self):
        resp = raw_request(self.endpoint, "GET", "/2015-03-31/functions")
        self.assertEqual(resp.status, 200)
        self.assertIn("application/json", resp.header("content-type"))
        self.assertIsInstance(resp.json()["Functions"], list)

    def test_account_in_arns(self):
        resp = self.create_function(self.unique("acct"))
        self.assertIn(f":{DEFAULT_ACCOUNT}:", resp["FunctionArn"])


if __name__ == "__main__":
    unittest.main()
