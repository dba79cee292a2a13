-- wrk -s put_event_invoke_config.lua http://HOST:PORT/2019-09-25/functions/NAME/event-invoke-config
-- PutFunctionEventInvokeConfig: PUT with a JSON body (replaces the whole config each time).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")
wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"MaximumRetryAttempts":1,"MaximumEventAgeInSeconds":3600,' ..
           '"DestinationConfig":{"OnFailure":{"Destination":"arn:aws:sqs:us-east-1:123456789012:failed"}}}'
