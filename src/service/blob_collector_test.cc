// BlobCollector (blob_collector.h): the grace period by the injected clock, pins, and which blobs
// the FunctionService's state keeps (versions, $LATEST.PUBLISHED, layer versions, layers a
// function still uses), over the memory stores.
#include "service/blob_collector.h"

#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "common/crypto.h"
#include "service/function_service.h"
#include "service/zip_testing.h"
#include "storage/memory/memory_code_store.h"
#include "storage/memory/memory_store.h"

namespace lambdalite::service {
namespace {

using domain::Scope;

constexpr int64_t kGrace = 60'000;

// The same content always gives the same bytes (a zip records times), so shared blobs share.
std::string ZipOf(const std::string& content) {
  static std::map<std::string, std::string> made;
  auto [it, fresh] = made.try_emplace(content);
  if (fresh) it->second = testing::MakeZipOf({{"index.py", content}});
  return it->second;
}

bool Has(storage::CodeStore& store, const std::string& id) { return store.Get(id).ok(); }

// ---- The collector alone ----------------------------------------------------------------------

class BlobCollectorTest : public ::testing::Test {
 protected:
  BlobCollectorTest()
      : collector_(
            code_, clock_, [this] { return referenced_; }, kGrace) {}

  BlobCollector::SweepStats Sweep() {
    auto stats = collector_.Sweep();
    EXPECT_TRUE(stats.ok()) << stats.error().message;
    return stats.ok() ? *stats : BlobCollector::SweepStats{};
  }
  std::string Put(const std::string& bytes) { return code_.Put(bytes).value(); }

  FakeClock clock_;
  storage::memory::MemoryCodeStore code_;
  std::unordered_set<std::string> referenced_;
  BlobCollector collector_;
};

TEST_F(BlobCollectorTest, RemovesAnUnreferencedBlobOnlyAfterTheGracePeriod) {
  const std::string id = Put("a");
  EXPECT_EQ(Sweep().waiting, 1u);  // first seen unreferenced: the grace period starts
  clock_.Advance(kGrace - 1);
  auto stats = Sweep();
  EXPECT_EQ(stats.removed, 0u);
  EXPECT_EQ(stats.waiting, 1u);
  EXPECT_TRUE(Has(code_, id));
  clock_.Advance(1);
  EXPECT_EQ(Sweep().removed, 1u);
  EXPECT_FALSE(Has(code_, id));
  EXPECT_EQ(code_.size(), 0u);
}

TEST_F(BlobCollectorTest, TheGracePeriodStartsAtTheFirstSweepThatFindsTheBlobUnreferenced) {
  const std::string id = Put("a");
  referenced_.insert(id);
  clock_.Advance(10 * kGrace);
  EXPECT_EQ(Sweep().kept, 1u);  // a referenced blob stays, however old
  referenced_.clear();
  Sweep();  // the grace period starts now, not at the Put
  clock_.Advance(kGrace - 1);
  EXPECT_EQ(Sweep().removed, 0u);
  clock_.Advance(1);
  EXPECT_EQ(Sweep().removed, 1u);
  EXPECT_FALSE(Has(code_, id));
}

TEST_F(BlobCollectorTest, AReferenceAgainRestartsTheGracePeriod) {
  const std::string id = Put("a");
  Sweep();
  clock_.Advance(kGrace - 1);
  referenced_.insert(id);
  Sweep();  // referenced again: its mark goes
  referenced_.clear();
  Sweep();
  clock_.Advance(kGrace - 1);
  EXPECT_EQ(Sweep().removed, 0u);
  clock_.Advance(1);
  EXPECT_EQ(Sweep().removed, 1u);
}

TEST_F(BlobCollectorTest, APinnedBlobStaysAndItsReleaseRestartsTheGracePeriod) {
  const std::string id = Put("a");
  Sweep();
  clock_.Advance(kGrace);
  {
    // A writer storing the same bytes again, its commit not yet in memory.
    BlobCollector::Pin pin = collector_.PinBlob(id);
    EXPECT_EQ(Sweep().kept, 1u);
    clock_.Advance(kGrace);
    EXPECT_EQ(Sweep().kept, 1u);
    BlobCollector::Pin moved = std::move(pin);  // still one pin
    EXPECT_EQ(Sweep().kept, 1u);
  }
  // Released (say the writer failed): the blob is unreferenced from the next sweep on, and only
  // then does its grace period start, even though an earlier sweep had marked it.
  EXPECT_EQ(Sweep().removed, 0u);
  clock_.Advance(kGrace - 1);
  EXPECT_EQ(Sweep().removed, 0u);
  clock_.Advance(1);
  EXPECT_EQ(Sweep().removed, 1u);
}

TEST_F(BlobCollectorTest, AChangeBetweenTheSnapshotAndTheDecisionKeepsTheBlob) {
  // A sweep snapshots the references before it decides; a writer that pins, stores, puts its
  // reference in memory and releases in between must not lose the blob, however old its mark.
  const std::string id = Put("a");
  BlobCollector* collector = nullptr;
  bool writer_runs = false;
  BlobCollector racing(
      code_, clock_,
      [&]() {
        std::unordered_set<std::string> snapshot = referenced_;
        if (writer_runs) {
          collector->PinBlob(id).Release();
          referenced_.insert(id);
        }
        return snapshot;
      },
      kGrace);
  collector = &racing;
  ASSERT_TRUE(racing.Sweep().ok());  // marks it
  clock_.Advance(kGrace);
  writer_runs = true;
  auto stats = racing.Sweep();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->removed, 0u);
  EXPECT_TRUE(Has(code_, id));
  writer_runs = false;
  clock_.Advance(kGrace);
  EXPECT_EQ(racing.Sweep()->kept, 1u);  // and from now on the snapshot has it
}

TEST_F(BlobCollectorTest, TheGracePeriodIsAtLeastOneMillisecond) {
  collector_.set_grace_ms(0);
  EXPECT_EQ(collector_.grace_ms(), 1);
  const std::string id = Put("a");
  EXPECT_EQ(Sweep().removed, 0u);  // never removed by the sweep that first finds it
  clock_.Advance(1);
  EXPECT_EQ(Sweep().removed, 1u);
}

TEST_F(BlobCollectorTest, TheBackgroundThreadSweeps) {
  const std::string id = Put("a");
  collector_.set_grace_ms(1);
  collector_.Start(std::chrono::milliseconds(5));
  for (int i = 0; i < 400 && Has(code_, id); ++i) {
    clock_.Advance(1);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  collector_.Stop();
  EXPECT_FALSE(Has(code_, id));
}

// ---- What the service's state keeps -----------------------------------------------------------

class ServiceBlobTest : public ::testing::Test {
 protected:
  ServiceBlobTest() { Reset(); }
  void Reset() {
    service_ = std::make_unique<FunctionService>(store_, code_, nullptr, clock_);
    ASSERT_TRUE(service_->Load().ok());
    service_->SetBlobGrace(std::chrono::milliseconds(kGrace));
  }

  std::string Create(const std::string& name, const std::string& content,
                     std::vector<std::string> layers = {}) {
    CreateFunctionInput in;
    in.name = name;
    in.config.runtime = "python3.12";
    in.config.handler = "index.handler";
    in.config.role = "arn:aws:iam::123456789012:role/r";
    in.config.layers = std::move(layers);
    in.code.zip_file = ZipOf(content);
    auto fn = service_->CreateFunction(scope_, std::move(in));
    EXPECT_TRUE(fn.ok()) << fn.error().message;
    return fn.ok() ? fn->version->code.blob_id : std::string();
  }
  std::string UpdateCode(const std::string& name, const std::string& content,
                         bool publish = false) {
    UpdateCodeInput in;
    in.code.zip_file = ZipOf(content);
    in.publish = publish;
    auto fn = service_->UpdateFunctionCode(scope_, name, std::move(in));
    EXPECT_TRUE(fn.ok()) << fn.error().message;
    return fn.ok() ? fn->version->code.blob_id : std::string();
  }
  std::string Code(const std::string& name, const std::optional<std::string>& qualifier = {}) {
    auto fn = service_->GetFunction(scope_, name, qualifier);
    EXPECT_TRUE(fn.ok()) << fn.error().message;
    return fn.ok() ? fn->version->code.blob_id : std::string();
  }
  // Two sweeps a grace period apart: whatever is unreferenced by the first is gone after.
  void CollectFully() {
    ASSERT_TRUE(service_->CollectBlobs().ok());
    clock_.Advance(kGrace);
    ASSERT_TRUE(service_->CollectBlobs().ok());
  }

  Scope scope_{"123456789012", "us-east-1"};
  FakeClock clock_;
  storage::memory::MemoryFunctionStore store_;
  storage::memory::MemoryCodeStore code_;
  std::unique_ptr<FunctionService> service_;
};

TEST_F(ServiceBlobTest, ReplacedCodeGoesAfterTheGracePeriodAndTheCurrentCodeStays) {
  const std::string v1 = Create("fn", "one");
  const std::string v2 = UpdateCode("fn", "two");
  ASSERT_NE(v1, v2);
  ASSERT_TRUE(service_->CollectBlobs().ok());
  clock_.Advance(kGrace - 1);
  ASSERT_TRUE(service_->CollectBlobs().ok());
  EXPECT_TRUE(Has(code_, v1));  // a Code.Location handed out before the update still works
  clock_.Advance(1);
  ASSERT_TRUE(service_->CollectBlobs().ok());
  EXPECT_FALSE(Has(code_, v1));
  EXPECT_TRUE(Has(code_, v2));
  EXPECT_EQ(Code("fn"), v2);
  EXPECT_EQ(code_.size(), 1u);
}

TEST_F(ServiceBlobTest, PublishedVersionsKeepTheirCodeUntilDeleted) {
  const std::string one = Create("fn", "one");
  UpdateCode("fn", "one", /*publish=*/true);  // version 1: same bytes as $LATEST
  const std::string two = UpdateCode("fn", "two", /*publish=*/true);  // version 2
  const std::string three = UpdateCode("fn", "three");                // $LATEST only
  CollectFully();
  EXPECT_TRUE(Has(code_, one));
  EXPECT_TRUE(Has(code_, two));
  EXPECT_TRUE(Has(code_, three));
  EXPECT_EQ(Code("fn", "1"), one);
  ASSERT_TRUE(service_->DeleteFunction(scope_, "fn", "1").ok());
  CollectFully();
  EXPECT_FALSE(Has(code_, one));
  EXPECT_TRUE(Has(code_, two));
  ASSERT_TRUE(service_->DeleteFunction(scope_, "fn", std::nullopt).ok());
  CollectFully();
  EXPECT_EQ(code_.size(), 0u);
}

TEST_F(ServiceBlobTest, LatestPublishedKeepsItsCode) {
  const std::string one = Create("fn", "one");
  ASSERT_TRUE(service_
                  ->PublishVersion(scope_, "fn", std::nullopt, std::nullopt, std::nullopt,
                                   /*to_latest_published=*/true)
                  .ok());
  UpdateCode("fn", "two");
  CollectFully();
  EXPECT_TRUE(Has(code_, one));
}

TEST_F(ServiceBlobTest, ASharedBlobStaysUntilItsLastReferenceGoes) {
  const std::string a = Create("a", "same");
  const std::string b = Create("b", "same");
  ASSERT_EQ(a, b);
  ASSERT_TRUE(service_->DeleteFunction(scope_, "a", std::nullopt).ok());
  CollectFully();
  EXPECT_TRUE(Has(code_, a));
  EXPECT_EQ(Code("b"), a);
  UpdateCode("b", "other");
  CollectFully();
  EXPECT_FALSE(Has(code_, a));
}

TEST_F(ServiceBlobTest, LayerContentStaysWhileAFunctionUsesIt) {
  PublishLayerInput layer;
  layer.layer_name = "l";
  layer.content.zip_file = testing::MakeZipOf({{"python/m.py", "X = 1\n"}});
  auto v = service_->PublishLayerVersion(scope_, std::move(layer));
  ASSERT_TRUE(v.ok()) << v.error().message;
  const std::string content = v->code.blob_id;
  CollectFully();
  EXPECT_TRUE(Has(code_, content));  // the layer version itself refers to it
  Create("fn", "code", {domain::LayerVersionArn(scope_, "l", 1)});
  ASSERT_TRUE(service_->DeleteLayerVersion(scope_, "l", 1).ok());
  CollectFully();
  EXPECT_TRUE(Has(code_, content));  // the function still extracts it (LF3)
  ASSERT_TRUE(service_->DeleteFunction(scope_, "fn", std::nullopt).ok());
  CollectFully();
  EXPECT_FALSE(Has(code_, content));
  EXPECT_EQ(code_.size(), 0u);
}

TEST_F(ServiceBlobTest, ABlobOfACrashedWriteIsCollectedAfterTheGracePeriod) {
  const std::string kept = Create("fn", "kept");
  // An upload whose commit never happened (the server died between the Put and the commit).
  const std::string orphan = code_.Put(ZipOf("orphan")).value();
  Reset();  // the restart
  ASSERT_TRUE(service_->CollectBlobs().ok());
  clock_.Advance(kGrace - 1);
  ASSERT_TRUE(service_->CollectBlobs().ok());
  EXPECT_TRUE(Has(code_, orphan));
  clock_.Advance(1);
  ASSERT_TRUE(service_->CollectBlobs().ok());
  EXPECT_FALSE(Has(code_, orphan));
  EXPECT_TRUE(Has(code_, kept));
  EXPECT_EQ(Code("fn"), kept);
}

TEST_F(ServiceBlobTest, ReferencesSurviveARestart) {
  const std::string one = Create("fn", "one");
  UpdateCode("fn", "two", /*publish=*/true);
  Reset();
  CollectFully();
  EXPECT_FALSE(Has(code_, one));  // replaced before the restart: unreferenced
  EXPECT_TRUE(Has(code_, Code("fn")));
  EXPECT_TRUE(Has(code_, Code("fn", "1")));
}

TEST_F(ServiceBlobTest, ARefusedPackageIsCollected) {
  Create("fn", "one");
  // A dry run stores the package but refers to it nowhere.
  UpdateCodeInput in;
  in.code.zip_file = ZipOf("dry");
  in.dry_run = true;
  ASSERT_TRUE(service_->UpdateFunctionCode(scope_, "fn", std::move(in)).ok());
  const std::string dry = HexEncode(Sha256(ZipOf("dry")));
  EXPECT_TRUE(Has(code_, dry));
  CollectFully();
  EXPECT_FALSE(Has(code_, dry));
  EXPECT_EQ(code_.size(), 1u);
}

}  // namespace
}  // namespace lambdalite::service
