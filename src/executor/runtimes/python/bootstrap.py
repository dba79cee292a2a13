"""lambdalite's runtime client for Python functions.

Started once per execution environment as

    /usr/bin/python3 /var/runtime/python/bootstrap.py

with the Lambda environment variables set (AWS_LAMBDA_RUNTIME_API, _HANDLER,
LAMBDA_TASK_ROOT, AWS_LAMBDA_FUNCTION_*, AWS_LAMBDA_LOG_*, AWS_REGION, ...), or
ahead of need with _LAMBDALITE_PRESTARTED=1, in which case it first reads those
variables from stdin (see _await_function).
It loads the handler named by _HANDLER and then serves invocations through the
Lambda Runtime API (2018-06-01) until the process is stopped.

Written for lambdalite from the public description of the Runtime API and of
the behaviour of AWS's Python runtimes; stdlib only, Python 3.9 to 3.14.

Cold start matters, so the module imports as little as it can: json and the
C socket module. `traceback` is imported the first time an error has to be
reported, and `logging` is configured the moment the function's code imports
it (a one-shot import hook), exactly as if it had been configured up front.
"""

import json
import os
import sys
import time

try:  # the C module: `socket` itself pulls in enum, selectors, ...
    import _socket as _sock
except ImportError:  # pragma: no cover
    import socket as _sock

_API_PREFIX = "/2018-06-01/runtime"
_NEXT_PATH = _API_PREFIX + "/invocation/next"
_INIT_ERROR_PATH = _API_PREFIX + "/init/error"
_ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"
_UNHANDLED = "Unhandled"

# AWS's Python runtime prints this before the error of an invocation that ended in an
# unhandled exception (aws-lambda-python-runtime-interface-client PR #120, seen in logs).
_LAMBDA_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function "
    "code. However, in rare cases, a Lambda runtime update can cause unexpected function "
    "behavior. For functions using managed runtimes, runtime updates can be triggered by a "
    "function change, or can be applied automatically. To determine if the runtime has been "
    "updated, check the runtime version in the INIT_START log entry. If this error correlates "
    "with a change in the runtime version, you may be able to mitigate this error by "
    "temporarily rolling back to the previous runtime version. For more information, see "
    "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html")

_BOOTSTRAP_FILE = os.path.abspath(__file__)
_BOOTSTRAP_FILES = (_BOOTSTRAP_FILE, __file__)

# The request id of the invocation in progress ("" during init): read by the log
# record factory, as AWS's runtime does, so "%(aws_request_id)s" works in any format.
_current_request_id = ""


# --------------------------------------------------------------------------------------
# Runtime API client: HTTP/1.1 over one keep-alive TCP connection.
# --------------------------------------------------------------------------------------

class _ConnectionLost(Exception):
    pass


class RuntimeAPI(object):
    def __init__(self, address):
        host, sep, port = address.rpartition(":")
        if not sep or not port.isdigit():
            raise ValueError("AWS_LAMBDA_RUNTIME_API must be host:port, got %r" % address)
        self._family = _sock.AF_INET
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
            self._family = _sock.AF_INET6
        self._addr = (host or "127.0.0.1", int(port))
        self._host_header = address
        self._next_request = ("GET %s HTTP/1.1\r\nHost: %s\r\n\r\n"
                              % (_NEXT_PATH, address)).encode("latin-1")
        self._sock = None
        self._buf = bytearray()
        self._received = False
        # The answer to a /next poll sent along with the previous invocation's result is due.
        self._next_pending = False
        # Reads land here first. recv(n) makes CPython allocate an n-byte object per read, which
        # for a buffer this size glibc maps and unmaps each time: three system calls and a page
        # fault on every read, twice per invocation.
        self._chunk = memoryview(bytearray(262144))

    def close(self):
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
        self._sock = None
        self._buf = bytearray()
        self._next_pending = False

    def _connect(self):
        s = _sock.socket(self._family, _sock.SOCK_STREAM)
        try:
            s.setsockopt(_sock.IPPROTO_TCP, _sock.TCP_NODELAY, 1)
        except (OSError, AttributeError):
            pass
        s.connect(self._addr)
        self._sock = s
        self._buf = bytearray()

    def request(self, method, path, body=None, headers=None, then_next=False):
        """Returns (status, lower-cased headers, body bytes). With then_next, the /next poll that
        follows goes out in the same write (HTTP/1.1 pipelining: the Runtime API answers requests
        on a connection in order); next_invocation then only reads its answer. That saves a
        system call on each side and one wake-up of the server per invocation."""
        head = "%s %s HTTP/1.1\r\nHost: %s\r\n" % (method, path, self._host_header)
        if body is not None:
            head += "Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body)
        if headers:
            for name, value in headers:
                head += "%s: %s\r\n" % (name, value)
        data = head.encode("latin-1") + b"\r\n"
        if body:
            data += body
        if then_next:
            data += self._next_request
        for attempt in (0, 1):
            reused = self._sock is not None
            if not reused:
                self._connect()
            self._received = False
            try:
                self._sock.sendall(data)
                answer = self._read_response()
                # Unless the answer closed the connection, the poll's answer follows on it.
                self._next_pending = then_next and self._sock is not None
                return answer
            except (OSError, _ConnectionLost):
                self.close()
                # A kept-alive connection may have been closed by the server while idle:
                # retry once on a new one, unless part of an answer had already arrived.
                if not reused or attempt or self._received:
                    raise

    def _fill(self):
        n = self._sock.recv_into(self._chunk)
        if not n:
            raise _ConnectionLost("Runtime API closed the connection")
        self._received = True
        self._buf += self._chunk[:n]

    def _read_response(self):
        buf = self._buf
        while True:
            end = buf.find(b"\r\n\r\n")
            if end >= 0:
                lines = bytes(buf[:end]).decode("latin-1").split("\r\n")
                del buf[:end + 4]
                status = int(lines[0].split(" ", 2)[1])
                if 100 <= status < 200:  # interim answer: the real one follows
                    continue
                break
            self._fill()
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = headers.get("content-length")
        if length is not None:
            length = int(length)
            while len(buf) < length:
                self._fill()
            body = bytes(buf[:length])
            del buf[:length]
        elif "chunked" in headers.get("transfer-encoding", "").lower():
            body = self._read_chunked()
        elif status in (204, 304):
            body = b""
        else:  # delimited by the end of the connection
            try:
                while True:
                    self._fill()
            except _ConnectionLost:
                pass
            body = bytes(self._buf)
            self.close()
            return status, headers, body
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, body

    def _read_chunked(self):
        buf = self._buf
        parts = []
        while True:
            end = buf.find(b"\r\n")
            while end < 0:
                self._fill()
                end = buf.find(b"\r\n")
            size = int(bytes(buf[:end]).split(b";", 1)[0].strip() or b"0", 16)
            del buf[:end + 2]
            if size == 0:  # trailers up to the empty line
                while True:
                    end = buf.find(b"\r\n")
                    while end < 0:
                        self._fill()
                        end = buf.find(b"\r\n")
                    del buf[:end + 2]
                    if end == 0:
                        return b"".join(parts)
            while len(buf) < size + 2:
                self._fill()
            parts.append(bytes(buf[:size]))
            del buf[:size + 2]

    def next_invocation(self):
        status = None
        if self._next_pending:
            self._next_pending = False
            try:
                status, headers, body = self._read_response()
            except (OSError, _ConnectionLost):
                self.close()  # the poll is lost with its connection: poll again on a new one
        if status is None:
            status, headers, body = self.request("GET", _NEXT_PATH)
        if status != 200:
            raise RuntimeError("Runtime API /invocation/next answered HTTP %d: %r" % (status, body[:200]))
        return headers, body

    def post_response(self, request_id, payload):
        return self.request("POST", "%s/invocation/%s/response" % (_API_PREFIX, request_id), payload,
                            then_next=True)

    def post_invocation_error(self, request_id, payload):
        return self.request("POST", "%s/invocation/%s/error" % (_API_PREFIX, request_id), payload,
                            ((_ERROR_TYPE_HEADER, _UNHANDLED),), then_next=True)

    def post_init_error(self, payload):
        return self.request("POST", _INIT_ERROR_PATH, payload, ((_ERROR_TYPE_HEADER, _UNHANDLED),))


# --------------------------------------------------------------------------------------
# Context object, shaped like AWS's (attribute names and types as documented).
# --------------------------------------------------------------------------------------

class Client(object):
    __slots__ = ("installation_id", "app_title", "app_version_name", "app_version_code",
                 "app_package_name")

    def __init__(self, data):
        for name in self.__slots__:
            setattr(self, name, data.get(name))

    def __repr__(self):
        return "Client(%s)" % ", ".join("%s=%r" % (n, getattr(self, n)) for n in self.__slots__)


class ClientContext(object):
    __slots__ = ("client", "custom", "env")

    def __init__(self, data):
        client = data.get("client")
        self.client = Client(client) if isinstance(client, dict) else None
        self.custom = data.get("custom")
        self.env = data.get("env")

    def __repr__(self):
        return "ClientContext(client=%r, custom=%r, env=%r)" % (self.client, self.custom, self.env)


class CognitoIdentity(object):
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __init__(self, data):
        self.cognito_identity_id = data.get("cognitoIdentityId")
        self.cognito_identity_pool_id = data.get("cognitoIdentityPoolId")

    def __repr__(self):
        return "CognitoIdentity(cognito_identity_id=%r, cognito_identity_pool_id=%r)" % (
            self.cognito_identity_id, self.cognito_identity_pool_id)


class LambdaContext(object):
    def __init__(self, request_id, deadline_ms, invoked_function_arn, client_context, identity,
                 tenant_id, static):
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_function_arn
        self.client_context = client_context
        self.identity = identity
        self.tenant_id = tenant_id
        (self.function_name, self.function_version, self.memory_limit_in_mb,
         self.log_group_name, self.log_stream_name) = static
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def __repr__(self):
        return ("LambdaContext([aws_request_id=%s,log_group_name=%s,log_stream_name=%s,"
                "function_name=%s,memory_limit_in_mb=%s,function_version=%s,"
                "invoked_function_arn=%s,client_context=%r,identity=%r,tenant_id=%s])" % (
                    self.aws_request_id, self.log_group_name, self.log_stream_name,
                    self.function_name, self.memory_limit_in_mb, self.function_version,
                    self.invoked_function_arn, self.client_context, self.identity,
                    self.tenant_id))


def _json_header(value):
    if not value:
        return None
    try:
        data = json.loads(value)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------

class _Fault(object):
    """A handler that could not be loaded. As AWS's runtime does, the fault is reported as
    the error of every invocation (with its request id), not as an init error."""

    def __init__(self, error_type, message, trace=None):
        self.error_type = error_type
        self.message = message
        self.trace = trace or []


def _stack_trace(tb):
    import traceback  # first error only; cached in sys.modules afterwards
    frames = traceback.extract_tb(tb)
    # Drop the runtime's own frames at the top, so the trace starts in the function's code.
    start = 0
    while start < len(frames) and frames[start][0] in _BOOTSTRAP_FILES:
        start += 1
    return traceback.format_list(frames[start:])


def _error_body(message, error_type, request_id, trace):
    return json.dumps({"errorMessage": message, "errorType": error_type,
                       "requestId": request_id, "stackTrace": trace}).encode("utf-8")


def _log_error(error_type, message, trace):
    text = "[ERROR] %s: %s\nTraceback (most recent call last):\n%s" % (
        error_type, message, "".join(trace))
    if not text.endswith("\n"):
        text += "\n"
    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except Exception:
        pass


def _exception_fields(exc):
    return type(exc).__name__, str(exc), _stack_trace(exc.__traceback__)


# --------------------------------------------------------------------------------------
# Logging: the root logger is configured as AWS's Python runtime configures it.
# --------------------------------------------------------------------------------------

_LOG_LEVELS = {"TRACE": 5, "DEBUG": 10, "INFO": 20, "WARN": 30, "WARNING": 30, "ERROR": 40,
               "FATAL": 50, "CRITICAL": 50}


def _configure_logging(logging):
    previous_factory = logging.getLogRecordFactory()

    def record_factory(*args, **kwargs):
        record = previous_factory(*args, **kwargs)
        record.aws_request_id = _current_request_id
        return record

    logging.setLogRecordFactory(record_factory)
    if os.environ.get("AWS_LAMBDA_LOG_FORMAT", "").upper() == "JSON":
        formatter = _json_formatter(logging)
    else:
        formatter = logging.Formatter(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
            "%Y-%m-%dT%H:%M:%S")
        formatter.converter = time.gmtime
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.addHandler(handler)
    level = _LOG_LEVELS.get(os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper())
    if level is not None:
        root.setLevel(level)


# LogRecord attributes that are not the caller's `extra` fields.
_RECORD_ATTRIBUTES = frozenset((
    "name", "msg", "args", "levelname", "levelno", "pathname", "filename", "module", "exc_info",
    "exc_text", "stack_info", "lineno", "funcName", "created", "msecs", "relativeCreated",
    "thread", "threadName", "processName", "process", "taskName", "aws_request_id", "message",
    "asctime"))


def _json_formatter(logging):
    """LoggingConfig.LogFormat JSON: one JSON object per record, with the fields and order of
    AWS's Python runtime (timestamp, level, message, logger, error fields when an exception is
    attached, requestId, location, then the record's `extra` fields); absent values omitted."""
    import traceback

    class JsonFormatter(logging.Formatter):
        def format(self, record):
            # AWS reports the standard levels only: custom ones round down to the nearest ten.
            levelno = min(50, max(0, record.levelno)) // 10 * 10
            seconds = int(record.created)
            fields = {
                "timestamp": "%s.%03dZ" % (time.strftime("%Y-%m-%dT%H:%M:%S",
                                                         time.gmtime(seconds)),
                                           int((record.created - seconds) * 1000)),
                "level": logging.getLevelName(levelno),
                "message": record.getMessage(),
                "logger": record.name,
            }
            if record.exc_info:
                exc_type, exc, tb = record.exc_info
                fields["stackTrace"] = traceback.format_tb(tb)
                fields["errorType"] = exc_type.__name__
                fields["errorMessage"] = str(exc)
            fields["requestId"] = getattr(record, "aws_request_id", None)
            if record.exc_info:
                fields["location"] = "%s:%s:%d" % (record.pathname, record.funcName,
                                                   record.lineno)
            for key, value in record.__dict__.items():
                if key not in _RECORD_ATTRIBUTES and key not in fields:
                    fields[key] = value
            fields = {k: v for k, v in fields.items() if v is not None}
            return json.dumps(fields, ensure_ascii=False, default=str)

    return JsonFormatter()


class _LoggingImportHook(object):
    """One-shot meta path finder: configures `logging` right after the function (or a
    library) first imports it, so environments that never log don't pay for the import."""

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name != "logging":
            return None
        try:
            sys.meta_path.remove(cls)
        except ValueError:
            pass
        spec = None
        for finder in sys.meta_path:
            find_spec = getattr(finder, "find_spec", None)
            if find_spec is not None:
                spec = find_spec(name, path, target)
                if spec is not None:
                    break
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        inner_exec = spec.loader.exec_module

        def exec_module(module):
            inner_exec(module)
            _configure_logging(module)

        try:
            spec.loader.exec_module = exec_module  # per-module loader instance
        except (AttributeError, TypeError):
            return spec
        return spec


def _install_logging():
    if "logging" in sys.modules:
        _configure_logging(sys.modules["logging"])
    else:
        sys.meta_path.insert(0, _LoggingImportHook)


# --------------------------------------------------------------------------------------
# Handler loading and invocation
# --------------------------------------------------------------------------------------

def _load_handler(handler_name):
    """Returns the handler callable or a _Fault. Exceptions other than the load faults
    that AWS reports per invocation propagate: they are init errors."""
    try:
        module_name, function_name = handler_name.rsplit(".", 1)
    except ValueError as e:
        return _Fault("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (handler_name, e))
    import_name = module_name.replace("/", ".")
    if import_name.rsplit(".", 1)[-1] in sys.builtin_module_names:
        return _Fault("Runtime.BuiltInModuleConflict",
                      "Cannot use built-in module %s as a handler module" % module_name)
    try:
        __import__(import_name)  # importlib.import_module without importing importlib
        module = sys.modules[import_name]
    except ImportError as e:
        return _Fault("Runtime.ImportModuleError",
                      "Unable to import module '%s': %s" % (module_name, e))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        return _Fault("Runtime.UserCodeSyntaxError",
                      "Syntax error in module '%s': %s" % (module_name, e), trace)
    try:
        return getattr(module, function_name)
    except AttributeError:
        return _Fault("Runtime.HandlerNotFound",
                      "Handler '%s' missing on module '%s'" % (function_name, module_name))


def _runtime_minor_version():
    # AWS_EXECUTION_ENV names the declared runtime ("AWS_Lambda_python3.12"); the
    # interpreter that runs it may be another 3.x.
    env = os.environ.get("AWS_EXECUTION_ENV", "")
    marker = "AWS_Lambda_python3."
    if env.startswith(marker) and env[len(marker):].isdigit():
        return int(env[len(marker):])
    return sys.version_info[1]


def _make_encoder():
    def default(obj):
        if type(obj).__name__ == "Decimal" and hasattr(obj, "is_finite") and obj.is_finite():
            return int(obj) if obj == obj.to_integral_value() else float(obj)
        raise TypeError("Object of type %s is not JSON serializable" % type(obj).__name__)

    # Python 3.12+ runtimes return Unicode characters as they are; earlier ones escape them.
    return json.JSONEncoder(ensure_ascii=_runtime_minor_version() < 12, default=default).encode


def _static_context():
    env = os.environ
    memory = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "")
    return (env.get("AWS_LAMBDA_FUNCTION_NAME"), env.get("AWS_LAMBDA_FUNCTION_VERSION"),
            int(memory) if memory.isdigit() else memory or None,
            env.get("AWS_LAMBDA_LOG_GROUP_NAME"), env.get("AWS_LAMBDA_LOG_STREAM_NAME"))


def _report_invocation_error(api, request_id, error_type, message, trace):
    try:
        sys.stdout.write(_LAMBDA_WARNING + "\n")
    except Exception:
        pass
    _log_error(error_type, message, trace)
    _deliver(api.post_invocation_error, request_id,
             _error_body(message, error_type, request_id, trace))


def _deliver(post, request_id, body):
    """Posts an invocation's result. A connection that breaks while a result is being posted
    (the Runtime API refuses an oversized response and closes early) ends that invocation, not
    the runtime: whatever reached the Runtime API decides the outcome, and the next /next poll
    goes out on a fresh connection."""
    try:
        post(request_id, body)
    except (OSError, _ConnectionLost) as e:
        sys.stderr.write("lambdalite bootstrap: could not post the result of %s: %s\n"
                         % (request_id, e))


# --------------------------------------------------------------------------------------
# Response streaming (lambdalite's own API; AWS's Python runtimes have none). The function's
# code imports it as a module this client installs:
#
#     import lambdalite
#
#     @lambdalite.streaming
#     def handler(event, response_stream, context):
#         response_stream.set_content_type("text/plain")    # before the first write
#         response_stream.write(b"first")                   # bytes or str; sent at once
#         response_stream.write("second")
#
#     # For function URLs: the HTTP metadata, then the body (AWS's HttpResponseStream.from).
#     stream = lambdalite.http_response_stream(response_stream,
#                                              {"statusCode": 201, "headers": {...}})
#
# The stream ends when the handler returns (or at stream.end()). An exception raised after
# writing ends it with the error trailers, as Node's streaming handlers do.
# --------------------------------------------------------------------------------------

_RESPONSE_MODE_HEADER = "Lambda-Runtime-Function-Response-Mode"
_ERROR_BODY_TRAILER = "Lambda-Runtime-Function-Error-Body"
_HTTP_INTEGRATION_CONTENT_TYPE = "application/vnd.awslambda.http-integration-response"


class ResponseStream(object):
    """The writable stream a streaming handler gets: a chunked POST .../response on a
    connection of its own, whose head goes out with the first write."""

    def __init__(self, address, request_id):
        self._address = address
        self._request_id = request_id
        self._content_type = "application/octet-stream"
        self._sock = None
        self._ended = False

    def set_content_type(self, content_type):
        if self._sock is not None:
            raise RuntimeError("Cannot set content-type, too late.")
        self._content_type = content_type

    def _open(self):
        host, _, port = self._address.rpartition(":")
        family = _sock.AF_INET
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
            family = _sock.AF_INET6
        s = _sock.socket(family, _sock.SOCK_STREAM)
        try:
            s.setsockopt(_sock.IPPROTO_TCP, _sock.TCP_NODELAY, 1)
        except (OSError, AttributeError):
            pass
        s.connect((host or "127.0.0.1", int(port)))
        head = ("POST %s/invocation/%s/response HTTP/1.1\r\nHost: %s\r\n%s: streaming\r\n"
                "Content-Type: %s\r\nTransfer-Encoding: chunked\r\nTrailer: %s, %s\r\n\r\n"
                % (_API_PREFIX, self._request_id, self._address, _RESPONSE_MODE_HEADER,
                   self._content_type, _ERROR_TYPE_HEADER, _ERROR_BODY_TRAILER))
        s.sendall(head.encode("latin-1"))
        self._sock = s

    def write(self, data):
        if self._ended:
            raise RuntimeError("write after end")
        if isinstance(data, str):
            data = data.encode("utf-8")
        elif not isinstance(data, (bytes, bytearray, memoryview)):
            data = json.dumps(data).encode("utf-8")
        if self._sock is None:
            self._open()
        if len(data):
            self._sock.sendall(b"%x\r\n" % len(data) + bytes(data) + b"\r\n")

    def _finish(self, trailers=b""):
        if self._ended:
            return
        self._ended = True
        if self._sock is None:
            self._open()
        try:
            self._sock.sendall(b"0\r\n" + trailers + b"\r\n")
            # The Runtime API's answer (202, or 413 past the size limit), then close.
            got = b""
            while b"\r\n\r\n" not in got:
                chunk = self._sock.recv(4096)
                if not chunk:
                    break
                got += chunk
        finally:
            self._sock.close()

    def end(self, data=None):
        if data is not None:
            self.write(data)
        self._finish()

    def fail(self, error_body, error_type):
        import base64
        encoded = base64.b64encode(json.dumps(error_body).encode("utf-8")).decode("ascii")
        self._finish(("%s: %s\r\n%s: %s\r\n" % (_ERROR_TYPE_HEADER, error_type,
                                                _ERROR_BODY_TRAILER, encoded)).encode("latin-1"))

    @property
    def ended(self):
        return self._ended


def _streaming(handler):
    handler._lambdalite_streaming = True
    return handler


def _http_response_stream(stream, metadata):
    stream.set_content_type(_HTTP_INTEGRATION_CONTENT_TYPE)
    stream.write(json.dumps(metadata or {}).encode("utf-8") + b"\0" * 8)
    return stream


def _install_streaming_module():
    module = type(sys)("lambdalite")
    module.streaming = _streaming
    module.http_response_stream = _http_response_stream
    module.ResponseStream = ResponseStream
    sys.modules["lambdalite"] = module


def _serve_streaming(api, handler, request_id, event, context):
    stream = ResponseStream(api._host_header, request_id)
    try:
        handler(event, stream, context)
    except Exception as e:
        error_type, message, trace = _exception_fields(e)
        try:
            sys.stdout.write(_LAMBDA_WARNING + "\n")
        except Exception:
            pass
        _log_error(error_type, message, trace)
        body = {"errorMessage": message, "errorType": error_type, "requestId": request_id,
                "stackTrace": trace}
        try:
            if stream.ended:
                raise RuntimeError("the stream had already ended")
            stream.fail(body, error_type)
        except (OSError, RuntimeError):
            _deliver(api.post_invocation_error, request_id, json.dumps(body).encode("utf-8"))
        return
    try:
        stream.end()
    except OSError as e:
        sys.stderr.write("lambdalite bootstrap: could not end the stream of %s: %s\n"
                         % (request_id, e))


def _serve(api, handler, encode):
    global _current_request_id
    static = _static_context()
    environ = os.environ
    while True:
        headers, body = api.next_invocation()
        request_id = headers.get("lambda-runtime-aws-request-id", "")
        _current_request_id = request_id
        trace_id = headers.get("lambda-runtime-trace-id")
        if trace_id:
            environ["_X_AMZN_TRACE_ID"] = trace_id
        elif "_X_AMZN_TRACE_ID" in environ:
            del environ["_X_AMZN_TRACE_ID"]
        if handler.__class__ is _Fault:
            _report_invocation_error(api, request_id, handler.error_type, handler.message,
                                     handler.trace)
            continue
        deadline = headers.get("lambda-runtime-deadline-ms", "")
        client_context = _json_header(headers.get("lambda-runtime-client-context"))
        identity = _json_header(headers.get("lambda-runtime-cognito-identity"))
        context = LambdaContext(
            request_id, int(deadline) if deadline.isdigit() else 0,
            headers.get("lambda-runtime-invoked-function-arn"),
            ClientContext(client_context) if client_context is not None else None,
            CognitoIdentity(identity or {}), headers.get("lambda-runtime-aws-tenant-id"),
            static)
        try:
            event = json.loads(body)
        except ValueError as e:
            _report_invocation_error(api, request_id, "Runtime.UnmarshalError",
                                     "Unable to unmarshal input: %s" % e, [])
            continue
        if getattr(handler, "_lambdalite_streaming", False):
            _serve_streaming(api, handler, request_id, event, context)
            continue
        try:
            result = handler(event, context)
        except Exception as e:
            error_type, message, trace = _exception_fields(e)
            _report_invocation_error(api, request_id, error_type, message, trace)
            continue
        try:
            payload = encode(result).encode("utf-8")
        except Exception as e:
            _report_invocation_error(api, request_id, "Runtime.MarshalError",
                                     "Unable to marshal response: %s" % e, [])
            continue
        _deliver(api.post_response, request_id, payload)


def _await_function():
    """Pre-started (lambdalite started this interpreter before it had a function): blocks until
    the function's environment arrives on stdin, NAME=value entries each ended by a NUL byte, up
    to EOF, and makes it the process environment, as if the interpreter had been started with
    it. The code is at /var/task once the input has ended."""
    chunks = []
    while True:
        chunk = os.read(0, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    environ = {}
    for entry in b"".join(chunks).split(b"\0"):
        name, sep, value = entry.partition(b"=")
        if sep and name:
            environ[name] = value
    os.environb.clear()
    os.environb.update(environ)
    time.tzset()
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)


def main():
    if os.environ.get("_LAMBDALITE_PRESTARTED") == "1":
        _await_function()
    try:
        sys.stdout.reconfigure(line_buffering=True)
    except Exception:
        pass
    env = os.environ
    task_root = env.get("LAMBDA_TASK_ROOT") or "/var/task"
    # The task root comes first on sys.path, in place of this script's own directory;
    # layer directories follow when they exist.
    paths = [task_root]
    # The site-packages directory is named after the function's runtime (python3.12 looks in
    # /opt/python/lib/python3.12/site-packages, as on AWS), whatever interpreter serves it here.
    version = "%d.%d" % sys.version_info[:2]
    execution_env = env.get("AWS_EXECUTION_ENV", "")
    if execution_env.startswith("AWS_Lambda_python"):
        version = execution_env[len("AWS_Lambda_python"):]
    # Layers are at /opt, or where the sandbox says when it could not mount them there.
    opt_root = env.pop("_LAMBDALITE_OPT", None) or "/opt"
    for layer_path in (opt_root + "/python/lib/python%s/site-packages" % version,
                       opt_root + "/python"):
        if os.path.isdir(layer_path):
            paths.append(layer_path)
    if sys.path and sys.path[0] == os.path.dirname(_BOOTSTRAP_FILE):
        sys.path[0:1] = paths
    else:
        sys.path[0:0] = paths
    try:
        os.chdir(task_root)
    except OSError:
        pass
    _install_logging()

    address = env.get("AWS_LAMBDA_RUNTIME_API")
    if not address:
        sys.stderr.write("lambdalite bootstrap: AWS_LAMBDA_RUNTIME_API is not set\n")
        sys.exit(2)
    api = RuntimeAPI(address)
    encode = _make_encoder()

    _install_streaming_module()
    try:
        handler = _load_handler(env.get("_HANDLER", ""))
    except Exception as e:
        # An exception raised by the function's module while it is imported: an init error.
        error_type, message, trace = _exception_fields(e)
        _log_error(error_type, message, trace)
        try:
            api.post_init_error(_error_body(message, error_type, "", trace))
        finally:
            sys.exit(1)

    _serve(api, handler, encode)


if __name__ == "__main__":
    main()
