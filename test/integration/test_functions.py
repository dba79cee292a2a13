"""Function lifecycle: CreateFunction, updates, DeleteFunction, ListFunctions, versions, waiters,
and the CreateFunction / update validation of reference section 3."""

import unittest
import urllib.request

from harness import (DEFAULT_ACCOUNT, ROLE_ARN, LambdaliteTestCase, code_sha256, create_function,
                     make_zip, python_zip, s3_client, unique_name, wait_updated)

RNF = "ResourceNotFoundException"
IPVE = "InvalidParameterValueException"
PRECONDITION = ("The Revision Id provided does not match the latest Revision Id. Call the "
                "GetFunction/GetAlias API to retrieve the latest Revision Id")
ROLE_PATTERN = r"arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+"
# Reference section 3 (recorded 12-01-2026); AWS prints the set in no fixed order.
RUNTIME_SET = {"nodejs20.x", "python3.14", "provided.al2023", "python3.12", "python3.13",
               "nodejs24.x", "nodejs22.x", "java25", "python3.10", "python3.11", "java21",
               "ruby3.3", "ruby3.4", "ruby3.2", "python3.8", "python3.9", "java17", "nodejs16.x",
               "dotnet10", "dotnet8", "java11", "dotnet6", "nodejs18.x", "provided.al2",
               "java8.al2"}
DEPRECATED = ["java8", "go1.x", "provided", "ruby2.7", "nodejs14.x", "python3.7", "dotnetcore3.1",
              "nodejs12.x"]


class CreateFunctionTest(LambdaliteTestCase):
    def test_create_minimal_response(self):
        name = self.unique("cf")
        zip_bytes = python_zip()
        resp = self.create_function(name, zip_bytes=zip_bytes, wait=False)
        self.assertStatus(resp, 201)
        self.assertEqual(resp["FunctionName"], name)
        self.assertEqual(resp["FunctionArn"], self.arn(name))
        self.assertEqual(resp["CodeSha256"], code_sha256(zip_bytes))
        self.assertEqual(resp["CodeSize"], len(zip_bytes))
        self.assertEqual(resp["PackageType"], "Zip")
        self.assertEqual(resp["Version"], "$LATEST")
        self.wait_active(name)

    def test_create_with_every_configuration_member(self):
        name = self.unique("cf-all")
        dlq = f"arn:aws:sqs:us-east-1:{DEFAULT_ACCOUNT}:dlq"
        kms = f"arn:aws:kms:us-east-1:{DEFAULT_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        logging = {"LogFormat": "JSON", "ApplicationLogLevel": "DEBUG", "SystemLogLevel": "WARN",
                   "LogGroup": "/custom/log-group"}
        resp = self.create_function(
            name, wait=False, Description="everything set", MemorySize=512, Timeout=30,
            Environment={"Variables": {"ALPHA": "1", "BETA_2": "two"}},
            DeadLetterConfig={"TargetArn": dlq}, TracingConfig={"Mode": "Active"},
            EphemeralStorage={"Size": 1024}, Architectures=["arm64"],
            LoggingConfig=logging, SnapStart={"ApplyOn": "PublishedVersions"},
            VpcConfig={"SubnetIds": ["subnet-0123456789abcdef0"],
                       "SecurityGroupIds": ["sg-0123456789abcdef0"]},
            KMSKeyArn=kms, Publish=True, Tags={"team": "core"})
        self.assertStatus(resp, 201)
        self.wait_active(name)
        for cfg in (resp, self.client.get_function_configuration(FunctionName=name),
                    self.client.get_function_configuration(FunctionName=name, Qualifier="1")):
            with self.subTest(version=cfg.get("Version")):
                self.assertEqual(cfg["Description"], "everything set")
                self.assertEqual(cfg["MemorySize"], 512)
                self.assertEqual(cfg["Timeout"], 30)
                self.assertEqual(cfg["Environment"], {"Variables": {"ALPHA": "1", "BETA_2": "two"}})
                self.assertEqual(cfg["DeadLetterConfig"], {"TargetArn": dlq})
                self.assertEqual(cfg["TracingConfig"], {"Mode": "Active"})
                self.assertEqual(cfg["EphemeralStorage"], {"Size": 1024})
                self.assertEqual(cfg["Architectures"], ["arm64"])
                self.assertEqual(cfg["LoggingConfig"], logging)
                self.assertEqual(cfg["SnapStart"]["ApplyOn"], "PublishedVersions")
                self.assertEqual(cfg["VpcConfig"]["SubnetIds"], ["subnet-0123456789abcdef0"])
                self.assertEqual(cfg["VpcConfig"]["SecurityGroupIds"], ["sg-0123456789abcdef0"])
                self.assertEqual(cfg["KMSKeyArn"], kms)
        self.assertEqual(resp["Version"], "1")
        # SnapStart applies to published versions only: $LATEST stays "Off".
        latest = self.client.get_function_configuration(FunctionName=name)
        self.assertEqual(latest["SnapStart"], {"ApplyOn": "PublishedVersions",
                                               "OptimizationStatus": "Off"})
        self.assertEqual(self.client.get_function(FunctionName=name)["Tags"], {"team": "core"})

    def test_layers(self):
        # AWS checks that the layer version exists ("Layer version <arn> does not exist.");
        # lambdalite has no layer API, so it may either store the reference or refuse it the
        # AWS way. Both are accepted; a stored reference must come back as [{"Arn": ...}].
        layer = f"arn:aws:lambda:us-east-1:{DEFAULT_ACCOUNT}:layer:shared-lib:3"
        name = self.unique("layers")
        try:
            resp = self.raw.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE_ARN,
                                            Handler="handler.handler",
                                            Code={"ZipFile": python_zip()}, Layers=[layer])
        except Exception as exc:  # noqa: BLE001
            err = getattr(exc, "response", {})
            self.assertEqual(err.get("Error", {}).get("Code"), IPVE, exc)
            self.assertEqual(err["Error"]["Message"], f"Layer version {layer} does not exist.")
            return
        self.assertEqual([entry["Arn"] for entry in resp["Layers"]], [layer])
        self.wait_active(name)
        cfg = self.client.get_function_configuration(FunctionName=name)
        self.assertEqual([entry["Arn"] for entry in cfg["Layers"]], [layer])

    def test_logging_json_defaults_levels(self):
        name = self.unique("logjson")
        resp = self.create_function(name, LoggingConfig={"LogFormat": "JSON"}, wait=False)
        expected = {"ApplicationLogLevel": "INFO", "LogFormat": "JSON",
                    "LogGroup": f"/aws/lambda/{name}", "SystemLogLevel": "INFO"}
        self.assertEqual(resp["LoggingConfig"], expected)
        self.wait_active(name)
        back = self.update_config(name, LoggingConfig={"LogFormat": "Text"})
        self.assertEqual(back["LoggingConfig"], {"LogFormat": "Text",
                                                 "LogGroup": f"/aws/lambda/{name}"})

    def test_duplicate_name_conflicts(self):
        # "Function already exist: <name>" is AWS's long-standing wording (not in the reference).
        name = self.unique("dup")
        self.create_function(name)
        self.assertAwsError(lambda: self.create_function(name, wait=False), 409,
                            "ResourceConflictException", f"Function already exist: {name}")

    def test_create_by_full_and_partial_arn_stores_bare_name(self):
        a, b = self.unique("arn"), self.unique("parn")
        ra = self.create_function(FunctionName=self.arn(a), wait=False)
        rb = self.create_function(FunctionName=f"{DEFAULT_ACCOUNT}:function:{b}", wait=False)
        self.assertEqual(ra["FunctionName"], a)
        self.assertEqual(ra["FunctionArn"], self.arn(a))
        self.assertEqual(rb["FunctionName"], b)
        self.assertEqual(rb["FunctionArn"], self.arn(b))
        self.wait_active(a)
        self.wait_active(b)

    def test_invalid_function_name_pattern(self):
        # The regex AWS quotes has changed over time: check the stable part only.
        self.assertAwsError(
            lambda: self.create_function(FunctionName="invalid:function:name", client=self.raw,
                                         wait=False),
            400, "ValidationException",
            message_prefix="1 validation error detected: Value 'invalid:function:name' at "
                           "'functionName' failed to satisfy constraint: Member must satisfy "
                           "regular expression pattern: ")

    def test_name_patterns_quote_eusc(self):
        # AWS's servers quote their function-name patterns with "(eusc-)?" (reference P10, R_CREATE,
        # R_TAG, LF9); the botocore model lacks it, and the recorded pattern wins.
        err = self.assertAwsError(
            lambda: self.raw.get_function(FunctionName="bad!name"), 400, "ValidationException",
            message_prefix="1 validation error detected: Value 'bad!name' at 'functionName' "
                           "failed to satisfy constraint: Member must satisfy regular expression "
                           "pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}")
        self.assertIn("(function:)?", err["Error"]["Message"])
        self.assertAwsError(
            lambda: self.create_function(FunctionName="invalid:function:name", client=self.raw,
                                         wait=False),
            400, "ValidationException",
            message_prefix="1 validation error detected: Value 'invalid:function:name' at "
                           "'functionName' failed to satisfy constraint: Member must satisfy "
                           "regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?"
                           r"[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?"
                           "(function:)?([a-zA-Z0-9-_]+)")
        # An EU sovereign cloud ARN is well-formed: it reaches the region check.
        arn = f"arn:aws:lambda:eusc-de-east-1:{DEFAULT_ACCOUNT}:function:f"
        self.assertAwsError(lambda: self.raw.get_function(FunctionName=arn), 404, RNF,
                            "Functions from 'eusc-de-east-1' are not reachable in this region "
                            "('us-east-1')")

    def test_runtimes_without_interpreter_are_refused(self):
        # lambdalite has no interpreter for java, ruby or dotnet: CreateFunction refuses them
        # rather than answer every Invoke with a 500 that SDKs retry.
        for runtime in ("java21", "ruby3.3", "dotnet8"):
            name = self.unique("rt")
            self.assertAwsError(
                lambda: self.create_function(name, Runtime=runtime, wait=False), 400, IPVE,
                f"The runtime {runtime} cannot run on this lambdalite server: no interpreter is "
                f"configured for it (LAMBDALITE_RUNTIME_{runtime.upper().replace('.', '_')}). "
                "Use a python, nodejs or provided runtime.")
            self.assertAwsError(lambda: self.client.get_function(FunctionName=name), 404, RNF,
                                f"Function not found: {self.arn(name)}")
        name = self.unique("rt")
        self.create_function(name)
        before = self.client.get_function_configuration(FunctionName=name)
        self.assertAwsError(
            lambda: self.client.update_function_configuration(FunctionName=name,
                                                              Runtime="java17"),
            400, IPVE,
            "The runtime java17 cannot run on this lambdalite server: no interpreter is "
            "configured for it (LAMBDALITE_RUNTIME_JAVA17). Use a python, nodejs or provided "
            "runtime.")
        after = self.client.get_function_configuration(FunctionName=name)
        self.assertEqual(after["RevisionId"], before["RevisionId"], "nothing changed")
        # Other updates of such a function's configuration are not affected by the check.
        self.update_config(name, Runtime="nodejs20.x", Handler="index.handler")

    def test_function_name_too_long(self):
        name = "a" * 65
        self.assertAwsError(
            lambda: self.create_function(FunctionName=name, client=self.raw, wait=False),
            400, IPVE,
            f"1 validation error detected: Value '{name}' at 'functionName' failed to satisfy "
            "constraint: Member must have length less than or equal to 64")

    def test_function_arn_too_long(self):
        arn = self.arn("a" * 100)
        self.assertAwsError(
            lambda: self.create_function(FunctionName=arn, client=self.raw, wait=False),
            400, "ValidationException",
            f"1 validation error detected: Value '{arn}' at 'functionName' failed to satisfy "
            "constraint: Member must have length less than or equal to 140")

    def test_invalid_role(self):
        self.assertAwsError(
            lambda: self.create_function(Role="r1", client=self.raw, wait=False),
            400, "ValidationException",
            "1 validation error detected: Value 'r1' at 'role' failed to satisfy constraint: "
            f"Member must satisfy regular expression pattern: {ROLE_PATTERN}")

    def assertRuntimeError(self, runtime, call):
        err = self.assertAwsError(
            call, 400, IPVE,
            message_prefix=f"Value {runtime} at 'runtime' failed to satisfy constraint: Member "
                           "must satisfy enum value set: [",
            message_suffix="] or be a valid ARN")
        msg = err["Error"]["Message"]
        listed = msg[msg.index("[") + 1:msg.rindex("]")]
        self.assertEqual({r.strip() for r in listed.split(",")}, RUNTIME_SET)

    def test_unknown_runtime(self):
        self.assertRuntimeError("non-existent-runtime", lambda: self.create_function(
            Runtime="non-existent-runtime", client=self.raw, wait=False))

    def test_runtime_is_case_sensitive(self):
        self.assertRuntimeError("PYTHON3.9", lambda: self.create_function(
            Runtime="PYTHON3.9", client=self.raw, wait=False))

    def test_deprecated_runtimes(self):
        for runtime in DEPRECATED:
            with self.subTest(runtime=runtime):
                self.assertAwsError(
                    lambda: self.create_function(Runtime=runtime, client=self.raw, wait=False),
                    400, IPVE,
                    f"The runtime parameter of {runtime} is no longer supported for creating or "
                    "updating AWS Lambda functions. We recommend you use a supported runtime "
                    "while creating or updating functions.")

    def test_two_architectures(self):
        self.assertAwsError(
            lambda: self.create_function(Architectures=["x86_64", "arm64"], client=self.raw,
                                         wait=False),
            400, "ValidationException",
            "1 validation error detected: Value '[x86_64, arm64]' at 'architectures' failed to "
            "satisfy constraint: Member must have length less than or equal to 1")

    def test_architecture_case(self):
        self.assertAwsError(
            lambda: self.create_function(Architectures=["X86_64"], client=self.raw, wait=False),
            400, "ValidationException",
            "1 validation error detected: Value '[X86_64]' at 'architectures' failed to satisfy "
            "constraint: Member must satisfy constraint: [Member must satisfy enum value set: "
            "[x86_64, arm64], Member must not be null]")

    def test_not_a_zip(self):
        self.assertAwsError(
            lambda: self.create_function(zip_bytes=b"this is not a zipfile, just a simple string",
                                         wait=False),
            400, IPVE, "Could not unzip uploaded file. Please check your file, then try to "
                       "upload again.")

    def test_six_layers(self):
        layers = [f"arn:aws:lambda:us-east-1:{DEFAULT_ACCOUNT}:layer:l{i}:1" for i in range(6)]
        self.assertAwsError(lambda: self.create_function(Layers=layers, client=self.raw, wait=False),
                            400, IPVE, "Cannot reference more than 5 layers.")

    def test_snapstart_invalid_option(self):
        self.assertAwsError(
            lambda: self.create_function(SnapStart={"ApplyOn": "invalidOption"}, client=self.raw,
                                         wait=False),
            400, "ValidationException",
            message_prefix="1 validation error detected: Value 'invalidOption' at",
            message_suffix="at 'snapStart.applyOn' failed to satisfy constraint: Member must "
                           "satisfy enum value set: [PublishedVersions, None]")

    def test_environment_over_4kb(self):
        value = "x" * 4096
        measured = '{"LARGE_VAR":"' + value + '"}'
        self.assertAwsError(
            lambda: self.create_function(Environment={"Variables": {"LARGE_VAR": value}},
                                         wait=False),
            400, IPVE,
            "Lambda was unable to configure your environment variables because the environment "
            f"variables you have provided exceeded the 4KB limit. String measured: {measured}")

    def test_environment_near_limit_succeeds(self):
        resp = self.create_function(Environment={"Variables": {"LARGE_VAR": "x" * 4000}},
                                    wait=False)
        self.assertStatus(resp, 201)
        self.assertEqual(len(resp["Environment"]["Variables"]["LARGE_VAR"]), 4000)
        self.wait_active(resp["FunctionName"])

    def test_zipped_over_50mb(self):
        # A real zip just over 52428800 bytes; base64 keeps the request under 70167211 bytes.
        big = make_zip({"blob.bin": b"\0" * 16 + bytes(range(256)) * 205000},
                       compression=0)  # ZIP_STORED
        self.assertGreater(len(big), 52428800)
        self.assertLess(len(big) * 4 // 3 + 1000, 70167211)
        self.assertAwsError(lambda: self.create_function(zip_bytes=big, wait=False), 413,
                            "RequestEntityTooLargeException",
                            "Zipped size must be smaller than 52428800 bytes")
        self.assertServerAlive()


class S3CodeTest(LambdaliteTestCase):
    NEEDS_S3 = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.s3 = s3_client(cls.moto.endpoint)
        cls.bucket = unique_name("code-bucket")
        cls.s3.create_bucket(Bucket=cls.bucket)

    def put_zip(self, zip_bytes: bytes) -> str:
        key = f"{unique_name('key')}.zip"
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=zip_bytes)
        return key

    def test_create_from_s3(self):
        zip_bytes = python_zip(marker="s3")
        key = self.put_zip(zip_bytes)
        name = self.unique("s3")
        resp = self.create_function(name, Code={"S3Bucket": self.bucket, "S3Key": key}, wait=False)
        self.assertStatus(resp, 201)
        self.assertEqual(resp["CodeSha256"], code_sha256(zip_bytes))
        self.assertEqual(resp["CodeSize"], len(zip_bytes))
        self.wait_active(name)
        got = self.client.get_function(FunctionName=name)
        with urllib.request.urlopen(got["Code"]["Location"], timeout=30) as r:
            self.assertEqual(r.read(), zip_bytes)

    def test_update_code_from_s3(self):
        name = self.unique("s3u")
        self.create_function(name)
        zip_bytes = python_zip(marker="s3-update")
        key = self.put_zip(zip_bytes)
        resp = self.client.update_function_code(FunctionName=name, S3Bucket=self.bucket, S3Key=key)
        self.assertEqual(resp["CodeSha256"], code_sha256(zip_bytes))
        self.wait_updated(name)

    def test_missing_bucket(self):
        for label, call in (
            ("create", lambda: self.create_function(
                Code={"S3Bucket": unique_name("nobucket"), "S3Key": "code.zip"}, wait=False)),
            ("update", lambda: self.client.update_function_code(
                FunctionName=self.shared(), S3Bucket=unique_name("nobucket"), S3Key="code.zip")),
        ):
            with self.subTest(op=label):
                self.assertAwsError(
                    call, 400, IPVE,
                    "Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error "
                    "Message: The specified bucket does not exist")

    def test_missing_key(self):
        for label, call in (
            ("create", lambda: self.create_function(
                Code={"S3Bucket": self.bucket, "S3Key": "missing.zip"}, wait=False)),
            ("update", lambda: self.client.update_function_code(
                FunctionName=self.shared(), S3Bucket=self.bucket, S3Key="missing.zip")),
        ):
            with self.subTest(op=label):
                self.assertAwsError(
                    call, 400, IPVE,
                    "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: "
                    "The specified key does not exist.")

    _shared = None

    def shared(self) -> str:
        if S3CodeTest._shared is None:
            S3CodeTest._shared = self.create_function(self.unique("s3shared"))["FunctionName"]
        return S3CodeTest._shared


class UpdateTest(LambdaliteTestCase):
    def test_update_configuration_members(self):
        name = self.unique("uc")
        self.create_function(name)
        resp = self.update_config(
            name, Description="Changed-Description", MemorySize=512, Timeout=10,
            Runtime="python3.11", Environment={"Variables": {"ENV_A": "a"}},
            TracingConfig={"Mode": "Active"}, EphemeralStorage={"Size": 2048})
        cfg = self.client.get_function_configuration(FunctionName=name)
        for c in (resp, cfg):
            self.assertEqual(c["Description"], "Changed-Description")
            self.assertEqual(c["MemorySize"], 512)
            self.assertEqual(c["Timeout"], 10)
            self.assertEqual(c["Runtime"], "python3.11")
            self.assertEqual(c["Environment"], {"Variables": {"ENV_A": "a"}})
            self.assertEqual(c["TracingConfig"], {"Mode": "Active"})
            self.assertEqual(c["EphemeralStorage"], {"Size": 2048})

    def test_update_configuration_invalid_role(self):
        name = self.unique("uc")
        self.create_function(name)
        self.assertAwsError(
            lambda: self.raw.update_function_configuration(FunctionName=name, Role="r1"),
            400, "ValidationException",
            "1 validation error detected: Value 'r1' at 'role' failed to satisfy constraint: "
            f"Member must satisfy regular expression pattern: {ROLE_PATTERN}")

    def test_update_configuration_unknown_runtime(self):
        name = self.unique("uc")
        self.create_function(name)
        self.assertAwsError(
            lambda: self.raw.update_function_configuration(FunctionName=name,
                                                           Runtime="non-existent-runtime"),
            400, IPVE, message_prefix="Value non-existent-runtime at 'runtime' failed to satisfy "
                                      "constraint: Member must satisfy enum value set: [")

    def test_stale_revision_id(self):
        name = self.unique("rev")
        self.create_function(name)
        stale = self.client.get_function_configuration(FunctionName=name)["RevisionId"]
        self.update_config(name, Description="moves the revision")
        calls = {
            "update_function_configuration": lambda: self.raw.update_function_configuration(
                FunctionName=name, Description="x", RevisionId=stale),
            "update_function_code": lambda: self.raw.update_function_code(
                FunctionName=name, ZipFile=python_zip(marker="stale"), RevisionId=stale),
            "publish_version": lambda: self.raw.publish_version(FunctionName=name,
                                                                RevisionId=stale),
        }
        for op, call in calls.items():
            with self.subTest(op=op):
                self.assertAwsError(call, 412, "PreconditionFailedException", PRECONDITION)

    def test_matching_revision_id_accepted(self):
        name = self.unique("rev")
        self.create_function(name)
        current = self.client.get_function_configuration(FunctionName=name)["RevisionId"]
        resp = self.client.update_function_configuration(FunctionName=name, Description="ok",
                                                         RevisionId=current)
        self.assertStatus(resp, 200)
        self.wait_updated(name)

    def test_update_code_with_image_uri_on_zip_function(self):
        name = self.unique("img")
        self.create_function(name)
        self.assertAwsError(
            lambda: self.raw.update_function_code(
                FunctionName=name, ImageUri="123456789012.dkr.ecr.us-east-1.amazonaws.com/r:latest"),
            400, IPVE, "Please don't provide ImageUri when updating a function with packageType Zip.")

    def test_update_code_bad_zip(self):
        name = self.unique("badzip")
        self.create_function(name)
        self.assertAwsError(
            lambda: self.raw.update_function_code(FunctionName=name, ZipFile=b"not a zip at all"),
            400, IPVE,
            "Could not unzip uploaded file. Please check your file, then try to upload again.")

    def test_update_code_with_publish(self):
        name = self.unique("ucp")
        self.create_function(name)
        new_zip = python_zip(marker="published")
        resp = self.client.update_function_code(FunctionName=name, ZipFile=new_zip, Publish=True)
        self.assertStatus(resp, 200)
        self.assertEqual(resp["Version"], "1")
        self.assertEqual(resp["FunctionArn"], self.arn(name, "1"))
        self.assertEqual(resp["CodeSha256"], code_sha256(new_zip))
        self.wait_updated(name)
        v1 = self.client.get_function_configuration(FunctionName=name, Qualifier="1")
        self.assertEqual(v1["CodeSha256"], code_sha256(new_zip))

    def test_update_nonexistent_function(self):
        name = unique_name("missing")
        # unverified message for UpdateFunctionConfiguration (no AWS recording found).
        self.assertAwsError(
            lambda: self.raw.update_function_configuration(FunctionName=name, Description="x"),
            404, RNF)
        # UpdateFunctionCode: quoted from AWS in several issues (e.g. awslabs/mxnet-lambda#1).
        self.assertAwsError(
            lambda: self.raw.update_function_code(FunctionName=name, ZipFile=python_zip()),
            404, RNF, f"Function not found: {self.arn(name)}")


class VersionsTest(LambdaliteTestCase):
    def test_publish_version_lifecycle(self):
        name = self.unique("ver")
        self.create_function(name, Description="No version :(")
        only_latest = self.client.list_versions_by_function(FunctionName=name)["Versions"]
        self.assertEqual([v["Version"] for v in only_latest], ["$LATEST"])
        self.update_config(name, Description="First version :)")
        first = self.publish(name, Description="First version description :)")
        self.assertStatus(first, 201)
        self.assertEqual(first["Version"], "1")
        self.assertEqual(first["FunctionArn"], self.arn(name, "1"))
        self.assertEqual(first["Description"], "First version description :)")
        self.assertEqual(first["State"], "Active")
        self.assertEqual(first["LastUpdateStatus"], "Successful")
        self.update_config(name, Description="Second version :))")
        second = self.publish(name)
        self.assertStatus(second, 201)
        self.assertEqual(second["Version"], "2")
        self.assertEqual(second["Description"], "Second version :))", "defaults to $LATEST's")
        # No change since the last publish: the existing version comes back, even with a new
        # Description, still with 201.
        third = self.publish(name, Description="ignored")
        self.assertStatus(third, 201)
        self.assertEqual(third["Version"], "2")
        self.assertEqual(third["RevisionId"], second["RevisionId"])
        self.assertEqual(third["Description"], "Second version :))")
        v1 = self.client.get_function_configuration(FunctionName=name, Qualifier="1")
        self.assertEqual(v1["Description"], "First version description :)")
        versions = self.client.list_versions_by_function(FunctionName=name)["Versions"]
        self.assertEqual([v["Version"] for v in versions], ["$LATEST", "1", "2"])
        self.assertEqual([v["Description"] for v in versions],
                         ["Second version :))", "First version description :)",
                          "Second version :))"])

    def test_description_change_is_a_change(self):
        # test_version_lifecycle: a Description-only update of $LATEST lets PublishVersion
        # create a new version.
        name = self.unique("ver")
        self.create_function(name)
        self.assertEqual(self.publish(name)["Version"], "1")
        self.update_config(name, Description="only the description")
        self.assertEqual(self.publish(name)["Version"], "2")

    def test_publish_with_wrong_code_sha(self):
        name = self.unique("ver")
        zip_bytes = python_zip()
        self.create_function(name, zip_bytes=zip_bytes)
        sha = code_sha256(zip_bytes)
        self.assertAwsError(
            lambda: self.raw.publish_version(FunctionName=name, CodeSha256="somenonexistentsha256"),
            400, IPVE,
            f"CodeSHA256 (somenonexistentsha256) is different from current CodeSHA256 in $LATEST "
            f"({sha}). Please try again with the CodeSHA256 in $LATEST.")
        resp = self.client.publish_version(FunctionName=name, CodeSha256=sha)
        self.assertEqual(resp["Version"], "1")

    def test_publish_with_right_revision_id(self):
        name = self.unique("ver")
        self.create_function(name)
        rev = self.client.get_function_configuration(FunctionName=name)["RevisionId"]
        self.assertEqual(self.client.publish_version(FunctionName=name, RevisionId=rev)["Version"], "1")

    def test_published_version_is_immutable(self):
        name = self.unique("ver")
        v1_zip = python_zip(marker="one")
        self.create_function(name, zip_bytes=v1_zip, MemorySize=128)
        self.publish(name)
        self.update_config(name, MemorySize=256)
        self.update_code(name, python_zip(marker="two"))
        v1 = self.client.get_function_configuration(FunctionName=name, Qualifier="1")
        self.assertEqual(v1["MemorySize"], 128)
        self.assertEqual(v1["CodeSha256"], code_sha256(v1_zip))

    def test_version_numbers_not_reused_after_delete(self):
        name = self.unique("ver")
        self.create_function(name)
        self.publish(name)
        self.update_config(name, Environment={"Variables": {"ROUND": "b"}})
        self.assertEqual(self.publish(name)["Version"], "2")
        self.client.delete_function(FunctionName=name, Qualifier="2")
        self.update_config(name, Environment={"Variables": {"ROUND": "c"}})
        self.assertEqual(self.publish(name)["Version"], "3")
        versions = self.client.list_versions_by_function(FunctionName=name)["Versions"]
        self.assertEqual([v["Version"] for v in versions], ["$LATEST", "1", "3"])

    def test_delete_version_with_qualifier(self):
        name = self.unique("ver")
        self.create_function(name)
        self.publish(name)
        resp = self.client.delete_function(FunctionName=name, Qualifier="1")
        self.assertStatus(resp, 204)
        self.assertAwsError(lambda: self.raw.get_function(FunctionName=name, Qualifier="1"),
                            404, RNF, f"Function not found: {self.arn(name, '1')}")
        self.assertEqual(self.client.get_function(FunctionName=name)["Configuration"]["Version"],
                         "$LATEST")

    def test_delete_lowercase_latest_is_not_found(self):
        # Qualifiers are case-sensitive: "$latest" names no version (404), unlike "$LATEST" (400).
        name = self.unique("del")
        self.create_function(name)
        self.assertAwsError(lambda: self.client.delete_function(FunctionName=name,
                                                                Qualifier="$latest"),
                            404, RNF, f"Function not found: {self.arn(name, '$latest')}")
        self.client.get_function(FunctionName=name)

    def test_delete_incomplete_arn_is_not_found(self):
        # "function:" may be left out of an ARN, so this names the function "function" (404).
        arn = f"arn:aws:lambda:us-east-1:{DEFAULT_ACCOUNT}:function"
        self.assertAwsError(lambda: self.raw.delete_function(FunctionName=arn), 404, RNF,
                            f"Function not found: {self.arn('function')}")
        self.assertAwsError(lambda: self.raw.get_function(FunctionName=arn), 404, RNF,
                            f"Function not found: {self.arn('function')}")

    def test_delete_latest_qualifier_refused(self):
        name = self.unique("ver")
        self.create_function(name)
        self.assertAwsError(lambda: self.raw.delete_function(FunctionName=name, Qualifier="$LATEST"),
                            400, IPVE,
                            "$LATEST version cannot be deleted without deleting the function.")

    def test_list_versions_paging(self):
        name = self.unique("ver")
        self.create_function(name)
        for i in range(4):
            self.update_config(name, Environment={"Variables": {"ROUND": str(i)}})
            self.publish(name)
        first = self.client.list_versions_by_function(FunctionName=name, MaxItems=2)
        self.assertEqual(len(first["Versions"]), 2)
        self.assertTrue(first.get("NextMarker"))
        seen = [v["Version"] for v in first["Versions"]]
        marker = first["NextMarker"]
        while marker:
            page = self.client.list_versions_by_function(FunctionName=name, MaxItems=2,
                                                         Marker=marker)
            seen += [v["Version"] for v in page["Versions"]]
            marker = page.get("NextMarker")
        self.assertEqual(seen, ["$LATEST", "1", "2", "3", "4"])

    def test_versions_of_missing_function(self):
        # Not snapshots: ListVersionsByFunction's raw body is quoted in aarondfrancis/sidecar#154
        # ({"Type":"User","Message":"Function not found: <arn>"}); PublishVersion's text is
        # relayed by CloudFormation in serverless/serverless#3050.
        name = unique_name("missing")
        msg = f"Function not found: {self.arn(name)}"
        self.assertAwsError(lambda: self.raw.list_versions_by_function(FunctionName=name), 404, RNF,
                            msg)
        self.assertAwsError(lambda: self.raw.publish_version(FunctionName=name), 404, RNF, msg)


class ListFunctionsTest(LambdaliteTestCase):
    """A fresh server per class, so the listing holds exactly what this class created."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.names = sorted(unique_name(f"lf{i:02d}") for i in range(7))
        for n in cls.names:
            create_function(cls.client, n)
        cls.client.publish_version(FunctionName=cls.names[0])

    def all_names(self, **kw):
        out, marker = [], None
        while True:
            args = dict(kw)
            if marker:
                args["Marker"] = marker
            page = self.client.list_functions(**args)
            self.assertStatus(page, 200)
            out += page["Functions"]
            marker = page.get("NextMarker")
            if not marker:
                return out

    def test_list_all(self):
        resp = self.client.list_functions()
        names = sorted(f["FunctionName"] for f in resp["Functions"])
        self.assertEqual(names, self.names)
        self.assertNotIn("NextMarker", resp)
        for f in resp["Functions"]:
            self.assertEqual(f["Version"], "$LATEST")
            self.assertEqual(f["FunctionArn"], self.arn(f["FunctionName"]))
            # ListFunctions returns a subset of FunctionConfiguration [AWSDOC ListFunctions].
            for absent in ("State", "StateReason", "StateReasonCode", "LastUpdateStatus",
                           "LastUpdateStatusReason", "LastUpdateStatusReasonCode",
                           "RuntimeVersionConfig"):
                self.assertNotIn(absent, f)

    def test_paging_with_max_items(self):
        first = self.client.list_functions(MaxItems=3)
        self.assertEqual(len(first["Functions"]), 3)
        self.assertTrue(first.get("NextMarker"))
        entries = self.all_names(MaxItems=3)
        names = [f["FunctionName"] for f in entries]
        self.assertEqual(len(names), len(set(names)), "no duplicates across pages")
        self.assertEqual(sorted(names), self.names)

    def test_paginator(self):
        pages = self.client.get_paginator("list_functions").paginate(
            PaginationConfig={"PageSize": 2})
        names = [f["FunctionName"] for p in pages for f in p["Functions"]]
        self.assertEqual(sorted(names), self.names)

    def test_function_version_all(self):
        entries = self.all_names(FunctionVersion="ALL")
        pairs = sorted((f["FunctionName"], f["Version"]) for f in entries)
        expected = sorted([(n, "$LATEST") for n in self.names] + [(self.names[0], "1")])
        self.assertEqual(pairs, expected)
        for f in entries:
            self.assertEqual(f["FunctionArn"], self.arn(f["FunctionName"], f["Version"]))
            self.assertNotIn("State", f)

    def test_function_version_all_paging(self):
        first = self.client.list_functions(FunctionVersion="ALL", MaxItems=1)
        self.assertEqual(len(first["Functions"]), 1)
        self.assertTrue(first.get("NextMarker"))
        self.assertEqual(len(self.all_names(FunctionVersion="ALL", MaxItems=1)),
                         len(self.names) + 1)

    def test_invalid_function_version(self):
        self.assertAwsError(
            lambda: self.raw.list_functions(FunctionVersion="invalid"), 400, "ValidationException",
            "1 validation error detected: Value 'invalid' at 'functionVersion' failed to satisfy "
            "constraint: Member must satisfy enum value set: [ALL]")

    def test_at_most_50_per_page(self):
        extra = [unique_name("lf-many") for _ in range(46)]
        for n in extra:
            self.client.create_function(FunctionName=n, Runtime="python3.12", Role=ROLE_ARN,
                                        Handler="handler.handler", Code={"ZipFile": python_zip()})
        try:
            first = self.client.list_functions(MaxItems=100)
            self.assertEqual(len(first["Functions"]), 50)
            self.assertTrue(first.get("NextMarker"))
            total = self.all_names(MaxItems=100)
            self.assertEqual(len(total), len(self.names) + len(extra))
        finally:
            for n in extra:
                self.client.delete_function(FunctionName=n)


class WaitersTest(LambdaliteTestCase):
    def test_boto3_waiters(self):
        name = self.unique("w")
        self.create_function(name, wait=False)
        cfg = {"Delay": 1, "MaxAttempts": 60}
        self.client.get_waiter("function_exists").wait(FunctionName=name, WaiterConfig=cfg)
        self.client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig=cfg)
        self.client.get_waiter("function_active").wait(FunctionName=name, WaiterConfig=cfg)
        self.client.update_function_configuration(FunctionName=name, Description="w")
        self.client.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig=cfg)
        self.client.get_waiter("function_updated").wait(FunctionName=name, WaiterConfig=cfg)
        self.client.publish_version(FunctionName=name)
        self.client.get_waiter("published_version_active").wait(FunctionName=name, Qualifier="1",
                                                                WaiterConfig=cfg)
        wait_updated(self.client, name)


if __name__ == "__main__":
    unittest.main()
