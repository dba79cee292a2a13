"""Invoke: hardening inside the sandbox (issue 14, item 5).

A function tries what no Lambda function needs (new namespaces, mounts, ptrace, bpf, kernel
modules, writes outside /tmp) through ctypes and reports each outcome; the test asserts every one
was refused with the expected errno, that what a function does need (threads, subprocesses,
/dev/null, /dev/urandom, /tmp, /dev/shm) still works, and that the server keeps serving.
"""

import errno
import json
import os
import platform
import unittest
import uuid

from harness import _http_get
from test_invoke_common import InvokeTestCase

PROBE = r'''
import ctypes, errno, os, platform, subprocess, threading

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long

# x86_64 and aarch64 numbers of the calls glibc has no wrapper for.
SYS = {"x86_64": {"bpf": 321, "kexec_load": 246, "init_module": 175, "clone3": 435,
                  "open_tree": 428, "perf_event_open": 298, "keyctl": 250, "userfaultfd": 323},
       "aarch64": {"bpf": 280, "kexec_load": 104, "init_module": 105, "clone3": 435,
                   "open_tree": 428, "perf_event_open": 241, "keyctl": 219,
                   "userfaultfd": 282}}[platform.machine()]

def call(fn, *args):
    ctypes.set_errno(0)
    rc = fn(*args)
    return {"rc": rc, "errno": ctypes.get_errno() if rc == -1 else 0}

def attempt(fn):
    try:
        return {"ok": True, "value": fn()}
    except OSError as e:
        return {"ok": False, "errno": e.errno, "text": str(e)}

def write(path):
    with open(path, "w") as f:
        f.write("written by a function")
    return "written"

def thread():
    out = []
    t = threading.Thread(target=lambda: out.append("ran"))
    t.start()
    t.join()
    return out

def handler(event, context):
    calls = {
        "unshare_user": call(libc.unshare, 0x10000000),
        "unshare_mount": call(libc.unshare, 0x00020000),
        "unshare_net": call(libc.unshare, 0x40000000),
        "mount_tmpfs": call(libc.mount, b"none", b"/tmp", b"tmpfs", 0, None),
        "umount_proc": call(libc.umount2, b"/proc", 2),
        "ptrace_traceme": call(libc.ptrace, 0, 0, None, None),
        "ptrace_attach_init": call(libc.ptrace, 16, 1, None, None),
        "setns": call(libc.setns, 0, 0),
        "personality_no_aslr": call(libc.personality, 0x0040000),
        "bpf": call(libc.syscall, SYS["bpf"], 0, None, 0),
        "kexec_load": call(libc.syscall, SYS["kexec_load"], 0, 0, None, 0),
        "init_module": call(libc.syscall, SYS["init_module"], None, 0, b""),
        "open_tree": call(libc.syscall, SYS["open_tree"], -100, b"/", 1),
        "perf_event_open": call(libc.syscall, SYS["perf_event_open"], None, 0, -1, -1, 0),
        "keyctl": call(libc.syscall, SYS["keyctl"], 0, 0, 0, 0, 0),
        "userfaultfd": call(libc.syscall, SYS["userfaultfd"], 0),
        "clone3": call(libc.syscall, SYS["clone3"], None, 0),
    }
    writes = {p: attempt(lambda p=p: write(p)) for p in event["write"]}
    with open("/dev/urandom", "rb") as f:
        random_bytes = len(f.read(16))
    with open("/dev/null", "w") as f:
        f.write("discarded")
    return {
        "uid": os.getuid(),
        "calls": calls,
        "writes": writes,
        "dev": sorted(os.listdir("/dev")),
        "random_bytes": random_bytes,
        "thread": thread(),
        "subprocess": subprocess.run(["/bin/sh", "-c", "echo from a child"],
                                     capture_output=True, text=True).stdout,
        "unshare_command": subprocess.run(["unshare", "-U", "true"],
                                          capture_output=True).returncode,
    }
'''

NODE_PROBE = r'''
const fs = require("fs");
const { execFileSync } = require("child_process");
exports.handler = async () => {
  let write;
  try { fs.writeFileSync("/var/task/x", "x"); write = "written"; } catch (e) { write = e.code; }
  fs.writeFileSync("/tmp/node-ok", "x");
  return {
    dev: fs.readdirSync("/dev").sort(),
    write,
    child: execFileSync("/bin/sh", ["-c", "echo from a child"]).toString(),
    unshare: (() => {
      try { execFileSync("unshare", ["-U", "true"], { stdio: "ignore" }); return 0; }
      catch (e) { return e.status; }
    })(),
  };
};
'''

EXPECTED_DEV = ["fd", "full", "null", "ptmx", "pts", "random", "shm", "stderr", "stdin", "stdout",
                "tty", "urandom", "zero"]


@unittest.skipUnless(platform.machine() in ("x86_64", "aarch64"), "filter is x86_64/aarch64 only")
class InvokeHardeningTest(InvokeTestCase):
    DATA_DIR_OUTSIDE_TMP = True

    def test_refuses_what_a_function_never_needs(self):
        name = self.make_python(PROBE)
        token = uuid.uuid4().hex
        outside = ["/var/task/x", "/opt/x", "/etc/x", "/x", "/root/x", "/var/runtime/x",
                   "/var/tmp/lambdalite-hardening-" + token, "/usr/x", "/dev/x"]
        inside = ["/tmp/x", "/dev/shm/x"]
        try:
            report = self.invoke_ok(name, {"write": outside + inside})["_json"]
        finally:
            try:
                os.unlink("/var/tmp/lambdalite-hardening-" + token)
            except FileNotFoundError:
                pass
        self.assertNotEqual(report["uid"], 0)
        for call, result in report["calls"].items():
            with self.subTest(call=call):
                expected = errno.ENOSYS if call == "clone3" else errno.EPERM
                self.assertEqual(result, {"rc": -1, "errno": expected})
        for path in outside:
            with self.subTest(write=path):
                result = report["writes"][path]
                self.assertFalse(result["ok"], f"a function wrote {path}")
                self.assertIn(result["errno"], (errno.EROFS, errno.EACCES), result)
        for path in inside:
            self.assertTrue(report["writes"][path]["ok"], report["writes"][path])
        if os.geteuid() == 0:  # without root there is no mount namespace: the host's /dev
            self.assertEqual(report["dev"], EXPECTED_DEV)
        self.assertEqual(report["random_bytes"], 16)
        self.assertEqual(report["thread"], ["ran"])
        self.assertEqual(report["subprocess"], "from a child\n")
        self.assertNotEqual(report["unshare_command"], 0)
        # The environment and the server carry on.
        self.assertServerAnswers(name)
        again = self.invoke_ok(name, {"write": ["/tmp/y"]})["_json"]
        self.assertTrue(again["writes"]["/tmp/y"]["ok"])

    def test_node_runs_under_the_same_walls(self):
        name = self.make_node(NODE_PROBE)
        report = self.invoke_ok(name, {})["_json"]
        if os.geteuid() == 0:
            self.assertEqual(report["dev"], EXPECTED_DEV)
        self.assertIn(report["write"], ("EROFS", "EACCES"))
        self.assertEqual(report["child"], "from a child\n")
        self.assertNotEqual(report["unshare"], 0)
        self.assertServerAnswers(name)


class InvokeHardeningRootlessTest(InvokeHardeningTest):
    """The same walls with the server started as an unprivileged user (nobody)."""

    RUN_AS = 65534

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest("starting the server as another user needs root")
        super().setUpClass()
        status, body = _http_get("127.0.0.1", cls.server.port, "/_lambdalite/health", timeout=5)
        health = json.loads(body)
        if health["isolation"] != "rootless":
            cls.tearDownClass()
            raise unittest.SkipTest("this kernel refuses unprivileged user namespaces: "
                                    f"{health.get('warnings')}")


USERNS_PROBE = r'''
import ctypes, subprocess
libc = ctypes.CDLL(None, use_errno=True)

def handler(event, context):
    # In a child: the runtime itself must stay in its own namespaces.
    child = subprocess.run(["unshare", "-U", "-r", "id", "-u"], capture_output=True, text=True)
    return {"unshare_command": [child.returncode, child.stdout],
            "ptrace": libc.ptrace(0, 0, None, None) == -1 and ctypes.get_errno()}
'''


def kernel_allows_user_namespaces() -> bool:
    try:
        return int(open("/proc/sys/user/max_user_namespaces").read()) > 0 and \
            open("/proc/sys/kernel/unprivileged_userns_clone").read().strip() != "0"
    except FileNotFoundError:
        return True
    except ValueError:
        return False


@unittest.skipUnless(platform.machine() in ("x86_64", "aarch64"), "filter is x86_64/aarch64 only")
class InvokeUserNamespacesAllowedTest(InvokeTestCase):
    SERVER_ARGS = ("--user-namespaces", "allow")

    @unittest.skipUnless(kernel_allows_user_namespaces(), "the kernel refuses user namespaces")
    def test_user_namespaces_when_the_server_allows_them(self):
        report = self.invoke_ok(self.make_python(USERNS_PROBE), {})["_json"]
        # Root inside its own user namespace only; everything else stays refused.
        self.assertEqual(report["unshare_command"], [0, "0\n"])
        self.assertEqual(report["ptrace"], errno.EPERM)


if __name__ == "__main__":
    unittest.main()
