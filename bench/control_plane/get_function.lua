-- wrk -s get_function.lua http://HOST:PORT/2015-03-31/functions/NAME
-- GetFunction: GET /2015-03-31/functions/{FunctionName}
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")
wrk.method = "GET"
