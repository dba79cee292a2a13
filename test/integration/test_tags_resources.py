"""Tags beyond functions: the resource-ARN dispatch of TagResource / UntagResource / ListTags.

Reference part 2: R_TAG (the pattern AWS quotes), ET3 (event source mappings), CP1 (capacity
providers), the alias/version refusal; code signing configs carry tags (CreateCodeSigningConfig
Tags, TagResource on the config ARN)."""

from harness import DEFAULT_ACCOUNT, DEFAULT_REGION, LambdaliteTestCase, aws_cli

RNF = "ResourceNotFoundException"
PROFILE = f"arn:aws:signer:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:/signing-profiles/test"
R_TAG = (r"arn:(aws[a-zA-Z-]*):lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:"
         r"\d{12}:(function:[a-zA-Z0-9-_]+(:(\$LATEST|[a-zA-Z0-9-_]+))?|layer:([a-zA-Z0-9-_]+)|"
         r"code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-"
         r"[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|capacity-provider:[a-zA-Z0-9-_]+)")
PREFIX = f"arn:aws:lambda:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}"


class TagDispatchTest(LambdaliteTestCase):
    def csc(self, **kw):
        return self.client.create_code_signing_config(
            AllowedPublishers={"SigningProfileVersionArns": [PROFILE]}, **kw
        )["CodeSigningConfig"]["CodeSigningConfigArn"]

    def test_code_signing_config_tag_lifecycle(self):
        arn = self.csc(Tags={"testtag": "v"})
        self.assertEqual(self.client.list_tags(Resource=arn)["Tags"], {"testtag": "v"})
        resp = self.client.tag_resource(Resource=arn, Tags={"A": "a", "testtag": "w"})
        self.assertStatus(resp, 204)
        self.assertEqual(self.client.list_tags(Resource=arn)["Tags"], {"A": "a", "testtag": "w"})
        resp = self.client.untag_resource(Resource=arn, TagKeys=["A", "absent"])
        self.assertStatus(resp, 204)
        self.assertEqual(self.client.list_tags(Resource=arn)["Tags"], {"testtag": "w"})
        self.client.untag_resource(Resource=arn, TagKeys=["testtag"])
        self.assertEqual(self.body(self.client.list_tags(Resource=arn)), {"Tags": {}})
        # Tags are not part of the config's shape.
        got = self.client.get_code_signing_config(CodeSigningConfigArn=arn)["CodeSigningConfig"]
        self.assertNotIn("Tags", got)

    def test_code_signing_config_not_found(self):
        arn = f"{PREFIX}:code-signing-config:csc-0123456789abcdefg"
        msg = f"The Lambda code signing configuration {arn} can not be found."
        for call in (lambda: self.raw.tag_resource(Resource=arn, Tags={"a": "b"}),
                     lambda: self.raw.untag_resource(Resource=arn, TagKeys=["a"]),
                     lambda: self.raw.list_tags(Resource=arn)):
            self.assertAwsError(call, 404, RNF, msg, type_user=False)

    def test_event_source_mapping_not_found_et3(self):
        arn = f"{PREFIX}:event-source-mapping:0a1b2c3d-0000-1111-2222-333344445555"
        msg = f"Event source mapping not found: {arn}"
        for call in (lambda: self.raw.tag_resource(Resource=arn, Tags={"a": "b"}),
                     lambda: self.raw.untag_resource(Resource=arn, TagKeys=["a"]),
                     lambda: self.raw.list_tags(Resource=arn)):
            self.assertAwsError(call, 404, RNF, msg)

    def test_capacity_provider_not_found_cp1(self):
        arn = f"{PREFIX}:capacity-provider:doesnotexist"
        msg = f"Capacity provider not found: {arn}"
        for call in (lambda: self.raw.tag_resource(Resource=arn, Tags={"a": "b"}),
                     lambda: self.raw.untag_resource(Resource=arn, TagKeys=["a"]),
                     lambda: self.raw.list_tags(Resource=arn)):
            self.assertAwsError(call, 404, RNF, msg)

    def test_alias_and_version_refused(self):
        msg = ("Tags on function aliases and versions are not supported. Please specify a "
               "function ARN.")
        for q in ("alias", "1", "$LATEST"):
            self.assertAwsError(
                lambda: self.raw.tag_resource(Resource=f"{PREFIX}:function:fn:{q}", Tags={"a": "b"}),
                400, "InvalidParameterValueException", msg)

    def test_r_tag_pattern_message(self):
        for bad in ("arn:aws:something", f"{PREFIX}:code-signing-config:csc-short"):
            self.assertAwsError(
                lambda: self.raw.list_tags(Resource=bad), 400, "ValidationException",
                f"1 validation error detected: Value '{bad}' at 'resource' failed to satisfy "
                f"constraint: Member must satisfy regular expression pattern: {R_TAG}")

    def test_cli_tags_on_a_code_signing_config(self):
        arn = self.csc()
        tagged = aws_cli(self.endpoint, "tag-resource", "--resource", arn, "--tags", "k=v")
        self.assertEqual(tagged.returncode, 0, tagged.stderr)
        listed = aws_cli(self.endpoint, "list-tags", "--resource", arn)
        self.assertEqual(listed.json, {"Tags": {"k": "v"}})
        untagged = aws_cli(self.endpoint, "untag-resource", "--resource", arn, "--tag-keys", "k")
        self.assertEqual(untagged.returncode, 0, untagged.stderr)
        self.assertEqual(aws_cli(self.endpoint, "list-tags", "--resource", arn).json, {"Tags": {}})
