// Conformance suite for the interfaces of storage/store.h. Every FunctionStore backend runs the
// same cases (value-parameterized by backend), so the in-memory fake cannot drift from the real
// databases. To add a backend, add a FunctionStoreBackend subclass and list it in
// FunctionStoreBackends(); non-persistent backends skip the reopen cases.

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "common/crypto.h"
#include "common/temp_dir_testing.h"
#include "domain/function.h"
#include "storage/fs_code_store.h"
#include "storage/memory/memory_code_store.h"
#include "storage/memory/memory_store.h"
#include "storage/sqlite/sqlite_store.h"
#include "storage/store.h"

namespace lambdalite::storage {
namespace {

using domain::Alias;
using domain::EventInvokeConfig;
using domain::Function;
using domain::FunctionConfig;
using domain::FunctionMeta;
using domain::FunctionVersion;
using domain::Scope;

// ---------------------------------------------------------------------------------------------
// Temporary directories

// Scratch directories named lambdalite_storage_XXXXXX.
class TempDir : public lambdalite::testing_support::TempDir {
 public:
  TempDir() : lambdalite::testing_support::TempDir("lambdalite_storage_") {}
};

// ---------------------------------------------------------------------------------------------
// Backends under test

class FunctionStoreBackend {
 public:
  virtual ~FunctionStoreBackend() = default;
  virtual FunctionStore& store() = 0;
  // True when the data outlives the store object, so Reopen() keeps it.
  virtual bool persistent() const = 0;
  // Closes the store and opens a new one over the same data.
  virtual void Reopen() = 0;
};

class MemoryBackend final : public FunctionStoreBackend {
 public:
  FunctionStore& store() override { return store_; }
  bool persistent() const override { return false; }
  void Reopen() override {}

 private:
  memory::MemoryFunctionStore store_;
};

class SqliteBackend final : public FunctionStoreBackend {
 public:
  SqliteBackend() { Reopen(); }
  FunctionStore& store() override { return *store_; }
  bool persistent() const override { return true; }
  void Reopen() override {
    store_.reset();
    auto opened = sqlite::SqliteFunctionStore::Open(dir_.path() + "/lambdalite.db");
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened).value();
  }

 private:
  TempDir dir_;
  std::unique_ptr<sqlite::SqliteFunctionStore> store_;
};

struct BackendFactory {
  std::string name;
  std::function<std::unique_ptr<FunctionStoreBackend>()> make;
  friend void PrintTo(const BackendFactory& f, std::ostream* os) { *os << f.name; }
};

std::vector<BackendFactory> FunctionStoreBackends() {
  return {
      {"Memory", [] { return std::make_unique<MemoryBackend>(); }},
      {"Sqlite", [] { return std::make_unique<SqliteBackend>(); }},
      // A PostgreSQL backend (built with LAMBDALITE_WITH_POSTGRES) is listed here too; its
      // factory gives each test a fresh database (or schema) on the configured server.
  };
}

// ---------------------------------------------------------------------------------------------
// Every member of every domain type
//
// The structured bindings below stop compiling when a domain type gains or loses a member. When
// that happens: teach storage/codec.cc the member, set it in the Full* builders and compare it in
// the Expect* helpers below, then fix the count here.
TEST(DomainCoverage, EveryMemberIsKnownToTheseTests) {
  [[maybe_unused]] auto [c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17,
                         c18, c19, c20] = FunctionConfig{};
  [[maybe_unused]] auto [cp1, cp2, cp3] = domain::FunctionCapacityProviderConfig{};
  [[maybe_unused]] auto [l1, l2, l3, l4] = domain::LoggingConfig{};
  [[maybe_unused]] auto [v1, v2, v3] = domain::VpcConfig{};
  [[maybe_unused]] auto [f1, f2] = domain::FileSystemConfig{};
  [[maybe_unused]] auto [k1, k2, k3, k4] = domain::CodeInfo{};
  [[maybe_unused]] auto [fv1, fv2, fv3, fv4, fv5, fv6] = FunctionVersion{};
  [[maybe_unused]] auto [a1, a2, a3, a4, a5] = Alias{};
  [[maybe_unused]] auto [d1, d2] = domain::DestinationConfig{};
  [[maybe_unused]] auto [e1, e2, e3, e4, e5] = EventInvokeConfig{};
  [[maybe_unused]] auto [m1, m2, m3, m4, m5] = FunctionMeta{};
  [[maybe_unused]] auto [fn1, fn2, fn3, fn4, fn5] = Function{};
  [[maybe_unused]] auto [s1, s2] = Scope{};
}

// Strings that stress an encoding: quotes, escapes, control characters, NUL, multi-byte UTF-8
// and bytes that are not UTF-8 at all.
const std::string kAwkward =
    std::string("q\"b\\s/n\nt\tc\x01 nul") + std::string(1, '\0') + "é漢字🚀 \xff\xfe end";

// Every member set, none to its default.
FunctionConfig FullConfig(const std::string& tag = "full") {
  FunctionConfig c;
  c.description = "description " + tag + " " + kAwkward;
  c.runtime = "python3.12";
  c.handler = "app.handler";
  c.role = "arn:aws:iam::123456789012:role/" + tag;
  c.memory_size = 10240;
  c.timeout = 900;
  c.environment = std::map<std::string, std::string>{
      {"A", "1"}, {"EMPTY", ""}, {"AWKWARD", kAwkward}, {"K\xc3\xa9", "v"}};
  c.dead_letter_target_arn = "arn:aws:sqs:us-east-1:123456789012:dlq";
  c.tracing_mode = "Active";
  c.layers = {"arn:aws:lambda:us-east-1:123456789012:layer:a:1",
              "arn:aws:lambda:us-east-1:123456789012:layer:b:7"};
  c.layer_code = {{"c2hhMQ==", 11, std::string(64, 'b'), 30},
                  {"c2hhMg==", 22, std::string(64, 'c'), 40}};
  c.ephemeral_storage_mb = 10240;
  c.architectures = {"arm64"};
  c.logging.log_format = "JSON";
  c.logging.application_log_level = "DEBUG";
  c.logging.system_log_level = "WARN";
  c.logging.log_group = "/custom/" + tag;
  c.snap_start_apply_on = "PublishedVersions";
  c.vpc = domain::VpcConfig{{"subnet-1", "subnet-2"}, {"sg-1"}, true};
  c.kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/abc";
  c.file_systems = {
      {"arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-1", "/mnt/one"},
      {"arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-2", "/mnt/two"}};
  c.package_type = "Image";
  c.capacity_provider = domain::FunctionCapacityProviderConfig{
      "arn:aws:lambda:us-east-1:123456789012:capacity-provider:cp-" + tag, 64, 4.5};
  return c;
}

FunctionVersion MakeVersion(const std::string& version, FunctionConfig config) {
  FunctionVersion v;
  v.version = version;
  v.config = std::move(config);
  v.code.sha256_base64 = "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=";
  v.code.size = 1234567;
  v.code.blob_id = std::string(64, 'a');
  v.code.unzipped_size = 7654321;
  v.revision_id = "rev-" + version;
  v.last_modified_ms = 1'700'000'000'123;
  if (version != domain::kLatest) v.source_revision_id = "latest-rev-" + version;
  return v;
}

FunctionMeta FullMeta(const std::string& name) {
  FunctionMeta m;
  m.name = name;
  m.tags = {{"team", "core"}, {"empty", ""}, {"awkward", kAwkward}};
  m.reserved_concurrency = 0;  // set, and distinct from unset
  m.last_published_version = 42;
  m.created_ms = 1'600'000'000'000;
  return m;
}

FunctionMeta MinimalMeta(const std::string& name) {
  FunctionMeta m;
  m.name = name;
  return m;
}

Alias FullAlias(const std::string& name) {
  Alias a;
  a.name = name;
  a.function_version = "2";
  a.description = "alias " + kAwkward;
  a.routing_weights = {{"1", 0.1}, {"3", 1e-9}};
  a.revision_id = "alias-rev-" + name;
  return a;
}

Alias MinimalAlias(const std::string& name) {
  Alias a;
  a.name = name;
  a.function_version = "$LATEST";
  return a;
}

EventInvokeConfig FullConfigFor(const std::string& qualifier) {
  EventInvokeConfig e;
  e.qualifier = qualifier;
  e.maximum_retry_attempts = 0;
  e.maximum_event_age_seconds = 21600;
  e.destinations.on_success = "arn:aws:sqs:us-east-1:123456789012:ok";
  e.destinations.on_failure = "arn:aws:sns:us-east-1:123456789012:failed";
  e.last_modified_ms = 1'700'000'000'999;
  return e;
}

EventInvokeConfig MinimalConfigFor(const std::string& qualifier) {
  EventInvokeConfig e;
  e.qualifier = qualifier;
  return e;
}

Function MinimalFunction(const std::string& name) {
  Function f;
  f.meta = MinimalMeta(name);
  f.latest = MakeVersion(std::string(domain::kLatest), FunctionConfig{});
  return f;
}

Function FullFunction(const std::string& name) {
  Function f;
  f.meta = FullMeta(name);
  f.latest = MakeVersion(std::string(domain::kLatest), FullConfig("latest"));
  f.versions[1] = MakeVersion("1", FunctionConfig{});
  f.versions[2] = MakeVersion("2", FullConfig("v2"));
  f.versions[123456789012345678] = MakeVersion("123456789012345678", FullConfig("big"));
  f.aliases["live"] = FullAlias("live");
  f.aliases["plain"] = MinimalAlias("plain");
  f.event_invoke_configs["$LATEST"] = FullConfigFor("$LATEST");
  f.event_invoke_configs["1"] = MinimalConfigFor("1");
  f.event_invoke_configs["live"] = FullConfigFor("live");
  return f;
}

// The ops that write `f` from scratch.
std::vector<WriteOp> PutOps(const Scope& scope, const Function& f) {
  const std::string& name = f.meta.name;
  std::vector<WriteOp> ops;
  ops.push_back(PutFunctionMeta{scope, f.meta});
  ops.push_back(PutVersion{scope, name, f.latest});
  for (const auto& [number, version] : f.versions) ops.push_back(PutVersion{scope, name, version});
  for (const auto& [alias_name, alias] : f.aliases) ops.push_back(PutAlias{scope, name, alias});
  for (const auto& [qualifier, config] : f.event_invoke_configs) {
    ops.push_back(PutEventInvokeConfig{scope, name, config});
  }
  return ops;
}

// ---------------------------------------------------------------------------------------------
// Comparison (the domain types other than the config leaves have no operator==)

void ExpectMetaEq(const FunctionMeta& want, const FunctionMeta& got) {
  EXPECT_EQ(want.name, got.name);
  EXPECT_EQ(want.tags, got.tags);
  EXPECT_EQ(want.reserved_concurrency, got.reserved_concurrency);
  EXPECT_EQ(want.last_published_version, got.last_published_version);
  EXPECT_EQ(want.created_ms, got.created_ms);
}

void ExpectVersionEq(const FunctionVersion& want, const FunctionVersion& got) {
  SCOPED_TRACE("version " + want.version);
  EXPECT_EQ(want.version, got.version);
  EXPECT_TRUE(want.config == got.config);
  // Field by field too, so a failure says which member differs.
  EXPECT_EQ(want.config.description, got.config.description);
  EXPECT_EQ(want.config.environment, got.config.environment);
  EXPECT_TRUE(want.config.vpc == got.config.vpc);
  EXPECT_TRUE(want.config.logging == got.config.logging);
  EXPECT_TRUE(want.config.file_systems == got.config.file_systems);
  EXPECT_TRUE(want.config.capacity_provider == got.config.capacity_provider);
  EXPECT_EQ(want.config.layers, got.config.layers);
  EXPECT_TRUE(want.config.layer_code == got.config.layer_code);
  EXPECT_EQ(want.config.architectures, got.config.architectures);
  EXPECT_EQ(want.config.kms_key_arn, got.config.kms_key_arn);
  EXPECT_EQ(want.config.dead_letter_target_arn, got.config.dead_letter_target_arn);
  EXPECT_TRUE(want.code == got.code);
  EXPECT_EQ(want.revision_id, got.revision_id);
  EXPECT_EQ(want.last_modified_ms, got.last_modified_ms);
  EXPECT_EQ(want.source_revision_id, got.source_revision_id);
}

void ExpectAliasEq(const Alias& want, const Alias& got) {
  SCOPED_TRACE("alias " + want.name);
  EXPECT_EQ(want.name, got.name);
  EXPECT_EQ(want.function_version, got.function_version);
  EXPECT_EQ(want.description, got.description);
  EXPECT_EQ(want.routing_weights, got.routing_weights);  // exact: doubles must round-trip
  EXPECT_EQ(want.revision_id, got.revision_id);
}

void ExpectEventInvokeConfigEq(const EventInvokeConfig& want, const EventInvokeConfig& got) {
  SCOPED_TRACE("event invoke config " + want.qualifier);
  EXPECT_EQ(want.qualifier, got.qualifier);
  EXPECT_EQ(want.maximum_retry_attempts, got.maximum_retry_attempts);
  EXPECT_EQ(want.maximum_event_age_seconds, got.maximum_event_age_seconds);
  EXPECT_EQ(want.destinations.on_success, got.destinations.on_success);
  EXPECT_EQ(want.destinations.on_failure, got.destinations.on_failure);
  EXPECT_EQ(want.last_modified_ms, got.last_modified_ms);
}

template <typename K, typename V>
std::vector<K> Keys(const std::map<K, V>& m) {
  std::vector<K> keys;
  for (const auto& [k, v] : m) keys.push_back(k);
  return keys;
}

void ExpectFunctionEq(const Function& want, const Function& got) {
  SCOPED_TRACE("function " + want.meta.name);
  ExpectMetaEq(want.meta, got.meta);
  ExpectVersionEq(want.latest, got.latest);
  ASSERT_EQ(Keys(want.versions), Keys(got.versions));
  for (const auto& [n, v] : want.versions) ExpectVersionEq(v, got.versions.at(n));
  ASSERT_EQ(Keys(want.aliases), Keys(got.aliases));
  for (const auto& [n, a] : want.aliases) ExpectAliasEq(a, got.aliases.at(n));
  ASSERT_EQ(Keys(want.event_invoke_configs), Keys(got.event_invoke_configs));
  for (const auto& [q, e] : want.event_invoke_configs) {
    ExpectEventInvokeConfigEq(e, got.event_invoke_configs.at(q));
  }
}

// What a store should hold: functions by (scope, name).
using Contents = std::map<std::tuple<Scope, std::string>, Function>;

// ---------------------------------------------------------------------------------------------
// FunctionStore conformance

const Scope kScope{"123456789012", "us-east-1"};

class FunctionStoreConformance : public testing::TestWithParam<BackendFactory> {
 protected:
  void SetUp() override {
    backend_ = GetParam().make();
    ASSERT_FALSE(HasFatalFailure());
  }

  FunctionStore& store() { return backend_->store(); }

  Status Apply(std::vector<WriteOp> ops) { return store().Apply(WriteBatch{std::move(ops)}); }

  void ApplyOk(std::vector<WriteOp> ops) {
    Status st = Apply(std::move(ops));
    ASSERT_TRUE(st.ok()) << st.error().message;
  }

  void ExpectBatchFails(std::vector<WriteOp> ops) {
    Status st = Apply(std::move(ops));
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code, ErrorCode::kInternal) << st.error().message;
  }

  Contents Load() {
    auto loaded = store().LoadAll();
    EXPECT_TRUE(loaded.ok()) << loaded.error().message;
    Contents out;
    if (!loaded.ok()) return out;
    for (StoredFunction& f : loaded.value()) {
      auto key = std::make_tuple(f.scope, f.function.meta.name);
      EXPECT_EQ(out.count(key), 0u) << "function loaded twice: " << f.function.meta.name;
      out[key] = std::move(f.function);
    }
    return out;
  }

  void ExpectContents(const Contents& want) {
    Contents got = Load();
    ASSERT_EQ(Keys(want), Keys(got));
    for (const auto& [key, f] : want) ExpectFunctionEq(f, got.at(key));
  }

  std::unique_ptr<FunctionStoreBackend> backend_;
};

TEST_P(FunctionStoreConformance, EmptyStoreLoadsNothing) { ExpectContents({}); }

TEST_P(FunctionStoreConformance, EmptyBatchSucceeds) {
  ApplyOk({});
  ExpectContents({});
}

TEST_P(FunctionStoreConformance, RoundTripsMinimalFunction) {
  Function f = MinimalFunction("minimal");
  ApplyOk(PutOps(kScope, f));
  ExpectContents({{{kScope, "minimal"}, f}});
}

TEST_P(FunctionStoreConformance, RoundTripsEveryMemberSet) {
  Function f = FullFunction("full");
  ApplyOk(PutOps(kScope, f));
  ExpectContents({{{kScope, "full"}, f}});
}

TEST_P(FunctionStoreConformance, RoundTripsEachOptionalMemberAlone) {
  // One function per optional member, with only that member set, so a backend that writes or
  // reads an optional only together with another one is caught.
  std::vector<std::function<void(Function&)>> set_one = {
      [](Function& f) { f.latest.config.environment.emplace(); },  // empty, not absent
      [](Function& f) {
        f.latest.config.environment = {{{"K", "V"}}};
      },
      [](Function& f) { f.latest.config.dead_letter_target_arn = ""; },
      [](Function& f) { f.latest.config.dead_letter_target_arn = "arn:dlq"; },
      [](Function& f) { f.latest.config.vpc.emplace(); },  // empty lists, not absent
      [](Function& f) {
        f.latest.config.vpc = domain::VpcConfig{{"s"}, {}, false};
      },
      [](Function& f) { f.latest.config.kms_key_arn = "arn:kms"; },
      [](Function& f) { f.latest.config.logging.application_log_level = "INFO"; },
      [](Function& f) { f.latest.config.logging.system_log_level = "DEBUG"; },
      [](Function& f) { f.latest.config.architectures.clear(); },  // empty, not the default
      [](Function& f) { f.meta.reserved_concurrency = 0; },
      [](Function& f) { f.meta.reserved_concurrency = 1000; },
      [](Function& f) {
        EventInvokeConfig e = MinimalConfigFor("$LATEST");
        e.maximum_retry_attempts = 2;
        f.event_invoke_configs["$LATEST"] = e;
      },
      [](Function& f) {
        EventInvokeConfig e = MinimalConfigFor("$LATEST");
        e.maximum_event_age_seconds = 60;
        f.event_invoke_configs["$LATEST"] = e;
      },
      [](Function& f) {
        EventInvokeConfig e = MinimalConfigFor("$LATEST");
        e.destinations.on_success = "arn:ok";
        f.event_invoke_configs["$LATEST"] = e;
      },
      [](Function& f) {
        EventInvokeConfig e = MinimalConfigFor("$LATEST");
        e.destinations.on_failure = "arn:failed";
        f.event_invoke_configs["$LATEST"] = e;
      },
  };
  Contents want;
  std::vector<WriteOp> ops;
  for (size_t i = 0; i < set_one.size(); ++i) {
    Function f = MinimalFunction("fn-" + std::to_string(i));
    set_one[i](f);
    for (WriteOp& op : PutOps(kScope, f)) ops.push_back(std::move(op));
    want[{kScope, f.meta.name}] = f;
  }
  ApplyOk(std::move(ops));
  ExpectContents(want);
}

TEST_P(FunctionStoreConformance, RoundTripsExtremeNumbersAndLargeValues) {
  Function f = MinimalFunction("extreme");
  f.meta.created_ms = std::numeric_limits<int64_t>::min();
  f.meta.last_published_version = std::numeric_limits<int64_t>::max();
  f.meta.reserved_concurrency = INT_MIN;
  f.latest.last_modified_ms = std::numeric_limits<int64_t>::max();
  f.latest.code.size = std::numeric_limits<int64_t>::max();
  f.latest.config.memory_size = INT_MAX;
  f.latest.config.timeout = -1;
  f.latest.config.ephemeral_storage_mb = 0;
  f.latest.config.description = std::string(256 * 1024, 'x');  // far beyond any page size
  f.latest.config.environment.emplace();
  for (int i = 0; i < 500; ++i) {
    (*f.latest.config.environment)["VAR_" + std::to_string(i)] = std::string(100, 'v');
  }
  Alias a = MinimalAlias("weights");
  a.routing_weights = {{"1", 0.0}, {"2", 1.0}, {"3", 0.1}, {"4", 1.0 / 3}, {"5", 5e-324}};
  f.aliases["weights"] = a;
  ApplyOk(PutOps(kScope, f));
  ExpectContents({{{kScope, "extreme"}, f}});
}

TEST_P(FunctionStoreConformance, BatchWritesSeveralFunctionsAndScopesTogether) {
  const Scope other{"210987654321", "eu-west-1"};
  Function a = FullFunction("a");
  Function b = MinimalFunction("b");
  Function c = FullFunction("c");
  std::vector<WriteOp> ops = PutOps(kScope, a);
  for (WriteOp& op : PutOps(kScope, b)) ops.push_back(std::move(op));
  for (WriteOp& op : PutOps(other, c)) ops.push_back(std::move(op));
  ApplyOk(std::move(ops));
  ExpectContents({{{kScope, "a"}, a}, {{kScope, "b"}, b}, {{other, "c"}, c}});
}

TEST_P(FunctionStoreConformance, FailedBatchAppliesNothing) {
  Function existing = FullFunction("existing");
  ApplyOk(PutOps(kScope, existing));

  // Changes to an existing function and a new function, then an op that fails the batch.
  Function changed = existing;
  changed.meta.tags = {{"changed", "yes"}};
  ExpectBatchFails({
      PutFunctionMeta{kScope, changed.meta},
      DeleteAlias{kScope, "existing", "live"},
      PutVersion{kScope, "existing", MakeVersion("3", FunctionConfig{})},
      PutFunctionMeta{kScope, MinimalMeta("new")},
      PutVersion{kScope, "new", MakeVersion("$LATEST", FunctionConfig{})},
      PutAlias{kScope, "missing", MinimalAlias("live")},
  });
  ExpectContents({{{kScope, "existing"}, existing}});

  // The store is still usable.
  ApplyOk(PutOps(kScope, MinimalFunction("after")));
  ExpectContents({{{kScope, "existing"}, existing}, {{kScope, "after"}, MinimalFunction("after")}});
}

TEST_P(FunctionStoreConformance, ChildRowsRequireTheirFunction) {
  ExpectBatchFails({PutVersion{kScope, "ghost", MakeVersion("$LATEST", FunctionConfig{})}});
  ExpectBatchFails({PutAlias{kScope, "ghost", MinimalAlias("live")}});
  ExpectBatchFails({PutEventInvokeConfig{kScope, "ghost", MinimalConfigFor("$LATEST")}});
  // Put and deleted again in the same batch still names a missing function.
  ExpectBatchFails(
      {PutAlias{kScope, "ghost", MinimalAlias("live")}, DeleteAlias{kScope, "ghost", "live"}});
  ExpectContents({});

  // A function created later in the same batch is fine.
  Function f = MinimalFunction("later");
  ApplyOk({PutVersion{kScope, "later", f.latest}, PutFunctionMeta{kScope, f.meta}});
  ExpectContents({{{kScope, "later"}, f}});

  // Deleting the function and then putting a child fails, leaving the function intact.
  ExpectBatchFails({DeleteFunction{kScope, "later"}, PutAlias{kScope, "later", MinimalAlias("x")}});
  ExpectContents({{{kScope, "later"}, f}});
}

TEST_P(FunctionStoreConformance, RejectsNonCanonicalVersionKeys) {
  ApplyOk({PutFunctionMeta{kScope, MinimalMeta("fn")}});
  for (const char* bad : {"", "01", "007", "+1", "-1", "1.0", "1e3", " 1", "abc", "$latest",
                          "1234567890123456789", "LATEST"}) {
    SCOPED_TRACE(std::string("version key '") + bad + "'");
    ExpectBatchFails({PutVersion{kScope, "fn", MakeVersion(bad, FunctionConfig{})}});
  }
  Function want;
  want.meta = MinimalMeta("fn");
  ExpectContents({{{kScope, "fn"}, want}});
}

TEST_P(FunctionStoreConformance, OpsApplyInOrder) {
  Function f = MinimalFunction("fn");
  FunctionVersion first = MakeVersion("1", FullConfig("first"));
  FunctionVersion second = MakeVersion("1", FunctionConfig{});
  second.revision_id = "second";
  ApplyOk({
      PutFunctionMeta{kScope, f.meta},
      PutVersion{kScope, "fn", f.latest},
      PutVersion{kScope, "fn", first},
      PutVersion{kScope, "fn", second},  // the last put wins
      PutAlias{kScope, "fn", MinimalAlias("gone")},
      DeleteAlias{kScope, "fn", "gone"},  // put then deleted: absent
      DeleteAlias{kScope, "fn", "back"},
      PutAlias{kScope, "fn", MinimalAlias("back")},  // deleted then put: present
      PutEventInvokeConfig{kScope, "fn", FullConfigFor("1")},
      DeleteEventInvokeConfig{kScope, "fn", "1"},
  });
  f.versions[1] = second;
  f.aliases["back"] = MinimalAlias("back");
  ExpectContents({{{kScope, "fn"}, f}});

  // Delete and re-create in one batch: a fresh function without the old rows.
  Function fresh = MinimalFunction("fn");
  fresh.meta.created_ms = 5;
  ApplyOk({DeleteFunction{kScope, "fn"}, PutFunctionMeta{kScope, fresh.meta},
           PutVersion{kScope, "fn", fresh.latest}});
  ExpectContents({{{kScope, "fn"}, fresh}});
}

TEST_P(FunctionStoreConformance, PutFunctionMetaReplacesOnlyTheMeta) {
  Function f = FullFunction("fn");
  ApplyOk(PutOps(kScope, f));
  f.meta = MinimalMeta("fn");  // tags dropped, reserved concurrency unset
  f.meta.tags = {{"only", "this"}};
  ApplyOk({PutFunctionMeta{kScope, f.meta}});
  ExpectContents({{{kScope, "fn"}, f}});
}

TEST_P(FunctionStoreConformance, PutReplacesWholeRows) {
  Function f = FullFunction("fn");
  ApplyOk(PutOps(kScope, f));

  // Replace every child row with one whose optionals are unset: nothing of the old row remains.
  f.latest = MakeVersion("$LATEST", FunctionConfig{});
  f.versions[2] = MakeVersion("2", FunctionConfig{});
  f.aliases["live"] = MinimalAlias("live");
  f.event_invoke_configs["$LATEST"] = MinimalConfigFor("$LATEST");
  ApplyOk({PutVersion{kScope, "fn", f.latest}, PutVersion{kScope, "fn", f.versions[2]},
           PutAlias{kScope, "fn", f.aliases["live"]},
           PutEventInvokeConfig{kScope, "fn", f.event_invoke_configs["$LATEST"]}});
  ExpectContents({{{kScope, "fn"}, f}});
}

TEST_P(FunctionStoreConformance, DeleteFunctionRemovesEverythingUnderIt) {
  Function f = FullFunction("fn");
  Function neighbour = FullFunction("fn2");
  std::vector<WriteOp> ops = PutOps(kScope, f);
  for (WriteOp& op : PutOps(kScope, neighbour)) ops.push_back(std::move(op));
  ApplyOk(std::move(ops));

  ApplyOk({DeleteFunction{kScope, "fn"}});
  ExpectContents({{{kScope, "fn2"}, neighbour}});

  // Re-created under the same name, it inherits no version, alias or config.
  Function again = MinimalFunction("fn");
  ApplyOk(PutOps(kScope, again));
  ExpectContents({{{kScope, "fn"}, again}, {{kScope, "fn2"}, neighbour}});
}

TEST_P(FunctionStoreConformance, DeletingMissingRowsSucceeds) {
  ApplyOk({
      DeleteFunction{kScope, "nothing"},
      DeleteVersion{kScope, "nothing", "1"},
      DeleteAlias{kScope, "nothing", "live"},
      DeleteEventInvokeConfig{kScope, "nothing", "$LATEST"},
  });
  Function f = FullFunction("fn");
  ApplyOk(PutOps(kScope, f));
  ApplyOk({
      DeleteVersion{kScope, "fn", "99"},
      DeleteVersion{kScope, "fn", "01"},  // not canonical: names no row, so not version 1
      DeleteVersion{kScope, "fn", "not-a-version"},
      DeleteAlias{kScope, "fn", "nope"},
      DeleteEventInvokeConfig{kScope, "fn", "nope"},
      DeleteFunction{kScope, "other"},
  });
  ExpectContents({{{kScope, "fn"}, f}});
}

TEST_P(FunctionStoreConformance, DeletesRemoveOnlyTheirRow) {
  Function f = FullFunction("fn");
  ApplyOk(PutOps(kScope, f));
  ApplyOk({DeleteVersion{kScope, "fn", "2"}, DeleteAlias{kScope, "fn", "live"},
           DeleteEventInvokeConfig{kScope, "fn", "1"}});
  f.versions.erase(2);
  f.aliases.erase("live");
  f.event_invoke_configs.erase("1");
  ExpectContents({{{kScope, "fn"}, f}});
}

TEST_P(FunctionStoreConformance, DeletingLatestLeavesDefaultLatest) {
  Function f = FullFunction("fn");
  ApplyOk(PutOps(kScope, f));
  ApplyOk({DeleteVersion{kScope, "fn", "$LATEST"}});
  f.latest = FunctionVersion{};
  ExpectContents({{{kScope, "fn"}, f}});
}

TEST_P(FunctionStoreConformance, ScopesAreIsolated) {
  const Scope east{"111111111111", "us-east-1"};
  const Scope west{"111111111111", "us-west-2"};
  const Scope other_account{"222222222222", "us-east-1"};
  Contents want;
  std::vector<WriteOp> ops;
  for (const Scope& scope : {east, west, other_account}) {
    Function f = FullFunction("same-name");
    f.meta.tags = {{"scope", scope.account + "/" + scope.region}};
    f.latest.config.description = "in " + scope.region + " of " + scope.account;
    for (WriteOp& op : PutOps(scope, f)) ops.push_back(std::move(op));
    want[{scope, "same-name"}] = f;
  }
  ApplyOk(std::move(ops));
  ExpectContents(want);

  // Changes in one scope do not leak into another.
  ApplyOk({DeleteAlias{west, "same-name", "live"}, DeleteFunction{east, "same-name"}});
  want.erase({east, "same-name"});
  want[{west, "same-name"}].aliases.erase("live");
  ExpectContents(want);

  // Child rows need the function in their own scope.
  ExpectBatchFails({PutAlias{east, "same-name", MinimalAlias("x")}});
  ExpectContents(want);
}

TEST_P(FunctionStoreConformance, PersistsAcrossReopen) {
  if (!backend_->persistent()) GTEST_SKIP() << GetParam().name << " is not persistent";
  Function kept = FullFunction("kept");
  Function deleted = FullFunction("deleted");
  std::vector<WriteOp> ops = PutOps(kScope, kept);
  for (WriteOp& op : PutOps(kScope, deleted)) ops.push_back(std::move(op));
  ApplyOk(std::move(ops));
  ApplyOk({DeleteFunction{kScope, "deleted"}, DeleteVersion{kScope, "kept", "1"}});
  kept.versions.erase(1);

  backend_->Reopen();
  ASSERT_FALSE(HasFatalFailure());
  ExpectContents({{{kScope, "kept"}, kept}});

  // Still writable after reopening, and the new state persists too.
  ApplyOk(PutOps(kScope, MinimalFunction("new")));
  backend_->Reopen();
  ASSERT_FALSE(HasFatalFailure());
  ExpectContents({{{kScope, "kept"}, kept}, {{kScope, "new"}, MinimalFunction("new")}});
}

// --- Generic records ----------------------------------------------------------------------------

std::vector<StoredRecord> LoadRecordsOrFail(FunctionStore& store) {
  auto loaded = store.LoadRecords();
  EXPECT_TRUE(loaded.ok()) << loaded.error().message;
  return loaded.ok() ? std::move(loaded).value() : std::vector<StoredRecord>{};
}

StoredRecord Record(const Scope& scope, std::string kind, std::string key, std::string owner,
                    std::string body) {
  return StoredRecord{scope, std::move(kind), std::move(key), std::move(owner), std::move(body)};
}

PutRecord Put(const StoredRecord& r) {
  return PutRecord{r.scope, r.kind, r.key, r.owner_function, r.body};
}

TEST_P(FunctionStoreConformance, RecordsRoundTripInKeyOrderAndReplace) {
  const Scope west{"123456789012", "us-west-2"};
  StoredRecord layer = Record(kScope, "layer_version", "my-layer:1", "", "{\"v\":1}");
  StoredRecord binary =
      Record(kScope, "blob", std::string("k\0ey", 4), "", std::string("\xff\0\x01 not utf-8", 13));
  StoredRecord other_scope = Record(west, "layer_version", "my-layer:1", "", "west");
  ApplyOk({Put(layer), Put(other_scope), Put(binary)});
  EXPECT_EQ(LoadRecordsOrFail(store()), (std::vector<StoredRecord>{binary, layer, other_scope}));

  // A put of the same (scope, kind, key) replaces the row; a delete removes only its row.
  layer.body = "{\"v\":2}";
  ApplyOk({Put(layer), DeleteRecord{kScope, "blob", std::string("k\0ey", 4)},
           DeleteRecord{kScope, "nothing", "here"}});
  EXPECT_EQ(LoadRecordsOrFail(store()), (std::vector<StoredRecord>{layer, other_scope}));
}

TEST_P(FunctionStoreConformance, OwnedRecordsNeedTheirFunctionAndGoWithIt) {
  ExpectBatchFails({Put(Record(kScope, "policy", "fn\n", "fn", "{}"))});
  EXPECT_TRUE(LoadRecordsOrFail(store()).empty());

  StoredRecord owned = Record(kScope, "policy", "fn\n", "fn", "{}");
  StoredRecord neighbour = Record(kScope, "policy", "fn2\n", "fn2", "{}");
  StoredRecord free_standing = Record(kScope, "layer_version", "fn:1", "", "{}");
  // The function may come later in the same batch.
  std::vector<WriteOp> ops{Put(owned), Put(neighbour), Put(free_standing)};
  for (WriteOp& op : PutOps(kScope, MinimalFunction("fn"))) ops.push_back(std::move(op));
  for (WriteOp& op : PutOps(kScope, MinimalFunction("fn2"))) ops.push_back(std::move(op));
  ApplyOk(std::move(ops));

  ApplyOk({DeleteFunction{kScope, "fn"}});
  EXPECT_EQ(LoadRecordsOrFail(store()), (std::vector<StoredRecord>{free_standing, neighbour}));

  // A failed batch leaves records as they were.
  ExpectBatchFails({DeleteRecord{kScope, "policy", "fn2\n"},
                    Put(Record(kScope, "policy", "ghost\n", "ghost", "{}"))});
  EXPECT_EQ(LoadRecordsOrFail(store()), (std::vector<StoredRecord>{free_standing, neighbour}));

  if (!backend_->persistent()) return;
  backend_->Reopen();
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_EQ(LoadRecordsOrFail(store()), (std::vector<StoredRecord>{free_standing, neighbour}));
}

TEST_P(FunctionStoreConformance, ConcurrentBatchesAreEachAllOrNothing) {
  constexpr int kThreads = 8;
  constexpr int kBatchesPerThread = 60;
  ApplyOk({PutFunctionMeta{kScope, MinimalMeta("shared")}});

  std::atomic<int> unexpected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kBatchesPerThread; ++i) {
        const std::string id = std::to_string(t) + "-" + std::to_string(i);
        Function f = MinimalFunction("fn-" + id);
        std::vector<WriteOp> ops = PutOps(kScope, f);
        ops.push_back(PutAlias{kScope, "shared", MinimalAlias("a-" + id)});
        // Every 5th batch is invalid at its end, in one of two ways; group commit must fail
        // only that batch, and none of its earlier ops may survive.
        const bool bad = i % 5 == 4;
        if (bad && i % 10 == 4) ops.push_back(PutAlias{kScope, "ghost-" + id, MinimalAlias("x")});
        if (bad && i % 10 == 9) {
          ops.push_back(PutVersion{kScope, f.meta.name, MakeVersion("01", FunctionConfig{})});
        }
        Status st = store().Apply(WriteBatch{std::move(ops)});
        if (st.ok() == bad) ++unexpected;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(unexpected.load(), 0);

  Contents want;
  Function shared;
  shared.meta = MinimalMeta("shared");
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kBatchesPerThread; ++i) {
      if (i % 5 == 4) continue;
      const std::string id = std::to_string(t) + "-" + std::to_string(i);
      want[{kScope, "fn-" + id}] = MinimalFunction("fn-" + id);
      shared.aliases["a-" + id] = MinimalAlias("a-" + id);
    }
  }
  want[{kScope, "shared"}] = shared;
  ExpectContents(want);
}

TEST_P(FunctionStoreConformance, LoadAllIsSafeDuringWrites) {
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; i < 200 && !stop; ++i) {
      Status st = store().Apply(WriteBatch{PutOps(kScope, MinimalFunction(std::to_string(i)))});
      EXPECT_TRUE(st.ok());
    }
  });
  size_t last = 0;
  for (int i = 0; i < 20; ++i) {
    auto loaded = store().LoadAll();
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    // Writes only add functions, so a later snapshot never has fewer.
    EXPECT_GE(loaded->size(), last);
    last = loaded->size();
    for (const StoredFunction& f : *loaded) EXPECT_EQ(f.function.latest.version, "$LATEST");
  }
  stop = true;
  writer.join();
}

INSTANTIATE_TEST_SUITE_P(Backends, FunctionStoreConformance,
                         testing::ValuesIn(FunctionStoreBackends()),
                         [](const testing::TestParamInfo<BackendFactory>& param) {
                           return param.param.name;
                         });

// ---------------------------------------------------------------------------------------------
// CodeStore conformance

class CodeStoreBackend {
 public:
  virtual ~CodeStoreBackend() = default;
  virtual CodeStore& store() = 0;
  virtual bool local() const = 0;
};

class MemoryCodeBackend final : public CodeStoreBackend {
 public:
  CodeStore& store() override { return store_; }
  bool local() const override { return false; }

 private:
  memory::MemoryCodeStore store_;
};

class FsCodeBackend final : public CodeStoreBackend {
 public:
  FsCodeBackend() {
    auto opened = FsCodeStore::Open(dir_.path() + "/data");
    EXPECT_TRUE(opened.ok()) << opened.error().message;
    if (opened.ok()) store_ = std::move(opened).value();
  }
  CodeStore& store() override { return *store_; }
  bool local() const override { return true; }

 private:
  TempDir dir_;
  std::unique_ptr<FsCodeStore> store_;
};

struct CodeBackendFactory {
  std::string name;
  std::function<std::unique_ptr<CodeStoreBackend>()> make;
  friend void PrintTo(const CodeBackendFactory& f, std::ostream* os) { *os << f.name; }
};

class CodeStoreConformance : public testing::TestWithParam<CodeBackendFactory> {
 protected:
  void SetUp() override { backend_ = GetParam().make(); }
  CodeStore& store() { return backend_->store(); }

  std::string PutOk(const std::string& bytes) {
    auto id = store().Put(bytes);
    EXPECT_TRUE(id.ok()) << id.error().message;
    return id.ok() ? id.value() : std::string();
  }

  std::unique_ptr<CodeStoreBackend> backend_;
};

std::string BinaryBlob(size_t size, unsigned seed) {
  std::string out(size, '\0');
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<char>((i * 131 + seed * 7919) >> 3);
  return out;
}

TEST_P(CodeStoreConformance, PutReturnsSha256HexAndGetReturnsTheBytes) {
  for (const std::string& bytes :
       {std::string(), std::string("PK\x03\x04 zip"), BinaryBlob(100000, 1)}) {
    std::string id = PutOk(bytes);
    EXPECT_EQ(id, HexEncode(Sha256(bytes)));
    auto got = store().Get(id);
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_EQ(got.value(), bytes);
  }
}

TEST_P(CodeStoreConformance, PutIsIdempotent) {
  std::string bytes = BinaryBlob(5000, 2);
  std::string first = PutOk(bytes);
  std::string second = PutOk(bytes);
  EXPECT_EQ(first, second);
  auto got = store().Get(first);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got.value(), bytes);
}

TEST_P(CodeStoreConformance, GetOfMissingOrMalformedIdIsNotFound) {
  for (const std::string& id :
       {std::string(64, 'a'), std::string(), std::string("../../etc/passwd"), std::string(64, 'A'),
        std::string(63, 'a'), std::string("aa/") + std::string(61, 'a')}) {
    auto got = store().Get(id);
    ASSERT_FALSE(got.ok()) << id;
    EXPECT_EQ(got.error().code, ErrorCode::kNotFound) << id;
    EXPECT_EQ(store().LocalPath(id), "") << id;
  }
}

TEST_P(CodeStoreConformance, LocalPathNamesTheBlobWhenLocal) {
  std::string bytes = BinaryBlob(1000, 3);
  std::string id = PutOk(bytes);
  std::string path = store().LocalPath(id);
  if (!backend_->local()) {
    EXPECT_EQ(path, "");
    return;
  }
  ASSERT_FALSE(path.empty());
  EXPECT_TRUE(path.ends_with("/code/" + id.substr(0, 2) + "/" + id + ".zip")) << path;
  EXPECT_EQ(std::filesystem::file_size(path), bytes.size());
}

TEST_P(CodeStoreConformance, ConcurrentPutsOfSameAndDifferentBytes) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        for (const std::string& bytes :
             {BinaryBlob(20000, 100), BinaryBlob(1000 + static_cast<size_t>(t), 200)}) {
          auto id = store().Put(bytes);
          if (!id.ok() || id.value() != HexEncode(Sha256(bytes))) ++failures;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  for (unsigned seed : {100u}) {
    std::string bytes = BinaryBlob(20000, seed);
    auto got = store().Get(HexEncode(Sha256(bytes)));
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got.value(), bytes);
  }
}

TEST_P(CodeStoreConformance, ListNamesEveryBlobAndRemoveDeletesOne) {
  EXPECT_TRUE(store().List()->empty());
  const std::string a = PutOk(BinaryBlob(100, 4));
  const std::string b = PutOk(BinaryBlob(200, 5));
  auto listed = store().List();
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  std::sort(listed->begin(), listed->end());
  std::vector<std::string> expected{a, b};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(*listed, expected);

  EXPECT_EQ(store().LocalPath(a).empty(), !backend_->local());  // remembered as present
  ASSERT_TRUE(store().Remove(a).ok());
  EXPECT_EQ(store().Get(a).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().LocalPath(a), "");  // forgotten
  EXPECT_EQ(*store().List(), std::vector<std::string>{b});
  // Removing what is absent, or no blob at all, is not an error and touches nothing.
  EXPECT_TRUE(store().Remove(a).ok());
  EXPECT_TRUE(store().Remove("../../etc/passwd").ok());
  EXPECT_TRUE(store().Get(b).ok());
  // The same bytes stored again are back in full.
  EXPECT_EQ(PutOk(BinaryBlob(100, 4)), a);
  EXPECT_EQ(store().Get(a).value(), BinaryBlob(100, 4));
  EXPECT_EQ(store().LocalPath(a).empty(), !backend_->local());
}

INSTANTIATE_TEST_SUITE_P(
    Backends, CodeStoreConformance,
    testing::Values(CodeBackendFactory{"Memory",
                                       [] { return std::make_unique<MemoryCodeBackend>(); }},
                    CodeBackendFactory{"Fs", [] { return std::make_unique<FsCodeBackend>(); }}),
    [](const testing::TestParamInfo<CodeBackendFactory>& param) { return param.param.name; });

// ---------------------------------------------------------------------------------------------
// FsCodeStore specifics

size_t CountFiles(const std::string& dir) {
  size_t n = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) ++n;
  }
  return n;
}

TEST(FsCodeStore, ListSkipsTemporaryAndForeignFiles) {
  TempDir dir;
  auto store = FsCodeStore::Open(dir.path() + "/data");
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto id = (*store)->Put("bytes");
  ASSERT_TRUE(id.ok());
  const std::string shard = (*store)->root() + "/" + id->substr(0, 2);
  std::ofstream(shard + "/" + *id + ".zip.tmp-0123456789abcdef") << "partial";
  std::ofstream(shard + "/notes.txt") << "x";
  // A well-formed name in the wrong shard is not one of the store's blobs.
  const std::string misplaced = std::string(64, 'f');
  std::ofstream(shard + "/" + misplaced + ".zip") << "x";
  auto listed = (*store)->List();
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  EXPECT_EQ(*listed, std::vector<std::string>{*id});
}

TEST(FsCodeStore, LaysOutBlobsByHashAndLeavesNoTemporaryFiles) {
  TempDir dir;
  auto store = FsCodeStore::Open(dir.path() + "/nested/data");
  ASSERT_TRUE(store.ok()) << store.error().message;
  std::string bytes = "zip bytes";
  auto id = (*store)->Put(bytes);
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE((*store)->Put(bytes).ok());
  const std::string expected =
      dir.path() + "/nested/data/code/" + id->substr(0, 2) + "/" + *id + ".zip";
  EXPECT_TRUE(std::filesystem::is_regular_file(expected));
  EXPECT_EQ(CountFiles(dir.path()), 1u);
}

TEST(FsCodeStore, ReopenKeepsBlobsAndRemovesStaleTemporaryFiles) {
  TempDir dir;
  std::string id;
  {
    auto store = FsCodeStore::Open(dir.path());
    ASSERT_TRUE(store.ok());
    auto put = (*store)->Put("persisted");
    ASSERT_TRUE(put.ok());
    id = *put;
  }
  // What a crash in the middle of a Put leaves behind, long ago; and a temporary file of a Put
  // that may still be running.
  const std::string shard = dir.path() + "/code/" + id.substr(0, 2) + "/";
  const std::string stale = shard + id + ".zip.tmp-dead";
  const std::string fresh = shard + id + ".zip.tmp-busy";
  { std::ofstream(stale) << "partial"; }
  { std::ofstream(fresh) << "partial"; }
  std::filesystem::last_write_time(
      stale, std::filesystem::file_time_type::clock::now() - std::chrono::hours(1));

  auto store = FsCodeStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  EXPECT_FALSE(std::filesystem::exists(stale));
  EXPECT_TRUE(std::filesystem::exists(fresh));
  auto got = (*store)->Get(id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "persisted");
}

TEST(FsCodeStore, RewritesABlobWhoseFileWasTruncated) {
  TempDir dir;
  auto store = FsCodeStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  std::string bytes = BinaryBlob(4096, 9);
  auto id = (*store)->Put(bytes);
  ASSERT_TRUE(id.ok());
  std::filesystem::resize_file((*store)->LocalPath(*id), 10);
  ASSERT_TRUE((*store)->Put(bytes).ok());
  auto got = (*store)->Get(*id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, bytes);
}

TEST(FsCodeStore, OpenFailsWhenDataDirIsAFile) {
  TempDir dir;
  const std::string file = dir.path() + "/file";
  { std::ofstream(file) << "x"; }
  auto store = FsCodeStore::Open(file);
  EXPECT_FALSE(store.ok());
}

}  // namespace
}  // namespace lambdalite::storage
