"""FunctionName formats, regions and accounts.

* name, name:qualifier, full ARN, partial ARN 123456789012:function:name[:qualifier]
* an ARN from another region -> 404 "Functions from 'R' are not reachable in this region ('us-east-1')"
  (TestLambdaFunction::test_get_function_wrong_region[*], test_function_arns)
* an ARN from another account -> 403 AccessDeniedException with no message (test_function_arns)
* state is per region (SigV4 credential scope) and per account (a 12-digit access key id is the
  account; anything else is 123456789012 - lambdalite's contract).
"""

import unittest

from harness import (DEFAULT_ACCOUNT, DEFAULT_REGION, OTHER_REGION, LambdaliteTestCase,
                     create_function, function_arn, lambda_client, raw_request, unique_name)

RNF = "ResourceNotFoundException"


class NameFormatsTest(LambdaliteTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fn = unique_name("names")
        create_function(cls.client, cls.fn)
        cls.client.publish_version(FunctionName=cls.fn)
        cls.client.create_alias(FunctionName=cls.fn, Name="live", FunctionVersion="1")

    def test_every_name_form_finds_the_function(self):
        forms = {
            self.fn: (self.arn(self.fn), "$LATEST"),
            self.arn(self.fn): (self.arn(self.fn), "$LATEST"),
            f"{DEFAULT_ACCOUNT}:function:{self.fn}": (self.arn(self.fn), "$LATEST"),
            f"{self.fn}:1": (self.arn(self.fn, "1"), "1"),
            f"{self.fn}:live": (self.arn(self.fn, "live"), "1"),
            f"{self.fn}:$LATEST": (self.arn(self.fn, "$LATEST"), "$LATEST"),
            self.arn(self.fn, "1"): (self.arn(self.fn, "1"), "1"),
            self.arn(self.fn, "live"): (self.arn(self.fn, "live"), "1"),
            f"{DEFAULT_ACCOUNT}:function:{self.fn}:live": (self.arn(self.fn, "live"), "1"),
        }
        for name, (arn, version) in forms.items():
            with self.subTest(FunctionName=name):
                cfg = self.client.get_function_configuration(FunctionName=name)
                self.assertEqual(cfg["FunctionArn"], arn)
                self.assertEqual(cfg["Version"], version)
                self.assertEqual(cfg["FunctionName"], self.fn)

    def test_url_encoded_arn_in_path(self):
        # The CLI and SDKs percent-encode ':' in the path; a raw ':' must work too.
        for path_name in (self.arn(self.fn), self.arn(self.fn).replace(":", "%3A")):
            with self.subTest(path=path_name):
                resp = raw_request(self.endpoint, "GET", f"/2015-03-31/functions/{path_name}/configuration")
                self.assertEqual(resp.status, 200, resp.body[:300])
                self.assertEqual(resp.json()["FunctionName"], self.fn)

    def test_foreign_region_arn(self):
        foreign = function_arn(self.fn, region=OTHER_REGION)
        msg = f"Functions from '{OTHER_REGION}' are not reachable in this region ('{DEFAULT_REGION}')"
        ops = {
            "get_function": lambda: self.raw.get_function(FunctionName=foreign),
            "get_function_configuration": lambda: self.raw.get_function_configuration(FunctionName=foreign),
            "delete_function": lambda: self.raw.delete_function(FunctionName=foreign),
            "get_function_concurrency": lambda: self.raw.get_function_concurrency(FunctionName=foreign),
            "get_function_event_invoke_config":
                lambda: self.raw.get_function_event_invoke_config(FunctionName=foreign),
            "get_function_url_config": lambda: self.raw.get_function_url_config(FunctionName=foreign),
            "get_function_code_signing_config":
                lambda: self.raw.get_function_code_signing_config(FunctionName=foreign),
            "invoke": lambda: self.raw.invoke(FunctionName=foreign, Payload=b"{}"),
        }
        for op, call in ops.items():
            with self.subTest(op=op):
                self.assertAwsError(call, 404, RNF, msg)
        self.client.get_function(FunctionName=self.fn)  # still there

    def test_foreign_region_arn_other_region_name(self):
        foreign = function_arn("whatever", region="ap-southeast-1")
        self.assertAwsError(
            lambda: self.raw.get_function(FunctionName=foreign), 404, RNF,
            f"Functions from 'ap-southeast-1' are not reachable in this region ('{DEFAULT_REGION}')")

    def test_other_account_arn_access_denied(self):
        foreign = function_arn(self.fn, account="111111111111")
        err = self.assertAwsError(lambda: self.raw.get_function(FunctionName=foreign), 403,
                                  "AccessDeniedException")
        self.assertIn(err["Error"].get("Message"), (None, ""), "AWS sends Message: null")


class RegionIsolationTest(LambdaliteTestCase):
    def test_function_invisible_from_other_region(self):
        name = self.unique("reg")
        self.create_function(name)
        west = lambda_client(self.endpoint, OTHER_REGION)
        west_raw = lambda_client(self.endpoint, OTHER_REGION, validate=False)
        self.assertAwsError(lambda: west_raw.get_function(FunctionName=name), 404, RNF,
                            f"Function not found: {function_arn(name, region=OTHER_REGION)}")
        self.assertNotIn(name, [f["FunctionName"] for f in west.list_functions()["Functions"]])
        self.assertIn(name, [f["FunctionName"] for f in self.client.list_functions()["Functions"]])

    def test_same_name_in_two_regions_is_independent(self):
        name = self.unique("reg2")
        west = lambda_client(self.endpoint, OTHER_REGION)
        east_resp = self.create_function(name, Description="east")
        west_resp = create_function(west, name, Description="west")
        self.assertEqual(east_resp["FunctionArn"], function_arn(name))
        self.assertEqual(west_resp["FunctionArn"], function_arn(name, region=OTHER_REGION))
        self.assertEqual(self.client.get_function_configuration(FunctionName=name)["Description"],
                         "east")
        self.assertEqual(west.get_function_configuration(FunctionName=name)["Description"], "west")
        self.assertEqual(
            west.get_function(FunctionName=name)["Configuration"]["LoggingConfig"]["LogGroup"],
            f"/aws/lambda/{name}")
        west.delete_function(FunctionName=name)
        self.client.get_function(FunctionName=name)

    def test_eu_client_sees_us_arn_as_foreign(self):
        name = self.unique("reg3")
        self.create_function(name)
        west_raw = lambda_client(self.endpoint, OTHER_REGION, validate=False)
        self.assertAwsError(
            lambda: west_raw.get_function(FunctionName=function_arn(name)), 404, RNF,
            f"Functions from '{DEFAULT_REGION}' are not reachable in this region ('{OTHER_REGION}')")

    def test_event_invoke_configs_are_regional(self):
        name = self.unique("reg4")
        west = lambda_client(self.endpoint, OTHER_REGION)
        self.create_function(name)
        create_function(west, name)
        self.client.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1)
        self.assertEqual(
            self.client.get_function_event_invoke_config(FunctionName=name)["FunctionArn"],
            function_arn(name, "$LATEST"))
        west_raw = lambda_client(self.endpoint, OTHER_REGION, validate=False)
        self.assertAwsError(
            lambda: west_raw.get_function_event_invoke_config(FunctionName=name), 404, RNF,
            f"The function {function_arn(name, '$LATEST', region=OTHER_REGION)} doesn't have an "
            "EventInvokeConfig")


class AccountIsolationTest(LambdaliteTestCase):
    def test_twelve_digit_access_key_is_the_account(self):
        other = "111122223333"
        c = lambda_client(self.endpoint, access_key=other)
        name = self.unique("acct")
        resp = create_function(c, name)
        self.assertEqual(resp["FunctionArn"], function_arn(name, account=other))
        self.assertEqual(c.get_function(FunctionName=name)["Configuration"]["FunctionArn"],
                         function_arn(name, account=other))
        self.assertAwsError(lambda: self.raw.get_function(FunctionName=name), 404, RNF,
                            f"Function not found: {self.arn(name)}")

    def test_non_numeric_access_key_is_default_account(self):
        c = lambda_client(self.endpoint, access_key="AKIAEXAMPLEKEY")
        name = self.unique("acct")
        resp = create_function(c, name)
        self.assertEqual(resp["FunctionArn"], function_arn(name, account=DEFAULT_ACCOUNT))
        self.client.get_function(FunctionName=name)

    def test_unsigned_request_uses_default_scope(self):
        name = self.unique("unsigned")
        self.create_function(name)
        resp = raw_request(self.endpoint, "GET", f"/2015-03-31/functions/{name}")
        self.assertEqual(resp.status, 200, resp.body[:300])
        self.assertEqual(resp.json()["Configuration"]["FunctionArn"], self.arn(name))


if __name__ == "__main__":
    unittest.main()
