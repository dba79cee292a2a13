"""Lambda layers: PublishLayerVersion (ZipFile and S3), GetLayerVersion, GetLayerVersionByArn,
ListLayers, ListLayerVersions, DeleteLayerVersion, Add/RemoveLayerVersionPermission,
GetLayerVersionPolicy, against aws-lambda-behaviour-2.md section 2 (LY*, LP*, LF*), through boto3
and the AWS CLI; functions that reference layers (CreateFunction / UpdateFunctionConfiguration
Layers) and run them from /opt; persistence across restarts."""

import base64
import json
import re
import unittest
import urllib.request

from harness import (DEFAULT_ACCOUNT, DEFAULT_REGION, LambdaliteServer, LambdaliteTestCase,
                     aws_cli, code_sha256, create_function, lambda_client, make_zip, s3_client,
                     unique_name)

RNF = "ResourceNotFoundException"
IPVE = "InvalidParameterValueException"
VE = "ValidationException"
OTHER_ACCOUNT = "210987654321"
UUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
DATE_RE = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$"
STALE = ("The Revision Id provided does not match the latest Revision Id. Call the GetLayerPolicy "
         "API to retrieve the latest Revision Id")


def larn(name, account=DEFAULT_ACCOUNT, region=DEFAULT_REGION):
    return f"arn:aws:lambda:{region}:{account}:layer:{name}"


# LY13: the set AWS prints for ListLayers' CompatibleRuntime, in its order.
HISTORIC_RUNTIMES = (
    "ruby3.5, ruby2.6, dotnetcore1.0, python3.7, nodejs8.10, nasa, ruby2.7, python2.7-greengrass, "
    "dotnetcore2.0, python3.8, java21, dotnet6, dotnetcore2.1, python3.9, java11, nodejs6.10, "
    "provided, dotnetcore3.1, dotnet8, java25, java17, nodejs, nodejs4.3, java8.al2, go1.x, "
    "dotnet10, nodejs20.x, go1.9, byol, nodejs10.x, provided.al2023, nodejs22.x, python3.10, "
    "java8, nodejs12.x, python3.11, nodejs24.x, nodejs8.x, python3.12, nodejs14.x, nodejs8.9, "
    "nodejs26.x, python3.13, python3.14, nodejs16.x, python3.15, provided.al2, nodejs4.3-edge, "
    "nodejs18.x, ruby3.2, python3.4, ruby3.3, ruby3.4, ruby2.5, python3.6, python2.7").split(", ")

LAYER_ZIP = make_zip({"python/layer_mod.py": "VALUE = 'from-layer'\n"})


class LayerTestBase(LambdaliteTestCase):
    def publish_layer(self, name, zip_bytes=LAYER_ZIP, client=None, **kw):
        return (client or self.client).publish_layer_version(
            LayerName=name, Content={"ZipFile": zip_bytes}, **kw)


class PublishAndGetTest(LayerTestBase):
    def test_ly1_publish_shape(self):
        name = self.unique("ly")
        resp = self.publish_layer(name, CompatibleRuntimes=["python3.12"],
                                  CompatibleArchitectures=["x86_64"])
        self.assertStatus(resp, 201)
        body = self.body(resp)
        self.assertEqual(set(body), {"CompatibleArchitectures", "CompatibleRuntimes", "Content",
                                     "CreatedDate", "Description", "LayerArn", "LayerVersionArn",
                                     "Version"})
        self.assertEqual(body["Description"], "")
        self.assertEqual(body["LayerArn"], larn(name))
        self.assertEqual(body["LayerVersionArn"], larn(name) + ":1")
        self.assertEqual(body["Version"], 1)
        self.assertRegex(body["CreatedDate"], DATE_RE)
        self.assertEqual(set(body["Content"]), {"CodeSha256", "CodeSize", "Location"})
        self.assertEqual(body["Content"]["CodeSha256"], code_sha256(LAYER_ZIP))
        self.assertEqual(body["Content"]["CodeSize"], len(LAYER_ZIP))
        # Content.Location is a real download of the zip.
        with urllib.request.urlopen(body["Content"]["Location"], timeout=10) as r:
            self.assertEqual(r.read(), LAYER_ZIP)

    def test_ly2_ly3_ly7_license_description_get_and_by_arn(self):
        name = self.unique("ly")
        first = self.body(self.publish_layer(name, Description="d", LicenseInfo="MIT",
                                             CompatibleRuntimes=["python3.12", "nodejs20.x"]))
        self.assertEqual((first["Description"], first["LicenseInfo"]), ("d", "MIT"))
        second = self.body(self.publish_layer(name, Description="d", LicenseInfo="MIT"))
        self.assertEqual(second["Version"], 2, "LY3: identical content is a new version")
        self.assertEqual(second["Content"]["CodeSha256"], first["Content"]["CodeSha256"])
        got = self.client.get_layer_version(LayerName=name, VersionNumber=1)
        self.assertStatus(got, 200)
        by_arn = self.client.get_layer_version_by_arn(Arn=larn(name) + ":1")
        for resp in (got, by_arn):
            body = self.body(resp)
            body["Content"].pop("Location")
            want = dict(first)
            want["Content"] = {k: v for k, v in first["Content"].items() if k != "Location"}
            self.assertEqual(body, want)
        # A LayerName may be the layer's ARN.
        self.assertEqual(self.client.get_layer_version(LayerName=larn(name), VersionNumber=2)
                         ["Version"], 2)

    def test_ly15_ly16_ly19_get_errors(self):
        name = self.unique("ly")
        self.publish_layer(name)
        self.assertAwsError(lambda: self.client.get_layer_version(
            LayerName="layerdoesnotexist", VersionNumber=1), 404, RNF,
            "The resource you requested does not exist.")
        for v in (-1, 0):
            self.assertAwsError(lambda: self.raw.get_layer_version(LayerName=name, VersionNumber=v),
                                400, IPVE, "Layer Version Cannot be less than 1")
        self.assertAwsError(lambda: self.client.get_layer_version_by_arn(Arn=larn(name) + ":2"),
                            404, RNF, "The resource you requested does not exist.")

    def test_ly14_list_layers_bad_architecture(self):
        self.assertAwsError(
            lambda: self.raw.list_layers(CompatibleArchitecture="archdoesnotexist"), 400, VE,
            "1 validation error detected: Value 'archdoesnotexist' at 'compatibleArchitecture' "
            "failed to satisfy constraint: Member must satisfy enum value set: [x86_64, arm64]")

    def test_ly13_list_layers_bad_runtime(self):
        self.assertAwsError(lambda: self.raw.list_layers(CompatibleRuntime="runtimedoesnotexist"),
                            400, VE, "1 validation error detected: Value 'runtimedoesnotexist' at "
                            "'compatibleRuntime' failed to satisfy constraint: Member must satisfy "
                            "enum value set: [" + ", ".join(HISTORIC_RUNTIMES) + "]")

    def test_ly21_publish_bad_runtime_and_architecture(self):
        self.assertAwsError(lambda: self.raw.publish_layer_version(
            LayerName=self.unique("ly"), Content={"ZipFile": LAYER_ZIP},
            CompatibleRuntimes=["invalidruntime"], CompatibleArchitectures=["invalidarch"]),
            400, VE,
            "2 validation errors detected: Value '[invalidruntime]' at 'compatibleRuntimes' failed "
            "to satisfy constraint: Member must satisfy enum value set: [nodejs20.x, python3.14, "
            "provided.al2023, python3.12, python3.13, nodejs24.x, nodejs22.x, java25, python3.10, "
            "python3.11, java21, ruby3.3, ruby3.4, ruby3.2, python3.8, python3.9, java17, "
            "nodejs16.x, dotnet10, dotnet8, java11, dotnet6, nodejs18.x, provided.al2, java8.al2]; "
            "Value '[invalidarch]' at 'compatibleArchitectures' failed to satisfy constraint: "
            "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], "
            "Member must not be null]")

    def test_publish_without_content(self):
        self.assertAwsError(lambda: self.raw.publish_layer_version(
            LayerName=self.unique("ly"), Content={}), 400, IPVE,
            "Please provide a source for function code.")


class LayerAccountUsageTest(LayerTestBase):
    def test_total_code_size_counts_layer_archives(self):
        before = self.client.get_account_settings()["AccountUsage"]["TotalCodeSize"]
        name = self.unique("lusage")
        self.publish_layer(name)
        after = self.client.get_account_settings()["AccountUsage"]["TotalCodeSize"]
        self.assertEqual(after - before, len(LAYER_ZIP))
        self.client.delete_layer_version(LayerName=name, VersionNumber=1)
        self.assertEqual(self.client.get_account_settings()["AccountUsage"]["TotalCodeSize"],
                         before)


class ListAndDeleteTest(LayerTestBase):
    def test_ly8_ly9_ly10_ly11_ly12_versions_newest_first_and_counter(self):
        name = self.unique("ly")
        self.publish_layer(name, LicenseInfo="MIT", CompatibleRuntimes=["python3.12"])
        self.publish_layer(name)
        resp = self.client.list_layer_versions(LayerName=name)
        self.assertStatus(resp, 200)
        versions = resp["LayerVersions"]
        self.assertEqual([v["Version"] for v in versions], [2, 1], "LY8: newest first")
        self.assertEqual(set(versions[1]), {"CompatibleRuntimes", "CreatedDate", "Description",
                                            "LayerVersionArn", "LicenseInfo", "Version"})
        self.assertNotIn("Content", versions[0])
        self.assertNotIn("LayerArn", versions[0])
        self.assertEqual(self.body(self.client.list_layer_versions(LayerName="layerdoesnotexist")),
                         {"LayerVersions": []}, "LY9")
        for args in ((name, 1), (name, 2), (name, 2), ("layerdoesnotexist", 1), (name, 99)):
            resp = self.client.delete_layer_version(LayerName=args[0], VersionNumber=args[1])
            self.assertStatus(resp, 204)  # LY12: idempotent
        self.assertEqual(self.client.list_layer_versions(LayerName=name)["LayerVersions"], [])
        self.assertEqual(self.publish_layer(name)["Version"], 3, "LY11: the counter is kept")

    def test_list_layers_latest_matching_and_filters(self):
        a, b = self.unique("la"), self.unique("lb")
        self.publish_layer(a, CompatibleRuntimes=["python3.12"], CompatibleArchitectures=["arm64"])
        self.publish_layer(a, CompatibleRuntimes=["nodejs20.x"])
        self.publish_layer(b, CompatibleRuntimes=["python3.12"])
        layers = {l["LayerName"]: l for l in self.client.list_layers()["Layers"]}
        self.assertEqual(layers[a]["LatestMatchingVersion"]["Version"], 2)
        self.assertEqual(layers[a]["LayerArn"], larn(a))
        self.assertEqual(set(layers[a]), {"LayerName", "LayerArn", "LatestMatchingVersion"})
        py = {l["LayerName"]: l for l in
              self.client.list_layers(CompatibleRuntime="python3.12")["Layers"]}
        self.assertEqual(py[a]["LatestMatchingVersion"]["Version"], 1)
        self.assertEqual(py[b]["LatestMatchingVersion"]["Version"], 1)
        arm = [l["LayerName"] for l in
               self.client.list_layers(CompatibleArchitecture="arm64")["Layers"]]
        self.assertIn(a, arm)
        self.assertNotIn(b, arm)
        node = self.client.list_layer_versions(LayerName=a, CompatibleRuntime="nodejs20.x")
        self.assertEqual([v["Version"] for v in node["LayerVersions"]], [2])

    def test_pagination(self):
        name = self.unique("lp")
        for _ in range(5):
            self.publish_layer(name)
        seen, marker = [], None
        while True:
            kw = {"Marker": marker} if marker else {}
            page = self.client.list_layer_versions(LayerName=name, MaxItems=2, **kw)
            seen += [v["Version"] for v in page["LayerVersions"]]
            marker = page.get("NextMarker")
            if not marker:
                break
        self.assertEqual(seen, [5, 4, 3, 2, 1])
        pages = list(self.client.get_paginator("list_layers").paginate(
            PaginationConfig={"PageSize": 1}))
        self.assertIn(name, [l["LayerName"] for p in pages for l in p["Layers"]])
        self.assertGreater(len(pages), 1)


class LayerPermissionTest(LayerTestBase):
    def setUp(self):
        self.name = self.unique("lperm")
        self.publish_layer(self.name)

    def add(self, sid="s1", **kw):
        params = {"LayerName": self.name, "VersionNumber": 1, "StatementId": sid,
                  "Action": "lambda:GetLayerVersion", "Principal": "*"}
        params.update(kw)
        return self.client.add_layer_version_permission(**params)

    def test_lp1_to_lp4_lifecycle(self):
        self.assertAwsError(lambda: self.client.get_layer_version_policy(
            LayerName=self.name, VersionNumber=1), 404, RNF,
            "No policy is associated with the given resource.")
        resp = self.add()
        self.assertStatus(resp, 201)
        self.assertRegex(resp["RevisionId"], UUID_RE)
        self.assertEqual(resp["Statement"],
                         '{"Sid":"s1","Effect":"Allow","Principal":"*","Action":'
                         '"lambda:GetLayerVersion","Resource":"' + larn(self.name) + ':1"}')
        pol = self.client.get_layer_version_policy(LayerName=self.name, VersionNumber=1)
        self.assertStatus(pol, 200)
        self.assertEqual(pol["RevisionId"], resp["RevisionId"])
        self.assertEqual(pol["Policy"], '{"Version":"2012-10-17","Id":"default","Statement":[' +
                         resp["Statement"] + "]}")
        second = self.add("s2", RevisionId=pol["RevisionId"], Principal=OTHER_ACCOUNT)
        self.assertNotEqual(second["RevisionId"], resp["RevisionId"])
        doc = self.client.get_layer_version_policy(LayerName=self.name, VersionNumber=1)
        self.assertEqual(doc["RevisionId"], second["RevisionId"])
        stmts = json.loads(doc["Policy"])["Statement"]
        self.assertEqual([s["Sid"] for s in stmts], ["s1", "s2"])
        self.assertEqual(stmts[1]["Principal"], {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"})
        resp = self.client.remove_layer_version_permission(LayerName=self.name, VersionNumber=1,
                                                           StatementId="s1")
        self.assertStatus(resp, 204)
        self.client.remove_layer_version_permission(LayerName=self.name, VersionNumber=1,
                                                    StatementId="s2")
        self.assertAwsError(lambda: self.client.get_layer_version_policy(
            LayerName=self.name, VersionNumber=1), 404, RNF,
            "No policy is associated with the given resource.")

    def test_organization_condition(self):
        st = json.loads(self.add("org", OrganizationId="o-t194hfs8cz")["Statement"])
        self.assertEqual(list(st), ["Sid", "Effect", "Principal", "Action", "Resource",
                                    "Condition"])
        self.assertEqual(st["Condition"], {"StringEquals": {"aws:PrincipalOrgID": "o-t194hfs8cz"}})

    def test_lp6_lp7_lp8_lp10_lp12_errors(self):
        self.assertAwsError(lambda: self.raw.add_layer_version_permission(
            LayerName=self.name, VersionNumber=1, StatementId="x", Action="*", Principal="*"),
            400, VE, "1 validation error detected: Value '*' at 'action' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: lambda:GetLayerVersion")
        self.add()
        self.assertAwsError(lambda: self.add(), 409, "ResourceConflictException",
                            "The statement id (s1) provided already exists. Please provide a new "
                            "statement id, or remove the existing statement.")
        self.assertAwsError(lambda: self.add("s9", RevisionId="wrong"), 412,
                            "PreconditionFailedException", STALE)
        missing = self.name + "-doesnotexist"
        text = f"Layer version {larn(missing)}:1 does not exist."
        self.assertAwsError(lambda: self.client.add_layer_version_permission(
            LayerName=missing, VersionNumber=1, StatementId="s", Action="lambda:GetLayerVersion",
            Principal="*"), 404, RNF, text)
        self.assertAwsError(lambda: self.client.get_layer_version_policy(
            LayerName=missing, VersionNumber=1), 404, RNF, text)
        self.assertAwsError(lambda: self.client.remove_layer_version_permission(
            LayerName=missing, VersionNumber=1, StatementId="s"), 404, RNF, text)
        self.assertAwsError(lambda: self.client.remove_layer_version_permission(
            LayerName=self.name, VersionNumber=1, StatementId="doesnotexist"), 404, RNF,
            "Statement doesnotexist is not found in resource policy.")


class LayersOnFunctionsTest(LayerTestBase):
    def test_lf1_lf2_lf3_code_size_and_deleted_layer_stays(self):
        name = self.unique("lyf")
        v = self.body(self.publish_layer(name))
        fn = self.create_function(self.unique("fn"))
        self.assertNotIn("Layers", fn, "LF2")
        resp = self.update_config(fn["FunctionName"], Layers=[v["LayerVersionArn"]])
        self.assertEqual(resp["Layers"], [{"Arn": v["LayerVersionArn"], "CodeSize": len(LAYER_ZIP)}])
        self.client.delete_layer_version(LayerName=name, VersionNumber=1)
        got = self.client.get_function_configuration(FunctionName=fn["FunctionName"])
        self.assertEqual(got["Layers"], resp["Layers"], "LF3")
        # Still usable for other changes of the function, and kept by published versions.
        self.update_config(fn["FunctionName"], Description="still")
        pub = self.publish(fn["FunctionName"])
        self.assertEqual(pub["Layers"], resp["Layers"])

    def test_create_with_layers_and_errors(self):
        name = self.unique("lyc")
        self.publish_layer(name)
        self.publish_layer(name)
        ok = self.create_function(self.unique("fn"), Layers=[larn(name) + ":2"])
        self.assertEqual(ok["Layers"], [{"Arn": larn(name) + ":2", "CodeSize": len(LAYER_ZIP)}])
        self.assertAwsError(lambda: self.create_function(
            self.unique("fn"), Layers=[larn(name) + ":1", larn(name) + ":2"]), 400, IPVE,
            "Two different versions of the same layer are not allowed to be referenced in the "
            f"same function. {larn(name)}:1 and {larn(name)}:2 are versions of the same layer.")
        missing = larn("doesnotexist") + ":1"
        self.assertAwsError(lambda: self.create_function(self.unique("fn"), Layers=[missing]),
                            400, IPVE, f"Layer version {missing} does not exist.")
        self.assertAwsError(lambda: self.update_config(ok["FunctionName"], Layers=[missing]),
                            400, IPVE, f"Layer version {missing} does not exist.")
        six = [larn(f"l{i}") + ":1" for i in range(6)]
        self.assertAwsError(lambda: self.raw.create_function(
            FunctionName=self.unique("fn"), Runtime="python3.12", Role=f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/r",
            Handler="h.h", Code={"ZipFile": LAYER_ZIP}, Layers=six), 400, IPVE,
            "Cannot reference more than 5 layers.")
        self.assertAwsError(lambda: self.raw.create_function(
            FunctionName=self.unique("fn"), Runtime="python3.12",
            Role=f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/r", Handler="h.h",
            Code={"ZipFile": LAYER_ZIP}, Layers=[larn(name)]), 400, VE,
            message_prefix=f"1 validation error detected: Value '[{larn(name)}]' at 'layers' "
            "failed to satisfy constraint: Member must satisfy constraint: [Member must have "
            "length less than or equal to 2048")

    def test_cross_account_needs_a_grant(self):
        other = lambda_client(self.endpoint, access_key=OTHER_ACCOUNT)
        name = unique_name("xacct")
        v = self.body(self.publish_layer(name, client=other))
        arn = v["LayerVersionArn"]
        self.assertEqual(arn, larn(name, OTHER_ACCOUNT) + ":1")
        self.assertAwsError(lambda: self.create_function(self.unique("fn"), Layers=[arn]), 403,
                            "AccessDeniedException",
                            f"User: arn:aws:iam::{DEFAULT_ACCOUNT}:root is not authorized to "
                            f"perform: lambda:GetLayerVersion on resource: {arn} because no "
                            "resource-based policy allows the lambda:GetLayerVersion action",
                            type_user="default")
        other.add_layer_version_permission(LayerName=name, VersionNumber=1, StatementId="me",
                                           Action="lambda:GetLayerVersion",
                                           Principal=DEFAULT_ACCOUNT)
        fn = self.create_function(self.unique("fn"), Layers=[arn])
        self.assertEqual(fn["Layers"][0]["Arn"], arn)
        self.assertEqual(self.client.get_layer_version_by_arn(Arn=arn)["Version"], 1)

    def test_combined_size_limit_message(self):
        # Not a 250 MB upload: a highly compressible layer whose unzipped size is over the limit.
        big = make_zip({"python/big.bin": b"\0" * (140 * 1024 * 1024)})
        name = self.unique("big")
        self.publish_layer(name, big)
        self.publish_layer(name + "b", big)
        fn = self.create_function(self.unique("fn"))
        err = self.assertAwsError(lambda: self.update_config(
            fn["FunctionName"], Layers=[larn(name) + ":1", larn(name + "b") + ":1"]), 400, IPVE,
            message_regex=r"^Function code combined with layers exceeds the maximum allowed size "
            r"of 262144000 bytes\. The actual size is \d+ bytes\.$")
        self.assertTrue(err)


class LayerS3Test(LayerTestBase):
    NEEDS_S3 = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.s3 = s3_client(cls.moto.endpoint)
        cls.bucket = unique_name("layer-bucket")
        cls.s3.create_bucket(Bucket=cls.bucket)

    def test_ly5_publish_from_s3(self):
        self.s3.put_object(Bucket=self.bucket, Key="layer.zip", Body=LAYER_ZIP)
        resp = self.client.publish_layer_version(
            LayerName=self.unique("ly3"), Content={"S3Bucket": self.bucket, "S3Key": "layer.zip"})
        self.assertStatus(resp, 201)
        body = self.body(resp)
        self.assertNotIn("CompatibleRuntimes", body)
        self.assertNotIn("CompatibleArchitectures", body)
        self.assertEqual(body["Content"]["CodeSha256"], code_sha256(LAYER_ZIP))
        with urllib.request.urlopen(body["Content"]["Location"], timeout=10) as r:
            self.assertEqual(r.read(), LAYER_ZIP)


class LayerCliTest(LayerTestBase):
    def test_cli_publish_get_list_permission_delete(self):
        import os
        import tempfile
        name = self.unique("cli")
        with tempfile.NamedTemporaryFile(suffix=".zip", delete=False) as f:
            f.write(LAYER_ZIP)
        try:
            pub = aws_cli(self.endpoint, "publish-layer-version", "--layer-name", name,
                          "--zip-file", f"fileb://{f.name}", "--compatible-runtimes", "python3.12")
        finally:
            os.unlink(f.name)
        self.assertEqual(pub.returncode, 0, pub.stderr)
        self.assertEqual(pub.json["Version"], 1)
        got = aws_cli(self.endpoint, "get-layer-version", "--layer-name", name,
                      "--version-number", "1")
        self.assertEqual(got.returncode, 0, got.stderr)
        self.assertEqual(got.json["LayerVersionArn"], larn(name) + ":1")
        lst = aws_cli(self.endpoint, "list-layer-versions", "--layer-name", name)
        self.assertEqual([v["Version"] for v in lst.json["LayerVersions"]], [1])
        layers = aws_cli(self.endpoint, "list-layers", "--compatible-runtime", "python3.12")
        self.assertIn(name, [l["LayerName"] for l in layers.json["Layers"]])
        perm = aws_cli(self.endpoint, "add-layer-version-permission", "--layer-name", name,
                       "--version-number", "1", "--statement-id", "all",
                       "--action", "lambda:GetLayerVersion", "--principal", "*")
        self.assertEqual(perm.returncode, 0, perm.stderr)
        self.assertIn("RevisionId", perm.json)
        pol = aws_cli(self.endpoint, "get-layer-version-policy", "--layer-name", name,
                      "--version-number", "1")
        self.assertEqual(pol.json["RevisionId"], perm.json["RevisionId"])
        rm = aws_cli(self.endpoint, "remove-layer-version-permission", "--layer-name", name,
                     "--version-number", "1", "--statement-id", "all", parse_json=False)
        self.assertEqual(rm.returncode, 0, rm.stderr)
        dl = aws_cli(self.endpoint, "delete-layer-version", "--layer-name", name,
                     "--version-number", "1", parse_json=False)
        self.assertEqual(dl.returncode, 0, dl.stderr)
        missing = aws_cli(self.endpoint, "get-layer-version", "--layer-name", name,
                          "--version-number", "1")
        self.assertNotEqual(missing.returncode, 0)
        self.assertIn("ResourceNotFoundException", missing.stderr)


class LayerPersistenceTest(LayerTestBase):
    def test_restart_keeps_layers_policies_counter_and_function_layers(self):
        name = self.unique("lpers")
        self.publish_layer(name)
        self.publish_layer(name, Description="two", CompatibleRuntimes=["python3.12"])
        self.client.delete_layer_version(LayerName=name, VersionNumber=2)
        perm = self.client.add_layer_version_permission(
            LayerName=name, VersionNumber=1, StatementId="s1", Action="lambda:GetLayerVersion",
            Principal="*")
        fn = self.create_function(self.unique("fn"), Layers=[larn(name) + ":1"])
        before = self.body(self.client.get_layer_version(LayerName=name, VersionNumber=1))
        self.server.restart()
        type(self)._make_clients()
        after = self.body(self.client.get_layer_version(LayerName=name, VersionNumber=1))
        before["Content"].pop("Location")
        location = after["Content"].pop("Location")
        self.assertEqual(after, before)
        with urllib.request.urlopen(location, timeout=10) as r:
            self.assertEqual(r.read(), LAYER_ZIP)
        pol = self.client.get_layer_version_policy(LayerName=name, VersionNumber=1)
        self.assertEqual(pol["RevisionId"], perm["RevisionId"])
        self.assertEqual([v["Version"] for v in
                          self.client.list_layer_versions(LayerName=name)["LayerVersions"]], [1])
        self.assertEqual(self.publish_layer(name)["Version"], 3)
        got = self.client.get_function_configuration(FunctionName=fn["FunctionName"])
        self.assertEqual(got["Layers"], [{"Arn": larn(name) + ":1", "CodeSize": len(LAYER_ZIP)}])


PY_HANDLER = """
import os, subprocess, json
import layer_mod        # /opt/python
import sitepkg_mod      # /opt/python/lib/python3.X/site-packages

def handler(event, context):
    writable = True
    try:
        open('/opt/probe', 'w').close()
    except OSError:
        writable = False
    out = subprocess.run(['layer-tool'], capture_output=True, text=True).stdout.strip()
    return {'layer_mod': layer_mod.VALUE, 'sitepkg': sitepkg_mod.VALUE,
            'shared': open('/opt/shared.txt').read(), 'tool': out, 'opt_writable': writable,
            'path': os.environ['PATH'], 'ld': os.environ['LD_LIBRARY_PATH']}
"""

NODE_HANDLER = """
const mod = require('layer-node-mod');
const versioned = require('layer-node-versioned');
exports.handler = async () => ({mod: mod.value, versioned: versioned.value,
                                nodePath: process.env.NODE_PATH});
"""


class LayerInvokeTest(LayerTestBase):
    def invoke_json(self, name):
        resp = self.client.invoke(FunctionName=name, Payload=b"{}")
        payload = resp["Payload"].read()
        self.assertNotIn("FunctionError", resp, payload)
        return json.loads(payload)

    def test_python_imports_from_layers_and_opt_is_read_only(self):
        import sys  # the layer's site-packages path names the runtime's python, 3.12
        first = make_zip({
            "python/layer_mod.py": "VALUE = 'from-layer'\n",
            "shared.txt": "first",
            "bin/layer-tool": "#!/bin/sh\necho tool-ran\n",
        })
        second = make_zip({
            "python/lib/python3.12/site-packages/sitepkg_mod.py": "VALUE = 'site-packages'\n",
            "shared.txt": "second",
        })
        # make_zip writes 0644; the tool must be executable.
        import io
        import zipfile
        buf = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(first)) as src, zipfile.ZipFile(buf, "w") as dst:
            for info in src.infolist():
                data = src.read(info)
                if info.filename == "bin/layer-tool":
                    info.external_attr = 0o755 << 16
                dst.writestr(info, data)
        first = buf.getvalue()
        a, b = self.unique("lpa"), self.unique("lpb")
        arn_a = self.publish_layer(a, first)["LayerVersionArn"]
        arn_b = self.publish_layer(b, second)["LayerVersionArn"]
        fn = self.create_function(self.unique("lfn"), zip_bytes=make_zip({"handler.py": PY_HANDLER}),
                                  Layers=[arn_a, arn_b], Timeout=30)["FunctionName"]
        out = self.invoke_json(fn)
        self.assertEqual(out["layer_mod"], "from-layer")
        self.assertEqual(out["sitepkg"], "site-packages")
        self.assertEqual(out["shared"], "second", "a later layer overwrites an earlier file")
        self.assertEqual(out["tool"], "tool-ran", "/opt/bin is on PATH")
        self.assertFalse(out["opt_writable"], "/opt is read-only")
        self.assertIn("/opt/bin", out["path"].split(":"))
        self.assertIn("/opt/lib", out["ld"].split(":"))
        # The other order: the first layer's file wins now.
        self.update_config(fn, Layers=[arn_b, arn_a])
        self.assertEqual(self.invoke_json(fn)["shared"], "first")
        del sys

    def test_node_requires_from_layer(self):
        layer = make_zip({
            "nodejs/node_modules/layer-node-mod/index.js": "exports.value = 'node-layer';\n",
            "nodejs/node20/node_modules/layer-node-versioned/index.js":
                "exports.value = 'node20-layer';\n",
        })
        arn = self.publish_layer(self.unique("lnode"), layer)["LayerVersionArn"]
        fn = self.create_function(self.unique("lnfn"), zip_bytes=make_zip({"index.js": NODE_HANDLER}),
                                  Runtime="nodejs20.x", Handler="index.handler", Layers=[arn],
                                  Timeout=30)["FunctionName"]
        out = self.invoke_json(fn)
        self.assertEqual(out["mod"], "node-layer")
        self.assertEqual(out["versioned"], "node20-layer")
        self.assertEqual(out["nodePath"], "/opt/nodejs/node20/node_modules:/opt/nodejs/node_modules:"
                                          "/var/runtime/node_modules:/var/runtime:/var/task")


if __name__ == "__main__":
    unittest.main()
