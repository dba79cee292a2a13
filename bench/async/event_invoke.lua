-- wrk -s event_invoke.lua http://HOST:PORT/2015-03-31/functions/NAME/invocations
-- Invoke with InvocationType=Event: each 202 means the event is durably queued.
wrk.method = "POST"
wrk.body = '{"bench": true}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Amz-Invocation-Type"] = "Event"

done = function(summary, latency, requests)
  io.write(string.format("accepted/s %.0f  p50 %.2f ms  p99 %.2f ms  non-2xx %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.errors.status))
end
