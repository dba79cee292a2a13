"""Function URL requests beside warm Invokes of the same python function (bench/function_url).

Creates a python3.12 function answering {"statusCode": 200, "body": "ok"}, a function URL with
AuthType NONE and the two permissions AWS requires, then loads each with wrk at 1 and 8
connections, both through ../invoke/invoke.lua: Invoke as POST .../invocations, the URL as GET
with the URL's Host header. Prints req/s, p50 and p99 and the URL/Invoke ratio of p50.
"""

import argparse
import io
import os
import re
import subprocess
import sys
import urllib.parse
import zipfile

import boto3
from botocore.config import Config

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = 'def handler(event, context):\n    return {"statusCode": 200, "body": "ok"}\n'


def wrk(script, url, connections, seconds, env):
    argv = ["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "-s", script, url]
    out = subprocess.run(argv, capture_output=True, text=True, env={**os.environ, **env},
                         timeout=seconds + 60).stdout
    m = re.search(r"BENCH seconds=(\S+) requests=(\d+) bad=(\d+) socket_errors=(\d+) "
                  r"p50_ms=(\S+) p99_ms=(\S+)", out)
    if not m:
        sys.exit(f"wrk printed no BENCH line:\n{out}")
    seconds_run, requests, bad, errors, p50, p99 = m.groups()
    return {"rps": int(requests) / float(seconds_run), "bad": int(bad) + int(errors),
            "p50": float(p50), "p99": float(p99)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--duration", type=int, default=5)
    args = ap.parse_args()
    client = boto3.client("lambda", endpoint_url=args.endpoint, region_name="us-east-1",
                          aws_access_key_id="123456789012", aws_secret_access_key="x",
                          config=Config(retries={"max_attempts": 1}))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("handler.py", SOURCE)
    client.create_function(FunctionName="urlbench", Runtime="python3.12",
                           Role="arn:aws:iam::123456789012:role/bench",
                           Handler="handler.handler", Code={"ZipFile": buf.getvalue()})
    url = client.create_function_url_config(FunctionName="urlbench",
                                            AuthType="NONE")["FunctionUrl"]
    client.add_permission(FunctionName="urlbench", StatementId="url", Principal="*",
                          Action="lambda:InvokeFunctionUrl", FunctionUrlAuthType="NONE")
    client.add_permission(FunctionName="urlbench", StatementId="invoke", Principal="*",
                          Action="lambda:InvokeFunction")
    client.invoke(FunctionName="urlbench", Payload=b"{}")  # warm
    host = urllib.parse.urlsplit(url).netloc
    invoke_url = f"{args.endpoint}/2015-03-31/functions/urlbench/invocations"
    rows = []
    for connections in (1, 8):
        inv = wrk(os.path.join(HERE, "..", "invoke", "invoke.lua"), invoke_url, connections,
                  args.duration, {"BENCH_BODY": "{}",
                                  "BENCH_EXPECT": '{"statusCode": 200, "body": "ok"}'})
        fu = wrk(os.path.join(HERE, "..", "invoke", "invoke.lua"), f"{args.endpoint}/bench",
                 connections, args.duration,
                 {"BENCH_METHOD": "GET", "BENCH_HOST": host, "BENCH_EXPECT": "ok"})
        rows.append((connections, inv, fu))
    print("| connections | Invoke req/s | Invoke p50 / p99 ms | URL req/s | URL p50 / p99 ms "
          "| URL p50 / Invoke p50 | errors |")
    print("|---|---|---|---|---|---|---|")
    for connections, inv, fu in rows:
        print(f"| {connections} | {inv['rps']:,.0f} | {inv['p50']:.2f} / {inv['p99']:.2f} "
              f"| {fu['rps']:,.0f} | {fu['p50']:.2f} / {fu['p99']:.2f} "
              f"| {fu['p50'] / inv['p50']:.2f}x | {inv['bad'] + fu['bad']} |")


if __name__ == "__main__":
    main()
