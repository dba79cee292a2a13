#include "esm/poller_manager.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace lambdalite::esm {
namespace {

using domain::EventSourceKind;
using domain::MappingState;

const domain::Scope kScope{"123456789012", "us-east-1"};

class FakeSource final : public MappingSource {
 public:
  std::vector<MappingView> List() const override {
    std::lock_guard lock(mu);
    return views;
  }
  void SetChangeListener(std::function<void()> l) override {
    std::lock_guard lock(mu);
    listener = std::move(l);
  }
  void Settle(const domain::Scope&, const std::string& uuid, uint64_t revision) override {
    std::lock_guard lock(mu);
    settles.push_back(uuid + "@" + std::to_string(revision));
    for (auto it = views.begin(); it != views.end(); ++it) {
      domain::EventSourceMapping& m = it->mapping;
      if (m.uuid != uuid || m.revision != revision) continue;
      if (m.state == MappingState::kDeleting) {
        views.erase(it);
        return;
      }
      if (m.state == MappingState::kDisabling) {
        m.state = MappingState::kDisabled;
      } else if (m.state != MappingState::kEnabled && m.state != MappingState::kDisabled) {
        m.state = m.enabled ? MappingState::kEnabled : MappingState::kDisabled;
      }
      return;
    }
  }
  void Fail(const domain::Scope&, const std::string& uuid, uint64_t revision,
            const std::string& reason) override {
    std::lock_guard lock(mu);
    fails.push_back(uuid + "@" + std::to_string(revision) + ": " + reason);
    for (MappingView& v : views) {
      if (v.mapping.uuid == uuid) {
        v.mapping.state = MappingState::kDisabled;
        v.mapping.state_transition_reason = reason;
      }
    }
  }
  void SetLastProcessingResult(const domain::Scope&, const std::string&,
                               const std::string&) override {}

  void Add(const std::string& uuid, MappingState state, bool enabled = true) {
    std::lock_guard lock(mu);
    MappingView v;
    v.scope = kScope;
    v.mapping.uuid = uuid;
    v.mapping.kind = EventSourceKind::kSqs;
    v.mapping.state = state;
    v.mapping.enabled = enabled;
    v.mapping.revision = 1;
    views.push_back(v);
  }
  void Change(const std::string& uuid, MappingState state, bool enabled) {
    std::lock_guard lock(mu);
    for (MappingView& v : views) {
      if (v.mapping.uuid != uuid) continue;
      v.mapping.state = state;
      v.mapping.enabled = enabled;
      v.mapping.revision += 1;
    }
  }
  MappingState StateOf(const std::string& uuid) const {
    std::lock_guard lock(mu);
    for (const MappingView& v : views) {
      if (v.mapping.uuid == uuid) return v.mapping.state;
    }
    return MappingState::kDeleting;
  }
  size_t Count() const {
    std::lock_guard lock(mu);
    return views.size();
  }

  mutable std::mutex mu;
  std::vector<MappingView> views;
  std::vector<std::string> settles;
  std::vector<std::string> fails;
  std::function<void()> listener;
};

struct Counters {
  std::atomic<int> running{0};
  std::atomic<int> started{0};
  std::atomic<int> stopped{0};
};

class FakePoller final : public Poller {
 public:
  explicit FakePoller(Counters* counters) : counters_(counters) { ++counters_->running; }
  ~FakePoller() override { Stop(); }
  void Stop() override {
    if (stopped_) return;
    stopped_ = true;
    --counters_->running;
    ++counters_->stopped;
  }
  PollerStatus Status() const override {
    PollerStatus s;
    s.last_processing_result = "OK";
    s.batches = 7;
    return s;
  }

 private:
  Counters* counters_;
  bool stopped_ = false;
};

class FakeFactory final : public PollerFactory {
 public:
  explicit FakeFactory(Counters* counters) : counters_(counters) {}
  Result<std::unique_ptr<Poller>> Start(const PollerContext& context) override {
    std::lock_guard lock(mu);
    revisions.push_back(context.view.mapping.revision);
    if (!errors.empty()) {
      Error e = errors.front();
      errors.erase(errors.begin());
      return e;
    }
    ++counters_->started;
    return std::unique_ptr<Poller>(std::make_unique<FakePoller>(counters_));
  }
  std::mutex mu;
  std::vector<Error> errors;
  std::vector<uint64_t> revisions;

 private:
  Counters* counters_;
};

class FakeInvoker final : public FunctionInvoker {
 public:
  Result<InvokeOutcome> Invoke(const domain::Scope&, const std::string&, const std::string&,
                               std::string) override {
    return InvokeOutcome{};
  }
};

class FakeCheckpoints final : public CheckpointStore {
 public:
  Result<std::optional<std::string>> Get(const std::string&, const std::string&) override {
    return std::optional<std::string>();
  }
  Status Put(const std::string&, const std::string&, const std::string&) override {
    return Status();
  }
  Status DeleteMapping(const std::string& uuid) override {
    deleted.push_back(uuid);
    return Status();
  }
  std::vector<std::string> deleted;
};

class PollerManagerTest : public ::testing::Test {
 protected:
  PollerManagerTest() {
    auto factory = std::make_unique<FakeFactory>(&counters);
    factory_ = factory.get();
    PollerManager::Factories factories;
    factories[EventSourceKind::kSqs] = std::move(factory);
    PollerManagerOptions options;
    options.retry_initial_ms = 1000;
    options.retry_max_ms = 4000;
    manager = std::make_unique<PollerManager>(source, std::move(factories), invoker, clock, http,
                                              aws::Config{}, &checkpoints, options);
  }

  FakeSource source;
  Counters counters;
  FakeInvoker invoker;
  FakeClock clock;
  aws::HttpClient http;
  FakeCheckpoints checkpoints;
  FakeFactory* factory_;
  std::unique_ptr<PollerManager> manager;
};

TEST_F(PollerManagerTest, StartsAndSettlesCreatingMapping) {
  source.Add("a", MappingState::kCreating);
  manager->ReconcileNow();
  EXPECT_EQ(counters.running, 1);
  EXPECT_EQ(source.StateOf("a"), MappingState::kEnabled);
  EXPECT_EQ(source.settles, std::vector<std::string>{"a@1"});
  // Nothing more to do: no second start, no second settle.
  manager->ReconcileNow();
  EXPECT_EQ(counters.started, 1);
  EXPECT_EQ(source.settles.size(), 1u);
  ASSERT_TRUE(manager->Status(kScope, "a").has_value());
  EXPECT_EQ(manager->Status(kScope, "a")->batches, 7);
}

TEST_F(PollerManagerTest, CreatedDisabledDoesNotStart) {
  source.Add("a", MappingState::kDisabled, false);
  manager->ReconcileNow();
  EXPECT_EQ(counters.started, 0);
  EXPECT_TRUE(source.settles.empty());
  EXPECT_FALSE(manager->Status(kScope, "a").has_value());
}

TEST_F(PollerManagerTest, DisablingStopsAndSettles) {
  source.Add("a", MappingState::kCreating);
  manager->ReconcileNow();
  source.Change("a", MappingState::kDisabling, false);
  manager->ReconcileNow();
  EXPECT_EQ(counters.running, 0);
  EXPECT_EQ(source.StateOf("a"), MappingState::kDisabled);
  // Enabling again starts a new poller.
  source.Change("a", MappingState::kEnabling, true);
  manager->ReconcileNow();
  EXPECT_EQ(counters.running, 1);
  EXPECT_EQ(counters.started, 2);
  EXPECT_EQ(source.StateOf("a"), MappingState::kEnabled);
}

TEST_F(PollerManagerTest, NewRevisionRestarts) {
  source.Add("a", MappingState::kCreating);
  manager->ReconcileNow();
  source.Change("a", MappingState::kUpdating, true);
  manager->ReconcileNow();
  EXPECT_EQ(counters.started, 2);
  EXPECT_EQ(counters.stopped, 1);
  EXPECT_EQ(counters.running, 1);
  EXPECT_EQ(factory_->revisions, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(source.StateOf("a"), MappingState::kEnabled);
}

TEST_F(PollerManagerTest, DeletingStopsForgetsCheckpointsAndSettles) {
  source.Add("a", MappingState::kCreating);
  manager->ReconcileNow();
  source.Change("a", MappingState::kDeleting, true);
  manager->ReconcileNow();
  EXPECT_EQ(counters.running, 0);
  EXPECT_EQ(checkpoints.deleted, std::vector<std::string>{"a"});
  EXPECT_EQ(source.Count(), 0u);
  EXPECT_FALSE(manager->Status(kScope, "a").has_value());
}

TEST_F(PollerManagerTest, MappingGoneStopsPoller) {
  source.Add("a", MappingState::kCreating);
  manager->ReconcileNow();
  {
    std::lock_guard lock(source.mu);
    source.views.clear();
  }
  manager->ReconcileNow();
  EXPECT_EQ(counters.running, 0);
}

TEST_F(PollerManagerTest, NotFoundFailsOncePerRevision) {
  factory_->errors.push_back(Error::Make(ErrorCode::kNotFound, "queue is gone"));
  source.Add("a", MappingState::kCreating);
  manager->ReconcileNow();
  manager->ReconcileNow();
  EXPECT_EQ(counters.running, 0);
  EXPECT_EQ(source.fails, std::vector<std::string>{"a@1: queue is gone"});
  EXPECT_EQ(source.StateOf("a"), MappingState::kDisabled);
  EXPECT_TRUE(source.settles.empty());
}

TEST_F(PollerManagerTest, OtherErrorsRetriedWithBackoff) {
  factory_->errors.push_back(Error::Make(ErrorCode::kUnavailable, "SQS unreachable"));
  factory_->errors.push_back(Error::Make(ErrorCode::kUnavailable, "SQS unreachable"));
  source.Add("a", MappingState::kCreating);
  manager->ReconcileNow();  // fails, retry in 1 s
  EXPECT_EQ(source.StateOf("a"), MappingState::kCreating);
  ASSERT_TRUE(manager->Status(kScope, "a").has_value());
  EXPECT_EQ(manager->Status(kScope, "a")->problem, "SQS unreachable");
  manager->ReconcileNow();  // too early
  EXPECT_EQ(factory_->revisions.size(), 1u);
  clock.Advance(1000);
  manager->ReconcileNow();  // fails again, retry in 2 s
  EXPECT_EQ(factory_->revisions.size(), 2u);
  clock.Advance(1500);
  manager->ReconcileNow();
  EXPECT_EQ(factory_->revisions.size(), 2u);
  clock.Advance(500);
  manager->ReconcileNow();  // succeeds
  EXPECT_EQ(counters.running, 1);
  EXPECT_EQ(source.StateOf("a"), MappingState::kEnabled);
  EXPECT_EQ(manager->Status(kScope, "a")->problem, "");
  EXPECT_TRUE(source.fails.empty());
}

TEST_F(PollerManagerTest, StatusesListEveryMapping) {
  source.Add("a", MappingState::kCreating);
  source.Add("b", MappingState::kDisabled, false);
  manager->ReconcileNow();
  std::vector<MappingStatus> rows = manager->Statuses();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_TRUE(rows[0].running);
  EXPECT_EQ(rows[0].poller.batches, 7);
  EXPECT_FALSE(rows[1].running);
}

TEST_F(PollerManagerTest, ThreadReconcilesOnChangeAndStopStopsPollers) {
  manager->Start();
  source.Add("a", MappingState::kCreating);
  {
    std::function<void()> l;
    {
      std::lock_guard lock(source.mu);
      l = source.listener;
    }
    ASSERT_TRUE(l);
    l();
  }
  for (int i = 0; i < 200 && source.StateOf("a") != MappingState::kEnabled; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(source.StateOf("a"), MappingState::kEnabled);
  manager->Stop();
  EXPECT_EQ(counters.running, 0);
  manager->Stop();  // idempotent
}

}  // namespace
}  // namespace lambdalite::esm
