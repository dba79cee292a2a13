#pragma once

// The event source mapping pollers' view of the control plane: esm::MappingSource over
// service::FunctionService (esm_ops.cc). Wiring only: the rules live in the service.

#include <functional>
#include <mutex>

#include "esm/mapping_source.h"
#include "service/function_service.h"

namespace lambdalite::app {

class FunctionMappingSource final : public esm::MappingSource {
 public:
  // Becomes the service's one mapping listener.
  explicit FunctionMappingSource(service::FunctionService& functions);

  std::vector<esm::MappingView> List() const override;
  void SetChangeListener(std::function<void()> listener) override;
  void Settle(const domain::Scope& scope, const std::string& uuid, uint64_t revision) override;
  void Fail(const domain::Scope& scope, const std::string& uuid, uint64_t revision,
            const std::string& reason) override;
  void SetLastProcessingResult(const domain::Scope& scope, const std::string& uuid,
                               const std::string& result) override;

 private:
  service::FunctionService& functions_;
  std::mutex mu_;  // guards listener_ (set once, read on every change)
  std::function<void()> listener_;
};

}  // namespace lambdalite::app
