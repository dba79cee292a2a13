"""Response streaming (issue 15 items 4-5): InvokeWithResponseStream and the Runtime API's
streaming response mode, in both of lambdalite's runtime clients.

* Python: lambdalite's own API (`import lambdalite`, `@lambdalite.streaming`, handler(event,
  response_stream, context), `lambdalite.http_response_stream`).
* Node.js: awslambda.streamifyResponse and awslambda.HttpResponseStream.from.
* boto3's invoke_with_response_stream (botocore's event stream parser) and the JS SDK v3
  (@aws-sdk/client-lambda, installed with npm into a temporary directory, or from
  LAMBDALITE_IT_JS_SDK_DIR) read the chunks as they come: the tests prove the first chunk
  arrives while the function is still running (it sleeps 3 s before its second chunk).
* A buffered function invoked this way answers one PayloadChunk then InvokeComplete; a function
  error is InvokeComplete with ErrorCode Unhandled and ErrorDetails (the error payload).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

from botocore.exceptions import ClientError

from harness import raw_request
from test_invoke_common import InvokeTestCase

PY_CHUNKS = (
    "import time, lambdalite\n"
    "@lambdalite.streaming\n"
    "def handler(event, response_stream, context):\n"
    "    response_stream.set_content_type('text/plain')\n"
    "    response_stream.write(b'first ')\n"
    "    time.sleep(event.get('sleep', 0))\n"
    "    response_stream.write('second')\n")

PY_MID_STREAM_ERROR = (
    "import lambdalite\n"
    "@lambdalite.streaming\n"
    "def handler(event, response_stream, context):\n"
    "    response_stream.write('partial')\n"
    "    raise ValueError('broke mid-stream')\n")

PY_HTTP_PRELUDE = (
    "import lambdalite\n"
    "@lambdalite.streaming\n"
    "def handler(event, response_stream, context):\n"
    "    s = lambdalite.http_response_stream(response_stream,\n"
    "        {'statusCode': 201, 'headers': {'x-a': 'b'}})\n"
    "    s.write('body')\n")

NODE_CHUNKS = (
    "exports.handler = awslambda.streamifyResponse(async (event, responseStream, context) => {\n"
    "  responseStream.setContentType('text/plain');\n"
    "  responseStream.write('first ');\n"
    "  await new Promise((r) => setTimeout(r, (event.sleep || 0) * 1000));\n"
    "  responseStream.write('second');\n"
    "  responseStream.end();\n"
    "});\n")

NODE_HTTP_PRELUDE = (
    "exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {\n"
    "  const s = awslambda.HttpResponseStream.from(responseStream,\n"
    "    { statusCode: 202, headers: { 'x-b': 'c' } });\n"
    "  s.write('hello');\n"
    "  s.end();\n"
    "});\n")

NODE_MID_STREAM_ERROR = (
    "exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {\n"
    "  responseStream.write('partial');\n"
    "  throw new TypeError('node broke');\n"
    "});\n")

DELIMITER = b"\0" * 8


def collect(resp):
    """The events of an InvokeWithResponseStream answer: (chunks, complete, first_chunk_time,
    end_time), times from time.monotonic() as each event was parsed."""
    chunks, complete, first, end = [], None, None, None
    for event in resp["EventStream"]:
        if "PayloadChunk" in event:
            if first is None:
                first = time.monotonic()
            chunks.append(event["PayloadChunk"]["Payload"])
        elif "InvokeComplete" in event:
            complete = event["InvokeComplete"]
            end = time.monotonic()
    return chunks, complete, first, end


class InvokeWithResponseStreamTest(InvokeTestCase):
    def stream(self, name, event=None, **kw):
        return self.lam.invoke_with_response_stream(
            FunctionName=name, Payload=json.dumps(event or {}).encode(), **kw)

    def assertStreamsIncrementally(self, name):
        # Twice: the first call is a cold start (served on a worker thread), the second takes
        # the warm environment (the non-blocking path).
        for start in ("cold", "warm"):
            with self.subTest(start=start):
                resp = self.stream(name, {"sleep": 3})
                self.assertEqual(resp["StatusCode"], 200)
                self.assertEqual(resp["ExecutedVersion"], "$LATEST")
                self.assertEqual(resp["ResponseStreamContentType"],
                                 "application/vnd.amazon.eventstream")
                chunks, complete, first, end = collect(resp)
                self.assertEqual(b"".join(chunks), b"first second")
                self.assertEqual(chunks[0], b"first ")
                self.assertEqual(complete, {})
                # The function sleeps 3 s between its chunks: the first arrived well before the
                # end.
                self.assertGreater(end - first, 1.5)

    def test_python_streams_chunks_incrementally(self):
        self.assertStreamsIncrementally(self.make_python(PY_CHUNKS))

    def test_node_streams_chunks_incrementally(self):
        self.assertStreamsIncrementally(self.make_node(NODE_CHUNKS))

    def test_timeout_mid_stream(self):
        name = self.make_python(PY_CHUNKS, Timeout=2)
        chunks, complete, _, _ = collect(self.stream(name, {"sleep": 10}))
        self.assertEqual(chunks, [b"first "])
        self.assertEqual(complete["ErrorCode"], "Unhandled")
        details = json.loads(complete["ErrorDetails"])
        self.assertEqual(details["errorType"], "Sandbox.Timedout")
        self.assertRegex(details["errorMessage"], r"Task timed out after 2\.00 seconds")
        # The environment was replaced: the function streams again.
        chunks, complete, _, _ = collect(self.stream(name, {"sleep": 0}))
        self.assertEqual(b"".join(chunks), b"first second")
        self.assertEqual(complete, {})

    def test_buffered_function_answers_one_chunk(self):
        name = self.make_python("def handler(event, context):\n    return {'got': event}\n")
        resp = self.stream(name, {"a": 1})
        self.assertEqual(resp["StatusCode"], 200)
        chunks, complete, _, _ = collect(resp)
        self.assertEqual(chunks, [b'{"got": {"a": 1}}'])
        self.assertEqual(complete, {})

    def test_buffered_function_error(self):
        name = self.make_python("def handler(event, context):\n    raise KeyError('k')\n")
        chunks, complete, _, _ = collect(self.stream(name))
        self.assertEqual(chunks, [])
        self.assertEqual(complete["ErrorCode"], "Unhandled")
        details = json.loads(complete["ErrorDetails"])
        self.assertEqual(details["errorType"], "KeyError")
        self.assertEqual(details["errorMessage"], "'k'")

    def test_python_mid_stream_error(self):
        name = self.make_python(PY_MID_STREAM_ERROR)
        chunks, complete, _, _ = collect(self.stream(name))
        self.assertEqual(chunks, [b"partial"])
        self.assertEqual(complete["ErrorCode"], "Unhandled")
        details = json.loads(complete["ErrorDetails"])
        self.assertEqual(details["errorType"], "ValueError")
        self.assertEqual(details["errorMessage"], "broke mid-stream")

    def test_node_mid_stream_error(self):
        name = self.make_node(NODE_MID_STREAM_ERROR)
        chunks, complete, _, _ = collect(self.stream(name))
        self.assertEqual(b"".join(chunks), b"partial")
        self.assertEqual(complete["ErrorCode"], "Unhandled")
        details = json.loads(complete["ErrorDetails"])
        self.assertEqual(details["errorType"], "TypeError")
        self.assertEqual(details["errorMessage"], "node broke")

    def test_http_prelude_passes_through(self):
        # InvokeWithResponseStream does not interpret the URL metadata prelude.
        for source, maker, expected in (
                (PY_HTTP_PRELUDE, self.make_python,
                 json.dumps({"statusCode": 201, "headers": {"x-a": "b"}}).encode() + DELIMITER
                 + b"body"),
                (NODE_HTTP_PRELUDE, self.make_node,
                 b'{"statusCode":202,"headers":{"x-b":"c"}}' + DELIMITER + b"hello")):
            with self.subTest(source=source[:30]):
                chunks, complete, _, _ = collect(self.stream(maker(source)))
                self.assertEqual(b"".join(chunks), expected)
                self.assertEqual(complete, {})

    def test_tail_log(self):
        name = self.make_python(PY_CHUNKS.replace("write(b'first ')",
                                                  "write(b'first ')\n    print('logged line')"))
        chunks, complete, _, _ = collect(self.stream(name, LogType="Tail"))
        self.assertEqual(b"".join(chunks), b"first second")
        log = base64.b64decode(complete["LogResult"]).decode()
        self.assertIn("logged line", log)
        self.assertIn("REPORT RequestId:", log)

    def test_plain_invoke_of_a_streaming_function_collects_the_body(self):
        name = self.make_python(PY_CHUNKS)
        resp = self.invoke_ok(name, {})
        self.assertEqual(resp["_bytes"], b"first second")

    def test_streams_past_the_buffered_limit(self):
        # 7 MiB: more than a buffered response may be (6 MB), well under the 200 MB of a stream.
        name = self.make_python(
            "import lambdalite\n"
            "@lambdalite.streaming\n"
            "def handler(event, response_stream, context):\n"
            "    for _ in range(7):\n"
            "        response_stream.write(b'x' * (1 << 20))\n", MemorySize=512)
        chunks, complete, _, _ = collect(self.stream(name))
        self.assertEqual(sum(len(c) for c in chunks), 7 << 20)
        self.assertEqual(complete, {})
        # A plain Invoke collects the stream under the buffered limit.
        resp = self.invoke(name, {})
        body = self.assertFunctionError(resp)
        self.assertEqual(body, {
            "errorMessage": "Response payload size exceeded maximum allowed payload size "
                            "(6291556 bytes).",
            "errorType": "Function.ResponseSizeTooLarge"})

    def test_qualifier_and_version(self):
        name = self.make_python(PY_CHUNKS)
        version = self.lam.publish_version(FunctionName=name)["Version"]
        resp = self.stream(name, Qualifier=version)
        self.assertEqual(resp["ExecutedVersion"], version)
        chunks, complete, _, _ = collect(resp)
        self.assertEqual(b"".join(chunks), b"first second")

    def test_wire_format_read_by_botocores_parser(self):
        # The raw answer, framed message by message by botocore's own event stream parser
        # (which checks both CRCs), with the exact headers of each event.
        from botocore.eventstream import EventStreamBuffer
        name = self.make_python(PY_CHUNKS)
        resp = raw_request(self.endpoint, "POST",
                           f"/2021-11-15/functions/{name}/response-streaming-invocations",
                           b"{}")
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.header("Content-Type"), "application/vnd.amazon.eventstream")
        self.assertEqual(resp.header("X-Amz-Executed-Version"), "$LATEST")
        self.assertIsNone(resp.header("Content-Length"))
        buf = EventStreamBuffer()
        buf.add_data(resp.body)
        messages = list(buf)
        self.assertGreaterEqual(len(messages), 3)
        for message in messages[:-1]:
            self.assertEqual(message.headers, {":event-type": "PayloadChunk",
                                               ":content-type": "application/octet-stream",
                                               ":message-type": "event"})
        self.assertEqual(b"".join(m.payload for m in messages[:-1]), b"first second")
        self.assertEqual(messages[-1].headers, {":event-type": "InvokeComplete",
                                                ":content-type": "application/json",
                                                ":message-type": "event"})
        self.assertEqual(messages[-1].payload, b"{}")

    def test_unknown_function(self):
        with self.assertRaises(ClientError) as cm:
            self.stream("no-such-function-xyz")
        err = cm.exception.response
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 404)
        self.assertEqual(err["Error"]["Code"], "ResourceNotFoundException")
        # Invoke's answer, word for word.
        self.assertEqual(err["Error"]["Message"],
                         "Function not found: " + self.arn("no-such-function-xyz") + ":$LATEST")

    def test_invalid_payload(self):
        name = self.make_python(PY_CHUNKS)
        with self.assertRaises(ClientError) as cm:
            self.lam.invoke_with_response_stream(FunctionName=name, Payload=b"not json")
        plain = None
        try:
            self.lam.invoke(FunctionName=name, Payload=b"not json")
        except ClientError as e:
            plain = e.response["Error"]
        self.assertEqual(cm.exception.response["Error"]["Code"], plain["Code"])
        self.assertEqual(cm.exception.response["Error"]["Message"], plain["Message"])


JS_READER = r"""
const { LambdaClient, InvokeWithResponseStreamCommand } = require("@aws-sdk/client-lambda");
(async () => {
  const client = new LambdaClient({
    endpoint: process.argv[2], region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  const resp = await client.send(new InvokeWithResponseStreamCommand({
    FunctionName: process.argv[3], Payload: Buffer.from(JSON.stringify({ sleep: 3 })),
  }));
  const events = [];
  const t0 = Date.now();
  for await (const event of resp.EventStream) {
    if (event.PayloadChunk) {
      events.push({ chunk: Buffer.from(event.PayloadChunk.Payload).toString(), at: Date.now() - t0 });
    } else if (event.InvokeComplete) {
      events.push({ complete: event.InvokeComplete, at: Date.now() - t0 });
    }
  }
  console.log(JSON.stringify({ status: resp.StatusCode, version: resp.ExecutedVersion, events }));
})().catch((e) => { console.error(e); process.exit(1); });
"""


class JsSdkResponseStreamTest(InvokeTestCase):
    @classmethod
    def setUpClass(cls):
        cls.sdk_dir = None
        cls.own_dir = False
        preset = os.environ.get("LAMBDALITE_IT_JS_SDK_DIR")
        if preset and (Path(preset) / "node_modules" / "@aws-sdk" / "client-lambda").is_dir():
            cls.sdk_dir = Path(preset)
        else:
            npm = shutil.which("npm")
            if not npm or not shutil.which("node"):
                raise unittest.SkipTest("npm or node is not installed: no JS SDK")
            cls.sdk_dir = Path(tempfile.mkdtemp(prefix="lambdalite-it-jssdk-"))
            cls.own_dir = True
            proc = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--no-save",
                                   "@aws-sdk/client-lambda"], cwd=cls.sdk_dir,
                                  capture_output=True, text=True, timeout=600,
                                  stdin=subprocess.DEVNULL)
            if proc.returncode != 0:
                shutil.rmtree(cls.sdk_dir, ignore_errors=True)
                raise unittest.SkipTest("npm install @aws-sdk/client-lambda failed: "
                                        + (proc.stderr or proc.stdout)[-1000:])
        try:
            super().setUpClass()
        except BaseException:
            if cls.own_dir:
                shutil.rmtree(cls.sdk_dir, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            if cls.own_dir:
                shutil.rmtree(cls.sdk_dir, ignore_errors=True)

    def read_with_js_sdk(self, name):
        script = self.sdk_dir / "reader.js"
        script.write_text(JS_READER)
        proc = subprocess.run(["node", str(script), self.endpoint, name], cwd=self.sdk_dir,
                              capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr[-2000:])
        return json.loads(proc.stdout.strip().splitlines()[-1])

    def test_js_sdk_reads_chunks_incrementally(self):
        for source, maker in ((PY_CHUNKS, self.make_python), (NODE_CHUNKS, self.make_node)):
            with self.subTest(runtime=maker.__name__):
                out = self.read_with_js_sdk(maker(source))
                self.assertEqual(out["status"], 200)
                self.assertEqual(out["version"], "$LATEST")
                events = out["events"]
                chunks = [e for e in events if "chunk" in e]
                self.assertEqual("".join(e["chunk"] for e in chunks), "first second")
                self.assertEqual(chunks[0]["chunk"], "first ")
                self.assertEqual(events[-1]["complete"], {})
                # The first chunk came while the function slept (3 s) before its second one.
                self.assertGreater(events[-1]["at"] - chunks[0]["at"], 1500)


if __name__ == "__main__":
    unittest.main()


class FunctionUrlStreamingTest(InvokeTestCase):
    """A function URL in RESPONSE_STREAM mode answers as the function writes: curl receives the
    first chunk while the function still sleeps, and an HTTP integration prelude sets the status,
    headers and cookies."""

    def url_for(self, name, mode="RESPONSE_STREAM"):
        url = self.client.create_function_url_config(FunctionName=name, AuthType="NONE",
                                                     InvokeMode=mode)["FunctionUrl"]
        self.client.add_permission(FunctionName=name, StatementId="url", Principal="*",
                                   Action="lambda:InvokeFunctionUrl", FunctionUrlAuthType="NONE")
        self.client.add_permission(FunctionName=name, StatementId="invoke", Principal="*",
                                   Action="lambda:InvokeFunction")
        return url

    def curl_timed(self, url):
        """Reads the answer with curl (no buffering) and stamps each piece as it arrives."""
        if not shutil.which("curl"):
            self.skipTest("curl is not installed")
        proc = subprocess.Popen(["curl", "-sS", "-N", "-i", "--max-time", "60", url],
                                stdout=subprocess.PIPE)
        pieces = []
        while True:
            data = os.read(proc.stdout.fileno(), 65536)
            if not data:
                break
            pieces.append((time.monotonic(), data))
        proc.wait(timeout=60)
        self.assertEqual(proc.returncode, 0)
        return pieces

    def assertUrlStreams(self, name):
        pieces = self.curl_timed(self.url_for(name) + "path")
        raw = b"".join(p for _, p in pieces)
        head, _, body = raw.partition(b"\r\n\r\n")
        self.assertIn(b"200", head.split(b"\r\n")[0])
        self.assertIn(b"text/plain", head.lower())
        self.assertIn(b"transfer-encoding: chunked", head.lower())
        self.assertEqual(body, b"first second")
        seen = b""
        first_at = None
        for t, p in pieces:
            seen += p
            if first_at is None and b"first" in seen:
                first_at = t
        self.assertGreater(pieces[-1][0] - first_at, 1.5,
                           "the first chunk did not arrive before the function finished")

    def test_python_url_streams_as_the_function_writes(self):
        # The event is the URL's payload 2.0 event, so the sleep is fixed in the code.
        self.assertUrlStreams(self.make_python(PY_CHUNKS.replace("event.get('sleep', 0)", "3")))

    def test_node_url_streams_as_the_function_writes(self):
        self.assertUrlStreams(self.make_node(NODE_CHUNKS.replace("(event.sleep || 0)", "3")))

    def test_http_prelude_sets_status_headers_and_cookies(self):
        name = self.make_node(
            "exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {\n"
            "  const s = awslambda.HttpResponseStream.from(responseStream,\n"
            "    { statusCode: 202, headers: { 'x-b': 'c', 'Content-Type': 'text/html' },\n"
            "      cookies: ['a=1', 'b=2'] });\n"
            "  s.write('<p>hello</p>');\n"
            "  s.end();\n"
            "});\n")
        raw = b"".join(p for _, p in self.curl_timed(self.url_for(name)))
        head, _, body = raw.partition(b"\r\n\r\n")
        lines = [l.lower() for l in head.split(b"\r\n")]
        self.assertIn(b"202", lines[0])
        self.assertIn(b"x-b: c", lines)
        self.assertIn(b"content-type: text/html", lines)
        self.assertIn(b"set-cookie: a=1", lines)
        self.assertIn(b"set-cookie: b=2", lines)
        self.assertEqual(body, b"<p>hello</p>")

    def test_buffered_function_behind_a_streaming_url(self):
        name = self.make_python(
            "def handler(event, context):\n"
            "    return {'statusCode': 201, 'body': 'plain', 'headers': {'x-c': 'd'}}\n")
        raw = b"".join(p for _, p in self.curl_timed(self.url_for(name)))
        head, _, body = raw.partition(b"\r\n\r\n")
        self.assertIn(b"201", head.split(b"\r\n")[0])
        self.assertIn(b"x-c: d", head.lower())
        self.assertEqual(body, b"plain")

    def test_error_before_the_first_byte_is_a_502(self):
        name = self.make_python(
            "import lambdalite\n"
            "@lambdalite.streaming\n"
            "def handler(event, response_stream, context):\n"
            "    raise ValueError('no bytes')\n")
        raw = b"".join(p for _, p in self.curl_timed(self.url_for(name)))
        head, _, body = raw.partition(b"\r\n\r\n")
        self.assertIn(b"502", head.split(b"\r\n")[0])
        self.assertEqual(body, b"Internal Server Error")
