#!/usr/bin/env python3
"""Creates the benchmark function, its event invoke config, two resource-policy statements and a
layer with three versions on one endpoint (lambdalite or moto). With --moto it first creates the
IAM role moto insists on. Prints 'ok' on success."""

import argparse
import io
import sys
import zipfile

import boto3
from botocore.config import Config

ROLE = "arn:aws:iam::123456789012:role/bench-role"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--moto", action="store_true")
    args = ap.parse_args()
    kw = dict(endpoint_url=args.endpoint, region_name="us-east-1", aws_access_key_id="test",
              aws_secret_access_key="test",
              config=Config(retries={"max_attempts": 1, "mode": "standard"}))
    if args.moto:
        boto3.client("iam", **kw).create_role(RoleName="bench-role", AssumeRolePolicyDocument="{}")
    lam = boto3.client("lambda", **kw)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("handler.py", "def handler(event, context):\n    return event\n")
    lam.create_function(FunctionName=args.name, Runtime="python3.12", Role=ROLE,
                        Handler="handler.handler", Code={"ZipFile": buf.getvalue()},
                        Environment={"Variables": {"BENCH": "1"}}, Tags={"bench": "control-plane"})
    lam.get_waiter("function_active_v2").wait(FunctionName=args.name,
                                              WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    lam.put_function_event_invoke_config(FunctionName=args.name, MaximumRetryAttempts=1)
    lam.get_function(FunctionName=args.name)
    # GetPolicy reads a two-statement policy; ListLayerVersions lists three versions.
    lam.add_permission(FunctionName=args.name, StatementId="s3", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::bench-bucket")
    lam.add_permission(FunctionName=args.name, StatementId="events",
                       Action="lambda:InvokeFunction", Principal="events.amazonaws.com",
                       SourceAccount="123456789012")
    lam.get_policy(FunctionName=args.name)
    for _ in range(3):
        lam.publish_layer_version(LayerName=args.name + "-layer", Content={"ZipFile": buf.getvalue()},
                                  CompatibleRuntimes=["python3.12"])
    lam.list_layer_versions(LayerName=args.name + "-layer")
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
