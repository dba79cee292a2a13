// lambdalite's runtime client for Node.js functions.
//
// Started once per execution environment as
//
//     /usr/bin/node /var/runtime/node/bootstrap.mjs
//
// with the Lambda environment variables set (AWS_LAMBDA_RUNTIME_API, _HANDLER,
// LAMBDA_TASK_ROOT, AWS_LAMBDA_FUNCTION_*, AWS_LAMBDA_LOG_*, AWS_REGION, ...), or ahead of need
// (see the pre-start block below the imports). It loads the
// handler named by _HANDLER and serves invocations through the Lambda Runtime API
// (2018-06-01) until the process is stopped.
//
// Written for lambdalite from the public description of the Runtime API and of the behaviour
// of AWS's Node.js runtimes. No dependencies; Node.js 18 to 24.
//
// Semantics follow the declared runtime, read from AWS_EXECUTION_ENV ("AWS_Lambda_nodejs22.x"):
// nodejs24.x and later reject callback-style handlers and have no context.succeed/fail/done
// nor callbackWaitsForEmptyEventLoop; earlier runtimes (the default when the variable is
// absent) support them.

import net from "node:net";
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import util from "node:util";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

// Pre-started (lambdalite started this process before it had a function, with
// _LAMBDALITE_PRESTARTED=1): the function's environment arrives on stdin, NAME=value entries each
// ended by a NUL byte, up to EOF, and replaces the process environment before anything below
// reads it. The code is at /var/task once the input has ended.
if (process.env._LAMBDALITE_PRESTARTED === "1") {
  const input = fs.readFileSync(0).toString("utf8");
  for (const name of Object.keys(process.env)) delete process.env[name];
  for (const entry of input.split("\0")) {
    const eq = entry.indexOf("=");
    if (eq > 0) process.env[entry.slice(0, eq)] = entry.slice(eq + 1); // TZ resets Node's zone
  }
}

const env = process.env;
const require = createRequire(import.meta.url);

const API_PREFIX = "/2018-06-01/runtime";
const ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type";

const declaredMajor = (() => {
  const m = /^AWS_Lambda_nodejs(\d+)/.exec(env.AWS_EXECUTION_ENV || "");
  return m ? Number(m[1]) : 0;
})();
const MODERN = declaredMajor >= 24; // nodejs24.x semantics

// ---------------------------------------------------------------------------------------
// Logging: console methods print "<ISO time>\t<request id>\t<LEVEL>\t<message>" as AWS's
// runtime does ("undefined" as the request id before the first invocation). With the JSON log
// format (LoggingConfig.LogFormat, passed as AWS_LAMBDA_LOG_FORMAT) each call is one JSON line
// {timestamp, level, requestId, message[, errorType, errorMessage, stackTrace]}, as AWS's
// runtime writes them.
// ---------------------------------------------------------------------------------------

let currentRequestId; // undefined until the first invocation

const LEVELS = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4, FATAL: 5 };
const minLevel = LEVELS[(env.AWS_LAMBDA_LOG_LEVEL || "").toUpperCase()] ?? 0;
const JSON_LOGS = (env.AWS_LAMBDA_LOG_FORMAT || "").toUpperCase() === "JSON";

function writeLog(stream, level, message) {
  stream.write(`${new Date().toISOString()}\t${currentRequestId}\t${level}\t${message}\n`);
}

// An Error inside a logged value becomes its type, message and stack lines (plus its own
// enumerable properties), so it survives JSON.
function errorFields(error) {
  return {
    errorType: error?.constructor?.name ?? "UnknownError",
    errorMessage: error.message,
    stackTrace: typeof error.stack === "string" ? error.stack.split("\n") : [],
  };
}

function jsonLine(level, args) {
  const record = { timestamp: new Date().toISOString(), level, requestId: currentRequestId };
  if (args.length === 1) {
    // A single value is kept as it is (objects stay objects).
    record.message = args[0];
    try {
      return JSON.stringify(record, (_, v) =>
        v instanceof Error ? Object.assign(errorFields(v), v) : v,
      );
    } catch {
      record.message = util.format(args[0]);
      return JSON.stringify(record);
    }
  }
  record.message = util.format(...args);
  const error = args.find((a) => a instanceof Error);
  if (error) Object.assign(record, errorFields(error));
  return JSON.stringify(record);
}

function writeJsonLog(stream, level, args) {
  // One record per line, whatever the message holds.
  stream.write(jsonLine(level, args).replace(/\n/g, "\r") + "\n");
}

function patchConsole() {
  const make = (level, stream) => {
    if (LEVELS[level] < minLevel) return () => {};
    if (JSON_LOGS) return (...args) => writeJsonLog(stream, level, args);
    return (...args) => writeLog(stream, level, util.format(...args));
  };
  console.log = make("INFO", process.stdout);
  console.info = make("INFO", process.stdout);
  console.debug = make("DEBUG", process.stdout);
  console.warn = make("WARN", process.stderr);
  console.error = make("ERROR", process.stderr);
  console.trace = make("TRACE", process.stderr);
  console.fatal = make("FATAL", process.stderr);
}

// ---------------------------------------------------------------------------------------
// Errors, shaped as AWS's Node.js runtime shapes them.
// ---------------------------------------------------------------------------------------

class RuntimeError extends Error {
  constructor(name, message) {
    super(message);
    this.name = name;
  }
}

function isErrorLike(e) {
  return e instanceof Error || util.types.isNativeError(e);
}

// Body posted to /error: {"errorType","errorMessage","trace"}.
function toErrorPayload(error) {
  try {
    if (isErrorLike(error)) {
      return {
        errorType: error.name,
        errorMessage: error.message,
        trace: typeof error.stack === "string" ? error.stack.split("\n") : [],
      };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return {
      errorType: "handled",
      errorMessage:
        "callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack",
    };
  }
}

// Object printed in the log: the same fields with "stack" in place of "trace".
function toLogObject(error) {
  const p = toErrorPayload(error);
  return { errorType: p.errorType, errorMessage: p.errorMessage, stack: p.trace || [] };
}

function logError(label, error) {
  if (JSON_LOGS) {
    // AWS's JSON format logs the error record itself, without the text label.
    const { errorType, errorMessage, stack } = error;
    writeJsonLog(process.stderr, "ERROR", [{ errorType, errorMessage, stackTrace: stack }]);
    return;
  }
  writeLog(process.stderr, "ERROR", `${label} \t${safeStringify(error)}`);
}

function safeStringify(value) {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

// ---------------------------------------------------------------------------------------
// Runtime API client: HTTP/1.1 on one kept-alive TCP connection, written for exactly this
// peer. node:http spent most of the runtime's time per invocation; this sends each request in
// one write and parses answers in place. The /next poll that follows a result goes out in the
// same write as the result (pipelining: the Runtime API answers a connection's requests in
// order), so a warm invocation costs the runtime one write and one or two reads.
//
// The socket is ref'd only while an answer is due: while the handler runs, nothing of ours
// keeps the event loop alive, so 'beforeExit' (callbackWaitsForEmptyEventLoop) still fires.
// ---------------------------------------------------------------------------------------

const apiAddress = env.AWS_LAMBDA_RUNTIME_API || "";
const apiSep = apiAddress.lastIndexOf(":");
const apiHost = apiAddress.slice(0, apiSep).replace(/^\[(.*)\]$/, "$1") || "127.0.0.1";
const apiPort = Number(apiAddress.slice(apiSep + 1));
const NEXT_PATH = `${API_PREFIX}/invocation/next`;
const NEXT_REQUEST = Buffer.from(`GET ${NEXT_PATH} HTTP/1.1\r\nHost: ${apiAddress}\r\n\r\n`, "latin1");

class ConnectionLost extends Error {
  constructor(received) {
    super("Runtime API closed the connection");
    this.code = "ECONNLOST";
    this.received = received; // part of the answer had arrived
  }
}

let apiConn = null; // the open connection, or null

// A connection and what is due on it. (Its own object: net.Socket has getters such as
// `pending` that must not be shadowed.)
function openApiConn() {
  const socket = net.createConnection({ host: apiHost, port: apiPort });
  socket.setNoDelay(true);
  const c = {
    socket,
    due: [], // answers due, in request order: { resolve, reject }
    inbuf: null, // received bytes not yet parsed
    received: false, // bytes arrived since the last write
  };
  socket.on("data", (chunk) => onApiData(c, chunk));
  socket.on("error", () => {}); // 'close' follows and fails what is due
  socket.on("close", () => {
    if (apiConn === c) apiConn = null;
    const due = c.due;
    c.due = [];
    for (const w of due) w.reject(new ConnectionLost(c.received));
  });
  apiConn = c;
  return c;
}

// One complete answer at the start of c.inbuf, consumed; null while incomplete.
function takeAnswer(c) {
  for (;;) {
    const buf = c.inbuf;
    if (!buf) return null;
    const end = buf.indexOf("\r\n\r\n");
    if (end < 0) return null;
    const lines = buf.toString("latin1", 0, end).split("\r\n");
    const status = Number(lines[0].split(" ", 3)[1]);
    const headers = {};
    for (let i = 1; i < lines.length; i++) {
      const colon = lines[i].indexOf(":");
      if (colon <= 0) continue;
      const name = lines[i].slice(0, colon).trim().toLowerCase();
      const value = lines[i].slice(colon + 1).trim();
      headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
    }
    let at = end + 4;
    if (status >= 100 && status < 200) {
      c.inbuf = at < buf.length ? buf.subarray(at) : null; // interim: the real answer follows
      continue;
    }
    let body;
    if (headers["content-length"] !== undefined) {
      const length = Number(headers["content-length"]);
      if (buf.length - at < length) return null;
      body = buf.subarray(at, at + length);
      at += length;
    } else if (/chunked/i.test(headers["transfer-encoding"] || "")) {
      const parts = [];
      for (;;) {
        const eol = buf.indexOf("\r\n", at);
        if (eol < 0) return null;
        const size = parseInt(buf.toString("latin1", at, eol).split(";")[0].trim() || "0", 16);
        if (size === 0) {
          // Trailers, if any, up to an empty line.
          const p = eol + 2;
          if (buf.length < p + 2) return null;
          if (buf[p] === 13 && buf[p + 1] === 10) {
            at = p + 2;
          } else {
            const trailersEnd = buf.indexOf("\r\n\r\n", p);
            if (trailersEnd < 0) return null;
            at = trailersEnd + 4;
          }
          break;
        }
        if (buf.length < eol + 2 + size + 2) return null;
        parts.push(buf.subarray(eol + 2, eol + 2 + size));
        at = eol + 2 + size + 2;
      }
      body = Buffer.concat(parts);
    } else {
      body = Buffer.alloc(0); // lambdalite always frames its answers; 204 and 304 have none
    }
    c.inbuf = at < buf.length ? buf.subarray(at) : null;
    // A copy, so the rest of a large read is not kept alive by the body.
    return { status, headers, body: Buffer.from(body) };
  }
}

function onApiData(c, chunk) {
  c.received = true;
  c.inbuf = c.inbuf ? Buffer.concat([c.inbuf, chunk]) : chunk;
  for (;;) {
    const answer = takeAnswer(c);
    if (!answer) break;
    const w = c.due.shift();
    if (!w) {
      c.socket.destroy(); // an answer nobody asked for: this connection cannot be trusted
      return;
    }
    if ((answer.headers.connection || "").toLowerCase() === "close") {
      if (apiConn === c) apiConn = null;
      c.socket.end();
    }
    w.resolve(answer);
  }
  if (c.due.length === 0) c.socket.unref();
}

// Writes `data` (one or more requests) and returns the promises of their `count` answers.
function sendRequests(data, count) {
  const c = apiConn || openApiConn();
  const answers = [];
  for (let i = 0; i < count; i++) {
    answers.push(new Promise((resolve, reject) => c.due.push({ resolve, reject })));
  }
  c.received = false;
  c.socket.ref();
  c.socket.write(data);
  return answers;
}

let pipelinedNext = null; // the answer of a /next sent along with the last result

function apiRequest(method, urlPath, body, errorType, thenNext = false) {
  let head = `${method} ${urlPath} HTTP/1.1\r\nHost: ${apiAddress}\r\n`;
  let payload = null;
  if (body !== undefined) {
    payload = Buffer.from(body, "utf8");
    head += `Content-Type: application/json\r\nContent-Length: ${payload.length}\r\n`;
  }
  if (errorType) head += `${ERROR_TYPE_HEADER}: ${errorType}\r\n`;
  head += "\r\n";
  const parts = [Buffer.from(head, "latin1")];
  if (payload) parts.push(payload);
  if (thenNext) parts.push(NEXT_REQUEST);
  const data = parts.length === 1 ? parts[0] : Buffer.concat(parts);
  const attempt = async (retried) => {
    const reused = apiConn !== null;
    const [answer, next] = sendRequests(data, thenNext ? 2 : 1);
    if (next) next.catch(() => {}); // consumed (or given up) by nextInvocation
    try {
      const res = await answer;
      pipelinedNext = next || null;
      return res;
    } catch (err) {
      // A kept-alive connection the server closed while idle: retry once on a new one, unless
      // part of an answer had already arrived.
      if (!retried && reused && err.code === "ECONNLOST" && !err.received) return attempt(true);
      throw err;
    }
  };
  return attempt(false);
}

async function nextInvocation() {
  let res = null;
  if (pipelinedNext) {
    const due = pipelinedNext;
    pipelinedNext = null;
    try {
      res = await due;
    } catch {
      res = null; // lost with its connection: poll again on a new one
    }
  }
  if (!res) res = await apiRequest("GET", NEXT_PATH);
  if (res.status !== 200) {
    throw new Error(`Runtime API /invocation/next answered HTTP ${res.status}: ${res.body}`);
  }
  return res;
}

function postResponse(requestId, body) {
  return apiRequest("POST", `${API_PREFIX}/invocation/${requestId}/response`, body, undefined, true);
}

function postInvocationError(requestId, error) {
  return apiRequest(
    "POST",
    `${API_PREFIX}/invocation/${requestId}/error`,
    safeStringify(toErrorPayload(error)),
    "Unhandled",
    true,
  );
}

function postInitError(error) {
  return apiRequest("POST", `${API_PREFIX}/init/error`, safeStringify(toErrorPayload(error)), "Unhandled");
}

// ---------------------------------------------------------------------------------------
// Handler loading: "dir/file.fn.path" resolves file.js, file.mjs or file.cjs under the task
// root; .mjs (and .js under a package.json with "type": "module") are ES modules loaded with
// import(), the others CommonJS loaded with require().
// ---------------------------------------------------------------------------------------

function nearestPackageType(dir) {
  for (let d = dir; ; ) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(d, "package.json"), "utf8"));
      return pkg && typeof pkg.type === "string" ? pkg.type : "commonjs";
    } catch (e) {
      if (e.code !== "ENOENT" && e.code !== "ENOTDIR") return "commonjs";
    }
    const parent = path.dirname(d);
    if (parent === d) return "commonjs";
    d = parent;
  }
}

async function loadModule(basePath, lambdaStyleName) {
  for (const ext of [".js", ".mjs", ".cjs"]) {
    const file = basePath + ext;
    let stat;
    try {
      stat = fs.statSync(file);
    } catch {
      continue;
    }
    if (!stat.isFile()) continue;
    if (ext === ".mjs" || (ext === ".js" && nearestPackageType(path.dirname(file)) === "module")) {
      return await import(pathToFileURL(file).href);
    }
    return require(file);
  }
  try {
    return require(basePath); // a directory with an index file, .json, .node
  } catch (e) {
    if (e && e.code === "MODULE_NOT_FOUND" && typeof e.message === "string") {
      e.message = e.message.replace(`Cannot find module '${basePath}'`, `Cannot find module '${lambdaStyleName}'`);
    }
    throw e;
  }
}

async function loadHandler(taskRoot, handlerString) {
  const slash = handlerString.lastIndexOf("/");
  const dir = handlerString.slice(0, slash + 1);
  const base = handlerString.slice(slash + 1);
  const dot = base.indexOf(".");
  if (dot <= 0 || dot === base.length - 1) {
    throw new RuntimeError("Runtime.MalformedHandlerName", "Bad handler");
  }
  const moduleName = base.slice(0, dot);
  const fnPath = base.slice(dot + 1);
  let mod;
  try {
    mod = await loadModule(path.resolve(taskRoot, dir, moduleName), dir + moduleName);
  } catch (e) {
    if (e instanceof SyntaxError) throw new RuntimeError("Runtime.UserCodeSyntaxError", String(e));
    if (e && (e.code === "MODULE_NOT_FOUND" || e.code === "ERR_MODULE_NOT_FOUND")) {
      throw new RuntimeError("Runtime.ImportModuleError", String(e));
    }
    throw e;
  }
  let fn = mod;
  for (const key of fnPath.split(".")) fn = fn == null ? undefined : fn[key];
  if (fn === undefined || fn === null) {
    throw new RuntimeError("Runtime.HandlerNotFound", `${handlerString} is undefined or not exported`);
  }
  if (typeof fn !== "function") {
    throw new RuntimeError("Runtime.HandlerNotFound", `${handlerString} is not a function`);
  }
  if (MODERN && fn.length >= 3) {
    throw new RuntimeError(
      "Runtime.CallbackHandlerDeprecated",
      "ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to modify this function to use a supported handler signature to use Node.js 24 or later. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.",
    );
  }
  return fn;
}

// ---------------------------------------------------------------------------------------
// Invocations
// ---------------------------------------------------------------------------------------

const staticContext = {
  functionName: env.AWS_LAMBDA_FUNCTION_NAME,
  functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
  memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
  logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
  logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
};

function parseJsonHeader(value) {
  if (!value) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

let initDone = false;
let lastPost = Promise.resolve(); // the latest response/error post, awaited before a fatal exit
let inflight = null; // the invocation in progress: { requestId, finished, pending, finish }

function serialize(result) {
  const body = JSON.stringify(result);
  return body === undefined ? "null" : body;
}

// ---- Response streaming: awslambda.streamifyResponse and awslambda.HttpResponseStream -------
// A streaming handler is (event, responseStream, context) => Promise. Its responseStream is a
// chunked POST .../response (Lambda-Runtime-Function-Response-Mode: streaming) on a connection
// of its own: what the handler writes goes out at once. An error ends it with the trailers
// Lambda-Runtime-Function-Error-Type and Lambda-Runtime-Function-Error-Body (base64 JSON).

const STREAMING_SYMBOL = Symbol.for("aws.lambda.runtime.handler.streaming");
const HTTP_INTEGRATION_CONTENT_TYPE = "application/vnd.awslambda.http-integration-response";
const ERROR_BODY_TRAILER = "Lambda-Runtime-Function-Error-Body";

function createResponseStream(requestId) {
  const req = http.request({
    host: apiHost,
    port: apiPort,
    method: "POST",
    path: `${API_PREFIX}/invocation/${requestId}/response`,
    agent: false,
    headers: {
      "Lambda-Runtime-Function-Response-Mode": "streaming",
      "Content-Type": "application/octet-stream",
      "Transfer-Encoding": "chunked",
      Trailer: [ERROR_TYPE_HEADER, ERROR_BODY_TRAILER].join(", "),
    },
  });
  req.setNoDelay(true);
  let written = false;
  const done = new Promise((resolve, reject) => {
    req.on("response", (res) => {
      res.resume();
      res.on("end", resolve);
      res.on("error", reject);
    });
    req.on("error", reject);
  });
  const origWrite = req.write.bind(req);
  req.write = (chunk, encoding, callback) => {
    if (typeof chunk !== "string" && !Buffer.isBuffer(chunk) && !(chunk instanceof Uint8Array)) {
      chunk = JSON.stringify(chunk);
    }
    written = true;
    return origWrite(chunk, encoding, callback);
  };
  req.setContentType = (contentType) => {
    if (written || req.headersSent) throw new Error("Cannot set content-type, too late.");
    req.setHeader("Content-Type", contentType);
  };
  const fail = (error) => {
    const payload = toErrorPayload(error);
    req.addTrailers({
      [ERROR_TYPE_HEADER]: payload.errorType,
      [ERROR_BODY_TRAILER]: Buffer.from(JSON.stringify(payload)).toString("base64"),
    });
    req.end();
  };
  return { stream: req, done, fail };
}

class HttpResponseStream {
  // Writes the HTTP metadata ({statusCode, headers, cookies}) and the 8-NUL delimiter, then
  // hands back the stream for the body (function URLs read the prelude; InvokeWithResponseStream
  // passes it through).
  static from(underlyingStream, prelude) {
    underlyingStream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
    underlyingStream.write(Buffer.concat([Buffer.from(JSON.stringify(prelude || {})), Buffer.alloc(8)]));
    return underlyingStream;
  }
}

globalThis.awslambda = {
  ...(globalThis.awslambda || {}),
  streamifyResponse(handler) {
    handler[STREAMING_SYMBOL] = "response";
    return handler;
  },
  HttpResponseStream,
};

function runStreamingInvocation(handler, headers, rawBody, context, state, resolveDone) {
  const requestId = state.requestId;
  const { stream, done, fail } = createResponseStream(requestId);
  const settle = (error) => {
    if (state.finished) return;
    state.finished = true;
    if (inflight === state) inflight = null;
    if (error !== undefined) {
      logError("Invoke Error", toLogObject(error));
      if (!stream.writableEnded) fail(error);
    } else if (!stream.writableEnded) {
      stream.end();
    }
    lastPost = done.catch(() => {});
    done.then(
      () => resolveDone(),
      (err) => {
        process.stderr.write(`lambdalite bootstrap: could not stream the result of ${requestId}: ${err && err.message}\n`);
        resolveDone();
      },
    );
  };
  state.finish = (failed, value) => settle(failed ? value : undefined);
  let event;
  try {
    event = JSON.parse(rawBody);
  } catch (e) {
    settle(e);
    return;
  }
  let ret;
  try {
    ret = handler(event, stream, context);
  } catch (e) {
    settle(e);
    return;
  }
  // Once the handler's promise settles the stream ends (if the handler did not end it).
  Promise.resolve(ret).then(
    () => settle(),
    (e) => settle(e),
  );
}

function runInvocation(handler, headers, rawBody) {
  return new Promise((resolveDone) => {
    const requestId = headers["lambda-runtime-aws-request-id"];
    const deadline = Number(headers["lambda-runtime-deadline-ms"]) || 0;
    const state = { requestId, finished: false, pending: null, finish: null };
    inflight = state;

    const finish = (failed, value) => {
      if (state.finished) return;
      state.finished = true;
      if (inflight === state) inflight = null;
      let post;
      if (failed) {
        logError("Invoke Error", toLogObject(value));
        post = postInvocationError(requestId, value);
      } else {
        let body;
        try {
          body = serialize(value);
        } catch (e) {
          logError("Invoke Error", toLogObject(e));
          post = postInvocationError(requestId, e);
        }
        if (!post) post = postResponse(requestId, body);
      }
      lastPost = post.catch(() => {});
      // A connection that breaks while a result is posted (the Runtime API refuses an
      // oversized response and closes early) ends that invocation, not the runtime: what
      // reached the Runtime API decides the outcome, and the next poll opens a new connection.
      post.then(
        () => resolveDone(),
        (err) => {
          process.stderr.write(`lambdalite bootstrap: could not post the result of ${requestId}: ${err && err.message}\n`);
          resolveDone();
        },
      );
    };
    state.finish = finish;

    const context = {
      callbackWaitsForEmptyEventLoop: true,
      ...staticContext,
      invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
      awsRequestId: requestId,
      clientContext: parseJsonHeader(headers["lambda-runtime-client-context"]),
      identity: parseJsonHeader(headers["lambda-runtime-cognito-identity"]),
      getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
    };
    if (headers["lambda-runtime-aws-tenant-id"] !== undefined) {
      context.tenantId = headers["lambda-runtime-aws-tenant-id"];
    }

    if (handler[STREAMING_SYMBOL] === "response") {
      delete context.callbackWaitsForEmptyEventLoop;
      runStreamingInvocation(handler, headers, rawBody, context, state, resolveDone);
      return;
    }

    let event;
    try {
      event = JSON.parse(rawBody);
    } catch (e) {
      finish(true, e);
      return;
    }

    if (MODERN) {
      delete context.callbackWaitsForEmptyEventLoop;
      let ret;
      try {
        ret = handler(event, context);
      } catch (e) {
        finish(true, e);
        return;
      }
      Promise.resolve(ret).then(
        (r) => finish(false, r),
        (e) => finish(true, e),
      );
      return;
    }

    // nodejs22.x and earlier: promise, callback or context.succeed/fail/done.
    const callback = (err, result) => {
      if (state.finished || state.pending) return;
      const failed = err !== undefined && err !== null;
      if (context.callbackWaitsForEmptyEventLoop) {
        state.pending = [failed, failed ? err : result]; // answered once the event loop drains
      } else {
        finish(failed, failed ? err : result);
      }
    };
    context.succeed = (result) => finish(false, result);
    context.fail = (err) => finish(true, err);
    context.done = (err, result) => {
      const failed = err !== undefined && err !== null;
      finish(failed, failed ? err : result);
    };
    let ret;
    try {
      ret = handler(event, context, callback);
    } catch (e) {
      finish(true, e);
      return;
    }
    if (ret !== null && (typeof ret === "object" || typeof ret === "function") && typeof ret.then === "function") {
      ret.then(
        (r) => finish(false, r),
        (e) => finish(true, e),
      );
    }
    // Otherwise the answer comes from the callback or context methods; a handler that gives
    // none is answered with null when the event loop drains (see 'beforeExit' below).
  });
}

// The event loop drained while an invocation is in progress: deliver the callback's result
// (callbackWaitsForEmptyEventLoop) or, when the handler never answered, null.
process.on("beforeExit", () => {
  const state = inflight;
  if (!state || state.finished) return;
  if (state.pending) state.finish(state.pending[0], state.pending[1]);
  else state.finish(false, undefined);
});

function fatalAfterPost(label, error, exitCode) {
  logError(label, label === "Unhandled Promise Rejection" ? error.logObject : toLogObject(error));
  let post = null;
  if (inflight && !inflight.finished) {
    const state = inflight;
    state.finished = true;
    inflight = null;
    post = postInvocationError(state.requestId, error);
  } else if (!initDone) {
    post = postInitError(error);
  }
  const exit = () => process.exit(exitCode);
  Promise.allSettled([lastPost, post]).then(exit, exit);
}

process.on("unhandledRejection", (reason, promise) => {
  const error = new RuntimeError("Runtime.UnhandledPromiseRejection", String(reason));
  error.logObject = {
    errorType: error.name,
    errorMessage: error.message,
    reason: isErrorLike(reason) ? toLogObject(reason) : reason,
    promise,
    stack: error.stack.split("\n"),
  };
  fatalAfterPost("Unhandled Promise Rejection", error, 128);
});

process.on("uncaughtException", (error) => {
  fatalAfterPost("Uncaught Exception", error, 129);
});

async function main() {
  patchConsole();
  if (!apiAddress || apiSep < 0 || !Number.isInteger(apiPort)) {
    process.stderr.write("lambdalite bootstrap: AWS_LAMBDA_RUNTIME_API must be host:port\n");
    process.exit(2);
  }
  const taskRoot = env.LAMBDA_TASK_ROOT || "/var/task";
  try {
    process.chdir(taskRoot);
  } catch {
    // keep the working directory the executor gave
  }

  let handler;
  try {
    handler = await loadHandler(taskRoot, env._HANDLER || "");
  } catch (error) {
    logError(MODERN ? "Init Error" : "Uncaught Exception", toLogObject(error));
    initDone = true;
    try {
      await postInitError(error);
    } finally {
      process.exit(129);
    }
  }
  initDone = true;

  for (;;) {
    const res = await nextInvocation();
    const headers = res.headers;
    currentRequestId = headers["lambda-runtime-aws-request-id"];
    const traceId = headers["lambda-runtime-trace-id"];
    if (traceId) env._X_AMZN_TRACE_ID = traceId;
    else delete env._X_AMZN_TRACE_ID;
    await runInvocation(handler, headers, res.body.toString("utf8"));
  }
}

main().catch((err) => {
  process.stderr.write(`lambdalite bootstrap: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
