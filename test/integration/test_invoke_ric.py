"""Third-party client proof: AWS's own Node.js runtime interface client, aws-lambda-ric@4.0.2 from
npm, runs a provided.al2023 function against lambdalite's Runtime API.

setUpClass runs `npm install aws-lambda-ric@4.0.2` in a temporary directory (the package builds a
native addon, so this takes a few minutes); the tests are skipped, with the reason, when npm, node
or the registry is not available. LAMBDALITE_IT_RIC_DIR may point at a directory where that exact
version is already installed, to skip the install.

The package's bin (package.json "bin") is `aws-lambda-ric` -> index.mjs. Version 4 reads the
handler from _HANDLER and the task root from LAMBDA_TASK_ROOT (its README runs it as
`aws-lambda-ric index.handler`); it declares node >= 22 and runs on older Node.js too.
"""

import json
import os
import re
import shutil
import stat
import subprocess
import tempfile
import unittest
from pathlib import Path

from test_invoke_common import InvokeTestCase, zip_tree

RIC_VERSION = "4.0.2"
NPM_TIMEOUT = 1200

HANDLER = """\
exports.handler = async (event, context) => {
  console.log('ric says hi', JSON.stringify(event));
  if (event.fail) throw new Error('ric handler fails');
  return {ric: true, event, requestId: context.awsRequestId,
          functionName: context.functionName, arn: context.invokedFunctionArn};
};
"""


def _installed_version(root: Path) -> str | None:
    try:
        return json.loads((root / "node_modules" / "aws-lambda-ric" / "package.json")
                          .read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None


class InvokeThirdPartyRicTest(InvokeTestCase):
    @classmethod
    def setUpClass(cls):
        cls.install_dir = None
        cls.own_dir = False
        preset = os.environ.get("LAMBDALITE_IT_RIC_DIR")
        if preset and _installed_version(Path(preset)) == RIC_VERSION:
            cls.install_dir = Path(preset)
        else:
            npm = shutil.which("npm")
            if not npm or not os.access("/usr/bin/node", os.X_OK):
                raise unittest.SkipTest("npm or /usr/bin/node is not installed: cannot fetch "
                                        f"aws-lambda-ric@{RIC_VERSION}")
            cls.install_dir = Path(tempfile.mkdtemp(prefix="lambdalite-it-ric-"))
            cls.own_dir = True
            try:
                proc = subprocess.run(
                    [npm, "install", "--no-audit", "--no-fund", "--no-save",
                     f"aws-lambda-ric@{RIC_VERSION}"],
                    cwd=cls.install_dir, capture_output=True, text=True, timeout=NPM_TIMEOUT,
                    stdin=subprocess.DEVNULL)
                failure = None if proc.returncode == 0 else \
                    f"exit {proc.returncode}: {(proc.stderr or proc.stdout)[-1500:]}"
            except (OSError, subprocess.TimeoutExpired) as exc:
                failure = repr(exc)
            if failure is None and _installed_version(cls.install_dir) != RIC_VERSION:
                failure = "the package is not in node_modules after the install"
            if failure is not None:
                shutil.rmtree(cls.install_dir, ignore_errors=True)
                raise unittest.SkipTest(f"npm install aws-lambda-ric@{RIC_VERSION} failed "
                                        f"(network or build tools?): {failure}")
        package = json.loads((cls.install_dir / "node_modules" / "aws-lambda-ric" /
                              "package.json").read_text())
        bins = package.get("bin") or {}
        if isinstance(bins, str):
            bins = {package["name"]: bins}
        cls.bin_name, cls.bin_target = next(iter(bins.items()))
        try:
            super().setUpClass()
        except BaseException:
            if cls.own_dir:
                shutil.rmtree(cls.install_dir, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            if cls.own_dir and os.environ.get("LAMBDALITE_KEEP_TMP") != "1":
                shutil.rmtree(cls.install_dir, ignore_errors=True)

    def package(self, bootstrap: str, *, keep_symlinks: bool = True) -> bytes:
        return zip_tree(self.install_dir / "node_modules", "node_modules/", {
            "bootstrap": (bootstrap, stat.S_IFREG | 0o755),
            "index.js": (HANDLER, stat.S_IFREG | 0o644),
        }, keep_symlinks=keep_symlinks)

    def check_function(self, name):
        resp = self.invoke(name, {"x": 1}, LogType="Tail")
        self.assertIsNone(resp.get("FunctionError"),
                          f"aws-lambda-ric failed: {resp['_bytes'][:1500]!r}\n"
                          f"function log:\n{self.function_log(name)}")
        rid = resp["_rid"]
        self.assertEqual(resp["_json"], {"ric": True, "event": {"x": 1}, "requestId": rid,
                                         "functionName": name, "arn": self.arn(name)})
        self.assertEqual(resp["ExecutedVersion"], "$LATEST")
        # The RIC's own log format: <time>\t<request id>\tINFO\t<message>.
        self.assertRegex(resp["_log"], re.compile(
            r"^\S+\t" + re.escape(rid) + r"\tINFO\tric says hi \{\"x\":1\}$", re.M))
        self.assertEqual(self.log_lines(resp)[0], f"START RequestId: {rid} Version: $LATEST")
        self.assertIsNotNone(self.report_line(resp)["init"])
        # Warm call on the same RIC process, then a handler error in the RIC's error shape.
        warm = self.invoke_ok(name, {"x": 2}, LogType="Tail")
        self.assertEqual(warm["_json"]["requestId"], warm["_rid"])
        self.assertIsNone(self.report_line(warm)["init"])
        failed = self.invoke(name, {"fail": True})
        body = self.assertFunctionError(failed)
        self.assertEqual(body["errorType"], "Error")
        self.assertEqual(body["errorMessage"], "ric handler fails")
        self.assertIsInstance(body.get("trace"), list)
        self.assertEqual(self.invoke_ok(name, {"x": 3})["_json"]["event"], {"x": 3})

    def test_bin_name_matches_the_readme(self):
        self.assertEqual(self.bin_name, "aws-lambda-ric")
        readme = (self.install_dir / "node_modules" / "aws-lambda-ric" / "README.md").read_text()
        self.assertIn("aws-lambda-ric index.handler", readme)

    def test_ric_through_node_modules_bin(self):
        # The bootstrap; node_modules/.bin/aws-lambda-ric is a symlink, zipped as one
        # (`zip -ry`), so this also needs symlinks kept when the package is extracted.
        bootstrap = f"#!/bin/sh\nexec /usr/bin/node node_modules/.bin/{self.bin_name} index.handler\n"
        name = self.make_zip_function(self.package(bootstrap), Runtime="provided.al2023",
                                      Handler="index.handler")
        self.check_function(name)

    def test_ric_through_its_entry_file(self):
        # Same client started through its bin target directly (no symlink involved).
        bootstrap = (f"#!/bin/sh\nexec /usr/bin/node node_modules/aws-lambda-ric/"
                     f"{os.path.normpath(self.bin_target)} index.handler\n")
        name = self.make_zip_function(self.package(bootstrap, keep_symlinks=False),
                                      Runtime="provided.al2023", Handler="index.handler")
        self.check_function(name)


if __name__ == "__main__":
    unittest.main()
