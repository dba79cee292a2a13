#include "domain/recursion.h"

#include <gtest/gtest.h>

namespace lambdalite::domain {
namespace {

TEST(RecursionTest, DefaultIsTerminateAndNamesRoundTrip) {
  EXPECT_EQ(kDefaultRecursiveLoop, RecursiveLoop::kTerminate);
  EXPECT_EQ(RecursiveLoopName(RecursiveLoop::kAllow), "Allow");
  EXPECT_EQ(RecursiveLoopName(RecursiveLoop::kTerminate), "Terminate");
  EXPECT_EQ(ParseRecursiveLoop("Allow"), RecursiveLoop::kAllow);
  EXPECT_EQ(ParseRecursiveLoop("Terminate"), RecursiveLoop::kTerminate);
}

TEST(RecursionTest, LineageOfFindsTheField) {
  EXPECT_EQ(LineageOf("Root=1-a-b;Parent=c;Sampled=0;Lineage=0badf00d:3"), "0badf00d:3");
  EXPECT_EQ(LineageOf("Lineage=0badf00d:3;Root=1-a-b"), "0badf00d:3");
  EXPECT_EQ(LineageOf("Root=1-a-b; Lineage=x:1"), "x:1");
  EXPECT_EQ(LineageOf("Root=1-a-b;Sampled=0"), "");
  EXPECT_EQ(LineageOf(""), "");
}

TEST(RecursionTest, LineageKeyIsStableHex) {
  const Scope scope{"123456789012", "us-east-1"};
  const std::string a = LineageKey(scope, "f");
  EXPECT_EQ(a.size(), 8u);
  EXPECT_EQ(a, LineageKey(scope, "f"));
  EXPECT_NE(a, LineageKey(scope, "g"));
  EXPECT_NE(a, LineageKey(Scope{"123456789012", "eu-west-1"}, "f"));
}

TEST(RecursionTest, FirstInvocationCountsOne) {
  LineageStep step = NextLineage("", "aaaaaaaa");
  EXPECT_EQ(step.count, 1);
  EXPECT_EQ(step.lineage, "aaaaaaaa:1");
}

TEST(RecursionTest, CountsPerFunctionAndKeepsOthers) {
  LineageStep step = NextLineage("bbbbbbbb:4|aaaaaaaa:7", "aaaaaaaa");
  EXPECT_EQ(step.count, 8);
  EXPECT_EQ(step.lineage, "aaaaaaaa:8|bbbbbbbb:4");
  // botocore percent-encodes '|' when it copies _X_AMZN_TRACE_ID into the header.
  step = NextLineage("bbbbbbbb:4%7Caaaaaaaa:2", "aaaaaaaa");
  EXPECT_EQ(step.count, 3);
  EXPECT_EQ(step.lineage, "aaaaaaaa:3|bbbbbbbb:4");
  step = NextLineage("bbbbbbbb:4", "aaaaaaaa");
  EXPECT_EQ(step.count, 1);
  EXPECT_EQ(step.lineage, "aaaaaaaa:1|bbbbbbbb:4");
}

TEST(RecursionTest, MalformedEntriesAreDropped) {
  LineageStep step = NextLineage("garbage|:3|aaaaaaaa:x|cccccccc:|aaaaaaaa:2", "aaaaaaaa");
  EXPECT_EQ(step.count, 3);
  EXPECT_EQ(step.lineage, "aaaaaaaa:3");
}

TEST(RecursionTest, SixteenInvocationsRunTheSeventeenthStops) {
  std::string lineage;
  int ran = 0;
  for (int i = 0; i < 40; ++i) {
    LineageStep step = NextLineage(lineage, "aaaaaaaa");
    if (StopsRecursion(RecursiveLoop::kTerminate, step.count)) break;
    ++ran;
    lineage = step.lineage;
  }
  EXPECT_EQ(ran, kMaxRecursiveInvocations);
  EXPECT_FALSE(StopsRecursion(RecursiveLoop::kAllow, 1000));
  EXPECT_FALSE(StopsRecursion(RecursiveLoop::kTerminate, 16));
  EXPECT_TRUE(StopsRecursion(RecursiveLoop::kTerminate, 17));
}

}  // namespace
}  // namespace lambdalite::domain
