#include "main/app.h"

#include <filesystem>
#include <fstream>

#include "api/lambda_api.h"
#include "api/operations/control_plane.h"
#include "api/operations/invoke.h"
#include "aws/endpoints.h"
#include "aws/http_client.h"
#include "aws/s3_client.h"
#include "common/clock.h"
#include "common/crypto.h"
#include "common/log.h"
#include "executor/environment_pool.h"
#include "executor/process_sandbox.h"
#include "executor/runtime_registry.h"
#include "http/server.h"
#include "service/code_url.h"
#include "service/function_service.h"
#include "service/invoke_service.h"
#include "storage/fs_code_store.h"
#include "storage/sqlite/sqlite_store.h"

namespace lambdalite::app {

namespace {

// Adapts the SigV4 S3 client to the service's CodeFetcher port.
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
  std::filesystem::permissions(tmp, std::filesystem::perms::owner_read |
                                        std::filesystem::perms::owner_write);
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
  std::unique_ptr<service::CodeUrlSigner> signer;
  std::unique_ptr<api::LambdaApi> api;
  std::unique_ptr<http::Server> server;
  std::unique_ptr<executor::ProcessSandbox> sandbox;
  std::unique_ptr<executor::EnvironmentPool> pool;
  std::unique_ptr<service::InvokeService> invoke;
  // Declared last so it is destroyed first: environments stop before the server they talk to.
};

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
  LAMBDALITE_TRY(p->store, storage::sqlite::SqliteFunctionStore::Open(config.data_dir + "/lambdalite.db"));
  LAMBDALITE_TRY(p->code_store, storage::FsCodeStore::Open(config.data_dir));
  p->fetcher = std::make_unique<S3CodeFetcher>(aws::ConfigFromEnvironment());
  p->functions = std::make_unique<service::FunctionService>(*p->store, *p->code_store,
                                                            p->fetcher.get(), p->clock);
  LAMBDALITE_RETURN_IF_ERROR(p->functions->Load());
  LAMBDALITE_TRY(auto secret, LoadOrCreateSecret(config.data_dir));
  p->signer = std::make_unique<service::CodeUrlSigner>(std::move(secret), p->clock);

  api::ApiOptions options;
  options.default_account = config.account;
  options.default_region = config.region;
  p->api = std::make_unique<api::LambdaApi>(options);
  api::RegisterControlPlane(*p->api, *p->functions, *p->signer);
  p->api->RegisterInternal("/_lambdalite/health", [](const http::HttpRequest&) {
    http::HttpResponse resp;
    resp.SetHeader("Content-Type", "application/json");
    resp.body = std::string("{\"status\":\"ok\",\"version\":\"") + LAMBDALITE_VERSION + "\"}";
    return resp;
  });

  p->server = std::make_unique<http::Server>(*p->api, config.host,
                                             static_cast<uint16_t>(config.port), config.io_threads);
  LAMBDALITE_RETURN_IF_ERROR(p->server->Start());

  // Execution: sandboxes whose Runtime API endpoints are extra listeners of the same server.
  p->sandbox = std::make_unique<executor::ProcessSandbox>();
  executor::EnvironmentPoolOptions pool_options;
  pool_options.data_dir = config.data_dir;
  pool_options.account_concurrency_limit = p->functions->limits().account_concurrency;
  p->pool = std::make_unique<executor::EnvironmentPool>(
      *p->server, *p->sandbox, executor::RuntimeRegistry::Default(), p->clock, pool_options);
  p->invoke = std::make_unique<service::InvokeService>(*p->functions, *p->pool, *p->code_store);
  api::RegisterInvoke(*p->api, *p->invoke);
  p->functions->SetChangeListener(
      [pool = p->pool.get()](const domain::Scope& scope, const std::string& name) {
        pool->RetireFunction(scope, name);
      });
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
  // Environments first (their runtimes long-poll this server), then the server.
  if (parts_->pool) parts_->pool->Shutdown();
  if (parts_->server) parts_->server->Stop();
}

}  // namespace lambdalite::app
