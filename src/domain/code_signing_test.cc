#include "domain/code_signing.h"

#include <gtest/gtest.h>

namespace lambdalite::domain {
namespace {

const Scope kScope{"111111111111", "us-east-1"};

TEST(CodeSigningTest, IdIsCscAnd17LowerCaseAlphanumerics) {
  for (int i = 0; i < 20; ++i) {
    std::string id = NewCodeSigningConfigId();
    ASSERT_EQ(id.size(), 21u);
    EXPECT_EQ(id.substr(0, 4), "csc-");
    for (char c : id.substr(4)) EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'));
  }
  EXPECT_NE(NewCodeSigningConfigId(), NewCodeSigningConfigId());
}

TEST(CodeSigningTest, ArnRoundTripsWithinItsScope) {
  std::string arn = CodeSigningConfigArn(kScope, "csc-0123456789abcdefg");
  EXPECT_EQ(arn, "arn:aws:lambda:us-east-1:111111111111:code-signing-config:csc-0123456789abcdefg");
  EXPECT_EQ(CodeSigningConfigIdInScope(arn, kScope), "csc-0123456789abcdefg");
  EXPECT_FALSE(CodeSigningConfigIdInScope(arn, Scope{"222222222222", "us-east-1"}));
  EXPECT_FALSE(CodeSigningConfigIdInScope(arn, Scope{"111111111111", "eu-west-1"}));
}

TEST(TaggableArnTest, NamesEachKind) {
  auto f = ParseTaggableArn("arn:aws:lambda:us-east-1:111111111111:function:fn");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->kind, TaggableKind::kFunction);
  EXPECT_EQ(f->id, "fn");
  EXPECT_FALSE(f->qualifier);
  auto q = ParseTaggableArn("arn:aws:lambda:us-east-1:111111111111:function:fn:live");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->qualifier, "live");
  auto c = ParseTaggableArn(
      "arn:aws:lambda:us-east-1:111111111111:code-signing-config:csc-0123456789abcdefg");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->kind, TaggableKind::kCodeSigningConfig);
  EXPECT_EQ(c->id, "csc-0123456789abcdefg");
  auto e = ParseTaggableArn(
      "arn:aws:lambda:us-east-1:111111111111:event-source-mapping:"
      "0a1b2c3d-0000-1111-2222-333344445555");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->kind, TaggableKind::kEventSourceMapping);
  auto p = ParseTaggableArn("arn:aws:lambda:us-east-1:111111111111:capacity-provider:cp1");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->kind, TaggableKind::kCapacityProvider);
  EXPECT_EQ(p->account, "111111111111");
  EXPECT_EQ(p->region, "us-east-1");
  auto l = ParseTaggableArn("arn:aws:lambda:us-east-1:111111111111:layer:l1");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->kind, TaggableKind::kLayer);
  EXPECT_FALSE(ParseTaggableArn("arn:aws:lambda:us-east-1:111111111111:other:x").ok());
  EXPECT_FALSE(ParseTaggableArn("not-an-arn").ok());
}

}  // namespace
}  // namespace lambdalite::domain
