-- wrk -s get_signed.lua http://HOST:PORT/PATH with BENCH_AUTH and BENCH_AMZ_DATE: a GET carrying
-- a SigV4 Authorization header (computed once by botocore; valid for Lambda's 5-minute window).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")
wrk.method = "GET"
local date = os.getenv("BENCH_AMZ_DATE")
if date and date ~= "" then
  wrk.headers["X-Amz-Date"] = date
end
