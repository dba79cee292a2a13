"""Invoke: pre-started runtimes.

After a cold start of a python (or node) function, lambdalite keeps a runtime of that kind started
ahead of need (sandbox built, interpreter loaded, no function yet). The next cold start of any such
function activates it: the code appears at /var/task, the memory limit becomes the function's, and the
runtime gets the function's environment before it looks at anything. These tests prove the
activated runtime is indistinguishable from one started for the function, and that a function
whose configuration changes how the interpreter starts (PYTHONPATH here) still gets it.

Whether a start used a pre-started runtime is read from the runtime process's age, measured by
the function itself: a pre-started one is older than the function.
"""

import os
import time
import unittest
from pathlib import Path

from test_invoke_common import InvokeTestCase

PY_INSPECT = '''
import os, sys, time

def _age():
    with open("/proc/uptime") as f:
        up = float(f.read().split()[0])
    with open("/proc/self/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return up - int(fields[19]) / os.sysconf("SC_CLK_TCK")  # starttime, field 22

def _memory_limit():
    with open("/proc/self/cgroup") as f:
        for line in f:
            _, controllers, path = line.strip().split(":", 2)
            for name, base in (("memory", "/sys/fs/cgroup/memory"), ("", "/sys/fs/cgroup")):
                if name in controllers.split(",") or (not name and not controllers):
                    for leaf in ("memory.limit_in_bytes", "memory.max"):
                        try:
                            with open(base + path + "/" + leaf) as limit:
                                return int(limit.read())
                        except (OSError, ValueError):
                            pass
    return None

INIT_CWD = os.getcwd()

def handler(event, context):
    return {
        "age": _age(),
        "environ": dict(os.environ),
        "cwd": os.getcwd(),
        "init_cwd": INIT_CWD,
        "tzname": list(time.tzname),
        "memory_limit": _memory_limit(),
        "sys_path": sys.path,
        "stdin_is_devnull": os.path.realpath("/proc/self/fd/0") == "/dev/null",
    }
'''


NODE_INSPECT = '''
const fs = require("fs");
const INIT_CWD = process.cwd();
exports.handler = async () => {
  const up = parseFloat(fs.readFileSync("/proc/uptime", "utf8").split(" ")[0]);
  const stat = fs.readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 1).trim().split(/\\s+/);
  return {
    age: up - Number(fields[19]) / 100,  // starttime, field 22, in USER_HZ (100 on Linux)
    environ: { ...process.env },
    cwd: process.cwd(),
    init_cwd: INIT_CWD,
    winter_noon_utc: new Date(Date.UTC(2026, 0, 15, 12)).toString(),
    heap_limit_mb: Math.round(require("v8").getHeapStatistics().heap_size_limit / 1048576),
  };
};
'''


def prestarted_runtimes(server_pid: int) -> list[int]:
    """Host pids of the server's pre-started runtimes that have not been activated yet: the
    runtime is a child of the sandbox's init, itself a child of the server."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
            if b"_LAMBDALITE_PRESTARTED=1" not in environ:
                continue
            init = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            parent = int(Path(f"/proc/{init}/stat").read_text().rsplit(")", 1)[1].split()[1])
            # Activated runtimes keep their original environment block: skip those whose
            # stdin is no longer the activation pipe.
            stdin = os.readlink(entry / "fd" / "0")
        except (OSError, ValueError, IndexError):
            continue
        if parent == server_pid and stdin.startswith("pipe:"):
            found.append(int(entry.name))
    return found


@unittest.skipUnless(os.geteuid() == 0, "pre-started runtimes need the sandbox (root)")
class PrestartedRuntimeTest(InvokeTestCase):
    def wait_for_prestarted(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if prestarted_runtimes(self.server.proc.pid):
                return
            time.sleep(0.05)
        self.fail("no pre-started runtime appeared after a cold start")

    def test_a_cold_start_activates_a_prestarted_runtime_faithfully(self):
        first = self.make_python(PY_INSPECT)
        self.invoke_ok(first, {})  # a cold start: lambdalite now pre-starts python runtimes
        self.wait_for_prestarted()
        time.sleep(1.5)  # the waiting runtime ages; one started on demand would be younger

        name = self.make_python(PY_INSPECT, MemorySize=256, Environment={"Variables": {
            "GREETING": "hello", "TZ": "America/New_York"}})
        resp = self.invoke_ok(name, {}, LogType="Tail")
        out = resp["_json"]
        self.assertGreaterEqual(out["age"], 1.0, "the runtime was not pre-started")
        env = out["environ"]
        self.assertEqual(env["GREETING"], "hello")
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_NAME"], name)
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "256")
        self.assertEqual(env["_HANDLER"], "handler.handler")
        self.assertIn("AWS_LAMBDA_RUNTIME_API", env)
        self.assertNotIn("_LAMBDALITE_PRESTARTED", env)
        self.assertEqual(out["cwd"], "/var/task")
        self.assertEqual(out["init_cwd"], "/var/task")
        self.assertEqual(out["sys_path"][0], "/var/task")
        self.assertIn(out["tzname"][0], ("EST", "EDT"))
        self.assertTrue(out["stdin_is_devnull"])
        if out["memory_limit"] is not None:
            self.assertEqual(out["memory_limit"], 256 * 1024 * 1024)
        log = resp["_log"]
        self.assertIn("Init Duration:", log)
        self.assertIn("Memory Size: 256 MB", log)

        # The same environment serves the next call (it is a normal environment now).
        again = self.invoke_ok(name, {})["_json"]
        self.assertGreaterEqual(again["age"], out["age"])

    def test_node_runtimes_are_prestarted_too(self):
        first = self.make_node(NODE_INSPECT)
        self.invoke_ok(first, {})
        self.wait_for_prestarted()
        time.sleep(1.5)
        name = self.make_node(NODE_INSPECT, Environment={"Variables": {
            "GREETING": "hello", "TZ": "America/New_York"}})
        out = self.invoke_ok(name, {})["_json"]
        self.assertGreaterEqual(out["age"], 1.0, "the runtime was not pre-started")
        self.assertEqual(out["environ"]["GREETING"], "hello")
        self.assertEqual(out["environ"]["AWS_LAMBDA_FUNCTION_NAME"], name)
        self.assertNotIn("_LAMBDALITE_PRESTARTED", out["environ"])
        self.assertEqual(out["cwd"], "/var/task")
        self.assertEqual(out["init_cwd"], "/var/task")
        self.assertIn("GMT-0500", out["winter_noon_utc"])

        # NODE_OPTIONS changes how node starts: that function starts on demand, with it applied.
        name = self.make_node(NODE_INSPECT + "\nglobalThis.unused = 1;\n",
                              Environment={"Variables": {"NODE_OPTIONS": "--max-old-space-size=100"}})
        out = self.invoke_ok(name, {})["_json"]
        self.assertEqual(out["environ"]["NODE_OPTIONS"], "--max-old-space-size=100")
        self.assertLess(out["heap_limit_mb"], 300)  # node's default here is in gigabytes

    def test_interpreter_variables_are_in_effect_from_the_start(self):
        first = self.make_python(PY_INSPECT)
        self.invoke_ok(first, {})
        self.wait_for_prestarted()
        name = self.make_python(PY_INSPECT, Environment={"Variables": {
            "PYTHONPATH": "/var/task/extra"}})
        out = self.invoke_ok(name, {})["_json"]
        self.assertIn("/var/task/extra", out["sys_path"])
        self.assertEqual(out["environ"]["PYTHONPATH"], "/var/task/extra")

    def test_other_tmp_sizes_and_runtimes_still_start(self):
        first = self.make_python(PY_INSPECT)
        self.invoke_ok(first, {})
        self.wait_for_prestarted()
        name = self.make_python(PY_INSPECT, EphemeralStorage={"Size": 1024})
        out = self.invoke_ok(name, {})["_json"]
        self.assertEqual(out["cwd"], "/var/task")
        self.assertEqual(out["environ"]["AWS_LAMBDA_FUNCTION_NAME"], name)


if __name__ == "__main__":
    unittest.main()
