"""--function-network: what a function's network reaches, in each mode.

The outbound target is a test host of our own: a network namespace this test makes (ip netns,
a veth pair with a /30 of its own) running a small HTTP server. No other address is ever
contacted. Functions reach it only through the network the server gives them:
  nat   its own namespace plus slirp4netns: the test host answers, the host's loopback (127.0.0.1
        and slirp's 10.0.2.2 gateway alias of it) does not;
  none  its own namespace with the Runtime API only: nothing outside answers;
  host  the host's network: everything the host reaches, its loopback included.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import unittest
import uuid

from harness import _http_get
from test_invoke_common import InvokeTestCase

# Connects to each (host, port) of the event and reports the first bytes of the answer.
PROBE = '''
import os, socket

def handler(event, context):
    out = {"api": os.environ["AWS_LAMBDA_RUNTIME_API"],
           "interfaces": sorted(n for _, n in socket.if_nameindex()), "targets": {}}
    for host, port in event["targets"]:
        key = "%s:%d" % (host, port)
        try:
            with socket.create_connection((host, port), timeout=3) as s:
                s.sendall(b"GET / HTTP/1.0\\r\\nHost: test\\r\\n\\r\\n")
                data = b""
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            out["targets"][key] = {"ok": True, "body": data.decode("latin-1")[-64:]}
        except OSError as e:
            out["targets"][key] = {"ok": False, "error": type(e).__name__}
    return out
'''

TEST_HOST_SERVER = '''
import http.server, sys

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"hello from the test host"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

http.server.HTTPServer((sys.argv[1], int(sys.argv[2])), Handler).serve_forever()
'''


def _run(*args: str) -> None:
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


class TestHost:
    """A network namespace with one veth link to the host and an HTTP server in it."""

    PORT = 8080

    def __init__(self):
        tag = uuid.uuid4().hex[:6]
        self.netns = f"lltest-{tag}"
        self.host_if = f"llh{tag}"
        self.peer_if = f"llp{tag}"
        # A /30 of the private range per test host: it exists only on the veth link between
        # the host and this namespace.
        octet = int(tag[:2], 16) % 250 + 1
        self.host_ip = f"10.213.{octet}.1"
        self.address = f"10.213.{octet}.2"
        self.server: subprocess.Popen | None = None

    def start(self) -> "TestHost":
        _run("ip", "netns", "add", self.netns)
        try:
            _run("ip", "link", "add", self.host_if, "type", "veth", "peer", "name", self.peer_if)
            _run("ip", "link", "set", self.peer_if, "netns", self.netns)
            _run("ip", "addr", "add", f"{self.host_ip}/30", "dev", self.host_if)
            _run("ip", "link", "set", self.host_if, "up")
            _run("ip", "netns", "exec", self.netns, "ip", "addr", "add", f"{self.address}/30",
                 "dev", self.peer_if)
            _run("ip", "netns", "exec", self.netns, "ip", "link", "set", self.peer_if, "up")
            _run("ip", "netns", "exec", self.netns, "ip", "link", "set", "lo", "up")
            self.server = subprocess.Popen(
                ["ip", "netns", "exec", self.netns, "python3", "-c", TEST_HOST_SERVER,
                 self.address, str(self.PORT)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self._wait_until_serving()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_serving(self) -> None:
        import socket
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((self.address, self.PORT), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the test host's server did not start")

    def stop(self) -> None:
        if self.server is not None:
            self.server.kill()
            self.server.wait(timeout=10)
            self.server = None
        subprocess.run(["ip", "link", "del", self.host_if], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        subprocess.run(["ip", "netns", "del", self.netns], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)


def _can_make_test_hosts() -> bool:
    return os.geteuid() == 0 and shutil.which("ip") is not None


class FunctionNetworkTestCase(InvokeTestCase):
    MODE = "nat"

    @classmethod
    def setUpClass(cls):
        if not _can_make_test_hosts():
            raise unittest.SkipTest("making a test host (ip netns) needs root and iproute2")
        cls.SERVER_ARGS = ("--function-network", cls.MODE)
        super().setUpClass()
        status, body = _http_get("127.0.0.1", cls.server.port, "/_lambdalite/health", timeout=5)
        cls.health = json.loads(body)
        try:
            cls.test_host = TestHost().start()
        except BaseException:
            super().tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.test_host.stop()
        super().tearDownClass()

    def probe(self, targets):
        name = self.make_python(PROBE)
        return self.invoke_ok(name, {"targets": targets})["_json"]

    def target(self):
        return [self.test_host.address, TestHost.PORT]


class NatNetworkTest(FunctionNetworkTestCase):
    MODE = "nat"

    def setUp(self):
        if self.health["function_network"] != "nat":
            self.skipTest(f"no NAT on this host: {self.health.get('warnings')}")

    def test_reaches_other_hosts_but_not_the_hosts_loopback(self):
        server_port = self.server.port
        report = self.probe([self.target(), ["127.0.0.1", server_port],
                             ["10.0.2.2", server_port]])
        self.assertEqual(report["api"], "127.0.0.1:9001")
        self.assertIn("tap0", report["interfaces"])
        outbound = report["targets"][f"{self.test_host.address}:{TestHost.PORT}"]
        self.assertTrue(outbound["ok"], report)
        self.assertIn("hello from the test host", outbound["body"])
        for key in (f"127.0.0.1:{server_port}", f"10.0.2.2:{server_port}"):
            self.assertFalse(report["targets"][key]["ok"],
                             f"a function reached the host's loopback at {key}: {report}")
        self.assertServerAnswers(self.make_python(PROBE))

    def test_resolver_is_the_nats(self):
        name = self.make_python("def handler(event, context):\n"
                                "    return open('/etc/resolv.conf').read()\n")
        self.assertEqual(self.invoke_ok(name, {})["_json"], "nameserver 10.0.2.3\n")


class NoNetworkTest(FunctionNetworkTestCase):
    MODE = "none"

    def test_reaches_nothing_but_its_runtime_api(self):
        self.assertEqual(self.health["function_network"], "none")
        report = self.probe([self.target(), ["127.0.0.1", self.server.port]])
        self.assertEqual(report["api"], "127.0.0.1:9001")
        self.assertEqual(report["interfaces"], ["lo"])
        for key, result in report["targets"].items():
            self.assertFalse(result["ok"], f"{key} answered a function without a network")


class HostNetworkTest(FunctionNetworkTestCase):
    MODE = "host"

    def test_shares_the_hosts_network(self):
        self.assertEqual(self.health["function_network"], "host")
        report = self.probe([self.target(), ["127.0.0.1", self.server.port]])
        self.assertNotEqual(report["api"], "127.0.0.1:9001")
        for key, result in report["targets"].items():
            self.assertTrue(result["ok"], f"{key} did not answer on the host network: {report}")


if __name__ == "__main__":
    unittest.main()
