"""Resource hygiene: code packages and layer contents nothing refers to any more are deleted from
the data directory after the grace period (--blob-grace-seconds, short here), while the code of
every remaining version and layer stays, downloadable and invocable, also across restarts."""

import hashlib
import json
import time
import unittest
import urllib.request

from harness import (LambdaliteServer, LambdaliteTestCase, create_function, lambda_client,
                     make_zip, python_zip, unique_name, wait_updated)

GRACE_SECONDS = 2


def blob_id(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class BlobCollectionTest(LambdaliteTestCase):
    """Each test runs its own server (fresh data directory), so blob counts are its own."""

    @classmethod
    def setUpClass(cls):
        cls.moto = None

    @classmethod
    def tearDownClass(cls):
        pass

    def setUp(self):
        self.server = LambdaliteServer(args=("--blob-grace-seconds", str(GRACE_SECONDS)))
        self.addCleanup(self.server.cleanup)
        self.server.start()
        self._clients()

    def _clients(self):
        self.endpoint = self.server.endpoint
        self.client = lambda_client(self.endpoint)

    # -- helpers --------------------------------------------------------------------------------
    def blobs(self) -> set[str]:
        code = self.server.data_dir / "code"
        return {p.name[:-len(".zip")] for p in code.glob("*/*.zip")}

    def wait_for_blobs(self, expected: set[str], timeout: float = 6 * GRACE_SECONDS + 10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.blobs() == expected:
                return
            time.sleep(0.2)
        self.assertEqual(self.blobs(), expected)

    def extracted(self) -> list[str]:
        """The deployment packages the executor has extracted for environments."""
        root = self.server.data_dir / "executor" / "code"
        return sorted(p.name for p in root.iterdir()) if root.exists() else []

    def wait_for_no_extracted(self, timeout: float = 30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.extracted():
            time.sleep(0.2)
        self.assertEqual(self.extracted(), [])

    def download(self, location: str) -> bytes:
        with urllib.request.urlopen(location, timeout=30) as r:
            return r.read()

    def invoke(self, name: str, qualifier: str | None = None) -> dict:
        kw = {"Qualifier": qualifier} if qualifier else {}
        resp = self.client.invoke(FunctionName=name, Payload=b'{"x": 1}', **kw)
        payload = resp["Payload"].read()
        self.assertNotIn("FunctionError", resp, payload)
        return json.loads(payload)

    def update_code(self, name: str, zip_bytes: bytes, **kw) -> dict:
        wait_updated(self.client, name)
        resp = self.client.update_function_code(FunctionName=name, ZipFile=zip_bytes, **kw)
        wait_updated(self.client, name)
        return resp

    # -- tests ----------------------------------------------------------------------------------
    def test_replaced_and_deleted_code_is_collected_and_the_rest_still_works(self):
        name = unique_name("gc")
        z1, z2, z3, z4 = (python_zip(marker=f"gc-{i}") for i in range(1, 5))
        create_function(self.client, name, zip_bytes=z1)
        self.assertEqual(self.client.publish_version(FunctionName=name)["Version"], "1")
        self.assertEqual(self.update_code(name, z2, Publish=True)["Version"], "2")
        self.update_code(name, z3)
        self.update_code(name, z4)  # $LATEST; z3 is referenced by nothing now
        self.assertTrue({blob_id(z) for z in (z1, z2, z4)} <= self.blobs())

        self.wait_for_blobs({blob_id(z1), blob_id(z2), blob_id(z4)})
        # A package shared with another function stays until its last reference goes.
        other = unique_name("gc-shared")
        create_function(self.client, other, zip_bytes=z1)
        self.client.delete_function(FunctionName=name, Qualifier="1")
        time.sleep(3 * GRACE_SECONDS)
        self.assertEqual(self.blobs(), {blob_id(z1), blob_id(z2), blob_id(z4)})
        self.client.delete_function(FunctionName=other)
        self.wait_for_blobs({blob_id(z2), blob_id(z4)})

        # What remains is served and runs.
        got = self.client.get_function(FunctionName=name)
        self.assertEqual(self.download(got["Code"]["Location"]), z4)
        got2 = self.client.get_function(FunctionName=name, Qualifier="2")
        self.assertEqual(self.download(got2["Code"]["Location"]), z2)
        self.assertEqual(self.invoke(name)["event"], {"x": 1})
        self.assertEqual(self.invoke(name, "2")["event"], {"x": 1})

        self.assertTrue(self.extracted())
        self.client.delete_function(FunctionName=name)
        self.wait_for_blobs(set())
        # The environments went with the function, and their extracted packages with them.
        self.wait_for_no_extracted()

    def test_layer_content_stays_while_a_function_uses_it(self):
        layer = unique_name("gclayer")
        a = make_zip({"python/gc_layer_mod.py": "VALUE = 'a'\n"})
        b = make_zip({"python/gc_layer_mod.py": "VALUE = 'b'\n"})
        arn1 = self.client.publish_layer_version(LayerName=layer, Content={"ZipFile": a},
                                                 CompatibleRuntimes=["python3.12"])["LayerVersionArn"]
        self.client.publish_layer_version(LayerName=layer, Content={"ZipFile": b})
        source = ("import gc_layer_mod\n\n"
                  "def handler(event, context):\n"
                  "    return {'value': gc_layer_mod.VALUE}\n")
        code = python_zip(source, marker="gc-layer-fn")
        name = unique_name("gc-layer-fn")
        create_function(self.client, name, zip_bytes=code, Layers=[arn1])
        self.client.delete_layer_version(LayerName=layer, VersionNumber=1)
        self.client.delete_layer_version(LayerName=layer, VersionNumber=2)
        # b is referenced by nothing; a still by the function.
        self.wait_for_blobs({blob_id(a), blob_id(code)})
        self.assertEqual(self.invoke(name), {"value": "a"})
        self.client.delete_function(FunctionName=name)
        self.wait_for_blobs(set())

    def test_referenced_blobs_survive_restarts_and_orphans_are_collected(self):
        name = unique_name("gc-restart")
        old, new = python_zip(marker="gc-old"), python_zip(marker="gc-new")
        create_function(self.client, name, zip_bytes=old)
        self.update_code(name, new)
        self.client.publish_version(FunctionName=name)
        # An upload that crashed before its commit: a complete blob nothing refers to.
        orphan = python_zip(marker="gc-orphan")
        shard = self.server.data_dir / "code" / blob_id(orphan)[:2]
        shard.mkdir(exist_ok=True)
        (shard / (blob_id(orphan) + ".zip")).write_bytes(orphan)
        self.assertEqual(self.invoke(name)["event"], {"x": 1})
        self.assertTrue(self.extracted())

        self.server.restart(hard=True)  # kill -9: the unreferenced marks are lost
        self._clients()
        self.assertEqual(self.extracted(), [])  # the killed server's copies are gone
        self.wait_for_blobs({blob_id(new)})
        self.server.restart()
        self._clients()
        time.sleep(3 * GRACE_SECONDS)
        self.assertEqual(self.blobs(), {blob_id(new)})
        for qualifier in (None, "1"):
            kw = {"Qualifier": qualifier} if qualifier else {}
            got = self.client.get_function(FunctionName=name, **kw)
            self.assertEqual(self.download(got["Code"]["Location"]), new)
            self.assertEqual(self.invoke(name, qualifier)["event"], {"x": 1})


if __name__ == "__main__":
    unittest.main()
