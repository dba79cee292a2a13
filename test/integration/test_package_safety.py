"""Deployment packages that try to reach outside /var/task (issue 14, item 8; the rules are
service/code_package.h ExtractZip's, unit-tested in code_package_test.cc and fuzzed by
fuzz/zip_fuzz.cc): names with "../" or an absolute path, symbolic links that are absolute or climb
out, entries written below a link of the same archive. Such a package is stored (CreateFunction
checks only that it is a zip within the quotas), but no Invoke ever extracts it: each one answers
503 ServiceException without creating anything outside the package's directory, and the server
keeps serving. Links that stay inside the package still work.
"""

import stat
import unittest
import uuid
from pathlib import Path

from botocore.exceptions import ClientError

from test_invoke_common import InvokeTestCase, zip_entries

HANDLER = ("def handler(event, context):\n    return 'ran'\n", stat.S_IFREG | 0o644)


class PackageSafetyTest(InvokeTestCase):
    DATA_DIR_OUTSIDE_TMP = True  # so an escaping path is one the test can look at

    def assertNotExtracted(self, name: str) -> dict:
        """Invoking `name` answers lambdalite's 503 for a package it cannot lay out (the executor's
        kUnavailable), never the handler's result."""
        try:
            resp = self.invoke(name, {})
        except ClientError as e:
            self.assertEqual(e.response["ResponseMetadata"]["HTTPStatusCode"], 503, e.response)
            self.assertEqual(e.response["Error"]["Code"], "ServiceException")
            self.assertEqual(e.response["Error"]["Message"],
                             "cannot extract the deployment package: Could not unzip uploaded "
                             "file. Please check your file, then try to upload again.")
            return e.response
        self.fail(f"an unsafe package was extracted and invoked: {resp['_bytes']!r}")

    def check_package(self, entries: dict, outside: Path) -> None:
        name = self.make_zip_function(zip_entries({"index.py": HANDLER, **entries}),
                                      Handler="index.handler")
        answer = self.assertNotExtracted(name)
        self.assertFalse(outside.exists() or outside.is_symlink(),
                         f"{outside} was created; answer {answer!r}")
        self.assertServerAnswers(name)

    def test_names_climbing_out(self):
        data = self.server.data_dir
        marker = f"escape-{uuid.uuid4().hex[:8]}"
        # code/<entry>/ is where packages are laid out: eight levels up is far above the data dir.
        self.check_package({"../" * 8 + "var/tmp/" + marker: ("x", stat.S_IFREG | 0o644)},
                           Path("/var/tmp") / marker)
        self.check_package({f"../../{marker}": ("x", stat.S_IFREG | 0o644)}, data / marker)

    def test_absolute_names(self):
        outside = Path("/var/tmp") / f"absolute-{uuid.uuid4().hex[:8]}"
        self.check_package({str(outside): ("x", stat.S_IFREG | 0o644)}, outside)

    def test_links_pointing_outside(self):
        for target in ("/etc/passwd", "../../../../../../etc/passwd", "lib/../../x"):
            with self.subTest(target=target):
                self.check_package({"lib/": ("", stat.S_IFDIR | 0o755),
                                    "passwd": (target, stat.S_IFLNK | 0o777)},
                                   Path("/nonexistent-never-created"))

    def test_entries_below_a_link(self):
        outside = self.server.data_dir / f"through-{uuid.uuid4().hex[:8]}"
        self.check_package({"up": (str(self.server.data_dir), stat.S_IFLNK | 0o777),
                            f"up/{outside.name}": ("x", stat.S_IFREG | 0o644)}, outside)

    def test_safe_links_still_work(self):
        name = self.make_zip_function(zip_entries({
            "impl.py": HANDLER, "lib/": ("", stat.S_IFDIR | 0o755),
            "lib/index.py": ("../impl.py", stat.S_IFLNK | 0o777),
            "index.py": ("lib/index.py", stat.S_IFLNK | 0o777)}), Handler="index.handler")
        self.assertEqual(self.invoke_ok(name, {})["_json"], "ran")

    def test_a_good_package_beside_them_runs(self):
        name = self.make_python("def handler(event, context):\n    return 'ok'\n")
        self.assertEqual(self.invoke_ok(name, {})["_json"], "ok")


if __name__ == "__main__":
    unittest.main()
