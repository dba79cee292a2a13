#include "main/esm_wiring.h"

namespace lambdalite::app {

FunctionMappingSource::FunctionMappingSource(service::FunctionService& functions)
    : functions_(functions) {
  // The service calls this with no lock of its own held (function_service.h).
  functions_.SetEventSourceMappingListener([this] {
    std::function<void()> listener;
    {
      std::lock_guard lock(mu_);
      listener = listener_;
    }
    if (listener) listener();
  });
}

std::vector<esm::MappingView> FunctionMappingSource::List() const {
  std::vector<esm::MappingView> out;
  for (auto& m : functions_.ListAllEventSourceMappings()) {
    out.push_back(esm::MappingView{std::move(m.scope), std::move(m.mapping)});
  }
  return out;
}

void FunctionMappingSource::SetChangeListener(std::function<void()> listener) {
  std::lock_guard lock(mu_);
  listener_ = std::move(listener);
}

void FunctionMappingSource::Settle(const domain::Scope& scope, const std::string& uuid,
                                   uint64_t revision) {
  functions_.SettleEventSourceMapping(scope, uuid, revision);
}

void FunctionMappingSource::Fail(const domain::Scope& scope, const std::string& uuid,
                                 uint64_t revision, const std::string& reason) {
  functions_.FailEventSourceMapping(scope, uuid, revision, reason);
}

void FunctionMappingSource::SetLastProcessingResult(const domain::Scope& scope,
                                                    const std::string& uuid,
                                                    const std::string& result) {
  functions_.SetEventSourceMappingResult(scope, uuid, result);
}

}  // namespace lambdalite::app
