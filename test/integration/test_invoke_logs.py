"""Execution logs: the platform's records in both log formats, log stream names, and the
`lambdalite logs` command that reads and follows a function's log files.

AWS's system log records: Text writes INIT_START when an environment's init starts, then START,
END and REPORT per invocation. JSON (LoggingConfig.LogFormat) writes one object per record,
{"time", "type": "platform.<initStart|start|report>", "record"}, with no END; SystemLogLevel
WARN leaves those INFO records out. A custom log group's streams carry the function's name.
"""

import json
import re
import subprocess
import time
import unittest

from harness import find_binary
from test_invoke_common import InvokeTestCase, wait_until

STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
ECHO = "def handler(event, context):\n    print('out', event.get('n'))\n    return event\n"


class PlatformRecordsTest(InvokeTestCase):
    def logs_command(self, name: str, *extra: str) -> list[str]:
        return [str(find_binary()), "logs", name, "--data-dir", str(self.server.data_dir),
                "--region", self.lam.meta.region_name, *extra]

    def read_logs(self, name: str) -> list[str]:
        proc = subprocess.run(self.logs_command(name), capture_output=True, text=True,
                              timeout=60, check=False)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return proc.stdout.splitlines()

    def wait_for_logs(self, name: str, needle: str) -> list[str]:
        # The server writes log files in the background, a few milliseconds behind.
        lines: list[str] = []

        def found() -> bool:
            nonlocal lines
            lines = self.read_logs(name)
            return any(needle in line for line in lines)

        self.assertTrue(wait_until(found, timeout=30), f"{needle!r} not in {lines}")
        return lines

    def runtime_version_arn(self, name: str) -> str:
        cfg = self.lam.get_function(FunctionName=name)["Configuration"]
        return cfg["RuntimeVersionConfig"]["RuntimeVersionArn"]

    def test_text_log_file_has_init_start_once_then_each_frame(self):
        name = self.make_python(ECHO)
        first = self.invoke_ok(name, {"n": 1})["_rid"]
        second = self.invoke_ok(name, {"n": 2})["_rid"]
        lines = self.wait_for_logs(name, f"REPORT RequestId: {second}")
        for line in lines:
            self.assertRegex(line, f"^{STAMP} ")
        records = [line.split(" ", 1)[1] for line in lines]
        runtime = self.lam.get_function(FunctionName=name)["Configuration"]["Runtime"]
        family, release = re.match(r"^([a-z]+)(\d.*)$", runtime).groups()
        self.assertEqual(records[0], f"INIT_START Runtime Version: {family}:{release}.v1\t"
                                     f"Runtime Version ARN: {self.runtime_version_arn(name)}")
        self.assertEqual(sum(r.startswith("INIT_START") for r in records), 1, records)
        start = records.index(f"START RequestId: {first} Version: $LATEST")
        self.assertEqual(records[start + 1:start + 3], ["out 1", f"END RequestId: {first}"])
        self.assertTrue(records[start + 3].startswith(f"REPORT RequestId: {first}\t"))
        self.assertIn(f"START RequestId: {second} Version: $LATEST", records)

    def test_json_format_frames_with_platform_records(self):
        name = self.make_python("import logging\n" + ECHO.replace(
            "    print('out', event.get('n'))\n",
            "    logging.getLogger().info('n is %s', event.get('n'))\n"),
            LoggingConfig={"LogFormat": "JSON"}, MemorySize=192)
        arn = self.arn(name)
        for n, cold in ((1, True), (2, False)):
            with self.subTest(cold=cold):
                resp = self.invoke_ok(name, {"n": n}, LogType="Tail")
                rid = resp["_rid"]
                records = [json.loads(line) for line in self.log_lines(resp)]
                self.assertNotIn("END", resp["_log"])
                for record in records:
                    self.assertRegex(record.get("time") or record.get("timestamp"), f"^{STAMP}$")
                start, app, report = records
                self.assertEqual((start["type"], start["record"]),
                                 ("platform.start",
                                  {"requestId": rid, "functionArn": arn, "version": "$LATEST"}))
                self.assertEqual((app["level"], app["message"], app["requestId"]),
                                 ("INFO", f"n is {n}", rid))
                self.assertEqual(report["type"], "platform.report")
                self.assertEqual(report["record"]["requestId"], rid)
                self.assertEqual(report["record"]["status"], "success")
                metrics = report["record"]["metrics"]
                self.assertEqual(metrics["memorySizeMB"], 192)
                self.assertIsInstance(metrics["billedDurationMs"], int)
                self.assertGreaterEqual(metrics["billedDurationMs"], metrics["durationMs"])
                self.assertGreater(metrics["maxMemoryUsedMB"], 0)
                self.assertEqual("initDurationMs" in metrics, cold, metrics)
        lines = self.wait_for_logs(name, '"type":"platform.initStart"')
        init = json.loads(next(l for l in lines if "platform.initStart" in l).split(" ", 1)[1])
        self.assertEqual(init["record"]["initializationType"], "on-demand")
        self.assertEqual(init["record"]["phase"], "init")
        self.assertEqual(init["record"]["functionName"], name)
        self.assertEqual(init["record"]["functionVersion"], "$LATEST")
        self.assertEqual(init["record"]["runtimeVersionArn"], self.runtime_version_arn(name))
        self.assertEqual(init["record"]["instanceMaxMemory"], 192 * 1024 * 1024)
        self.assertRegex(init["record"]["instanceId"],
                         r"^\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$")

    def test_json_report_of_a_timeout(self):
        name = self.make_python("import time\ndef handler(event, context):\n    time.sleep(30)\n",
                                LoggingConfig={"LogFormat": "JSON"}, Timeout=1)
        resp = self.invoke(name, {}, LogType="Tail")
        self.assertTimedOut(resp, 1)
        report = json.loads(self.log_lines(resp)[-1])
        self.assertEqual(report["type"], "platform.report")
        self.assertEqual(report["record"]["status"], "timeout")
        self.assertNotIn("Task timed out", resp["_log"])

    def test_system_log_level_warn_leaves_out_info_records(self):
        name = self.make_python(ECHO, LoggingConfig={"LogFormat": "JSON",
                                                     "SystemLogLevel": "WARN"})
        resp = self.invoke_ok(name, {"n": 7}, LogType="Tail")
        self.assertEqual(self.log_lines(resp), ["out 7"])

    def test_custom_log_group_streams_name_the_function(self):
        name = self.make_python(
            "import os\ndef handler(event, context):\n"
            "    return [context.log_group_name, context.log_stream_name,\n"
            "            os.environ['AWS_LAMBDA_LOG_GROUP_NAME']]\n",
            LoggingConfig={"LogGroup": "/shared/app"})
        group, stream, env_group = self.invoke_ok(name, {})["_json"]
        self.assertEqual((group, env_group), ("/shared/app", "/shared/app"))
        self.assertRegex(stream, rf"^\d{{4}}/\d\d/\d\d/{re.escape(name)}\[\$LATEST\][0-9a-f]{{32}}$")

    def test_logs_follow_prints_what_is_appended(self):
        name = self.make_python(ECHO)
        self.invoke_ok(name, {"n": 1})
        proc = subprocess.Popen(self.logs_command(name, "--follow"), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        try:
            rid = self.invoke_ok(name, {"n": 2})["_rid"]
            seen: list[str] = []
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                line = proc.stdout.readline()
                if not line:
                    break
                seen.append(line)
                if f"REPORT RequestId: {rid}" in line:
                    break
            self.assertTrue(any(f"REPORT RequestId: {rid}" in l for l in seen), seen)
            self.assertTrue(any(l.endswith(" out 1\n") for l in seen), seen)
            self.assertIsNone(proc.poll(), "--follow exited on its own")
        finally:
            proc.kill()
            proc.communicate(timeout=10)

    def test_logs_of_an_unknown_function_print_nothing(self):
        self.assertEqual(self.read_logs(self.unique("nothing")), [])
        proc = subprocess.run([str(find_binary()), "logs"], capture_output=True, text=True,
                              timeout=60, check=False)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("usage: lambdalite logs FUNCTION", proc.stderr)


if __name__ == "__main__":
    unittest.main()
