#include "esm/sqs_poller.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "common/log.h"
#include "esm/event_filter.h"

namespace lambdalite::esm {
namespace {

// The order AWS's events list the system attributes in (others follow as SQS sent them).
constexpr std::array<std::string_view, 7> kAttributeOrder = {"ApproximateReceiveCount",
                                                             "SentTimestamp",
                                                             "SequenceNumber",
                                                             "MessageGroupId",
                                                             "SenderId",
                                                             "MessageDeduplicationId",
                                                             "ApproximateFirstReceiveTimestamp"};

bool IsFifo(std::string_view arn) {
  return arn.size() > 5 && arn.substr(arn.size() - 5) == ".fifo";
}

using Entries = std::vector<std::pair<std::string, std::string>>;  // (Id, ReceiptHandle)

class SqsPoller final : public Poller {
 public:
  SqsPoller(const PollerContext& context, EventFilter filter, SqsPollerOptions options)
      : context_(context),
        filter_(std::move(filter)),
        options_(options),
        client_(context.http, context.aws, context.clock),
        arn_(context.view.mapping.event_source_arn),
        region_(aws::RegionOfArn(arn_)),
        report_failures_(std::find(context.view.mapping.function_response_types.begin(),
                                   context.view.mapping.function_response_types.end(),
                                   "ReportBatchItemFailures") !=
                         context.view.mapping.function_response_types.end()) {
    const domain::EventSourceMapping& m = context_.view.mapping;
    batch_size_ = std::max(1, m.batch_size == 0 ? 10 : m.batch_size);
    window_ms_ = static_cast<int64_t>(std::max(0, m.maximum_batching_window_seconds)) * 1000;
    workers_count_ = std::clamp(m.maximum_concurrency.value_or(options_.default_concurrency), 1,
                                options_.max_workers);
    // FIFO: one worker, so a group's batches run one after the other in order whatever the
    // queue does (moto, unlike SQS, can hand two concurrent receivers messages of one group).
    if (IsFifo(arn_)) workers_count_ = 1;
  }

  ~SqsPoller() override { Stop(); }

  void Begin() {
    for (int i = 0; i < workers_count_; ++i) {
      workers_.emplace_back([this, i] { Work(i); });
    }
  }

  void Stop() override {
    {
      std::lock_guard lock(mu_);
      if (stopping_ && workers_.empty()) return;
      stopping_ = true;
      cv_.notify_all();
    }
    for (std::thread& t : workers_) {
      if (t.joinable()) t.join();
    }
    std::lock_guard lock(mu_);
    workers_.clear();
  }

  PollerStatus Status() const override {
    std::lock_guard lock(mu_);
    return status_;
  }

 private:
  bool Stopping() const {
    std::lock_guard lock(mu_);
    return stopping_;
  }

  // Sleeps up to `ms` of real time; false when the poller is stopping.
  bool Sleep(int64_t ms) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping_; });
    return !stopping_;
  }

  bool AcquireCollector() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return !collecting_ || stopping_; });
    if (stopping_) return false;
    collecting_ = true;
    return true;
  }

  void ReleaseCollector() {
    std::lock_guard lock(mu_);
    collecting_ = false;
    cv_.notify_all();
  }

  void SetProblem(const std::string& problem) {
    std::lock_guard lock(mu_);
    status_.problem = problem;
  }

  void SetResult(const std::string& result) {
    {
      std::lock_guard lock(mu_);
      if (status_.last_processing_result == result) return;
      status_.last_processing_result = result;
    }
    context_.source->SetLastProcessingResult(context_.view.scope, context_.view.mapping.uuid,
                                             result);
  }

  void Work(int index) {
    int64_t backoff = 0;
    while (!Stopping()) {
      std::vector<aws::SqsMessage> batch;
      // One worker gathers a batch at a time, the others run theirs: a batch fills up to
      // BatchSize before another worker takes messages, as with AWS's pollers.
      if (!AcquireCollector()) break;
      lambdalite::Status polled = Collect(&batch);
      ReleaseCollector();
      if (!polled.ok()) {
        SetProblem(polled.error().message);
        if (batch.empty()) {
          backoff = backoff == 0 ? options_.poll_backoff_initial_ms
                                 : std::min<int64_t>(backoff * 2, options_.poll_backoff_max_ms);
          if (!Sleep(backoff)) break;
          continue;
        }
      } else {
        backoff = 0;
        SetProblem("");
      }
      if (index == 0) RefreshLag();
      if (batch.empty()) continue;
      if (Stopping()) {
        // Received while stopping: hand the messages back at once rather than after their
        // visibility timeout.
        Release(batch);
        break;
      }
      Process(std::move(batch));
    }
  }

  // Receives a batch: one long poll for the first messages, then (with a batching window) more
  // receives until the batch is full or the window has passed. An error after some messages
  // arrived still returns them in `batch`.
  lambdalite::Status Collect(std::vector<aws::SqsMessage>* batch) {
    Result<std::vector<aws::SqsMessage>> first =
        client_.ReceiveMessageFull(arn_, std::min(batch_size_, 10), options_.long_poll_seconds);
    if (!first.ok()) return first.error();
    *batch = std::move(first).value();
    if (batch->empty() || window_ms_ == 0) return lambdalite::Status();
    const int64_t deadline = context_.clock->NowMillis() + window_ms_;
    while (static_cast<int>(batch->size()) < batch_size_ && !Stopping()) {
      const int64_t remaining = deadline - context_.clock->NowMillis();
      if (remaining <= 0) break;
      const int wait = static_cast<int>(
          std::min<int64_t>(options_.long_poll_seconds, std::max<int64_t>(remaining / 1000, 0)));
      Result<std::vector<aws::SqsMessage>> more = client_.ReceiveMessageFull(
          arn_, std::min(batch_size_ - static_cast<int>(batch->size()), 10), wait);
      if (!more.ok()) return more.error();
      if (more->empty() && wait == 0) {
        // Less than a second of window left and nothing waiting: wait it out cheaply.
        if (!Sleep(std::min<int64_t>(remaining, 200))) break;
        continue;
      }
      for (aws::SqsMessage& m : *more) batch->push_back(std::move(m));
    }
    return lambdalite::Status();
  }

  void RefreshLag() {
    const int64_t now = context_.clock->NowMillis();
    if (now - last_lag_ms_ < 2000) return;
    last_lag_ms_ = now;
    Result<std::map<std::string, std::string>> attrs =
        client_.GetQueueAttributes(arn_, {"ApproximateNumberOfMessages"});
    if (!attrs.ok()) return;
    auto it = attrs->find("ApproximateNumberOfMessages");
    if (it == attrs->end()) return;
    std::lock_guard lock(mu_);
    try {
      status_.lag = std::stoll(it->second);
      status_.lag_unit = "messages";
    } catch (...) {
    }
  }

  static std::vector<Entries> Chunks(const std::vector<const aws::SqsMessage*>& messages) {
    std::vector<Entries> chunks;
    for (size_t i = 0; i < messages.size(); ++i) {
      if (i % 10 == 0) chunks.emplace_back();
      chunks.back().emplace_back(std::to_string(i % 10), messages[i]->receipt_handle);
    }
    return chunks;
  }

  // Deletes `messages`; returns how many SQS confirmed.
  int64_t Delete(const std::vector<const aws::SqsMessage*>& messages) {
    int64_t deleted = 0;
    for (const Entries& chunk : Chunks(messages)) {
      Result<std::vector<std::string>> failed = client_.DeleteMessageBatch(arn_, chunk);
      if (!failed.ok()) {
        SetProblem(failed.error().message);
        continue;
      }
      deleted += static_cast<int64_t>(chunk.size() - failed->size());
      if (!failed->empty()) SetProblem("SQS DeleteMessageBatch failed for some messages");
    }
    return deleted;
  }

  void Release(const std::vector<aws::SqsMessage>& batch) {
    std::vector<const aws::SqsMessage*> all;
    for (const aws::SqsMessage& m : batch) all.push_back(&m);
    for (const Entries& chunk : Chunks(all)) {
      lambdalite::Status st = client_.ChangeMessageVisibilityBatch(arn_, chunk, 0);
      (void)st;  // best effort: the visibility timeout brings them back anyway
    }
  }

  void Process(std::vector<aws::SqsMessage> batch) {
    boost::json::array records;
    std::vector<const aws::SqsMessage*> invoked;
    std::vector<const aws::SqsMessage*> filtered;
    for (const aws::SqsMessage& message : batch) {
      boost::json::object record = BuildSqsRecord(message, arn_, region_);
      if (!filter_.empty()) {
        boost::json::object view = record;
        view["body"] = PayloadForFiltering(message.body);
        if (!filter_.Matches(view)) {
          filtered.push_back(&message);
          continue;
        }
      }
      records.push_back(std::move(record));
      invoked.push_back(&message);
    }
    if (!filtered.empty()) {
      Delete(filtered);
      std::lock_guard lock(mu_);
      status_.records_filtered += static_cast<int64_t>(filtered.size());
    }
    if (invoked.empty()) return;

    boost::json::object event;
    event["Records"] = std::move(records);
    std::string payload = boost::json::serialize(event);
    const domain::EventSourceMapping& m = context_.view.mapping;
    Result<InvokeOutcome> outcome = Error::Make(ErrorCode::kInternal, "not invoked");
    int64_t backoff = options_.poll_backoff_initial_ms;
    for (int attempt = 0;; ++attempt) {
      outcome =
          context_.invoker->Invoke(context_.view.scope, m.function_name, m.qualifier, payload);
      if (outcome.ok()) break;
      const ErrorCode code = outcome.error().code;
      const bool retry = code == ErrorCode::kTooManyRequests || code == ErrorCode::kUnavailable;
      if (!retry || attempt + 1 >= options_.throttle_retries) break;
      if (!Sleep(backoff)) break;
      backoff = std::min<int64_t>(backoff * 2, options_.poll_backoff_max_ms);
    }
    {
      std::lock_guard lock(mu_);
      status_.batches += 1;
      status_.last_poll_ms = context_.clock->NowMillis();
    }
    if (!outcome.ok()) {
      // Not run (function gone, throttled throughout, ...): the messages come back after their
      // visibility timeout.
      SetProblem("invoking " + m.function_name + ": " + outcome.error().message);
      SetResult(outcome.error().code == ErrorCode::kNotFound ? "PROBLEM: Function does not exist"
                                                             : "PROBLEM: Lambda internal error");
      Sleep(options_.poll_backoff_max_ms);
      return;
    }
    if (outcome->function_error) {
      std::lock_guard lock(mu_);
      status_.function_errors += 1;
    }
    if (outcome->function_error) {
      SetResult("PROBLEM: Function call failed");
      return;
    }
    std::vector<const aws::SqsMessage*> to_delete = invoked;
    bool partly_failed = false;
    if (report_failures_) {
      std::set<std::string> ids;
      for (const aws::SqsMessage* message : invoked) ids.insert(message->message_id);
      BatchItemFailures failures = ParseBatchItemFailures(outcome->payload, ids);
      if (failures.all_failed) {
        to_delete.clear();
        partly_failed = true;
      } else if (!failures.failed_ids.empty()) {
        to_delete.clear();
        for (const aws::SqsMessage* message : invoked) {
          if (failures.failed_ids.count(message->message_id) == 0) to_delete.push_back(message);
        }
        partly_failed = true;
      }
    }
    Delete(to_delete);
    {
      std::lock_guard lock(mu_);
      status_.records_delivered += static_cast<int64_t>(to_delete.size());
      if (partly_failed) status_.function_errors += 1;
    }
    SetResult(partly_failed ? "PROBLEM: Function call failed" : "OK");
  }

  const PollerContext context_;
  const EventFilter filter_;
  const SqsPollerOptions options_;
  const aws::SqsClient client_;
  const std::string arn_;
  const std::string region_;
  const bool report_failures_;
  int batch_size_ = 10;
  int64_t window_ms_ = 0;
  int workers_count_ = 1;
  int64_t last_lag_ms_ = 0;  // worker 0 only

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool collecting_ = false;  // a worker is gathering a batch
  PollerStatus status_;
  std::vector<std::thread> workers_;
};

}  // namespace

boost::json::object BuildSqsRecord(const aws::SqsMessage& message, std::string_view queue_arn,
                                   std::string_view region) {
  boost::json::object record;
  record["messageId"] = message.message_id;
  record["receiptHandle"] = message.receipt_handle;
  record["body"] = message.body;
  boost::json::object attributes;
  for (std::string_view name : kAttributeOrder) {
    for (const auto& [key, value] : message.attributes) {
      if (key == name) attributes[key] = value;
    }
  }
  for (const auto& [key, value] : message.attributes) {
    if (!attributes.contains(key)) attributes[key] = value;
  }
  record["attributes"] = std::move(attributes);
  boost::json::object message_attributes;
  for (const auto& [name, attr] : message.message_attributes) {
    boost::json::object a;
    if (attr.string_value) a["stringValue"] = *attr.string_value;
    if (attr.binary_value) a["binaryValue"] = *attr.binary_value;
    boost::json::array strings;
    for (const std::string& s : attr.string_list_values) strings.emplace_back(s);
    boost::json::array binaries;
    for (const std::string& s : attr.binary_list_values) binaries.emplace_back(s);
    a["stringListValues"] = std::move(strings);
    a["binaryListValues"] = std::move(binaries);
    a["dataType"] = attr.data_type;
    message_attributes[name] = std::move(a);
  }
  record["messageAttributes"] = std::move(message_attributes);
  if (message.md5_of_message_attributes.empty()) {
    record["md5OfMessageAttributes"] = nullptr;
  } else {
    record["md5OfMessageAttributes"] = message.md5_of_message_attributes;
  }
  record["md5OfBody"] = message.md5_of_body;
  record["eventSource"] = "aws:sqs";
  record["eventSourceARN"] = queue_arn;
  record["awsRegion"] = region;
  return record;
}

BatchItemFailures ParseBatchItemFailures(std::string_view payload,
                                         const std::set<std::string>& batch_ids) {
  BatchItemFailures result;
  if (payload.find_first_not_of(" \t\r\n") == std::string_view::npos) return result;
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(payload, ec);
  if (ec) {
    result.all_failed = true;
    return result;
  }
  if (!doc.is_object()) return result;
  const boost::json::value* list = doc.get_object().if_contains("batchItemFailures");
  if (list == nullptr || list->is_null()) return result;
  if (!list->is_array()) {
    result.all_failed = true;
    return result;
  }
  for (const boost::json::value& item : list->get_array()) {
    const boost::json::value* id =
        item.is_object() ? item.get_object().if_contains("itemIdentifier") : nullptr;
    if (id == nullptr || !id->is_string() || id->get_string().empty() ||
        batch_ids.count(std::string(id->get_string())) == 0) {
      result.all_failed = true;
      result.failed_ids.clear();
      return result;
    }
    result.failed_ids.insert(std::string(id->get_string()));
  }
  return result;
}

Status CheckSqsSource(aws::HttpClient& http, const aws::Config& config,
                      std::string_view queue_arn) {
  aws::SqsClient client(&http, config);
  Result<std::map<std::string, std::string>> attrs =
      client.GetQueueAttributes(queue_arn, {"QueueArn"});
  if (!attrs.ok() && aws::IsQueueMissing(attrs.error())) {
    return Error::Make(ErrorCode::kInvalidParameter, attrs.error().message);
  }
  return Status();
}

Result<std::unique_ptr<Poller>> SqsPollerFactory::Start(const PollerContext& context) {
  LAMBDALITE_TRY(EventFilter filter, EventFilter::Parse(context.view.mapping.filter_patterns));
  aws::SqsClient client(context.http, context.aws, context.clock);
  LAMBDALITE_TRY(auto attrs,
                 client.GetQueueAttributes(context.view.mapping.event_source_arn, {"QueueArn"}));
  (void)attrs;
  auto poller = std::make_unique<SqsPoller>(context, std::move(filter), options_);
  poller->Begin();
  return std::unique_ptr<Poller>(std::move(poller));
}

}  // namespace lambdalite::esm
