"""Test harness for the lambdalite integration tests.

Nothing here builds anything. The harness finds an already built server binary, starts it on a
free port in a fresh temporary data directory, waits for its health endpoint and hands the tests
an endpoint, boto3 clients, an AWS CLI runner and a few helpers (zips, raw HTTP, error asserts).

Binary: $LAMBDALITE_BIN, else <repo>/build/src/main/lambdalite.
Environment knobs:
  LAMBDALITE_BIN               server binary to test
  LAMBDALITE_STARTUP_TIMEOUT   seconds to wait for the port file and health (default 30)
  LAMBDALITE_KEEP_TMP=1        keep temporary data dirs and server logs after the run
  LAMBDALITE_ALLOW_MISSING_BIN=1  skip (instead of fail) when the binary does not exist

Only the Python standard library, boto3/botocore, the AWS CLI and moto (for S3) are used.
"""

from __future__ import annotations

import atexit
import base64
import hashlib
import http.client
import importlib.util
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"
OTHER_REGION = "eu-west-1"
ROLE_ARN = f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/lambda-test-role"
DEFAULT_RUNTIME = "python3.12"
DEFAULT_HANDLER = "handler.handler"
STARTUP_TIMEOUT = float(os.environ.get("LAMBDALITE_STARTUP_TIMEOUT", "30"))
STOP_TIMEOUT = 20.0
KEEP_TMP = os.environ.get("LAMBDALITE_KEEP_TMP") == "1"

# Never let boto3 wander off to an instance metadata service or a user's profile.
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")

__all__ = [
    "REPO_ROOT", "DEFAULT_ACCOUNT", "DEFAULT_REGION", "OTHER_REGION", "ROLE_ARN",
    "DEFAULT_RUNTIME", "DEFAULT_HANDLER", "ClientError",
    "find_binary", "LambdaliteServer", "MotoServer", "moto_available", "shared_moto",
    "lambda_client", "s3_client", "aws_cli", "CliResult", "make_zip", "python_zip",
    "code_sha256", "raw_request", "RawResponse", "function_arn", "unique_name",
    "LambdaliteTestCase", "free_port", "LAST_MODIFIED_RE", "UUID_RE",
    "create_function", "wait_active", "wait_updated",
]


# --------------------------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------------------------

_LIVE_PROCESSES: set[subprocess.Popen] = set()


def _kill_leftovers() -> None:
    """At interpreter exit, make sure no server we started keeps running."""
    for proc in list(_LIVE_PROCESSES):
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                try:
                    proc.kill()
                except ProcessLookupError:
                    pass
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        _LIVE_PROCESSES.discard(proc)


atexit.register(_kill_leftovers)


def free_port() -> int:
    """A port that was free a moment ago (bind to port 0 and release it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_binary() -> Path:
    env = os.environ.get("LAMBDALITE_BIN")
    path = Path(env) if env else REPO_ROOT / "build" / "src" / "main" / "lambdalite"
    if not path.is_file() or not os.access(path, os.X_OK):
        msg = (f"lambdalite binary not found at {path} (build it with scripts/build.sh, "
               "or point LAMBDALITE_BIN at it)")
        if os.environ.get("LAMBDALITE_ALLOW_MISSING_BIN") == "1":
            raise unittest.SkipTest(msg)
        raise FileNotFoundError(msg)
    return path.resolve()


def _tail(path: Path, lines: int = 60) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return "<no log>"
    text = data.decode("utf-8", "replace").splitlines()
    return "\n".join(text[-lines:])


def _http_get(host: str, port: int, path: str, timeout: float = 2.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def _server_env(extra: dict[str, str] | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("LAMBDALITE_") and not k.startswith("AWS_ENDPOINT_URL")}
    # Credentials for the server's own S3 client (moto accepts anything).
    env.setdefault("AWS_ACCESS_KEY_ID", "test")
    env.setdefault("AWS_SECRET_ACCESS_KEY", "test")
    env.setdefault("AWS_DEFAULT_REGION", DEFAULT_REGION)
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    if extra:
        env.update(extra)
    return env


class LambdaliteServer:
    """One lambdalite process on a free port with its own data directory.

    start() -> waits for the port file and GET /_lambdalite/health == 200 {"status": "ok"}.
    stop()  -> SIGTERM and wait (graceful shutdown); returns the exit code.
    kill9() -> SIGKILL, no shutdown at all.
    restart(hard=False) -> stop (or kill -9) and start again on the same data directory.
    The endpoint (port) changes on every start: make new clients after a restart.
    """

    def __init__(self, *, data_dir: Path | str | None = None, s3_endpoint: str | None = None,
                 env: dict[str, str] | None = None, args: Iterable[str] = (),
                 host: str = "127.0.0.1", run_as: int | None = None):
        self.binary = find_binary()
        self.tmp = Path(tempfile.mkdtemp(prefix="lambdalite-it-"))
        self.data_dir = Path(data_dir) if data_dir else self.tmp / "data"
        # run_as: a uid (with the same gid) to start the server under, for the rootless mode;
        # its temporary and data directories are handed to that user.
        self.run_as = run_as
        self._runtimes_copy: Path | None = None
        if run_as is not None:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            for path in (self.tmp, self.data_dir):
                os.chown(path, run_as, run_as)
            # The build may sit where that user cannot go (a checkout under /root): run copies
            # of the binary and the runtime clients from the server's own temporary directory.
            exe = self.tmp / "bin" / "lambdalite"
            exe.parent.mkdir()
            shutil.copy2(self.binary, exe)
            self.binary = exe
            self._runtimes_copy = self.tmp / "runtimes"
            shutil.copytree(Path(__file__).resolve().parents[2] / "src" / "executor" / "runtimes",
                            self._runtimes_copy)
            for root, dirs, files in os.walk(self.tmp / "bin"):
                os.chmod(root, 0o755)
            for root, dirs, files in os.walk(self._runtimes_copy):
                os.chmod(root, 0o755)
                for f in files:
                    os.chmod(os.path.join(root, f), 0o755)
        self.port_file = self.tmp / "port"
        self.log_path = self.tmp / "server.log"
        self.host = host
        self.args = list(args)
        extra = dict(env or {})
        if s3_endpoint:
            extra["AWS_ENDPOINT_URL_S3"] = s3_endpoint
        if self._runtimes_copy is not None:
            extra.setdefault("LAMBDALITE_RUNTIMES_DIR", str(self._runtimes_copy))
        self.env = _server_env(extra)
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None
        self.endpoint: str | None = None
        self.last_exit_code: int | None = None
        self.starts = 0

    # -- lifecycle ----------------------------------------------------------------------------
    def command(self) -> list[str]:
        prefix = []
        if self.run_as is not None:
            prefix = ["setpriv", f"--reuid={self.run_as}", f"--regid={self.run_as}",
                      "--clear-groups"]
        return [*prefix, str(self.binary), "serve", "--host", self.host, "--port", "0",
                "--data-dir", str(self.data_dir), "--port-file", str(self.port_file), *self.args]

    def start(self) -> "LambdaliteServer":
        if self.proc is not None and self.proc.poll() is None:
            raise RuntimeError("server already running")
        try:
            self.port_file.unlink()
        except FileNotFoundError:
            pass
        self.starts += 1
        with open(self.log_path, "ab") as log:
            log.write(f"\n===== start #{self.starts}: {' '.join(self.command())}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, env=self.env,
                                         start_new_session=True)
        _LIVE_PROCESSES.add(self.proc)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        self.port = self._wait_for_port(deadline)
        self.endpoint = f"http://{self.host}:{self.port}"
        self._wait_for_health(deadline)
        return self

    def _check_alive(self, what: str) -> None:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise RuntimeError(f"lambdalite exited with code {self.proc.returncode} while "
                               f"{what}; log tail:\n{_tail(self.log_path)}")

    def _wait_for_port(self, deadline: float) -> int:
        while time.monotonic() < deadline:
            self._check_alive("waiting for the port file")
            try:
                text = self.port_file.read_text().strip()
            except FileNotFoundError:
                text = ""
            if text.isdigit() and int(text) > 0:
                return int(text)
            time.sleep(0.02)
        self._abort()
        raise TimeoutError(f"no port written to {self.port_file} within {STARTUP_TIMEOUT}s; "
                           f"log tail:\n{_tail(self.log_path)}")

    def _wait_for_health(self, deadline: float) -> None:
        last = "no answer"
        while time.monotonic() < deadline:
            self._check_alive("waiting for /_lambdalite/health")
            try:
                status, body = _http_get(self.host, self.port, "/_lambdalite/health", timeout=1.0)
                if status == 200 and json.loads(body or b"{}").get("status") == "ok":
                    return
                last = f"HTTP {status}: {body[:200]!r}"
            except (OSError, ValueError, http.client.HTTPException) as exc:
                last = repr(exc)
            time.sleep(0.05)
        self._abort()
        raise TimeoutError(f"/_lambdalite/health not ok within {STARTUP_TIMEOUT}s ({last}); "
                           f"log tail:\n{_tail(self.log_path)}")

    def _abort(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.kill9()

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = STOP_TIMEOUT) -> int | None:
        """Graceful stop with SIGTERM. Raises AssertionError if the process ignores it."""
        if self.proc is None:
            return self.last_exit_code
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._killpg()
                self.last_exit_code = self.proc.returncode
                _LIVE_PROCESSES.discard(self.proc)
                self.proc = None
                raise AssertionError(f"lambdalite did not exit within {timeout}s of SIGTERM; "
                                     f"log tail:\n{_tail(self.log_path)}")
        self.last_exit_code = self.proc.returncode
        _LIVE_PROCESSES.discard(self.proc)
        self.proc = None
        return self.last_exit_code

    def _killpg(self) -> None:
        assert self.proc is not None
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            try:
                self.proc.kill()
            except ProcessLookupError:
                pass
        self.proc.wait(timeout=10)

    def kill9(self) -> int | None:
        """SIGKILL the server (and anything it spawned): no graceful shutdown at all."""
        if self.proc is None:
            return self.last_exit_code
        if self.proc.poll() is None:
            self._killpg()
        self.last_exit_code = self.proc.returncode
        _LIVE_PROCESSES.discard(self.proc)
        self.proc = None
        return self.last_exit_code

    def restart(self, *, hard: bool = False) -> "LambdaliteServer":
        if hard:
            self.kill9()
        else:
            self.stop()
        return self.start()

    def cleanup(self) -> None:
        try:
            if self.running():
                try:
                    self.stop()
                except AssertionError:
                    pass
        finally:
            if not KEEP_TMP:
                shutil.rmtree(self.tmp, ignore_errors=True)

    def log_tail(self, lines: int = 60) -> str:
        return _tail(self.log_path, lines)

    def health(self) -> tuple[int, Any]:
        status, body = _http_get(self.host, self.port, "/_lambdalite/health", timeout=5.0)
        try:
            return status, json.loads(body)
        except ValueError:
            return status, body


# --------------------------------------------------------------------------------------------
# moto_server (S3 for Code.S3Bucket/S3Key)
# --------------------------------------------------------------------------------------------

def moto_available() -> bool:
    return importlib.util.find_spec("moto") is not None or shutil.which("moto_server") is not None


class MotoServer:
    """moto_server on a free port (`moto_server -H 127.0.0.1 -p PORT`)."""

    def __init__(self):
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None
        self.endpoint: str | None = None
        self.tmp = Path(tempfile.mkdtemp(prefix="lambdalite-moto-"))
        self.log_path = self.tmp / "moto.log"

    def _command(self, port: int) -> list[str]:
        if importlib.util.find_spec("moto") is not None:
            return [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
        exe = shutil.which("moto_server")
        if not exe:
            raise unittest.SkipTest("moto is not installed")
        return [exe, "-H", "127.0.0.1", "-p", str(port)]

    def start(self, timeout: float = 60.0) -> "MotoServer":
        last_error = ""
        for _attempt in range(3):  # the free port may be taken between probe and bind
            port = free_port()
            with open(self.log_path, "ab") as log:
                env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
                self.proc = subprocess.Popen(self._command(port), stdout=log,
                                             stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                             env=env, start_new_session=True)
            _LIVE_PROCESSES.add(self.proc)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    last_error = _tail(self.log_path, 20)
                    break
                try:
                    _http_get("127.0.0.1", port, "/", timeout=1.0)
                    self.port = port
                    self.endpoint = f"http://127.0.0.1:{port}"
                    return self
                except (OSError, http.client.HTTPException):
                    time.sleep(0.1)
            else:
                last_error = "timeout"
            self.stop()
        raise RuntimeError(f"moto_server did not start: {last_error}")

    def stop(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                try:
                    os.killpg(self.proc.pid, signal.SIGTERM)
                except (ProcessLookupError, PermissionError):
                    self.proc.terminate()
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                    self.proc.wait(timeout=10)
            _LIVE_PROCESSES.discard(self.proc)
            self.proc = None
        if not KEEP_TMP:
            shutil.rmtree(self.tmp, ignore_errors=True)


_SHARED_MOTO: MotoServer | None = None


def shared_moto() -> MotoServer:
    """One moto_server for the whole test run, started on first use."""
    global _SHARED_MOTO
    if not moto_available():
        raise unittest.SkipTest("moto is not installed: the S3 code tests need moto_server")
    if _SHARED_MOTO is None:
        _SHARED_MOTO = MotoServer().start()
        atexit.register(_SHARED_MOTO.stop)
    return _SHARED_MOTO


# --------------------------------------------------------------------------------------------
# Clients
# --------------------------------------------------------------------------------------------

def _config(validate: bool) -> Config:
    return Config(retries={"max_attempts": 1, "mode": "standard"},
                  parameter_validation=validate, connect_timeout=5, read_timeout=180)


def lambda_client(endpoint: str, region: str = DEFAULT_REGION, *, validate: bool = True,
                  access_key: str = "test", secret_key: str = "test"):
    """boto3 Lambda client: region us-east-1, key test/test, no retries.

    validate=False turns botocore's client-side parameter validation off, so a test can send
    values that AWS's server itself must reject (that is how the reference was recorded).
    """
    session = boto3.session.Session()
    return session.client("lambda", endpoint_url=endpoint, region_name=region,
                          aws_access_key_id=access_key, aws_secret_access_key=secret_key,
                          config=_config(validate))


def s3_client(endpoint: str, region: str = DEFAULT_REGION):
    session = boto3.session.Session()
    cfg = _config(True).merge(Config(s3={"addressing_style": "path"}))
    return session.client("s3", endpoint_url=endpoint, region_name=region,
                          aws_access_key_id="test", aws_secret_access_key="test", config=cfg)


@dataclass
class CliResult:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    json: Any = None


def aws_cli(endpoint: str, *args: str, region: str = DEFAULT_REGION, access_key: str = "test",
            timeout: float = 180, parse_json: bool = True) -> CliResult:
    """Run `aws --endpoint-url E --region R lambda ARGS --output json` with test credentials."""
    exe = shutil.which("aws")
    if not exe:
        raise unittest.SkipTest("the AWS CLI (aws) is not installed")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({
        "AWS_ACCESS_KEY_ID": access_key, "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": region, "AWS_REGION": region, "AWS_PAGER": "",
        "AWS_MAX_ATTEMPTS": "1", "AWS_RETRY_MODE": "standard",
        "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    })
    cmd = [exe, "--endpoint-url", endpoint, "--region", region, "lambda", *args, "--output", "json"]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout,
                          stdin=subprocess.DEVNULL)
    parsed = None
    if parse_json and proc.returncode == 0 and proc.stdout.strip():
        parsed = json.loads(proc.stdout)
    return CliResult(cmd, proc.returncode, proc.stdout, proc.stderr, parsed)


# --------------------------------------------------------------------------------------------
# Zips, hashes, names
# --------------------------------------------------------------------------------------------

HANDLER_SOURCE = (
    "import json\n\n"
    "def handler(event, context):\n"
    "    return {'ok': True, 'event': event}\n"
)


def make_zip(files: dict[str, str | bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """An in-memory zip with a fixed timestamp, so the same files give the same bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, content in files.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = compression
            data = content.encode() if isinstance(content, str) else content
            zf.writestr(info, data)
    return buf.getvalue()


def python_zip(source: str = HANDLER_SOURCE, *, filename: str = "handler.py",
               marker: str | None = None) -> bytes:
    """Zip of a python handler. `marker` adds a comment so two zips differ in bytes and SHA."""
    if marker is not None:
        source = f"# {marker}\n{source}"
    return make_zip({filename: source})


def code_sha256(data: bytes) -> str:
    """CodeSha256 as Lambda reports it: base64 of the SHA-256 digest of the zip."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def unique_name(prefix: str = "fn") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def function_arn(name: str, qualifier: str | None = None, *, region: str = DEFAULT_REGION,
                 account: str = DEFAULT_ACCOUNT) -> str:
    arn = f"arn:aws:lambda:{region}:{account}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier is not None else arn


# --------------------------------------------------------------------------------------------
# Raw HTTP (unsigned; lambdalite takes unsigned requests as default account/region)
# --------------------------------------------------------------------------------------------

@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes
    error: str | None = field(default=None)

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def raw_request(endpoint: str, method: str, path: str, body: bytes | str | None = None,
                headers: dict[str, str] | None = None, *, timeout: float = 120,
                chunk: int = 1 << 20) -> RawResponse:
    """Send one HTTP request byte for byte. Tolerates the server answering (and closing) before
    the whole body was sent, as a server may do for an oversized request."""
    url = urllib.parse.urlsplit(endpoint)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    if isinstance(body, str):
        body = body.encode("utf-8")
    hdrs = {"Host": f"{url.hostname}:{url.port}"}
    if body is not None:
        hdrs["Content-Length"] = str(len(body))
        hdrs.setdefault("Content-Type", "application/json")
    hdrs.update(headers or {})
    send_error = None
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for k, v in hdrs.items():
            conn.putheader(k, v)
        conn.endheaders()
        if body:
            view = memoryview(body)
            try:
                for i in range(0, len(view), chunk):
                    conn.send(view[i:i + chunk])
            except (BrokenPipeError, ConnectionResetError) as exc:
                send_error = repr(exc)
        resp = conn.getresponse()
        data = resp.read()
        return RawResponse(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data,
                           send_error)
    finally:
        conn.close()


def wait_active(client, name: str) -> None:
    """boto3's function_active_v2 waiter (GetFunction until Configuration.State == Active)."""
    client.get_waiter("function_active_v2").wait(
        FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})


def wait_updated(client, name: str) -> None:
    """boto3's function_updated_v2 waiter (until LastUpdateStatus == Successful)."""
    client.get_waiter("function_updated_v2").wait(
        FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})


def create_function(client, name: str | None = None, *, zip_bytes: bytes | None = None,
                    wait: bool = True, **overrides) -> dict:
    """CreateFunction with python3.12 / handler.handler / a small zip, then wait until Active."""
    params = {
        "FunctionName": name or unique_name(),
        "Runtime": DEFAULT_RUNTIME,
        "Role": ROLE_ARN,
        "Handler": DEFAULT_HANDLER,
        "Code": {"ZipFile": zip_bytes if zip_bytes is not None else python_zip()},
    }
    params.update(overrides)
    resp = client.create_function(**params)
    if wait:
        wait_active(client, resp["FunctionName"])
    return resp


# --------------------------------------------------------------------------------------------
# unittest base class
# --------------------------------------------------------------------------------------------

# Body members AWS sends next to the error code (reference section 0.1): whether `Type: "User"` is
# present, and under which key (casing) the message sits. None means "not checked".
_ABSENT = object()
ERROR_BODY = {
    "ResourceNotFoundException": ("User", "Message"),
    "InvalidParameterValueException": ("User", "message"),
    "ValidationException": (_ABSENT, None),
    "ResourceConflictException": ("User", "message"),
    "PreconditionFailedException": ("User", "message"),
    "TooManyRequestsException": ("User", "message"),
    "RequestEntityTooLargeException": (_ABSENT, None),
    "InvalidRequestContentException": ("User", "message"),
    "AccessDeniedException": (_ABSENT, None),
}


class LambdaliteTestCase(unittest.TestCase):
    """Starts one lambdalite per test class (fresh data dir, free port).

    Class attributes:
      NEEDS_S3 = True   also start (or reuse) moto_server and pass it as AWS_ENDPOINT_URL_S3.
      SERVER_ARGS       extra arguments for `lambdalite serve`.
      SERVER_ENV        extra environment for the server process.
    Provides cls.client (validating boto3 client) and cls.raw (parameter_validation=False).
    """

    NEEDS_S3 = False
    SERVER_ARGS: tuple[str, ...] = ()
    SERVER_ENV: dict[str, str] = {}
    maxDiff = None

    server: LambdaliteServer
    moto: MotoServer | None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.moto = shared_moto() if cls.NEEDS_S3 else None
        cls.server = LambdaliteServer(s3_endpoint=cls.moto.endpoint if cls.moto else None,
                                      args=cls.SERVER_ARGS, env=dict(cls.SERVER_ENV))
        try:
            cls.server.start()
        except BaseException:
            cls.server.cleanup()
            raise
        cls._make_clients()

    @classmethod
    def _make_clients(cls):
        cls.endpoint = cls.server.endpoint
        cls.client = lambda_client(cls.endpoint)
        cls.raw = lambda_client(cls.endpoint, validate=False)

    @classmethod
    def tearDownClass(cls):
        server = getattr(cls, "server", None)
        if server is not None:
            server.cleanup()
        super().tearDownClass()

    # -- helpers ------------------------------------------------------------------------------
    def unique(self, prefix: str = "fn") -> str:
        return unique_name(prefix)

    def arn(self, name: str, qualifier: str | None = None, **kw) -> str:
        return function_arn(name, qualifier, **kw)

    def create_function(self, name: str | None = None, *, client=None, zip_bytes: bytes | None = None,
                        wait: bool = True, **overrides) -> dict:
        return create_function(client or self.client, name or self.unique(), zip_bytes=zip_bytes,
                               wait=wait, **overrides)

    def wait_active(self, name: str, *, client=None) -> None:
        wait_active(client or self.client, name)

    def wait_updated(self, name: str, *, client=None) -> None:
        wait_updated(client or self.client, name)

    def publish(self, name: str, *, client=None, **kw) -> dict:
        client = client or self.client
        self.wait_updated(name, client=client)
        return client.publish_version(FunctionName=name, **kw)

    def update_config(self, name: str, *, client=None, **kw) -> dict:
        client = client or self.client
        self.wait_updated(name, client=client)
        resp = client.update_function_configuration(FunctionName=name, **kw)
        self.wait_updated(name, client=client)
        return resp

    def update_code(self, name: str, zip_bytes: bytes, *, client=None, **kw) -> dict:
        client = client or self.client
        self.wait_updated(name, client=client)
        resp = client.update_function_code(FunctionName=name, ZipFile=zip_bytes, **kw)
        self.wait_updated(name, client=client)
        return resp

    def assertStatus(self, resp: dict, status: int) -> None:
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], status, resp)
        self.assertTrue(resp["ResponseMetadata"]["HTTPHeaders"].get("x-amzn-requestid"),
                        "x-amzn-RequestId header missing")

    def body(self, resp: dict) -> dict:
        """A response without its ResponseMetadata."""
        return {k: v for k, v in resp.items() if k != "ResponseMetadata"}

    def assertAwsError(self, call: Callable[[], Any], status: int, code: str,
                       message: str | None = None, *, message_prefix: str | None = None,
                       message_suffix: str | None = None, message_regex: str | None = None,
                       type_user: Any = "default", message_key: Any = "default") -> dict:
        """Call `call`, expect a ClientError and check everything AWS puts on the wire:
        HTTP status, error code, raw x-amzn-ErrorType, x-amzn-RequestId, message text and the
        body members (Type: "User", Message vs message) from reference section 0.1."""
        with self.assertRaises(ClientError) as cm:
            call()
        err = cm.exception.response
        meta = err.get("ResponseMetadata", {})
        headers = meta.get("HTTPHeaders", {})
        got_code = err.get("Error", {}).get("Code")
        got_msg = err.get("Error", {}).get("Message")
        ctx = f"(got {meta.get('HTTPStatusCode')} {got_code}: {got_msg!r})"
        self.assertEqual(got_code, code, ctx)
        self.assertEqual(meta.get("HTTPStatusCode"), status, ctx)
        self.assertIn("x-amzn-errortype", headers, f"x-amzn-ErrorType header missing {ctx}")
        self.assertEqual(headers["x-amzn-errortype"].split(":")[0], code, ctx)
        self.assertTrue(headers.get("x-amzn-requestid"), f"x-amzn-RequestId missing {ctx}")
        if message is not None:
            self.assertEqual(got_msg, message)
        if message_prefix is not None:
            self.assertIsNotNone(got_msg, ctx)
            self.assertTrue(got_msg.startswith(message_prefix),
                            f"message {got_msg!r} does not start with {message_prefix!r}")
        if message_suffix is not None:
            self.assertIsNotNone(got_msg, ctx)
            self.assertTrue(got_msg.endswith(message_suffix),
                            f"message {got_msg!r} does not end with {message_suffix!r}")
        if message_regex is not None:
            self.assertIsNotNone(got_msg, ctx)
            self.assertRegex(got_msg, message_regex)
        exp_type, exp_key = ERROR_BODY.get(code, (None, None))
        if type_user != "default":
            exp_type = _ABSENT if type_user is False else ("User" if type_user is True else None)
        if message_key != "default":
            exp_key = message_key
        if exp_type is _ABSENT:
            self.assertNotIn("Type", err, f"body must not carry Type {ctx}")
        elif exp_type is not None:
            self.assertEqual(err.get("Type"), exp_type, f"body member Type {ctx}")
        if exp_key is not None and message is not None:
            self.assertEqual(err.get(exp_key), message,
                             f"body member {exp_key!r} (casing matters) {ctx}")
        return err

    def assertServerAlive(self) -> None:
        status, body = self.server.health()
        self.assertEqual(status, 200, body)
        self.assertEqual(body.get("status"), "ok")
        self.assertTrue(self.server.running(), "server process exited")


# Regex for FunctionConfiguration.LastModified (a string): ISO-8601 with a +0000 offset. The exact
# fractional digits are not recorded (reference 2.1 treats the format as an assumption).
LAST_MODIFIED_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?\+0000$")
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
