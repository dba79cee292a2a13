-- wrk -s invoke.lua http://HOST:PORT/2015-03-31/functions/NAME/invocations
-- Warm Invoke load for bench/invoke/driver.py: POSTs BENCH_BODY (the event) on every request and
-- counts as an error any answer that is not 2xx, carries X-Amz-Function-Error or is not
-- BENCH_EXPECT (the function's echo), so a cell full of fast failures cannot pass as fast
-- invokes. Prints one machine-readable BENCH line for the driver.
-- bench/function_url/driver.py uses it for URL requests too: BENCH_METHOD=GET, no body, and
-- BENCH_HOST, the Host header that routes to the URL.
wrk.method = os.getenv("BENCH_METHOD") or "POST"
if wrk.method == "POST" then
  wrk.body = os.getenv("BENCH_BODY") or "{}"
  wrk.headers["Content-Type"] = "application/json"
end
local host = os.getenv("BENCH_HOST")
if host and host ~= "" then
  wrk.headers["Host"] = host
end
-- Optional SigV4 headers, signed once by the caller (bench/control_plane/auth.sh) for this body.
local auth = os.getenv("BENCH_AUTH")
if auth and auth ~= "" then
  wrk.headers["Authorization"] = auth
  wrk.headers["X-Amz-Date"] = os.getenv("BENCH_AMZ_DATE")
end

local expect = os.getenv("BENCH_EXPECT")

-- Each wrk thread runs its own Lua state; done() collects their counters through these handles.
local threads = {}

setup = function(thread)
  table.insert(threads, thread)
end

bad = 0

response = function(status, headers, body)
  if status < 200 or status > 299 or (expect and body ~= expect) then
    bad = bad + 1
    return
  end
  for name, _ in pairs(headers) do
    if string.lower(name) == "x-amz-function-error" then
      bad = bad + 1
      return
    end
  end
end

done = function(summary, latency, requests)
  local total_bad = 0
  for _, thread in ipairs(threads) do
    total_bad = total_bad + thread:get("bad")
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH seconds=%.6f requests=%d bad=%d socket_errors=%d " ..
    "p50_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
    summary.duration / 1e6, summary.requests, total_bad,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
