"""Reserved concurrency, tags and account settings.

Facts from TestLambdaReservedConcurrency, TestLambdaTag and TestLambdaAccountSettings (recorded
20-11-2023) and reference 2.1 (Concurrency / Tags in GetFunction)."""

import unittest

from harness import LambdaliteTestCase, create_function, unique_name

RNF = "ResourceNotFoundException"
IPVE = "InvalidParameterValueException"


class ConcurrencyTest(LambdaliteTestCase):
    def test_put_get_delete(self):
        name = self.unique("cc")
        self.create_function(name)
        zero = self.client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
        self.assertStatus(zero, 200)
        self.assertEqual(self.body(zero), {"ReservedConcurrentExecutions": 0})
        one = self.client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
        self.assertEqual(self.body(one), {"ReservedConcurrentExecutions": 1})
        got = self.client.get_function_concurrency(FunctionName=name)
        self.assertStatus(got, 200)
        self.assertEqual(self.body(got), {"ReservedConcurrentExecutions": 1})
        self.assertEqual(self.client.get_function(FunctionName=name)["Concurrency"],
                         {"ReservedConcurrentExecutions": 1})
        deleted = self.client.delete_function_concurrency(FunctionName=name)
        self.assertStatus(deleted, 204)
        self.assertEqual(self.body(deleted), {})
        after = self.client.get_function_concurrency(FunctionName=name)
        self.assertStatus(after, 200)
        self.assertEqual(self.body(after), {})
        self.assertNotIn("Concurrency", self.client.get_function(FunctionName=name))

    def test_put_by_arn(self):
        name = self.unique("cc")
        self.create_function(name)
        resp = self.client.put_function_concurrency(FunctionName=self.arn(name),
                                                    ReservedConcurrentExecutions=2)
        self.assertEqual(resp["ReservedConcurrentExecutions"], 2)

    def test_put_missing_function(self):
        self.assertAwsError(
            lambda: self.raw.put_function_concurrency(FunctionName="doesnotexist",
                                                      ReservedConcurrentExecutions=1),
            404, RNF, f"Function not found: {self.arn('doesnotexist', '$LATEST')}")

    def test_put_missing_function_and_invalid_value(self):
        self.assertAwsError(
            lambda: self.raw.put_function_concurrency(FunctionName="doesnotexist",
                                                      ReservedConcurrentExecutions=100000),
            404, RNF, f"Function not found: {self.arn('doesnotexist', '$LATEST')}")

    def test_put_qualified_arn(self):
        name = self.unique("cc")
        self.create_function(name)
        self.publish(name)
        self.assertAwsError(
            lambda: self.raw.put_function_concurrency(FunctionName=self.arn(name, "1"),
                                                      ReservedConcurrentExecutions=1),
            400, IPVE,
            "This operation is permitted on Lambda functions only. Aliases and versions do not "
            "support this operation. Please specify either a function name or an unqualified "
            "function ARN.")

    def test_above_unreserved_minimum(self):
        name = self.unique("cc")
        self.create_function(name)
        limit = self.client.get_account_settings()["AccountLimit"]["ConcurrentExecutions"]
        # min(100, quota) units must stay unreserved; the same text above the account limit.
        for value in (limit, limit + 1):
            with self.subTest(value=value):
                self.assertAwsError(
                    lambda: self.raw.put_function_concurrency(FunctionName=name,
                                                              ReservedConcurrentExecutions=value),
                    400, IPVE,
                    "Specified ReservedConcurrentExecutions for function decreases account's "
                    f"UnreservedConcurrentExecution below its minimum value of [{min(100, limit)}].",
                    type_user=False)

    def test_get_missing_function(self):
        name = unique_name("missing")
        self.assertAwsError(lambda: self.raw.get_function_concurrency(FunctionName=name),
                            404, RNF, f"Function not found: {self.arn(name)}")


class TagsTest(LambdaliteTestCase):
    def setUp(self):
        self.fn = self.unique("tag")
        self.create_function(self.fn)
        self.fn_arn = self.arn(self.fn)

    def tags(self):
        resp = self.client.list_tags(Resource=self.fn_arn)
        self.assertStatus(resp, 200)
        return resp["Tags"]

    def test_lifecycle(self):
        r = self.client.tag_resource(Resource=self.fn_arn, Tags={"A": "tag-a"})
        self.assertStatus(r, 204)
        self.assertEqual(self.tags(), {"A": "tag-a"})
        self.client.tag_resource(Resource=self.fn_arn, Tags={"B": "tag-b", "C": "tag-c"})
        self.assertEqual(self.tags(), {"A": "tag-a", "B": "tag-b", "C": "tag-c"})
        self.client.tag_resource(Resource=self.fn_arn, Tags={"C": "tag-c-newsuffix", "D": "tag-d"})
        self.assertEqual(self.tags(), {"A": "tag-a", "B": "tag-b", "C": "tag-c-newsuffix",
                                       "D": "tag-d"})
        r = self.client.untag_resource(Resource=self.fn_arn, TagKeys=["A"])
        self.assertStatus(r, 204)
        self.assertEqual(self.tags(), {"B": "tag-b", "C": "tag-c-newsuffix", "D": "tag-d"})
        self.client.untag_resource(Resource=self.fn_arn, TagKeys=["B", "C"])
        self.assertEqual(self.tags(), {"D": "tag-d"})
        r = self.client.untag_resource(Resource=self.fn_arn, TagKeys=["a", "b"])
        self.assertStatus(r, 204)
        self.assertEqual(self.tags(), {"D": "tag-d"})
        self.client.untag_resource(Resource=self.fn_arn, TagKeys=["D", "E"])
        self.assertEqual(self.tags(), {})
        self.assertNotIn("Tags", self.client.get_function(FunctionName=self.fn))

    def test_tags_on_create(self):
        name = self.unique("tagc")
        self.create_function(name, Tags={"testtag": "value"})
        self.assertEqual(self.client.get_function(FunctionName=name)["Tags"], {"testtag": "value"})
        self.assertEqual(self.client.list_tags(Resource=self.arn(name))["Tags"], {"testtag": "value"})

    def test_tags_on_missing_function(self):
        name = unique_name("gone")
        create_function(self.client, name)
        self.client.delete_function(FunctionName=name)
        msg = f"Function not found: {self.arn(name)}"
        self.assertAwsError(lambda: self.raw.tag_resource(Resource=self.arn(name), Tags={"a": "b"}),
                            404, RNF, msg)
        self.assertAwsError(lambda: self.raw.untag_resource(Resource=self.arn(name), TagKeys=["a"]),
                            404, RNF, msg)
        self.assertAwsError(lambda: self.raw.list_tags(Resource=self.arn(name)), 404, RNF, msg)

    def test_never_tagged(self):
        self.assertEqual(self.tags(), {})

    def test_tag_qualified_arn_refused(self):
        self.publish(self.fn)
        msg = "Tags on function aliases and versions are not supported. Please specify a function ARN."
        for arn in (self.arn(self.fn, "1"), self.arn(self.fn, "$LATEST"), self.arn(self.fn, "v1")):
            with self.subTest(arn=arn):
                self.assertAwsError(lambda: self.raw.tag_resource(Resource=arn, Tags={"a": "b"}),
                                    400, IPVE, msg)

    def test_tag_missing_function_arn(self):
        arn = self.arn("doesnotexist")
        self.assertAwsError(lambda: self.raw.tag_resource(Resource=arn, Tags={"a": "b"}), 404, RNF,
                            f"Function not found: {arn}")

    def test_tag_invalid_arn(self):
        self.assertAwsError(
            lambda: self.raw.tag_resource(Resource="arn:aws:something", Tags={"a": "b"}), 400,
            "ValidationException",
            message_prefix="1 validation error detected: Value 'arn:aws:something' at 'resource' "
                           "failed to satisfy constraint: Member must satisfy regular expression "
                           "pattern: ")

    def test_empty_tags(self):
        self.assertAwsError(lambda: self.raw.tag_resource(Resource=self.fn_arn, Tags={}), 400, IPVE,
                            "An error occurred and the request cannot be processed.")

    def test_untag_without_keys(self):
        self.assertAwsError(lambda: self.raw.untag_resource(Resource=self.fn_arn, TagKeys=[]), 400,
                            "ValidationException",
                            "1 validation error detected: Value null at 'tagKeys' failed to "
                            "satisfy constraint: Member must not be null")

    def test_tag_limit(self):
        self.assertAwsError(
            lambda: self.raw.tag_resource(Resource=self.fn_arn,
                                          Tags={f"k{i}": "v" for i in range(51)}),
            400, IPVE, "Number of tags exceeds resource tag limit.")
        self.client.tag_resource(Resource=self.fn_arn, Tags={f"k{i}": "v" for i in range(50)})
        self.assertAwsError(
            lambda: self.raw.tag_resource(Resource=self.fn_arn, Tags={"one-more": "v"}),
            400, IPVE, "Number of tags exceeds resource tag limit.")

    def test_tags_survive_updates_and_publish(self):
        self.client.tag_resource(Resource=self.fn_arn, Tags={"keep": "me"})
        self.update_config(self.fn, Description="changed")
        self.publish(self.fn)
        self.assertEqual(self.tags(), {"keep": "me"})


class AccountSettingsTest(LambdaliteTestCase):
    LIMIT_KEYS = {"CodeSizeUnzipped", "CodeSizeZipped", "ConcurrentExecutions", "TotalCodeSize",
                  "UnreservedConcurrentExecutions"}
    USAGE_KEYS = {"FunctionCount", "TotalCodeSize"}

    def test_shape(self):
        resp = self.client.get_account_settings()
        self.assertStatus(resp, 200)
        self.assertTrue(self.LIMIT_KEYS <= set(resp["AccountLimit"]), resp["AccountLimit"])
        self.assertTrue(self.USAGE_KEYS <= set(resp["AccountUsage"]), resp["AccountUsage"])
        # The same limits the size errors quote (Unzipped 262144000, Zipped 52428800).
        self.assertEqual(resp["AccountLimit"]["CodeSizeUnzipped"], 262144000)
        self.assertEqual(resp["AccountLimit"]["CodeSizeZipped"], 52428800)
        # Documented defaults [AWSDOC GetAccountSettings example].
        self.assertEqual(resp["AccountLimit"]["ConcurrentExecutions"], 1000)
        self.assertEqual(resp["AccountLimit"]["TotalCodeSize"], 80530636800)
        self.assertEqual(resp["AccountLimit"]["UnreservedConcurrentExecutions"], 1000)

    def test_usage_counts_functions_and_reserved_concurrency(self):
        before = self.client.get_account_settings()
        name = self.unique("acct")
        self.create_function(name)
        after = self.client.get_account_settings()
        self.assertEqual(after["AccountUsage"]["FunctionCount"],
                         before["AccountUsage"]["FunctionCount"] + 1)
        zip_size = self.client.get_function_configuration(FunctionName=name)["CodeSize"]
        self.assertEqual(after["AccountUsage"]["TotalCodeSize"],
                         before["AccountUsage"]["TotalCodeSize"] + zip_size)
        self.client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=5)
        limits = self.client.get_account_settings()["AccountLimit"]
        # [AWSDOC AccountLimit] Unreserved = ConcurrentExecutions minus what functions reserve.
        self.assertEqual(limits["UnreservedConcurrentExecutions"],
                         limits["ConcurrentExecutions"] - 5)
        self.client.delete_function(FunctionName=name)
        self.assertEqual(self.client.get_account_settings()["AccountUsage"]["FunctionCount"],
                         before["AccountUsage"]["FunctionCount"])

    def test_total_code_size_is_the_sum_of_stored_packages(self):
        # Every function's $LATEST and every published version count their package (reference
        # research notes section 7: grows on CreateFunction, UpdateFunctionCode, PublishVersion).
        from harness import python_zip
        before = self.client.get_account_settings()["AccountUsage"]["TotalCodeSize"]
        name = self.unique("acct")
        self.create_function(name, zip_bytes=python_zip(marker="one"))
        v1 = self.client.publish_version(FunctionName=name)["CodeSize"]
        big = python_zip(marker="two" * 500)
        latest = self.update_code(name, big)["CodeSize"]
        self.assertNotEqual(v1, latest)
        usage = self.client.get_account_settings()["AccountUsage"]["TotalCodeSize"]
        self.assertEqual(usage, before + v1 + latest)
        self.client.delete_function(FunctionName=name, Qualifier="1")
        self.assertEqual(self.client.get_account_settings()["AccountUsage"]["TotalCodeSize"],
                         before + latest)
        self.client.delete_function(FunctionName=name)
        self.assertEqual(self.client.get_account_settings()["AccountUsage"]["TotalCodeSize"],
                         before)


if __name__ == "__main__":
    unittest.main()
