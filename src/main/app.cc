#include "main/app.h"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "api/errors.h"
#include "api/function_url_frontend.h"
#include "api/lambda_api.h"
#include "api/operations/capacity_providers.h"
#include "api/operations/code_signing.h"
#include "api/operations/control_plane.h"
#include "api/operations/event_source_mappings.h"
#include "api/operations/function_urls.h"
#include "api/operations/invoke.h"
#include "api/operations/layers.h"
#include "api/operations/policies.h"
#include "api/operations/provisioned_concurrency.h"
#include "api/operations/recursion.h"
#include "auth/function_credentials.h"
#include "auth/sigv4_verifier.h"
#include "aws/endpoints.h"
#include "aws/http_client.h"
#include "aws/s3_client.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "common/ids.h"
#include "common/log.h"
#include "esm/poller_manager.h"
#include "esm/sqs_poller.h"
#include "executor/cpu_group.h"
#include "executor/environment_pool.h"
#include "executor/process_sandbox.h"
#include "executor/runtime_registry.h"
#include "http/server.h"
#include "main/async_wiring.h"
#include "main/esm_invoker.h"
#include "main/esm_status.h"
#include "main/esm_streams_wiring.h"
#include "main/esm_wiring.h"
#include "queue/destinations.h"
#include "queue/dispatcher.h"
#include "queue/sqlite_event_queue.h"
#include "service/code_url.h"
#include "service/function_service.h"
#include "service/invoke_service.h"
#include "storage/fs_code_store.h"
#include "storage/sqlite/sqlite_store.h"

namespace lambdalite::app {

namespace {

// Adapts the SigV4 S3 client to the service's CodeFetcher port.
// The service's provisioned concurrency requests, carried out by the environment pool.
class PoolProvisioner final : public service::ProvisionedConcurrencyListener {
 public:
  PoolProvisioner(executor::EnvironmentPool& pool, storage::CodeStore& code_store)
      : pool_(pool), code_store_(code_store) {}
  void Provision(const domain::Scope& scope, const std::string& function,
                 const std::string& qualifier, service::VersionPtr version, int count) override {
    executor::ProvisionRequest request;
    request.scope = scope;
    request.function_name = function;
    request.qualifier = qualifier;
    if (version) {
      request.code_path = code_store_.LocalPath(version->code.blob_id);
      for (const domain::CodeInfo& layer : version->config.layer_code) {
        if (!layer.blob_id.empty()) {
          request.layer_paths.push_back(code_store_.LocalPath(layer.blob_id));
        }
      }
    }
    request.version = std::move(version);
    request.count = count;
    pool_.Provision(request);
  }

 private:
  executor::EnvironmentPool& pool_;
  storage::CodeStore& code_store_;
};

class S3CodeFetcher final : public service::CodeFetcher {
 public:
  explicit S3CodeFetcher(aws::Config config)
      : config_(std::move(config)), client_(&http_, config_) {}
  Result<std::string> FetchS3(const std::string& bucket, const std::string& key,
                              const std::optional<std::string>& version) override {
    std::optional<std::string_view> v;
    if (version) v = *version;
    return client_.GetObject(bucket, key, v);
  }

 private:
  aws::Config config_;
  aws::HttpClient http_;
  aws::S3Client client_;
};

// The key behind presigned code URLs. Kept in the data directory so URLs handed out before a
// restart stay valid for their 10 minutes.
Result<std::string> LoadOrCreateSecret(const std::string& data_dir) {
  const std::string path = data_dir + "/url-signing.key";
  std::ifstream in(path, std::ios::binary);
  std::string secret((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (secret.size() == 32) return secret;
  secret = RandomBytes(32);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(secret.data(), static_cast<std::streamsize>(secret.size()));
    if (!out) return Error::Make(ErrorCode::kInternal, "cannot write " + tmp);
  }
  std::filesystem::permissions(
      tmp, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::filesystem::rename(tmp, path);
  return secret;
}

}  // namespace

struct App::Parts {
  Config config;
  SystemClock clock;
  std::unique_ptr<storage::FunctionStore> store;
  std::unique_ptr<storage::CodeStore> code_store;
  std::unique_ptr<S3CodeFetcher> fetcher;
  std::unique_ptr<service::FunctionService> functions;
  // The event source mapping pollers' view of `functions` (esm::MappingSource).
  std::unique_ptr<FunctionMappingSource> mapping_source;
  std::unique_ptr<service::CodeUrlSigner> signer;
  std::shared_ptr<const auth::SigV4Verifier> verifier;
  std::unique_ptr<api::LambdaApi> api;
  std::unique_ptr<http::Server> server;
  std::unique_ptr<executor::ProcessSandbox> sandbox;
  std::unique_ptr<executor::EnvironmentPool> pool;
  std::unique_ptr<service::InvokeService> invoke;
  // Function URLs' data plane, offered every request before the Lambda API.
  std::unique_ptr<api::FunctionUrlFrontend> url_frontend;
  std::unique_ptr<service::ProvisionedConcurrencyListener> provisioner;
  // The asynchronous pipeline. Declared after what it uses, so it is destroyed first.
  std::unique_ptr<queue::SqliteEventQueue> event_queue;
  std::unique_ptr<aws::HttpClient> outbound_http;
  std::unique_ptr<queue::DestinationDelivery> delivery;
  std::unique_ptr<FunctionAsyncSettings> async_settings;
  std::unique_ptr<InvokeEventRunner> event_runner;
  std::unique_ptr<DeliverySink> delivery_sink;
  std::unique_ptr<queue::Dispatcher> dispatcher;
  // Event source mapping pollers. Declared last: destroyed (stopped) before everything they use.
  std::unique_ptr<aws::HttpClient> esm_http;
  std::unique_ptr<esm::CheckpointStore> esm_checkpoints;  // stream mapping positions
  std::unique_ptr<aws::HttpClient> esm_check_http;        // CreateEventSourceMapping's source check
  std::unique_ptr<InvokeServiceFunctionInvoker> esm_invoker;
  std::unique_ptr<esm::PollerManager> pollers;
};

namespace {

// What /_lambdalite/health reports beyond "ok". Written while the server is being wired, before
// it opens; only read afterwards.
struct HealthFacts {
  std::string function_network = "host";
  std::string isolation = "none";  // "root", "rootless" or "none"
  std::vector<std::string> warnings;
};

// GET /_lambdalite/async?function=NAME[&region=R][&account=A]: per-function queue counts and the
// most recent finished events (lambdalite-specific introspection; `lambdalite events` reads it).
http::HttpResponse AsyncStatus(queue::EventQueueStore& store, const std::string& default_account,
                               const std::string& default_region, const http::HttpRequest& req,
                               std::optional<domain::Scope> caller) {
  auto param = [&](const std::string& key) -> std::string {
    size_t q = req.target.find('?');
    if (q == std::string::npos) return {};
    std::string query = req.target.substr(q + 1);
    size_t pos = 0;
    while (pos <= query.size()) {
      size_t amp = query.find('&', pos);
      std::string pair =
          query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
      size_t eq = pair.find('=');
      if (eq != std::string::npos && pair.substr(0, eq) == key) return pair.substr(eq + 1);
      if (amp == std::string::npos) break;
      pos = amp + 1;
    }
    return {};
  };
  domain::Scope scope{param("account"), param("region")};
  if (scope.account.empty()) scope.account = default_account;
  if (scope.region.empty()) scope.region = default_region;
  if (caller) scope = *caller;
  const std::string function = param("function");
  http::HttpResponse resp;
  resp.SetHeader("Content-Type", "application/json");
  auto counts = store.Counts(scope, function);
  auto recent = store.Recent(scope, function, 50);
  if (function.empty() || !counts.ok() || !recent.ok()) {
    resp.status = function.empty() ? 400 : 500;
    resp.body = "{\"message\":\"usage: /_lambdalite/async?function=NAME[&region=R][&account=A]\"}";
    return resp;
  }
  boost::json::array events;
  for (const auto& f : *recent) {
    events.push_back(boost::json::object{{"requestId", f.event.request_id},
                                         {"condition", queue::ConditionName(f.condition)},
                                         {"attempts", f.event.attempts},
                                         {"lastError", f.event.last_error},
                                         {"finishedMs", f.finished_ms},
                                         {"delivered", f.delivered}});
  }
  boost::json::object body{{"function", function},          {"queued", counts->queued},
                           {"inFlight", counts->in_flight}, {"succeeded", counts->succeeded},
                           {"failed", counts->failed},      {"recent", std::move(events)}};
  resp.body = boost::json::serialize(body);
  return resp;
}

}  // namespace

App::App(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
App::~App() { Stop(); }

Result<std::unique_ptr<App>> App::Start(const Config& config) {
  auto p = std::make_unique<Parts>();
  p->config = config;
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) {
    return Error::Make(ErrorCode::kInternal,
                       "cannot create data directory " + config.data_dir + ": " + ec.message());
  }
  LAMBDALITE_TRY(p->store,
                 storage::sqlite::SqliteFunctionStore::Open(config.data_dir + "/lambdalite.db"));
  LAMBDALITE_TRY(p->code_store, storage::FsCodeStore::Open(config.data_dir));
  p->fetcher = std::make_unique<S3CodeFetcher>(aws::ConfigFromEnvironment());
  p->functions = std::make_unique<service::FunctionService>(
      *p->store, *p->code_store, p->fetcher.get(), p->clock,
      service::ServiceLimits::WithAccountConcurrency(config.concurrency_limit));
  // One registry for the executor and for the control plane's "can this host run it?" check
  // (the service must not depend on the executor).
  auto runtimes =
      std::make_shared<const executor::RuntimeRegistry>(executor::RuntimeRegistry::Default());
  p->functions->SetRuntimeAvailable(
      [runtimes](const std::string& runtime) { return runtimes->Find(runtime) != nullptr; });
  LAMBDALITE_RETURN_IF_ERROR(p->functions->Load());
  LAMBDALITE_TRY(auto secret, LoadOrCreateSecret(config.data_dir));
  // Functions' own session credentials come from the same secret (a derived key of their own).
  auto function_credentials = std::make_shared<const auth::FunctionCredentials>(secret);
  p->signer = std::make_unique<service::CodeUrlSigner>(std::move(secret), p->clock);

  api::ApiOptions options;
  options.default_account = config.account;
  options.default_region = config.region;
  if (!config.auth_keys_file.empty()) {
    LAMBDALITE_TRY(auto keys, auth::KeyRing::Load(config.auth_keys_file));
    LogInfo("auth: SigV4 signatures are verified (" + std::to_string(keys.size()) +
            " access keys from " + config.auth_keys_file + ")");
    options.verifier = std::make_shared<const auth::SigV4Verifier>(std::move(keys), p->clock,
                                                                   "lambda", function_credentials);
  }
  // Anyone who can reach an unauthenticated server can run code on it as any account.
  std::string exposure_warning;
  if (config.auth_keys_file.empty() && !IsLoopbackHost(config.host)) {
    exposure_warning = "lambdalite listens on " +
                       (config.host.empty() ? std::string("*") : config.host) +
                       " without --auth-keys: anyone who can reach the port can deploy and run "
                       "code as any account";
    LogWarn("WARNING: " + exposure_warning);
  }
  p->verifier = options.verifier;
  p->api = std::make_unique<api::LambdaApi>(options);
  api::RegisterControlPlane(*p->api, *p->functions, *p->signer);
  api::RegisterCodeSigning(*p->api, *p->functions);
  api::RegisterPolicies(*p->api, *p->functions);
  api::RegisterProvisionedConcurrency(*p->api, *p->functions);
  api::RegisterLayers(*p->api, *p->functions, *p->signer);
  api::RegisterRecursion(*p->api, *p->functions);
  api::RegisterCapacityProviders(*p->api, *p->functions);
  api::RegisterEventSourceMappings(*p->api, *p->functions);
  p->mapping_source = std::make_unique<FunctionMappingSource>(*p->functions);
  // Filled in below, before the server opens, once the sandbox knows what it can give.
  auto health = std::make_shared<HealthFacts>();
  if (!exposure_warning.empty()) health->warnings.push_back(exposure_warning);
  p->api->RegisterInternal("/_lambdalite/health", [health, auth = !config.auth_keys_file.empty()](
                                                      const http::HttpRequest&) {
    http::HttpResponse resp;
    resp.SetHeader("Content-Type", "application/json");
    boost::json::object body{{"status", "ok"},
                             {"version", LAMBDALITE_VERSION},
                             {"auth", auth ? "sigv4" : "none"},
                             {"function_network", health->function_network},
                             {"isolation", health->isolation}};
    if (!health->warnings.empty()) {
      boost::json::array warnings;
      for (const std::string& w : health->warnings) warnings.emplace_back(w);
      body["warnings"] = std::move(warnings);
    }
    resp.body = boost::json::serialize(body);
    return resp;
  });

  p->server = std::make_unique<http::Server>(*p->api, config.host,
                                             static_cast<uint16_t>(config.port), config.io_threads);
  // Bound (the port is taken) but not listening: no request is served before every route, the
  // dispatcher and the pool are wired (Open below), so a client that sees the port answer, or
  // health say ok, finds the whole API.
  LAMBDALITE_RETURN_IF_ERROR(p->server->Prepare());
  // FunctionUrl values name the port the server is bound to (known once prepared).
  api::RegisterFunctionUrls(*p->api, *p->functions, p->server->port());

  // Execution: sandboxes whose Runtime API endpoints are extra listeners of the same server.
  executor::ProcessSandboxOptions sandbox_options;
  sandbox_options.network = config.function_network == "host"   ? executor::SandboxNetwork::kHost
                            : config.function_network == "none" ? executor::SandboxNetwork::kNone
                                                                : executor::SandboxNetwork::kNat;
  if (sandbox_options.network == executor::SandboxNetwork::kNat) {
    // The resolver behind every environment's NAT (process_sandbox.h).
    const std::string resolv = config.data_dir + "/resolv.conf";
    std::ofstream out(resolv, std::ios::binary | std::ios::trunc);
    out << "nameserver 10.0.2.3\n";
    out.close();
    if (out) sandbox_options.resolv_conf = std::filesystem::absolute(resolv).string();
  }
  // Functions never see the data directory: other functions' code, the database, the secret.
  sandbox_options.hidden_paths.push_back(std::filesystem::absolute(config.data_dir).string());
  sandbox_options.allow_user_namespaces = config.allow_user_namespaces;
  p->sandbox = std::make_unique<executor::ProcessSandbox>(sandbox_options);
  health->isolation = p->sandbox->rootless()   ? "rootless"
                      : p->sandbox->isolated() ? "root"
                                               : "none";
  if (!p->sandbox->isolation_warning().empty() && !p->sandbox->isolated()) {
    health->warnings.push_back(p->sandbox->isolation_warning());
  }
  health->function_network = std::string(executor::SandboxNetworkName(p->sandbox->network()));
  if (!p->sandbox->network_fallback().empty()) {
    health->warnings.push_back(p->sandbox->network_fallback());
  }
  if (p->sandbox->has_cgroups()) {
    // Without this, each environment can be a scheduling group as heavy as the whole server
    // (cpu_group.h), which stalls warm invocations for up to hundreds of milliseconds under load.
    executor::CpuGroupPaths cpu_paths;
    cpu_paths.cgroup_root = sandbox_options.cgroup_root;
    auto joined = executor::JoinSharedCpuGroup(sandbox_options.cgroup_name, cpu_paths);
    if (!joined.ok()) {
      LogWarn(
          "executor: environments each get a scheduling group of their own, which delays "
          "invocations under load: " +
          joined.error().message);
    } else if (!joined->empty()) {
      LogInfo("executor: the server and its environments share the cpu cgroup " + *joined);
    }
  }
  executor::EnvironmentPoolOptions pool_options;
  pool_options.data_dir = config.data_dir;
  if (p->verifier) {
    pool_options.function_credentials =
        [function_credentials](
            const domain::Scope& scope,
            const std::string& function_name) -> std::optional<executor::EnvironmentCredentials> {
      auth::SessionCredentials c =
          function_credentials->Mint(scope.account, scope.region, function_name);
      return executor::EnvironmentCredentials{
          std::move(c.access_key_id), std::move(c.secret_access_key), std::move(c.session_token)};
    };
  }
  pool_options.prestarted_per_runtime = config.prestarted_runtimes;
  pool_options.idle_keep_alive = std::chrono::seconds(config.idle_keep_alive_seconds);
  p->pool = std::make_unique<executor::EnvironmentPool>(*p->server, *p->sandbox, *runtimes,
                                                        p->clock, pool_options);
  p->invoke = std::make_unique<service::InvokeService>(*p->functions, *p->pool, *p->code_store);
  api::RegisterInvoke(*p->api, *p->invoke);
  api::FunctionUrlOptions url_options;
  url_options.verifier = p->verifier;
  url_options.default_account = config.account;
  p->url_frontend = std::make_unique<api::FunctionUrlFrontend>(*p->functions, *p->invoke, p->clock,
                                                               std::move(url_options));
  p->api->SetFrontend(p->url_frontend.get());
  // Asynchronous invocation: events in the same SQLite file, run by the dispatcher through the
  // same InvokeService, outcomes delivered to destinations and dead-letter queues.
  LAMBDALITE_TRY(p->event_queue, queue::SqliteEventQueue::Open(config.data_dir + "/lambdalite.db"));
  p->outbound_http = std::make_unique<aws::HttpClient>();
  queue::DispatcherOptions dispatcher_options;
  dispatcher_options.time_scale = queue::AsyncTimeScaleFromEnvironment();
  Parts* raw = p.get();
  auto submit = [raw](const domain::Scope& scope, const std::string& function_name,
                      const service::InvokeInput& input) -> Status {
    queue::Event event;
    event.request_id = input.request_id.empty() ? NewUuid() : input.request_id;
    event.scope = scope;
    event.function_name = function_name;
    event.qualifier = input.qualifier;
    event.payload = input.payload;
    event.lineage = input.lineage;
    event.accepted_ms = raw->clock.NowMillis();
    event.visible_at_ms = event.accepted_ms;
    return raw->dispatcher->Submit(event);
  };
  p->invoke->SetEventSubmitter(submit);
  // A Lambda destination receives the invocation record as an asynchronous invocation.
  auto invoke_destination = [raw](const std::string& function_arn,
                                  const std::string& payload) -> Status {
    auto ref = domain::ParseFunctionName(function_arn);
    if (!ref.ok()) return std::move(ref).error();
    domain::Scope scope{ref->account.value_or(raw->config.account),
                        ref->region.value_or(raw->config.region)};
    service::InvokeInput input;
    input.function_name = function_arn;
    input.payload = payload;
    input.request_id = NewUuid();
    return raw->invoke->InvokeAsync(scope, std::move(input), 6'291'456);
  };
  p->delivery = std::make_unique<queue::DestinationDelivery>(
      p->outbound_http.get(), aws::ConfigFromEnvironment(), invoke_destination, &p->clock);
  p->async_settings = std::make_unique<FunctionAsyncSettings>(*p->functions);
  p->event_runner = std::make_unique<InvokeEventRunner>(*p->invoke);
  p->delivery_sink = std::make_unique<DeliverySink>(*p->delivery);
  p->dispatcher =
      std::make_unique<queue::Dispatcher>(*p->event_queue, *p->async_settings, *p->event_runner,
                                          *p->delivery_sink, p->clock, dispatcher_options);
  p->dispatcher->Start();
  p->api->RegisterInternal(
      "/_lambdalite/async",
      [store = p->event_queue.get(), account = config.account, region = config.region,
       verifier = p->verifier](const http::HttpRequest& req) {
        if (!verifier) return AsyncStatus(*store, account, region, req, std::nullopt);
        // With --auth-keys the introspection is a signed request too, and shows only the
        // caller's own account and region.
        std::string decoded;
        auto caller = verifier->Verify(req, &decoded);
        if (!caller.ok()) return api::RenderError(api::ToAwsError(caller.error()));
        return AsyncStatus(*store, account, region, req,
                           domain::Scope{caller->account, caller->region});
      });

  // Event source mappings: pollers in the server read SQS (and streams) and invoke functions
  // synchronously through the same InvokeService. p->mapping_source (esm_wiring.h) is the
  // control plane's side, made where the control plane is registered.
  {
    // Every poller worker keeps a connection to SQS busy (long polls, deletes): keep them all.
    aws::HttpClientOptions http_options;
    http_options.max_idle_per_host = 64;
    // The poller manager starts pollers (a GetQueueAttributes or ListShards first) on its one
    // thread: an endpoint that black-holes connections must not hold the other mappings long.
    http_options.connect_timeout = std::chrono::milliseconds(3000);
    p->esm_http = std::make_unique<aws::HttpClient>(http_options);
  }
  {
    // CreateEventSourceMapping asks the source whether it exists (AWS refuses a missing queue,
    // ES32). Its own client, with a short connect limit: an unreachable endpoint passes the check
    // (the poller then reports it) and must not hold the Create call for long.
    aws::HttpClientOptions check_options;
    check_options.connect_timeout = std::chrono::milliseconds(2000);
    check_options.max_idle_per_host = 4;
    p->esm_check_http = std::make_unique<aws::HttpClient>(check_options);
    p->functions->SetEventSourceChecker(
        [http = p->esm_check_http.get(), aws_config = aws::ConfigFromEnvironment()](
            const domain::Scope&, const domain::EventSourceMapping& mapping) -> Status {
          if (mapping.kind == domain::EventSourceKind::kSqs) {
            return esm::CheckSqsSource(*http, aws_config, mapping.event_source_arn);
          }
          // Streams: "Cannot access stream ..." when the stream does not exist.
          return CheckStreamMappingSource(http, aws_config, mapping);
        });
  }
  p->esm_invoker = std::make_unique<InvokeServiceFunctionInvoker>(*p->invoke);
  {
    esm::PollerManager::Factories factories;
    factories[domain::EventSourceKind::kSqs] = std::make_unique<esm::SqsPollerFactory>();
    // Kinesis and DynamoDB Streams (esm_streams_wiring.h), with their checkpoints.
    AddStreamPollerFactories(factories, *p->functions);
    LAMBDALITE_TRY(p->esm_checkpoints, OpenEsmCheckpointStore(config.data_dir));
    p->pollers = std::make_unique<esm::PollerManager>(
        *p->mapping_source, std::move(factories), *p->esm_invoker, p->clock, *p->esm_http,
        aws::ConfigFromEnvironment(), p->esm_checkpoints.get());
  }
  p->api->RegisterInternal(
      "/_lambdalite/event-source-mappings",
      [pollers = p->pollers.get(), verifier = p->verifier](const http::HttpRequest& req) {
        std::optional<domain::Scope> only;
        if (verifier) {
          // As /_lambdalite/async: signed, and only the caller's account and region.
          std::string decoded;
          auto caller = verifier->Verify(req, &decoded);
          if (!caller.ok()) return api::RenderError(api::ToAwsError(caller.error()));
          only = domain::Scope{caller->account, caller->region};
        }
        http::HttpResponse resp;
        resp.SetHeader("Content-Type", "application/json");
        resp.body = EsmStatusJson(pollers->Statuses(), only);
        return resp;
      });

  p->functions->SetChangeListener(
      [pool = p->pool.get()](const domain::Scope& scope, const std::string& name) {
        pool->RetireFunction(scope, name);
      });
  // Provisioned concurrency: the service asks, the pool starts environments and reports back.
  p->pool->SetProvisionedProgress(
      [functions = p->functions.get()](const domain::Scope& scope, const std::string& function,
                                       const std::string& qualifier, const std::string& version,
                                       int allocated, bool failed) {
        functions->ReportProvisioned(scope, function, qualifier, version, allocated, failed);
      });
  p->provisioner = std::make_unique<PoolProvisioner>(*p->pool, *p->code_store);
  p->functions->SetProvisionedListener(p->provisioner.get());
  p->functions->StartProvisioned();  // the stored configs' environments start again
  // Unreferenced code blobs: swept a few times per grace period (at most every minute), so one
  // goes between `grace` and about 1.5 x `grace` after the last reference to it.
  {
    const std::chrono::milliseconds grace(int64_t{config.blob_grace_seconds} * 1000);
    const auto interval = std::clamp<std::chrono::milliseconds>(
        grace / 4, std::chrono::milliseconds(200), std::chrono::minutes(1));
    if (grace < std::chrono::seconds(service::CodeUrlSigner::kValiditySeconds)) {
      LogWarn("code store: --blob-grace-seconds " + std::to_string(config.blob_grace_seconds) +
              " is shorter than a Code.Location URL lives (" +
              std::to_string(service::CodeUrlSigner::kValiditySeconds) +
              " s): such a URL may fail after an update");
    }
    p->functions->StartBlobCollection(grace, interval);
  }
  LAMBDALITE_RETURN_IF_ERROR(p->server->Open());
  // After the server opens: pollers invoke functions, whose runtimes call this server.
  p->pollers->Start();
  if (!config.port_file.empty()) {
    const std::string tmp = config.port_file + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << p->server->port() << "\n";
    }
    std::filesystem::rename(tmp, config.port_file, ec);
  }
  return std::unique_ptr<App>(new App(std::move(p)));
}

uint16_t App::port() const { return parts_->server->port(); }

void App::Wait() { parts_->server->Wait(); }

void App::Stop() {
  if (!parts_) return;
  // The event source mapping pollers first (an invocation in progress finishes; SQS messages not
  // deleted come back after their visibility timeout), then the dispatcher (in-flight events
  // finish or are released for the next start), then the environments (their runtimes long-poll
  // this server), then the server.
  if (parts_->pollers) parts_->pollers->Stop();
  if (parts_->dispatcher) parts_->dispatcher->Stop(std::chrono::seconds(10));
  if (parts_->pool) parts_->pool->Shutdown();
  if (parts_->server) parts_->server->Stop();
}

}  // namespace lambdalite::app
