"""Invoke: what a function must not be able to do to the host, the server or other functions.

The server's data directory lives under /var/tmp here (DATA_DIR_OUTSIDE_TMP): every sandbox has a
private /tmp, so a data dir below the host's /tmp would be out of reach whatever its permissions.
The functions probe the host from inside their sandbox and report what happened; the test decides.
"""

import json
import os
import threading
import unittest
import uuid
from pathlib import Path

from harness import _http_get
from test_invoke_common import InvokeTestCase, sandbox_processes, wait_until

# A function that tries what the event asks and reports every outcome (never raises).
PROBE = '''
import errno, os, signal

def attempt(fn):
    try:
        return {"ok": True, "value": fn()}
    except BaseException as e:
        return {"ok": False, "error": type(e).__name__, "errno": getattr(e, "errno", None),
                "text": str(e)}

def read(path):
    with open(path, "rb") as f:
        return f.read(4096).decode("latin-1")

def write(path):
    with open(path, "w") as f:
        f.write("written by a function")
    return "written"

def handler(event, context):
    out = {"uid": os.getuid(), "gid": os.getgid(), "euid": os.geteuid()}
    out["read"] = {p: attempt(lambda p=p: read(p)) for p in event.get("read", [])}
    out["list"] = {p: attempt(lambda p=p: sorted(os.listdir(p))) for p in event.get("list", [])}
    out["write"] = {p: attempt(lambda p=p: write(p)) for p in event.get("write", [])}
    out["mkdir"] = {p: attempt(lambda p=p: os.mkdir(p)) for p in event.get("mkdir", [])}
    out["chmod"] = {p: attempt(lambda p=p: os.chmod(p, 0o777)) for p in event.get("chmod", [])}
    if "kill" in event:
        out["kill"] = attempt(lambda: os.kill(event["kill"], signal.SIGTERM))
    if event.get("setuid"):
        out["setuid"] = attempt(lambda: os.setuid(0))
    if event.get("environ"):
        out["environ"] = dict(os.environ)
        found = {}
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                found[pid] = attempt(lambda pid=pid: read("/proc/%s/environ" % pid))
        out["proc_environ"] = found
    return out
'''


class InvokeSecurityTest(InvokeTestCase):
    """The sandbox as the server gives it by default: as root, with a network namespace per
    environment (--function-network nat, or none where slirp4netns cannot run)."""

    DATA_DIR_OUTSIDE_TMP = True
    CANARY = "lambdalite-server-secret-" + uuid.uuid4().hex
    SERVER_ENV = {"IT_SERVER_SECRET": CANARY}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        status, body = _http_get("127.0.0.1", cls.server.port, "/_lambdalite/health", timeout=5)
        cls.health = json.loads(body)

    @property
    def own_network(self) -> bool:
        return self.health["function_network"] != "host"

    @property
    def rootless(self) -> bool:
        return self.health["isolation"] == "rootless"

    def probe(self, event, name=None, **kw):
        name = name or self.make_python(PROBE, **kw)
        return self.invoke_ok(name, event)["_json"]

    def host_files(self):
        """Every file and directory of the data dir, as the server left them."""
        paths = []
        for dirpath, dirnames, filenames in os.walk(self.server.data_dir):
            paths.append(dirpath)
            paths.extend(os.path.join(dirpath, f) for f in filenames)
        return paths

    def test_data_dir_is_outside_every_private_mount(self):
        # Guard for the other tests: the data dir must be a real host path under /var/tmp, whose
        # parent a sandbox can traverse.
        data = Path(self.server.data_dir)
        self.assertTrue(str(data).startswith("/var/tmp/"), data)
        self.assertTrue(os.stat(data.parent).st_mode & 0o005, "parent must be traversable")
        listing = self.probe({"list": [str(data.parent)]})["list"][str(data.parent)]
        self.assertTrue(listing["ok"], listing)
        self.assertEqual(listing["value"], ["data"])

    def test_cannot_read_the_data_dir_or_another_functions_code(self):
        secret = "victim-secret-" + uuid.uuid4().hex
        victim = self.make_python(f"SECRET = {secret!r}\n"
                                  "def handler(event, context):\n"
                                  "    print(SECRET)\n"
                                  "    return SECRET\n")
        self.assertEqual(self.invoke_ok(victim, {})["_json"], secret)  # code extracted, log written
        paths = self.host_files()
        extracted = [p for p in paths if p.endswith("handler.py")]
        self.assertTrue(extracted, f"no extracted handler.py under the data dir: {paths}")
        self.assertTrue(any(p.endswith(".zip") for p in paths), paths)
        self.assertTrue(any(p.endswith(".log") for p in paths), paths)
        files = [p for p in paths if os.path.isfile(p)]
        dirs = [p for p in paths if os.path.isdir(p)]
        report = self.probe({"read": files, "list": dirs})
        self.assertNotEqual(report["uid"], 0)
        leaked = {p: r for p, r in {**report["read"], **report["list"]}.items() if r["ok"]}
        self.assertEqual(leaked, {}, "a function could read the server's data directory")
        self.assertNotIn(secret, json.dumps(report))

    def test_cannot_read_the_servers_environment(self):
        report = self.probe({"environ": True, "read": [f"/proc/{self.server.proc.pid}/environ",
                                                       "/proc/1/environ"]})
        self.assertNotIn("IT_SERVER_SECRET", report["environ"])
        self.assertNotIn(self.CANARY, json.dumps(report),
                         "the server's environment is visible to a function")
        # /proc shows the sandbox's own processes only; its init (pid 1) is not the function's.
        self.assertFalse(report["read"]["/proc/1/environ"]["ok"], report["read"])

    def test_cannot_signal_the_server(self):
        name = self.make_python(PROBE)
        report = self.probe({"kill": self.server.proc.pid}, name=name)
        self.assertFalse(report["kill"]["ok"], "os.kill(<server pid>, SIGTERM) succeeded")
        self.assertIn(report["kill"]["error"], ("ProcessLookupError", "PermissionError"),
                      report["kill"])
        self.assertTrue(self.server.running())
        self.assertServerAnswers(name)
        self.assertEqual(self.probe({}, name=name)["uid"], report["uid"])

    def test_runs_unprivileged_with_a_per_environment_uid(self):
        first = self.probe({"setuid": True})
        second = self.probe({})
        for report in (first, second):
            self.assertNotEqual(report["uid"], 0)
            self.assertNotEqual(report["euid"], 0)
            self.assertNotEqual(report["gid"], 0)
        self.assertFalse(first["setuid"]["ok"], first["setuid"])
        if self.rootless:
            # One uid only (the server's), in a user namespace of each environment's own.
            self.assertEqual(first["uid"], self.RUN_AS)
            self.assertEqual(second["uid"], self.RUN_AS)
            return
        self.assertNotEqual(first["uid"], second["uid"],
                            "two functions' environments share a uid")

    def test_var_task_is_read_only(self):
        report = self.probe({"write": ["/var/task/new.py", "/var/task/handler.py"],
                             "mkdir": ["/var/task/dir"], "chmod": ["/var/task/handler.py"],
                             "read": ["/var/task/handler.py"]})
        self.assertTrue(report["read"]["/var/task/handler.py"]["ok"])
        for kind in ("write", "mkdir", "chmod"):
            for path, result in report[kind].items():
                with self.subTest(kind=kind, path=path):
                    self.assertFalse(result["ok"], f"{kind} {path} succeeded")
                    self.assertIn(result["errno"], (30, 13, 1), result)  # EROFS, EACCES, EPERM

    def test_tmp_is_writable_and_private(self):
        name = self.make_python(PROBE)
        token = uuid.uuid4().hex
        report = self.probe({"write": [f"/tmp/{token}"]}, name=name)
        self.assertTrue(report["write"][f"/tmp/{token}"]["ok"], report)
        self.assertFalse(os.path.exists(f"/tmp/{token}"), "the sandbox's /tmp is the host's")
        other = self.probe({"read": [f"/tmp/{token}"]})
        self.assertFalse(other["read"][f"/tmp/{token}"]["ok"],
                         "another function sees this function's /tmp")

    def test_cannot_write_to_the_host_filesystem(self):
        # Outside /tmp the host's root is read-only for a function ("read access as an
        # unprivileged user only"): a world-writable host directory such as /var/tmp must not
        # let one function leave files for the host or for other functions.
        token = uuid.uuid4().hex
        targets = [f"/var/tmp/lambdalite-it-{token}"]
        if os.path.isdir("/run/lock") and os.stat("/run/lock").st_mode & 0o002:
            targets.append(f"/run/lock/lambdalite-it-{token}")
        try:
            report = self.probe({"write": targets})
            written = {p: r for p, r in report["write"].items() if r["ok"]}
            on_host = [p for p in targets if os.path.exists(p)]
            self.assertEqual(written, {}, f"a function wrote to the host: {on_host}")
        finally:
            for path in targets:
                try:
                    os.unlink(path)
                except FileNotFoundError:
                    pass

    def test_cannot_reach_the_control_plane_or_host_services(self):
        # In a network namespace of its own, nothing on the host's loopback answers a function:
        # not the control plane (which trusts loopback callers when --auth-keys is off), not a
        # local service. Its own Runtime API is at AWS's address.
        if not self.own_network:
            self.skipTest("functions share the host's network here")
        import socket
        service = socket.socket()
        service.bind(("127.0.0.1", 0))
        service.listen(4)
        targets = [self.server.port, service.getsockname()[1]]
        name = self.make_python(
            "import os, socket\n"
            "def handler(event, context):\n"
            "    out = {'api': os.environ['AWS_LAMBDA_RUNTIME_API'], 'connect': {}}\n"
            "    for port in event['ports']:\n"
            "        try:\n"
            "            socket.create_connection(('127.0.0.1', port), timeout=2).close()\n"
            "            out['connect'][str(port)] = 'connected'\n"
            "        except OSError as e:\n"
            "            out['connect'][str(port)] = type(e).__name__\n"
            "    out['interfaces'] = sorted(n for _, n in socket.if_nameindex())\n"
            "    return out\n")
        try:
            report = self.invoke_ok(name, {"ports": targets})["_json"]
        finally:
            service.close()
        self.assertEqual(report["api"], "127.0.0.1:9001")
        for port in targets:
            self.assertEqual(report["connect"][str(port)], "ConnectionRefusedError", report)
        self.assertIn("lo", report["interfaces"])
        self.assertServerAnswers(name)

    def test_cannot_reach_another_environments_runtime_api(self):
        if self.own_network:
            self._runtime_api_is_out_of_reach_in_own_network()
        else:
            self._runtime_api_refuses_other_environments_on_the_host_network()

    def _runtime_api_is_out_of_reach_in_own_network(self):
        # Every environment's Runtime API is at 127.0.0.1:9001 of its own namespace: from
        # another environment that address is the caller's own endpoint, and the victim's is in
        # no namespace the attacker can enter. The victim keeps its warm environment.
        victim = self.make_python(
            "import os, uuid\nTOKEN = uuid.uuid4().hex\n"
            "def handler(event, context):\n"
            "    return {'api': os.environ['AWS_LAMBDA_RUNTIME_API'], 'token': TOKEN,\n"
            "            'event': event}\n")
        before = self.invoke_ok(victim, {})["_json"]
        self.assertEqual(before["api"], "127.0.0.1:9001")
        attacker = self.make_python(
            "import os\n"
            "def handler(event, context):\n"
            "    return {'netns': os.readlink('/proc/self/ns/net')}\n")
        victim_ns = self.make_python(
            "import os\n"
            "def handler(event, context):\n"
            "    return {'netns': os.readlink('/proc/self/ns/net')}\n")
        a = self.invoke_ok(attacker, {})["_json"]["netns"]
        b = self.invoke_ok(victim_ns, {})["_json"]["netns"]
        self.assertNotEqual(a, b, "two environments share a network namespace")
        self.assertNotEqual(a, os.readlink("/proc/self/ns/net"))
        after = self.invoke_ok(victim, {"again": True})["_json"]
        self.assertEqual(after["token"], before["token"], "the victim's environment was replaced")

    def _runtime_api_refuses_other_environments_on_the_host_network(self):
        # Each environment's Runtime API is its own: a function that talks to another
        # environment's endpoint could take its events (GET /next) or post its results. Every
        # endpoint is on the shared loopback, so the TCP handshake itself may succeed (the kernel
        # accepts before the server can check who connected); what matters is that no request
        # from another environment is ever answered, and that the victim does not notice.
        victim = self.make_python(
            "import os, uuid\nTOKEN = uuid.uuid4().hex\n"
            "def handler(event, context):\n"
            "    return {'api': os.environ['AWS_LAMBDA_RUNTIME_API'], 'token': TOKEN,\n"
            "            'uid': os.getuid(), 'event': event}\n")
        before = self.invoke_ok(victim, {})["_json"]
        attacker = self.make_python(
            "import http.client, os\n"
            "ATTEMPTS = [('GET', '/2018-06-01/runtime/invocation/next', None),\n"
            "            ('POST', '/2018-06-01/runtime/init/error', '{\"errorMessage\": \"x\"}')]\n"
            "def handler(event, context):\n"
            "    host, port = event['api'].rsplit(':', 1)\n"
            "    out = {'uid': os.getuid(), 'attempts': []}\n"
            "    for method, path, body in ATTEMPTS:\n"
            "        try:\n"
            "            conn = http.client.HTTPConnection(host, int(port), timeout=5)\n"
            "            conn.request(method, path, body=body)\n"
            "            resp = conn.getresponse()\n"
            "            out['attempts'].append({'path': path, 'answered': True,\n"
            "                                    'status': resp.status,\n"
            "                                    'body': resp.read().decode('latin-1')[:500]})\n"
            "        except BaseException as e:\n"
            "            out['attempts'].append({'path': path, 'answered': False,\n"
            "                                    'error': type(e).__name__, 'text': str(e)})\n"
            "    return out\n")
        report = self.invoke_ok(attacker, {"api": before["api"]})["_json"]
        self.assertNotEqual(report["uid"], before["uid"], "attacker and victim share a uid")
        self.assertEqual(len(report["attempts"]), 2, report)
        for attempt in report["attempts"]:
            with self.subTest(path=attempt["path"]):
                self.assertFalse(attempt["answered"],
                                 f"a function's request to another environment's Runtime API "
                                 f"({before['api']}) was answered: {attempt}")
                # Reset at once. Other failures are symptoms of a successful attack, not of a
                # refusal: a timeout means the request was accepted and parked (a long poll
                # waiting for the victim's next event), and a clean close or a refused connect
                # means the victim's endpoint went away (as it did before the fix, once the
                # attacker's poll had displaced the victim's).
                self.assertIn(attempt["error"], ("ConnectionResetError", "BrokenPipeError"),
                              attempt)
        # The victim's warm environment survived and receives its own event.
        event = {"secret": "for the victim only"}
        after = self.invoke_ok(victim, event)["_json"]
        self.assertEqual(after["token"], before["token"], "the victim's environment was replaced")
        self.assertEqual(after["event"], event)


class InvokeSecurityHostNetworkTest(InvokeSecurityTest):
    """The same, with --function-network host: the Runtime API on the host's loopback, guarded
    by the per-environment uid."""

    SERVER_ARGS = ("--function-network", "host")


class InvokeSecurityRootlessTest(InvokeSecurityTest):
    """The same sandbox tests with the server started as an unprivileged user (nobody): each
    environment in a user namespace of its own, the data directory hidden."""

    RUN_AS = 65534

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest("starting the server as another user needs root")
        super().setUpClass()
        if cls.health["isolation"] != "rootless":
            cls.tearDownClass()
            raise unittest.SkipTest("this kernel refuses unprivileged user namespaces: "
                                    f"{cls.health.get('warnings')}")


class InvokeResourceLimitsTest(InvokeTestCase):
    """Runaway functions are contained and the server keeps answering."""

    def wait_no_processes(self, uid):
        self.assertTrue(wait_until(lambda: not sandbox_processes(uid), timeout=60),
                        f"processes of sandbox uid {uid} still run: {sandbox_processes(uid)[:20]}")

    def test_fork_bomb_is_contained(self):
        name = self.make_python(
            "import os\n"
            "def handler(event, context):\n"
            "    if event.get('bomb'):\n"
            "        while True:\n"
            "            try:\n"
            "                os.fork()\n"
            "            except OSError:\n"
            "                pass\n"
            "    return {'uid': os.getuid()}\n", Timeout=4, MemorySize=256)
        uid = self.invoke_ok(name, {})["_json"]["uid"]
        results = {}

        def bomb():
            try:
                results["bomb"] = self.invoke(name, {"bomb": True})
            except Exception as exc:
                results["bomb"] = exc

        thread = threading.Thread(target=bomb, daemon=True)
        thread.start()
        try:
            # The control plane answers while the bomb goes off.
            while thread.is_alive():
                self.assertServerAnswers(name)
                thread.join(0.3)
        finally:
            thread.join(300)
        resp = results["bomb"]
        self.assertNotIsInstance(resp, Exception)
        body = self.assertFunctionError(resp)
        self.assertIn(body.get("errorType"),
                      ("Sandbox.Timedout", "Runtime.OutOfMemory", "Runtime.ExitError"), body)
        self.assertTrue(body["errorMessage"].startswith(f"RequestId: {resp['_rid']} Error: "), body)
        self.wait_no_processes(uid)
        self.assertServerAnswers(name)
        self.assertNotEqual(self.invoke_ok(name, {})["_json"]["uid"], 0)

    def test_file_descriptor_and_process_limits(self):
        # AWS: 1,024 file descriptors and 1,024 processes or threads per environment.
        name = self.make_python(
            "import os, resource\n"
            "def handler(event, context):\n"
            "    files = []\n"
            "    error = None\n"
            "    try:\n"
            "        for _ in range(4096):\n"
            "            files.append(os.open('/dev/null', os.O_RDONLY))\n"
            "    except OSError as e:\n"
            "        error = e.errno\n"
            "    for fd in files:\n"
            "        os.close(fd)\n"
            "    return {'nofile': resource.getrlimit(resource.RLIMIT_NOFILE),\n"
            "            'nproc': resource.getrlimit(resource.RLIMIT_NPROC),\n"
            "            'opened': len(files), 'errno': error}\n")
        body = self.invoke_ok(name, {})["_json"]
        self.assertEqual(body["nofile"], [1024, 1024])
        self.assertEqual(body["nproc"], [1024, 1024])
        self.assertEqual(body["errno"], 24, body)  # EMFILE
        self.assertLess(body["opened"], 1024)
        # The environment is fine afterwards.
        self.assertEqual(self.invoke_ok(name, {})["_json"]["errno"], 24)

    def test_infinite_loop_is_killed_at_timeout(self):
        name = self.make_python("import os\n"
                                "def handler(event, context):\n"
                                "    if event.get('spin'):\n"
                                "        while True:\n"
                                "            pass\n"
                                "    return {'uid': os.getuid()}\n", Timeout=2)
        uid = self.invoke_ok(name, {})["_json"]["uid"]
        resp = self.invoke(name, {"spin": True})
        self.assertTimedOut(resp, 2)
        self.wait_no_processes(uid)
        self.assertServerAnswers(name)
        self.assertIn("uid", self.invoke_ok(name, {})["_json"])

    def test_background_process_does_not_outlive_its_environment(self):
        # A child that detaches (new session, ignores SIGTERM/SIGHUP) dies with the environment.
        name = self.make_python(
            "import os, signal, time\n"
            "def handler(event, context):\n"
            "    if event.get('spawn'):\n"
            "        if os.fork() == 0:\n"
            "            os.setsid()\n"
            "            signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
            "            signal.signal(signal.SIGHUP, signal.SIG_IGN)\n"
            "            time.sleep(3600)\n"
            "            os._exit(0)\n"
            "        raise SystemExit(0)\n"
            "    return {'uid': os.getuid()}\n")
        uid = self.invoke_ok(name, {})["_json"]["uid"]
        body = self.assertFunctionError(self.invoke(name, {"spawn": True}))
        self.assertEqual(body["errorType"], "Runtime.ExitError")
        self.wait_no_processes(uid)
        self.assertServerAnswers(name)


if __name__ == "__main__":
    unittest.main()
