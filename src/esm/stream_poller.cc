#include "esm/stream_poller.h"

#include <algorithm>
#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "aws/dynamodb_streams_client.h"
#include "aws/kinesis_client.h"
#include "aws/s3_client.h"
#include "aws/sns_client.h"
#include "aws/sqs_client.h"
#include "common/ids.h"
#include "common/log.h"
#include "common/time_format.h"
#include "esm/event_filter.h"
#include "esm/event_json.h"

namespace lambdalite::esm {
namespace {

constexpr const char* kResultOk = "OK";
constexpr const char* kResultFunctionFailed = "PROBLEM: Function call failed";

bool Contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// The executedVersion of the on-failure record: the invoked version when the mapping names one.
std::string ExecutedVersion(const std::string& qualifier) {
  if (!qualifier.empty() && std::all_of(qualifier.begin(), qualifier.end(),
                                        [](char c) { return c >= '0' && c <= '9'; })) {
    return qualifier;
  }
  return "$LATEST";
}

// How a batch with ReportBatchItemFailures came back: nullopt = success, -1 = the whole batch
// failed, i >= 0 = records before index i succeeded and the rest is retried.
std::optional<int> BatchItemFailure(const std::string& payload,
                                    const std::vector<SourceRecord>& records) {
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(payload, ec);
  if (ec || !doc.is_object()) return std::nullopt;  // null or empty EventResponse: success
  const boost::json::value* failures = doc.as_object().if_contains("batchItemFailures");
  if (failures == nullptr || failures->is_null()) return std::nullopt;
  if (!failures->is_array()) return -1;
  if (failures->as_array().empty()) return std::nullopt;
  int lowest = static_cast<int>(records.size());
  for (const boost::json::value& item : failures->as_array()) {
    if (!item.is_object()) return -1;
    const boost::json::value* id = item.as_object().if_contains("itemIdentifier");
    if (id == nullptr || !id->is_string() || id->as_string().empty()) return -1;
    auto it = std::find_if(records.begin(), records.end(), [&](const SourceRecord& r) {
      return r.sequence_number == id->as_string();
    });
    if (it == records.end()) return -1;
    lowest = std::min(lowest, static_cast<int>(it - records.begin()));
  }
  return lowest;
}

std::string EventPayload(const std::vector<SourceRecord>& records) {
  boost::json::array list;
  for (const SourceRecord& r : records) list.push_back(r.event);
  return SerializeEvent(boost::json::object{{"Records", std::move(list)}});
}

class StreamPoller final : public Poller {
 public:
  StreamPoller(const PollerContext& context, const StreamPollerOptions& options,
               std::unique_ptr<StreamSource> source, EventFilter filter, OnFailureSender sender)
      : context_(context),
        mapping_(context.view.mapping),
        options_(options),
        source_(std::move(source)),
        filter_(std::move(filter)),
        sender_(std::move(sender)) {}

  ~StreamPoller() override { Stop(); }

  void Begin(std::vector<aws::StreamShard> first_listing) {
    coordinator_ = std::thread(
        [this, shards = std::move(first_listing)]() mutable { Coordinate(std::move(shards)); });
  }

  void Stop() override {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;  // from here on no shard thread starts
    }
    cv_.notify_all();
    shard_cv_.notify_all();
    std::lock_guard join_lock(join_mu_);  // a concurrent Stop waits here, then finds nothing
    if (coordinator_.joinable()) coordinator_.join();
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mu_);
      for (auto& [id, shard] : shards_) {
        if (shard.thread.joinable()) threads.push_back(std::move(shard.thread));
      }
    }
    for (std::thread& t : threads) t.join();
  }

  PollerStatus Status() const override {
    std::lock_guard lock(mu_);
    PollerStatus status = status_;
    status.lag_unit = "milliseconds";
    std::optional<int64_t> lag;
    for (const auto& [id, shard] : shards_) {
      if (shard.lag) lag = std::max(lag.value_or(0), *shard.lag);
    }
    status.lag = lag;
    return status;
  }

 private:
  enum class ShardState { kWaiting, kRunning, kFinished };
  struct Shard {
    aws::StreamShard info;
    ShardState state = ShardState::kWaiting;
    bool use_starting_position = false;
    std::thread thread;
    std::optional<int64_t> lag;
  };
  struct Pending {
    SourceRecord record;
    bool matches = true;
  };
  // A batch (or a half of one) being delivered.
  struct Work {
    std::vector<SourceRecord> records;
    int retries = 0;                    // retries spent
    int invocations = 0;                // approximateInvokeCount
    std::optional<InvokeOutcome> last;  // the last invocation's outcome, when it ran
  };

  // Waits `ms` or until Stop; false when stopping.
  bool Wait(int64_t ms) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(ms, 0)),
                 [this] { return stopping_ || wake_; });
    wake_ = false;
    return !stopping_;
  }
  // A sleep that only Stop interrupts (shard threads, which must not eat the coordinator's wake).
  bool Sleep(int64_t ms) {
    std::unique_lock lock(mu_);
    shard_cv_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(ms, 0)),
                       [this] { return stopping_; });
    return !stopping_;
  }
  bool stopping() const {
    std::lock_guard lock(mu_);
    return stopping_;
  }
  int64_t Backoff(int failures) const {
    int64_t wait = options_.initial_backoff_ms;
    for (int i = 1; i < failures && wait < options_.max_backoff_ms; ++i) wait *= 2;
    return std::min(wait, options_.max_backoff_ms);
  }

  void SetProblem(const std::string& problem) {
    std::lock_guard lock(mu_);
    status_.problem = problem;
  }
  void SetResult(const char* result) {
    {
      std::lock_guard lock(mu_);
      if (status_.last_processing_result == result) return;
      status_.last_processing_result = result;
    }
    if (context_.source != nullptr) {
      context_.source->SetLastProcessingResult(context_.view.scope, mapping_.uuid, result);
    }
  }

  // --- Shards -----------------------------------------------------------------------------------

  void Coordinate(std::vector<aws::StreamShard> listing) {
    bool first = true;
    int failures = 0;
    while (true) {
      if (!first) {
        Result<std::vector<aws::StreamShard>> listed = source_->ListShards();
        if (!listed.ok()) {
          SetProblem(listed.error().message);
          if (!Wait(Backoff(++failures))) return;
          continue;
        }
        failures = 0;
        listing = std::move(listed).value();
      }
      AddShards(listing, first);
      first = false;
      if (!Wait(options_.shard_refresh_ms)) return;
    }
  }

  void AddShards(const std::vector<aws::StreamShard>& listing, bool first) {
    // Checkpoints first, outside the lock (LATEST skips closed shards that have none).
    std::map<std::string, bool> has_checkpoint;
    if (first) {
      for (const aws::StreamShard& s : listing) {
        Result<std::optional<std::string>> cp =
            context_.checkpoints->Get(mapping_.uuid, s.shard_id);
        has_checkpoint[s.shard_id] = cp.ok() && cp->has_value();
      }
    }
    std::lock_guard lock(mu_);
    if (stopping_) return;
    for (const aws::StreamShard& s : listing) {
      if (shards_.count(s.shard_id) != 0) continue;
      Shard& shard = shards_[s.shard_id];
      shard.info = s;
      if (first && mapping_.starting_position == "LATEST" && s.closed() &&
          !has_checkpoint[s.shard_id]) {
        shard.state = ShardState::kFinished;  // history LATEST does not want
      }
    }
    if (first) {
      for (const aws::StreamShard& s : listing) {
        Shard& shard = shards_[s.shard_id];
        shard.use_starting_position = !HasLiveParentLocked(shard);
      }
    }
    StartReadyShardsLocked();
  }

  bool IsLiveLocked(const std::string& id) const {
    if (id.empty()) return false;
    auto it = shards_.find(id);
    return it != shards_.end() && it->second.state != ShardState::kFinished;
  }
  bool HasLiveParentLocked(const Shard& shard) const {
    return IsLiveLocked(shard.info.parent_shard_id) ||
           IsLiveLocked(shard.info.adjacent_parent_shard_id);
  }

  void StartReadyShardsLocked() {
    for (auto& [id, shard] : shards_) {
      if (shard.state != ShardState::kWaiting || HasLiveParentLocked(shard)) continue;
      shard.state = ShardState::kRunning;
      shard.thread = std::thread([this, shard_id = id, use_start = shard.use_starting_position] {
        ReadShard(shard_id, use_start);
      });
    }
  }

  void ShardFinished(const std::string& shard_id) {
    {
      std::lock_guard lock(mu_);
      shards_[shard_id].state = ShardState::kFinished;
      shards_[shard_id].lag = std::nullopt;
      if (stopping_) return;
      StartReadyShardsLocked();
      wake_ = true;  // list again soon: the children may be new
    }
    cv_.notify_all();
  }

  void SetLag(const std::string& shard_id, std::optional<int64_t> lag) {
    std::lock_guard lock(mu_);
    shards_[shard_id].lag = lag;
  }

  // --- One shard --------------------------------------------------------------------------------

  void ReadShard(const std::string& shard_id, bool use_starting_position) {
    int failures = 0;
    std::optional<std::string> checkpoint;
    while (true) {
      Result<std::optional<std::string>> cp = context_.checkpoints->Get(mapping_.uuid, shard_id);
      if (cp.ok()) {
        checkpoint = *cp;
        break;
      }
      SetProblem("checkpoint: " + cp.error().message);
      if (!Sleep(Backoff(++failures))) return;
    }
    aws::ShardPosition start;
    if (checkpoint) {
      start = {"AFTER_SEQUENCE_NUMBER", *checkpoint, 0};
    } else if (use_starting_position) {
      start.type = mapping_.starting_position.empty() ? "TRIM_HORIZON" : mapping_.starting_position;
      start.timestamp_ms = mapping_.starting_position_timestamp_ms.value_or(0);
    } else {
      start.type = "TRIM_HORIZON";
    }

    const int batch_size = std::max(mapping_.batch_size, 1);
    const int factor = std::clamp(mapping_.parallelization_factor, 1, 10);
    const int limit = std::clamp(batch_size * factor, 1, source_->MaxReadLimit());
    const int64_t window_ms = int64_t{mapping_.maximum_batching_window_seconds} * 1000;
    std::string iterator;
    std::string last_read;  // sequence number of the last record read into `pending`
    bool shard_end = false;
    std::deque<Pending> pending;
    std::chrono::steady_clock::time_point batch_open{};
    failures = 0;

    while (!stopping()) {
      bool got_records = false;
      size_t matching =
          std::count_if(pending.begin(), pending.end(), [](const Pending& p) { return p.matches; });
      if (!shard_end && matching < static_cast<size_t>(batch_size) * factor) {
        if (iterator.empty()) {
          aws::ShardPosition position =
              last_read.empty() ? start : aws::ShardPosition{"AFTER_SEQUENCE_NUMBER", last_read, 0};
          Result<std::string> it = source_->Iterator(shard_id, position);
          if (!it.ok()) {
            SetProblem(it.error().message);
            if (!Sleep(Backoff(++failures))) return;
            continue;
          }
          iterator = *it;
          if (iterator.empty()) shard_end = true;
        }
        if (!iterator.empty()) {
          Result<SourceRead> read = source_->Read(shard_id, iterator, limit);
          {
            std::lock_guard lock(mu_);
            status_.last_poll_ms = context_.clock->NowMillis();
          }
          if (!read.ok()) {
            // An expired iterator, or the endpoint went away: start again after the last record
            // read once it answers.
            iterator.clear();
            SetProblem(read.error().message);
            if (!Sleep(Backoff(++failures))) return;
            continue;
          }
          if (failures > 0) SetProblem("");
          failures = 0;
          iterator = read->next_iterator;
          if (iterator.empty()) shard_end = true;
          for (SourceRecord& record : read->records) {
            last_read = record.sequence_number;
            bool matches = filter_.empty() || filter_.Matches(record.filter_view);
            if (matches) ++matching;
            pending.push_back({std::move(record), matches});
            got_records = true;
          }
          if (got_records && pending.size() == read->records.size()) {
            batch_open = std::chrono::steady_clock::now();
          }
          if (read->millis_behind_latest) {
            SetLag(shard_id, read->millis_behind_latest);
          } else {
            SetLag(shard_id, pending.empty()
                                 ? 0
                                 : std::max<int64_t>(0, context_.clock->NowMillis() -
                                                            pending.front().record.arrival_ms));
          }
        }
      }
      if (pending.empty()) {
        if (shard_end) {
          ShardFinished(shard_id);
          return;
        }
        if (!Sleep(options_.empty_poll_wait_ms)) return;
        continue;
      }
      const int64_t open_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::steady_clock::now() - batch_open)
                                  .count();
      const bool ready = matching == 0 || matching >= static_cast<size_t>(batch_size) * factor ||
                         shard_end || window_ms == 0 || open_ms >= window_ms;
      if (!ready) {
        if (!got_records && !Sleep(std::min(options_.empty_poll_wait_ms, window_ms - open_ms))) {
          return;
        }
        continue;
      }
      // The batch: records up to the batch_size-th matching one (and the dropped ones between);
      // with a ParallelizationFactor, up to that many batches' worth.
      std::vector<SourceRecord> batch;
      std::string last_taken;
      int64_t filtered = 0;
      while (!pending.empty() && batch.size() < static_cast<size_t>(batch_size) * factor) {
        Pending p = std::move(pending.front());
        pending.pop_front();
        last_taken = p.record.sequence_number;
        if (p.matches) {
          batch.push_back(std::move(p.record));
        } else {
          ++filtered;
        }
      }
      if (filtered > 0) {
        std::lock_guard lock(mu_);
        status_.records_filtered += filtered;
      }
      if (!batch.empty() && !DeliverInLanes(shard_id, std::move(batch), batch_size, factor)) {
        return;  // stopped: re-read from the checkpoint later
      }
      if (!Checkpoint(shard_id, last_taken)) return;
      if (!pending.empty()) batch_open = std::chrono::steady_clock::now();
    }
  }

  // ParallelizationFactor: the records are spread over `factor` lanes by partition key (so the
  // records of one key stay in order), each lane delivers its batches in order, the lanes run
  // concurrently, and the shard is checkpointed once every lane is done. With factor 1 this is
  // Deliver, checkpointing after every (sub-)batch.
  bool DeliverInLanes(const std::string& shard_id, std::vector<SourceRecord> records,
                      int batch_size, int factor) {
    if (factor <= 1) return Deliver(shard_id, std::move(records), /*checkpoint=*/true);
    std::vector<std::vector<SourceRecord>> lanes(factor);
    for (SourceRecord& r : records) {
      lanes[std::hash<std::string>{}(r.partition_key) % factor].push_back(std::move(r));
    }
    std::atomic<bool> all_done{true};
    std::vector<std::thread> threads;
    for (std::vector<SourceRecord>& lane : lanes) {
      if (lane.empty()) continue;
      threads.emplace_back([this, &shard_id, &all_done, batch_size, lane = std::move(lane)] {
        for (size_t i = 0; i < lane.size(); i += batch_size) {
          std::vector<SourceRecord> chunk(lane.begin() + i,
                                          lane.begin() + std::min(lane.size(), i + batch_size));
          if (!Deliver(shard_id, std::move(chunk), /*checkpoint=*/false)) {
            all_done = false;
            return;
          }
        }
      });
    }
    for (std::thread& t : threads) t.join();
    return all_done;
  }

  // Stores the position durably (retrying until it works or Stop); false when stopping first.
  bool Checkpoint(const std::string& shard_id, const std::string& sequence_number) {
    int failures = 0;
    while (true) {
      lambdalite::Status put = context_.checkpoints->Put(mapping_.uuid, shard_id, sequence_number);
      if (put.ok()) return true;
      SetProblem("checkpoint: " + put.error().message);
      if (!Sleep(Backoff(++failures))) return false;
    }
  }

  bool Expired(const Work& work) const {
    if (mapping_.maximum_record_age_seconds < 0 || work.records.empty()) return false;
    return context_.clock->NowMillis() - work.records.front().arrival_ms >
           int64_t{mapping_.maximum_record_age_seconds} * 1000;
  }

  // Delivers `records` under the failure rules; false when Stop came first (nothing after the
  // last finished sub-batch is checkpointed, so the rest is read again).
  // `checkpoint`: after every finished sub-batch (off in parallel lanes, whose caller checkpoints
  // once all lanes are done).
  bool Deliver(const std::string& shard_id, std::vector<SourceRecord> records, bool checkpoint) {
    const bool bisect = mapping_.bisect_batch_on_function_error;
    const bool report_items = Contains(mapping_.function_response_types, "ReportBatchItemFailures");
    std::deque<Work> work;
    work.push_back(Work{std::move(records), 0, 0, std::nullopt});
    int invoke_failures = 0;
    while (!work.empty()) {
      if (stopping()) return false;
      Work& w = work.front();
      if (Expired(w)) {
        if (!Discard(shard_id, w, "RecordAgeExceeded", checkpoint)) return false;
        work.pop_front();
        continue;
      }
      Result<InvokeOutcome> outcome = context_.invoker->Invoke(
          context_.view.scope, mapping_.function_name, mapping_.qualifier, EventPayload(w.records));
      if (!outcome.ok()) {
        // Not run (throttled, gone, ...): retried until the records expire, without using retries.
        SetProblem(outcome.error().message);
        SetResult(outcome.error().code == ErrorCode::kNotFound ? "PROBLEM: Function does not exist"
                                                               : "PROBLEM: Lambda internal error");
        if (!Sleep(Backoff(++invoke_failures))) return false;
        continue;
      }
      invoke_failures = 0;
      ++w.invocations;
      w.last = *outcome;
      {
        std::lock_guard lock(mu_);
        ++status_.batches;
      }
      std::optional<int> failed_from;  // index of the first record to retry
      if (outcome->function_error) {
        failed_from = 0;
      } else if (report_items) {
        failed_from = BatchItemFailure(outcome->payload, w.records);
        if (failed_from && *failed_from < 0) failed_from = 0;
      }
      if (!failed_from) {
        {
          std::lock_guard lock(mu_);
          status_.records_delivered += static_cast<int64_t>(w.records.size());
          status_.problem.clear();
        }
        SetResult(kResultOk);
        if (checkpoint && !Checkpoint(shard_id, w.records.back().sequence_number)) return false;
        work.pop_front();
        continue;
      }
      {
        std::lock_guard lock(mu_);
        ++status_.function_errors;
        status_.problem = kResultFunctionFailed;
      }
      SetResult(kResultFunctionFailed);
      if (*failed_from > 0) {
        // Partial success: the records before the first failure are done.
        {
          std::lock_guard lock(mu_);
          status_.records_delivered += *failed_from;
        }
        if (checkpoint && !Checkpoint(shard_id, w.records[*failed_from - 1].sequence_number)) {
          return false;
        }
        w.records.erase(w.records.begin(), w.records.begin() + *failed_from);
      } else if (bisect && w.records.size() > 1) {
        // Split in two; splitting does not consume the retry quota.
        Work second{
            std::vector<SourceRecord>(w.records.begin() + w.records.size() / 2, w.records.end()),
            w.retries, 0, std::nullopt};
        w.records.resize(w.records.size() / 2);
        w.invocations = 0;
        work.insert(work.begin() + 1, std::move(second));
        continue;
      }
      ++w.retries;
      if (mapping_.maximum_retry_attempts >= 0 && w.retries > mapping_.maximum_retry_attempts) {
        if (!Discard(shard_id, w, "RetryAttemptsExhausted", checkpoint)) return false;
        work.pop_front();
        continue;
      }
      if (!Sleep(Backoff(w.retries))) return false;
    }
    return true;
  }

  // Gives up on `work`: its on-failure record goes to the destination (when there is one), then
  // the shard moves past it. False when Stop came first.
  bool Discard(const std::string& shard_id, const Work& work, const char* condition,
               bool checkpoint) {
    if (mapping_.on_failure_destination && !mapping_.on_failure_destination->empty()) {
      const std::string record = OnFailureRecord(shard_id, work, condition);
      const std::string payload = EventPayload(work.records);
      int failures = 0;
      while (true) {
        lambdalite::Status sent =
            sender_(context_, *mapping_.on_failure_destination, record, payload, shard_id);
        if (sent.ok()) break;
        SetProblem("on-failure destination: " + sent.error().message);
        LogWarn("esm " + mapping_.uuid + ": on-failure destination: " + sent.error().message);
        if (!Sleep(Backoff(++failures))) return false;
      }
    }
    return !checkpoint || Checkpoint(shard_id, work.records.back().sequence_number);
  }

  std::string OnFailureRecord(const std::string& shard_id, const Work& work,
                              const char* condition) const {
    boost::json::object request;
    request["requestId"] =
        work.last && !work.last->request_id.empty() ? work.last->request_id : NewUuid();
    request["functionArn"] = mapping_.function_arn;
    request["condition"] = condition;
    request["approximateInvokeCount"] = work.invocations;
    boost::json::object record;
    record["requestContext"] = std::move(request);
    if (work.last) {
      boost::json::object response;
      response["statusCode"] = 200;
      response["executedVersion"] = ExecutedVersion(mapping_.qualifier);
      if (work.last->function_error) response["functionError"] = *work.last->function_error;
      record["responseContext"] = std::move(response);
    }
    record["version"] = "1.0";
    record["timestamp"] = FormatIso8601Millis(context_.clock->NowMillis());
    boost::json::object info;
    info["shardId"] = shard_id;
    info["startSequenceNumber"] = work.records.front().sequence_number;
    info["endSequenceNumber"] = work.records.back().sequence_number;
    info["approximateArrivalOfFirstRecord"] = FormatIso8601Millis(work.records.front().arrival_ms);
    info["approximateArrivalOfLastRecord"] = FormatIso8601Millis(work.records.back().arrival_ms);
    info["batchSize"] = work.records.size();
    info["streamArn"] = mapping_.event_source_arn;
    record[source_->BatchInfoKey()] = std::move(info);
    return SerializeEvent(record);
  }

  const PollerContext context_;
  const domain::EventSourceMapping mapping_;
  const StreamPollerOptions options_;
  std::unique_ptr<StreamSource> source_;
  const EventFilter filter_;
  const OnFailureSender sender_;

  mutable std::mutex mu_;
  std::condition_variable cv_;        // the coordinator's wait (Stop, a shard finished)
  std::condition_variable shard_cv_;  // the shard threads' sleeps (Stop)
  bool stopping_ = false;
  bool wake_ = false;
  std::map<std::string, Shard> shards_;
  PollerStatus status_;
  std::mutex join_mu_;
  std::thread coordinator_;
};

}  // namespace

StreamPollerFactory::StreamPollerFactory(StreamPollerOptions options, RoleLookup role_lookup)
    : options_(options), role_lookup_(std::move(role_lookup)) {}

Result<std::unique_ptr<Poller>> StreamPollerFactory::Start(const PollerContext& context) {
  const domain::EventSourceMapping& mapping = context.view.mapping;
  if (context.checkpoints == nullptr || context.invoker == nullptr || context.clock == nullptr) {
    return Error::Make(ErrorCode::kInternal, "stream poller started without its context");
  }
  const std::string role =
      role_lookup_ ? role_lookup_(context.view.scope, mapping.function_name) : std::string();
  std::unique_ptr<StreamSource> source;
  if (source_maker_) {
    LAMBDALITE_TRY(source, source_maker_(context, role));
  } else {
    source = MakeAwsStreamSource(context.http, context.aws, context.clock, mapping.kind,
                                 mapping.event_source_arn, role);
  }
  LAMBDALITE_TRY(EventFilter filter, EventFilter::Parse(mapping.filter_patterns));
  Result<std::vector<aws::StreamShard>> shards = source->ListShards();
  if (!shards.ok()) {
    if (shards.error().code == ErrorCode::kNotFound) {
      return Error::Make(ErrorCode::kNotFound,
                         CannotAccessStreamMessage(mapping.kind, mapping.event_source_arn));
    }
    return shards.error();
  }
  auto poller = std::make_unique<StreamPoller>(
      context, options_, std::move(source), std::move(filter),
      on_failure_sender_ ? on_failure_sender_ : OnFailureSender(&SendOnFailureRecord));
  poller->Begin(std::move(shards).value());
  return std::unique_ptr<Poller>(std::move(poller));
}

Status SendOnFailureRecord(const PollerContext& context, const std::string& destination,
                           const std::string& record, const std::string& payload,
                           const std::string& shard_id) {
  std::optional<aws::Arn> arn = aws::ParseArn(destination);
  if (!arn) {
    return Error::Make(ErrorCode::kInvalidParameter, "not a destination ARN: " + destination);
  }
  if (arn->service == "sqs") {
    aws::SqsClient sqs(context.http, context.aws, context.clock);
    LAMBDALITE_TRY([[maybe_unused]] std::string id, sqs.SendMessage(destination, record));
    return Status();
  }
  if (arn->service == "sns") {
    aws::SnsClient sns(context.http, context.aws, context.clock);
    LAMBDALITE_TRY([[maybe_unused]] std::string id, sns.Publish(destination, record));
    return Status();
  }
  if (arn->service == "s3") {
    const int64_t now = context.clock->NowMillis();
    std::string stamp = FormatIso8601Millis(now);  // 2024-01-31T12:34:56.789Z
    std::string day = stamp.substr(0, 4) + "/" + stamp.substr(5, 2) + "/" + stamp.substr(8, 2);
    std::string time = stamp.substr(0, 19);
    std::replace(time.begin(), time.end(), ':', '.');
    const std::string key = "aws/lambda/" + context.view.mapping.uuid + "/" + shard_id + "/" + day +
                            "/" + time + "-" + NewUuid();
    boost::json::value doc = boost::json::parse(record);
    boost::system::error_code ec;
    boost::json::value event = boost::json::parse(payload, ec);
    if (!ec) doc.as_object()["payload"] = std::move(event);
    aws::S3Client s3(context.http, context.aws, arn->region, context.clock);
    LAMBDALITE_TRY(
        [[maybe_unused]] std::string version,
        s3.PutObject(arn->resource, key, boost::json::serialize(doc), "application/json"));
    return Status();
  }
  return Error::Make(ErrorCode::kInvalidParameter,
                     "unsupported on-failure destination: " + destination);
}

std::string CannotAccessStreamMessage(domain::EventSourceKind kind, const std::string& arn) {
  const char* actions = kind == domain::EventSourceKind::kDynamoDbStreams
                            ? "GetRecords, GetShardIterator, DescribeStream, and ListStreams"
                            : "GetRecords, GetShardIterator, DescribeStream, ListShards, and "
                              "ListStreams";
  return "Cannot access stream " + arn + ". Please ensure the role can perform the " + actions +
         " Actions on your stream in IAM.";
}

Status CheckStreamSource(aws::HttpClient* http, const aws::Config& config,
                         domain::EventSourceKind kind, const std::string& event_source_arn) {
  const Error missing =
      Error::Make(ErrorCode::kInvalidParameter, CannotAccessStreamMessage(kind, event_source_arn));
  Status found;
  if (kind == domain::EventSourceKind::kDynamoDbStreams) {
    if (!aws::IsDynamoDbStreamArn(event_source_arn)) return missing;
    aws::DynamoDbStreamsClient client(http, config);
    auto described = client.DescribeStream(event_source_arn);
    if (!described.ok()) found = described.error();
  } else if (kind == domain::EventSourceKind::kKinesis) {
    if (!aws::KinesisStreamNameFromArn(event_source_arn)) return missing;
    aws::KinesisClient client(http, config);
    auto summary = client.DescribeStreamSummary(event_source_arn);
    if (!summary.ok()) found = summary.error();
  } else {
    return Error::Make(ErrorCode::kInternal, "CheckStreamSource: not a stream mapping");
  }
  if (found.ok()) return found;
  if (found.error().code == ErrorCode::kNotFound) return missing;
  // Could not tell (unreachable, throttled, refused credentials): not the user's mistake.
  return Error::Make(ErrorCode::kUnavailable, found.error().message);
}

}  // namespace lambdalite::esm
