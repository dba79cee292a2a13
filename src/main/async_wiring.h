#pragma once

// Adapters that connect the asynchronous-invocation pipeline (queue/) to the control plane and
// the executor (service/), and to destination delivery. Wiring only: every rule lives in the
// layers they connect.

#include <memory>

#include "queue/destinations.h"
#include "queue/dispatcher.h"
#include "service/function_service.h"
#include "service/invoke_service.h"

namespace lambdalite::app {

// The async settings of the qualifier an event was invoked with: its event invoke config (AWS
// defaults when none), the function's DeadLetterConfig and reserved concurrency, read fresh for
// every attempt.
class FunctionAsyncSettings final : public queue::AsyncSettingsSource {
 public:
  explicit FunctionAsyncSettings(service::FunctionService& functions) : functions_(functions) {}
  Result<queue::AsyncSettings> Get(const domain::Scope& scope, const std::string& function_name,
                                   const std::string& qualifier) override;

 private:
  service::FunctionService& functions_;
};

// Runs one attempt of an event through the executor, keeping the event's request id.
class InvokeEventRunner final : public queue::EventRunner {
 public:
  explicit InvokeEventRunner(service::InvokeService& invoke) : invoke_(invoke) {}
  Result<queue::AttemptResult> Run(const queue::Event& event) override;

 private:
  service::InvokeService& invoke_;
};

// Sends outcomes to destinations and dead-letter queues.
class DeliverySink final : public queue::OutcomeSink {
 public:
  explicit DeliverySink(queue::DestinationDelivery& delivery) : delivery_(delivery) {}
  Status Deliver(const queue::Event& event, queue::Condition condition,
                 const queue::AttemptResult& result,
                 const queue::AsyncSettings& settings) override {
    return delivery_.Deliver(event, condition, result, queue::TargetsFor(event, settings));
  }

 private:
  queue::DestinationDelivery& delivery_;
};

}  // namespace lambdalite::app
