-- wrk -s url.lua http://127.0.0.1:PORT/path   (BENCH_HOST: the URL's host name)
-- Function URL load for bench/function_url/driver.py: GETs with the URL's Host header and counts
-- as an error any answer that is not 200 or not BENCH_EXPECT. Prints one BENCH line.
wrk.method = "GET"
wrk.headers["Host"] = os.getenv("BENCH_HOST")

local expect = os.getenv("BENCH_EXPECT")
local threads = {}

setup = function(thread)
  table.insert(threads, thread)
end

bad = 0

response = function(status, headers, body)
  if status ~= 200 or (expect and body ~= expect) then
    bad = bad + 1
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
