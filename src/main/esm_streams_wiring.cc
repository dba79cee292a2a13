#include "main/esm_streams_wiring.h"

#include <utility>

#include "esm/checkpoint_stores.h"
#include "esm/stream_poller.h"

namespace lambdalite::app {

Result<std::unique_ptr<esm::CheckpointStore>> OpenEsmCheckpointStore(const std::string& data_dir) {
  LAMBDALITE_TRY(std::unique_ptr<esm::SqliteCheckpointStore> store,
                 esm::SqliteCheckpointStore::Open(data_dir + "/esm-checkpoints.db"));
  return std::unique_ptr<esm::CheckpointStore>(std::move(store));
}

void AddStreamPollerFactories(
    std::map<domain::EventSourceKind, std::unique_ptr<esm::PollerFactory>>& factories,
    const service::FunctionService& functions) {
  auto role = [&functions](const domain::Scope& scope, const std::string& function_name) {
    auto view = functions.GetFunction(scope, function_name, std::nullopt);
    return view.ok() && view->version ? view->version->config.role : std::string();
  };
  factories[domain::EventSourceKind::kKinesis] =
      std::make_unique<esm::StreamPollerFactory>(esm::StreamPollerOptions{}, role);
  factories[domain::EventSourceKind::kDynamoDbStreams] =
      std::make_unique<esm::StreamPollerFactory>(esm::StreamPollerOptions{}, role);
}

Status CheckStreamMappingSource(aws::HttpClient* http, const aws::Config& config,
                                const domain::EventSourceMapping& mapping) {
  if (mapping.kind == domain::EventSourceKind::kSqs) return Status();
  Status checked = esm::CheckStreamSource(http, config, mapping.kind, mapping.event_source_arn);
  if (!checked.ok() && checked.error().code == ErrorCode::kUnavailable) return Status();
  return checked;
}

}  // namespace lambdalite::app
