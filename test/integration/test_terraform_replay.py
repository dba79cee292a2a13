"""Replays the Lambda API calls terraform-provider-aws makes for its resources, in its order and
with its parameters, and asserts that every call succeeds (or, where the provider tolerates an
answer, that the answer is the one it tolerates).

Sources (hashicorp/terraform-provider-aws, internal/service/lambda/):
  function.go    resourceFunctionCreate/Read/Update/Delete, waitFunctionCreated (GetFunction until
                 State Active), waitFunctionUpdated (GetFunction until LastUpdateStatus
                 Successful), waitFunctionConfigurationUpdated (GetFunctionConfiguration with the
                 version's Qualifier), waitFunctionDeleted (GetFunction until 404),
                 findLatestFunctionVersionByName (ListVersionsByFunction, MaxItems 10000, paged)
                 and GetFunctionCodeSigningConfig on every read of a Zip function.
  permission.go  AddPermission, then GetPolicy until the statement (by Sid) shows; read parses the
                 statement back (Principal, Condition StringEquals/ArnLike/Bool, the qualifier
                 from Resource); delete RemovePermission, then GetPolicy until the Sid is gone
                 (a 404 counts as gone).
  alias.go       CreateAlias (always with RoutingConfig {}), GetAlias, UpdateAlias (Description,
                 FunctionVersion, RoutingConfig always sent), GetAlias until the routing weights
                 are cleared, DeleteAlias.

Adding a resource: write a class with create/read/update/delete methods that issue the
provider's calls through `self.t.call(...)` (see FunctionResource), and a test that drives it.
An operation this server does not implement yet goes in PENDING_OPERATIONS with the engineer's
family: its calls are reported as skipped subtests ("pending: ..."), never dropped silently.
"""

import json
import re
import time
import unittest

from botocore.exceptions import ClientError

import boto3

from harness import (DEFAULT_REGION, LambdaliteServer, LambdaliteTestCase, python_zip,
                     shared_moto)

# Operations the provider calls that belong to families still being written. A call to one of
# them that this server answers with NotImplementedException is reported as a skipped subtest.
PENDING_OPERATIONS = {
    "GetFunctionCodeSigningConfig": "code signing configs (family 3)",
}

# The provider's functionRegexp (function.go), used to take the qualifier and the function name
# back out of a statement's Resource.
FUNCTION_RE = re.compile(
    r"^(arn:[\w-]+:lambda:)?([a-z]{2}-(?:[a-z]+-){1,2}\d{1}:)?(\d{12}:)?(function:)?"
    r"([a-zA-Z0-9-_.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?$")

POLL_ATTEMPTS = 60


class TerraformReplayTestCase(LambdaliteTestCase):
    def setUp(self):
        self.calls: list[str] = []

    def call(self, op: str, **params):
        """One API call as the provider makes it; fails the test on any error, except for a
        pending operation answered with NotImplementedException (a skipped subtest)."""
        method = getattr(self.client, _snake(op))
        self.calls.append(op)
        try:
            return method(**params)
        except ClientError as e:
            code = e.response["Error"]["Code"]
            if op in PENDING_OPERATIONS and code == "NotImplementedException":
                with self.subTest(pending=op):
                    self.skipTest(f"pending: {op} ({PENDING_OPERATIONS[op]}) is not implemented")
                return None
            self.fail(f"{op}({params}) failed: {code}: {e.response['Error'].get('Message')}")

    def call_expecting(self, op: str, codes: set[str], **params):
        """A call whose error the provider tolerates (e.g. 404 as 'gone'): returns the response,
        or None when it failed with one of `codes`."""
        self.calls.append(op)
        try:
            return getattr(self.client, _snake(op))(**params)
        except ClientError as e:
            code = e.response["Error"]["Code"]
            self.assertIn(code, codes, f"{op}({params}): {code}: {e.response['Error']}")
            return None

    def poll(self, what: str, refresh, done) -> object:
        """sdkretry.StateChangeConf: refresh until done(result); no delays (lambdalite settles
        before it answers, so the first poll is already the target)."""
        for _ in range(POLL_ATTEMPTS):
            result = refresh()
            if done(result):
                return result
            time.sleep(0.05)
        self.fail(f"timed out waiting for {what}")


def _snake(op: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", op).lower()


class FunctionResource:
    """aws_lambda_function."""

    def __init__(self, t: TerraformReplayTestCase, name: str, **attrs):
        self.t = t
        self.name = name
        self.attrs = {"Runtime": "python3.12", "Handler": "handler.handler",
                      "Role": "arn:aws:iam::123456789012:role/lambda-role", "MemorySize": 128,
                      "Timeout": 3, "Description": "", "Publish": False,
                      "Tags": {"managed-by": "terraform"}}
        self.attrs.update(attrs)
        self.state: dict = {}

    def create(self, zip_bytes: bytes, reserved: int | None = None):
        t = self.t
        a = self.attrs
        out = t.call("CreateFunction", FunctionName=self.name, Runtime=a["Runtime"],
                     Handler=a["Handler"], Role=a["Role"], MemorySize=a["MemorySize"],
                     Timeout=a["Timeout"], Description=a["Description"], Publish=a["Publish"],
                     Code={"ZipFile": zip_bytes}, PackageType="Zip", Tags=a["Tags"],
                     TracingConfig={"Mode": "PassThrough"}, Architectures=["x86_64"],
                     EphemeralStorage={"Size": 512},
                     LoggingConfig={"LogFormat": "Text", "LogGroup": f"/aws/lambda/{self.name}"})
        t.assertEqual(out["State"], "Pending")
        self.wait_created()
        if reserved is not None:
            t.call("PutFunctionConcurrency", FunctionName=self.name,
                   ReservedConcurrentExecutions=reserved)
        return self.read()

    def wait_created(self):
        self.t.poll("State Active", lambda: self.t.call("GetFunction", FunctionName=self.name),
                    lambda o: o["Configuration"]["State"] in ("Active", "ActiveNonInvocable"))

    def wait_updated(self):
        self.t.poll("LastUpdateStatus Successful",
                    lambda: self.t.call("GetFunction", FunctionName=self.name),
                    lambda o: o["Configuration"].get("LastUpdateStatus") == "Successful")

    def read(self, qualifier: str | None = None) -> dict:
        t = self.t
        params = {"FunctionName": self.name}
        if qualifier:
            params["Qualifier"] = qualifier
        out = t.call("GetFunction", **params)
        t.assertIn("Code", out)
        t.assertIn("Configuration", out)
        config = out["Configuration"]
        if qualifier and "Concurrency" not in out:
            t.call("GetFunctionConcurrency", FunctionName=self.name)
        if qualifier:
            self.state["qualified_arn"] = config["FunctionArn"]
            self.state["version"] = config["Version"]
        else:
            latest = None
            marker = None
            while True:
                page_params = {"FunctionName": self.name, "MaxItems": 10000}
                if marker:
                    page_params["Marker"] = marker
                page = t.call("ListVersionsByFunction", **page_params)
                marker = page.get("NextMarker")
                if page["Versions"] and not marker:
                    latest = page["Versions"][-1]  # "List is sorted from oldest to latest."
                if not marker:
                    break
            t.assertIsNotNone(latest, "ListVersionsByFunction returned no versions")
            self.state["qualified_arn"] = latest["FunctionArn"]
            self.state["version"] = latest["Version"]
            self.state["tags"] = out.get("Tags", {})
        if config.get("PackageType") == "Zip":
            csc = t.call("GetFunctionCodeSigningConfig", FunctionName=self.name)
            if csc is not None:
                self.state["code_signing_config_arn"] = csc.get("CodeSigningConfigArn", "")
        self.state.update(arn=config["FunctionArn"], code_sha256=config["CodeSha256"],
                          source_code_size=config["CodeSize"], runtime=config["Runtime"],
                          memory_size=config["MemorySize"], description=config["Description"],
                          reserved=out.get("Concurrency", {}).get("ReservedConcurrentExecutions",
                                                                  -1))
        return self.state

    def update(self, *, config: dict | None = None, zip_bytes: bytes | None = None,
               reserved: int | None = None, tags: dict | None = None, publish: bool = False):
        t = self.t
        if tags is not None:
            # Transparent tagging: the tags interceptor diffs and calls Untag/Tag on the ARN.
            old = self.state.get("tags", {})
            removed = [k for k in old if k not in tags]
            if removed:
                t.call("UntagResource", Resource=self.state["arn"], TagKeys=removed)
            changed = {k: v for k, v in tags.items() if old.get(k) != v}
            if changed:
                t.call("TagResource", Resource=self.state["arn"], Tags=changed)
        if config:
            t.call("UpdateFunctionConfiguration", FunctionName=self.name, **config)
            self.wait_updated()
        if zip_bytes is not None:
            t.call("UpdateFunctionCode", FunctionName=self.name, ZipFile=zip_bytes,
                   Architectures=["x86_64"])
            self.wait_updated()
        if reserved is not None:
            if reserved >= 0:
                t.call("PutFunctionConcurrency", FunctionName=self.name,
                       ReservedConcurrentExecutions=reserved)
            else:
                t.call("DeleteFunctionConcurrency", FunctionName=self.name)
        if publish:
            out = t.call("PublishVersion", FunctionName=self.name)
            t.poll("version LastUpdateStatus Successful",
                   lambda: t.call("GetFunctionConfiguration", FunctionName=out["FunctionArn"],
                                  Qualifier=out["Version"]),
                   lambda o: (o.get("LastUpdateStatus") or "InProgress") == "Successful")
        return self.read()

    def delete(self):
        t = self.t
        t.call_expecting("DeleteFunction", {"ResourceNotFoundException"}, FunctionName=self.name)

        def refresh():
            return t.call_expecting("GetFunction", {"ResourceNotFoundException"},
                                    FunctionName=self.name)

        t.poll("function deleted", refresh, lambda o: o is None)


class PermissionResource:
    """aws_lambda_permission."""

    def __init__(self, t: TerraformReplayTestCase, function_name: str, statement_id: str,
                 **attrs):
        self.t = t
        self.function_name = function_name
        self.statement_id = statement_id
        self.attrs = attrs  # Action, Principal, Qualifier, SourceArn, ...
        self.state: dict = {}

    def _find_statement(self):
        params = {"FunctionName": self.function_name}
        if self.attrs.get("Qualifier"):
            params["Qualifier"] = self.attrs["Qualifier"]
        out = self.t.call_expecting("GetPolicy", {"ResourceNotFoundException"}, **params)
        if out is None:
            return None
        policy = json.loads(out["Policy"])
        for statement in policy["Statement"]:
            if statement["Sid"] == self.statement_id:
                return statement
        return None

    def create(self):
        params = {"FunctionName": self.function_name, "StatementId": self.statement_id,
                  "Action": self.attrs.get("Action", "lambda:InvokeFunction"),
                  "Principal": self.attrs["Principal"]}
        for key in ("EventSourceToken", "FunctionUrlAuthType", "InvokedViaFunctionUrl",
                    "PrincipalOrgID", "Qualifier", "SourceAccount", "SourceArn"):
            if self.attrs.get(key) not in (None, ""):
                params[key] = self.attrs[key]
        self.t.call("AddPermission", **params)
        return self.read(new=True)

    def read(self, new: bool = False) -> dict:
        t = self.t
        statement = t.poll("statement visible", self._find_statement, lambda s: s is not None) \
            if new else self._find_statement()
        t.assertIsNotNone(statement, f"statement {self.statement_id} not found on read")
        m = FUNCTION_RE.match(statement["Resource"])
        t.assertIsNotNone(m, f"Resource {statement['Resource']!r} is not a function ARN")
        principal = statement["Principal"]
        if isinstance(principal, dict):
            principal = principal.get("AWS", principal.get("Service"))
        string_equals = statement.get("Condition", {}).get("StringEquals", {})
        self.state = {
            "qualifier": m.group(7) or "",
            "function_name": m.group(5),
            "action": statement["Action"],
            "principal": principal,
            "event_source_token": string_equals.get("lambda:EventSourceToken"),
            "function_url_auth_type": string_equals.get("lambda:FunctionUrlAuthType"),
            "principal_org_id": string_equals.get("aws:PrincipalOrgID"),
            "source_account": string_equals.get("AWS:SourceAccount"),
            "invoked_via_function_url": str(statement.get("Condition", {}).get("Bool", {}).get(
                "lambda:InvokedViaFunctionUrl", "false")).lower() == "true",
            "source_arn": statement.get("Condition", {}).get("ArnLike", {}).get("AWS:SourceArn"),
            "statement_id": statement["Sid"],
        }
        return self.state

    def delete(self):
        params = {"FunctionName": self.function_name, "StatementId": self.statement_id}
        if self.attrs.get("Qualifier"):
            params["Qualifier"] = self.attrs["Qualifier"]
        self.t.call_expecting("RemovePermission", {"ResourceNotFoundException"}, **params)
        self.t.poll("statement removed", self._find_statement, lambda s: s is None)


class AliasResource:
    """aws_lambda_alias."""

    def __init__(self, t: TerraformReplayTestCase, function_name: str, name: str,
                 function_version: str, description: str = "",
                 weights: dict[str, float] | None = None):
        self.t = t
        self.function_name = function_name
        self.name = name
        self.function_version = function_version
        self.description = description
        self.weights = weights
        self.state: dict = {}

    def _routing(self) -> dict:
        return {"AdditionalVersionWeights": self.weights} if self.weights else {}

    def create(self):
        out = self.t.call("CreateAlias", Description=self.description,
                          FunctionName=self.function_name, FunctionVersion=self.function_version,
                          Name=self.name, RoutingConfig=self._routing())
        self.state["id"] = out["AliasArn"]
        return self.read()

    def read(self) -> dict:
        out = self.t.call("GetAlias", FunctionName=self.function_name, Name=self.name)
        self.state.update(arn=out["AliasArn"], description=out["Description"],
                          function_version=out["FunctionVersion"], name=out["Name"],
                          routing=out.get("RoutingConfig", {}).get("AdditionalVersionWeights"))
        return self.state

    def update(self, *, function_version: str | None = None, description: str | None = None,
               weights: dict[str, float] | None = None):
        if function_version is not None:
            self.function_version = function_version
        if description is not None:
            self.description = description
        self.weights = weights
        self.t.call("UpdateAlias", Description=self.description, FunctionName=self.function_name,
                    FunctionVersion=self.function_version, Name=self.name,
                    RoutingConfig=self._routing())
        if not self.weights and not self.name.isdigit():
            self.t.poll("routing weights cleared",
                        lambda: self.t.call("GetAlias", FunctionName=self.function_name,
                                            Name=self.name),
                        lambda o: not o.get("RoutingConfig", {}).get("AdditionalVersionWeights"))
        return self.read()

    def delete(self):
        self.t.call_expecting("DeleteAlias", {"ResourceNotFoundException"},
                              FunctionName=self.function_name, Name=self.name)


class FunctionReplayTest(TerraformReplayTestCase):
    def test_function_create_refresh_update_destroy(self):
        fn = FunctionResource(self, self.unique("tf"), Publish=True)
        state = fn.create(python_zip(marker="v1"), reserved=2)
        self.assertEqual(state["version"], "1", "Publish=true: the latest published version")
        self.assertEqual(state["reserved"], 2)
        self.assertEqual(state["tags"], {"managed-by": "terraform"})
        # terraform plan/refresh: a read without changes.
        self.assertEqual(fn.read()["code_sha256"], state["code_sha256"])
        # Update in the provider's order: tags, configuration, code, concurrency, publish.
        state = fn.update(tags={"managed-by": "terraform", "env": "test"},
                          config={"MemorySize": 256, "Description": "updated",
                                  "Environment": {"Variables": {"STAGE": "test"}}},
                          zip_bytes=python_zip(marker="v2"), reserved=-1, publish=True)
        self.assertEqual(state["version"], "2")
        self.assertEqual(state["memory_size"], 256)
        self.assertEqual(state["reserved"], -1)
        self.assertEqual(state["tags"], {"managed-by": "terraform", "env": "test"})
        # A data source / qualified read.
        self.assertEqual(fn.read(qualifier="1")["version"], "1")
        fn.delete()
        self.assertIn("GetFunctionCodeSigningConfig", self.calls)

    def test_function_without_publish_reads_latest(self):
        fn = FunctionResource(self, self.unique("tf"))
        state = fn.create(python_zip())
        self.assertEqual(state["version"], "$LATEST")
        self.assertEqual(state["qualified_arn"], self.arn(fn.name, "$LATEST"))
        fn.update(config={"Timeout": 10})
        fn.delete()


class PermissionReplayTest(TerraformReplayTestCase):
    def test_permission_lifecycle(self):
        fn = FunctionResource(self, self.unique("tf"), Publish=True)
        fn.create(python_zip())
        alias = AliasResource(self, fn.name, "live", "1")
        alias.create()
        perms = [
            PermissionResource(self, fn.name, "AllowExecutionFromS3Bucket",
                               Principal="s3.amazonaws.com",
                               SourceArn="arn:aws:s3:::my-bucket",
                               SourceAccount="123456789012"),
            # function_name = aws_lambda_function.test.arn (the ARN form).
            PermissionResource(self, fn.state["arn"], "AllowExecutionFromCloudWatch",
                               Principal="events.amazonaws.com",
                               SourceArn="arn:aws:events:us-east-1:123456789012:rule/r",
                               EventSourceToken="test-event-source-token"),
            PermissionResource(self, fn.name, "AllowFromOrg", Principal="*",
                               PrincipalOrgID="o-1234567890"),
            PermissionResource(self, fn.name, "AllowAccount", Principal="210987654321"),
            PermissionResource(self, fn.name, "FunctionURLAllowPublicAccess", Principal="*",
                               Action="lambda:InvokeFunctionUrl", FunctionUrlAuthType="NONE"),
            PermissionResource(self, fn.name, "FunctionURLAllowInvokeAction", Principal="*",
                               Action="lambda:InvokeFunction", InvokedViaFunctionUrl=True),
            PermissionResource(self, fn.name, "AllowAlias", Principal="sns.amazonaws.com",
                               Qualifier="live"),
            PermissionResource(self, fn.name, "AllowVersion", Principal="sns.amazonaws.com",
                               Qualifier="1"),
        ]
        states = [p.create() for p in perms]
        self.assertEqual(states[0]["source_arn"], "arn:aws:s3:::my-bucket")
        self.assertEqual(states[0]["source_account"], "123456789012")
        self.assertEqual(states[0]["qualifier"], "")
        self.assertEqual(states[0]["function_name"], fn.name)
        self.assertEqual(states[1]["event_source_token"], "test-event-source-token")
        self.assertEqual(states[2]["principal"], "*")
        self.assertEqual(states[2]["principal_org_id"], "o-1234567890")
        self.assertEqual(states[3]["principal"], "arn:aws:iam::210987654321:root")
        self.assertEqual(states[4]["function_url_auth_type"], "NONE")
        self.assertTrue(states[5]["invoked_via_function_url"])
        self.assertEqual(states[6]["qualifier"], "live")
        self.assertEqual(states[7]["qualifier"], "1")
        # Refresh, then destroy in reverse order (the alias after its permission).
        for p in perms:
            p.read()
        for p in reversed(perms):
            p.delete()
        alias.delete()
        fn.delete()


class AliasReplayTest(TerraformReplayTestCase):
    def test_alias_lifecycle(self):
        fn = FunctionResource(self, self.unique("tf"), Publish=True)
        fn.create(python_zip(marker="a1"))
        fn.update(zip_bytes=python_zip(marker="a2"), publish=True)
        alias = AliasResource(self, fn.name, "prod", "1", description="first")
        state = alias.create()
        self.assertEqual(state["arn"], self.arn(fn.name, "prod"))
        self.assertIsNone(state["routing"])
        state = alias.update(weights={"2": 0.1})
        self.assertEqual(state["routing"], {"2": 0.1})
        state = alias.update(function_version="2", description="second", weights=None)
        self.assertEqual((state["function_version"], state["description"], state["routing"]),
                         ("2", "second", None))
        alias.delete()
        # A second destroy (state drift) is tolerated: 404 is "already gone".
        alias.delete()
        fn.delete()


class ProvisionedConcurrencyReplayTest(TerraformReplayTestCase):
    """aws_lambda_provisioned_concurrency_config (provisioned_concurrency_config.go): create and
    update are PutProvisionedConcurrencyConfig then GetProvisionedConcurrencyConfig until Status
    READY (FAILED is an error carrying StatusReason); read is Get; delete is
    DeleteProvisionedConcurrencyConfig, a missing config or function counting as gone."""

    def wait_ready(self, name: str, qualifier: str) -> dict:
        out = self.poll("provisioned concurrency READY",
                        lambda: self.call("GetProvisionedConcurrencyConfig", FunctionName=name,
                                          Qualifier=qualifier),
                        lambda o: o["Status"] in ("READY", "FAILED"))
        self.assertEqual(out["Status"], "READY", out.get("StatusReason"))
        return out

    def test_provisioned_concurrency_lifecycle(self):
        fn = FunctionResource(self, self.unique("tf"), Publish=True)
        fn.create(python_zip(marker="p1"))
        alias = AliasResource(self, fn.name, "live", "1")
        alias.create()
        for n in (2, 1):  # create, then an in-place update
            out = self.call("PutProvisionedConcurrencyConfig", FunctionName=fn.name,
                            Qualifier="live", ProvisionedConcurrentExecutions=n)
            self.assertEqual(out["Status"], "IN_PROGRESS")
            state = self.wait_ready(fn.name, "live")
            self.assertEqual((state["RequestedProvisionedConcurrentExecutions"],
                              state["AllocatedProvisionedConcurrentExecutions"]), (n, n))
        gone = {"ProvisionedConcurrencyConfigNotFoundException", "ResourceNotFoundException"}
        for _ in range(2):  # a second destroy (state drift) is tolerated
            self.call_expecting("DeleteProvisionedConcurrencyConfig", gone,
                                FunctionName=fn.name, Qualifier="live")
        self.assertIsNone(self.call_expecting("GetProvisionedConcurrencyConfig", gone,
                                              FunctionName=fn.name, Qualifier="live"))
        alias.delete()
        fn.delete()


class LayerVersionReplayTest(TerraformReplayTestCase):
    """aws_lambda_layer_version (layer_version.go): create is PublishLayerVersion (Content
    ZipFile, CompatibleRuntimes, CompatibleArchitectures, Description, LicenseInfo) and a read;
    the resource id is the LayerVersionArn, which read splits into LayerName and VersionNumber
    for GetLayerVersion (a 404 drops it from state); any change replaces it (a new version, the
    old one deleted); delete is DeleteLayerVersion. A function referencing the layer sends
    Layers in UpdateFunctionConfiguration and reads each layer's Arn and CodeSize back."""

    def read_layer(self, arn: str) -> dict | None:
        name, version = arn.split(":")[6], int(arn.split(":")[7])
        out = self.call_expecting("GetLayerVersion", {"ResourceNotFoundException"},
                                  LayerName=name, VersionNumber=version)
        if out is None:
            return None
        return {"arn": out["LayerVersionArn"], "layer_arn": out["LayerArn"],
                "version": str(out["Version"]), "source_code_hash": out["Content"]["CodeSha256"],
                "source_code_size": out["Content"]["CodeSize"],
                "compatible_runtimes": out.get("CompatibleRuntimes", []),
                "compatible_architectures": out.get("CompatibleArchitectures", []),
                "description": out.get("Description"), "license_info": out.get("LicenseInfo")}

    def publish_layer(self, name: str, zip_bytes: bytes, description: str) -> dict:
        out = self.call("PublishLayerVersion", LayerName=name, Content={"ZipFile": zip_bytes},
                        CompatibleRuntimes=["python3.12"], CompatibleArchitectures=["x86_64"],
                        Description=description, LicenseInfo="MIT")
        return self.read_layer(out["LayerVersionArn"])

    def test_layer_version_lifecycle(self):
        layer_name = self.unique("tflayer")
        zip1 = python_zip(marker="layer1", filename="python/tf_layer_mod.py")
        state = self.publish_layer(layer_name, zip1, "first")
        self.assertEqual(state["version"], "1")
        self.assertEqual(state["description"], "first")
        self.assertEqual(state["compatible_runtimes"], ["python3.12"])
        self.assertEqual(self.read_layer(state["arn"]), state, "a refresh finds no drift")
        fn = FunctionResource(self, self.unique("tf"))
        fn.create(python_zip())
        self.call("UpdateFunctionConfiguration", FunctionName=fn.name, Layers=[state["arn"]])
        fn.wait_updated()
        conf = self.call("GetFunction", FunctionName=fn.name)["Configuration"]
        self.assertEqual(conf["Layers"], [{"Arn": state["arn"],
                                           "CodeSize": state["source_code_size"]}])
        # A changed description replaces the resource: a new version, then the old one goes.
        new_state = self.publish_layer(layer_name, zip1, "second")
        self.assertEqual(new_state["version"], "2")
        self.call("UpdateFunctionConfiguration", FunctionName=fn.name, Layers=[new_state["arn"]])
        fn.wait_updated()
        self.call("DeleteLayerVersion", LayerName=layer_name, VersionNumber=1)
        self.assertIsNone(self.read_layer(state["arn"]), "a deleted version reads as gone")
        fn.delete()
        for _ in range(2):  # destroy, and a second destroy after drift
            self.call("DeleteLayerVersion", LayerName=layer_name, VersionNumber=2)
        self.assertIsNone(self.read_layer(new_state["arn"]))


class EventSourceMappingReplayTest(TerraformReplayTestCase):
    """aws_lambda_event_source_mapping (event_source_mapping.go), on an SQS queue in moto:
    create is CreateEventSourceMapping (retried only on IAM-propagation texts), then
    GetEventSourceMapping until State leaves Creating/Enabling/Disabling for Enabled or Disabled
    (waitEventSourceMappingCreated); read is GetEventSourceMapping plus ListTags on the
    EventSourceMappingArn, with `enabled` taken from State; update sends only the changed members
    (FilterCriteria {} and ScalingConfig {} to remove them) and waits out
    Updating/Enabling/Disabling; delete is DeleteEventSourceMapping (a 404 counts as gone), then
    GetEventSourceMapping until 404 while State is Deleting."""

    @classmethod
    def setUpClass(cls):
        cls.moto = shared_moto()
        cls.server = LambdaliteServer(env={"AWS_ENDPOINT_URL": cls.moto.endpoint})
        try:
            cls.server.start()
        except BaseException:
            cls.server.cleanup()
            raise
        cls._make_clients()

    SETTLED = ("Enabled", "Disabled")

    def poll(self, what: str, refresh, done) -> object:
        """As the provider's waiters, with room for a poller to start or stop (its long poll)."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            result = refresh()
            if done(result):
                return result
            time.sleep(0.1)
        self.fail(f"timed out waiting for {what}")

    def wait_state(self, uuid: str, pending: tuple[str, ...]) -> dict:
        out = self.poll(f"mapping {uuid} to leave {pending}",
                        lambda: self.call("GetEventSourceMapping", UUID=uuid),
                        lambda o: o["State"] not in pending)
        self.assertIn(out["State"], self.SETTLED, out.get("StateTransitionReason"))
        return out

    def read(self, uuid: str) -> dict:
        out = self.call("GetEventSourceMapping", UUID=uuid)
        tags = self.call("ListTags", Resource=out["EventSourceMappingArn"])["Tags"]
        return {"batch_size": out["BatchSize"], "function_arn": out["FunctionArn"],
                "event_source_arn": out["EventSourceArn"],
                "window": out["MaximumBatchingWindowInSeconds"],
                "filters": out.get("FilterCriteria"), "scaling": out.get("ScalingConfig"),
                "enabled": out["State"] in ("Enabled", "Enabling"), "tags": tags,
                "response_types": out["FunctionResponseTypes"]}

    def test_sqs_mapping_lifecycle(self):
        fn = FunctionResource(self, self.unique("tf"))
        fn.create(python_zip())
        sqs = boto3.client("sqs", endpoint_url=self.moto.endpoint, region_name=DEFAULT_REGION,
                           aws_access_key_id="test", aws_secret_access_key="test")
        queue = self.unique("tfq")
        url = sqs.create_queue(QueueName=queue)["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        out = self.call("CreateEventSourceMapping", EventSourceArn=queue_arn,
                        FunctionName=fn.name, Enabled=True, BatchSize=10,
                        FunctionResponseTypes=["ReportBatchItemFailures"],
                        Tags={"managed-by": "terraform"})
        uuid = out["UUID"]
        self.wait_state(uuid, ("Creating", "Enabling", "Disabling"))
        state = self.read(uuid)
        self.assertEqual((state["batch_size"], state["enabled"], state["tags"]),
                         (10, True, {"managed-by": "terraform"}))
        self.assertEqual(state["function_arn"], fn.state["arn"])
        self.assertEqual(self.read(uuid), state, "a refresh finds no drift")

        pattern = json.dumps({"body": {"kind": ["order"]}})
        self.call("UpdateEventSourceMapping", UUID=uuid, BatchSize=20,
                  MaximumBatchingWindowInSeconds=5,
                  FilterCriteria={"Filters": [{"Pattern": pattern}]},
                  ScalingConfig={"MaximumConcurrency": 2})
        self.wait_state(uuid, ("Updating", "Enabling", "Disabling"))
        state = self.read(uuid)
        self.assertEqual((state["batch_size"], state["window"], state["scaling"]),
                         (20, 5, {"MaximumConcurrency": 2}))
        self.assertEqual(state["filters"], {"Filters": [{"Pattern": pattern}]})

        # Removing the filter and the scaling config, as the provider does, with empty objects.
        self.call("UpdateEventSourceMapping", UUID=uuid, FilterCriteria={}, ScalingConfig={})
        self.wait_state(uuid, ("Updating", "Enabling", "Disabling"))
        state = self.read(uuid)
        self.assertFalse(state["filters"], "FilterCriteria {} removes the filters")
        self.assertIsNone(state["scaling"], "ScalingConfig {} removes the scaling config")

        self.call("UpdateEventSourceMapping", UUID=uuid, Enabled=False)
        self.assertEqual(self.wait_state(uuid, ("Updating", "Enabling", "Disabling"))["State"],
                         "Disabled")
        self.assertFalse(self.read(uuid)["enabled"])

        for _ in range(2):  # destroy, and a second destroy after drift
            self.call_expecting("DeleteEventSourceMapping", {"ResourceNotFoundException"},
                                UUID=uuid)
        self.poll("mapping gone",
                  lambda: self.call_expecting("GetEventSourceMapping",
                                              {"ResourceNotFoundException"}, UUID=uuid),
                  lambda o: o is None)
        fn.delete()


if __name__ == "__main__":
    unittest.main()
