-- wrk -s get.lua http://HOST:PORT/PATH
-- Any read operation that is a plain GET of its path (GetFunction, GetPolicy, ListLayerVersions).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")
wrk.method = "GET"
