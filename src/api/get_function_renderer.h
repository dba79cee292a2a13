#pragma once

// GetFunction's answer body, rendered with a cache of the parts that do not change between
// requests. GetFunction is the control plane's hot path, and building its ~1.2 KB of JSON
// (FunctionConfiguration, RuntimeVersionArn's digest, the LastModified timestamp, the tags) cost
// more than everything else the server does for the request.
//
// The body is
//   {"Configuration":{...},"Code":{"RepositoryType":"S3","Location":"<url>"}
//    [,"Tags":{...}][,"Concurrency":{"ReservedConcurrentExecutions":N}]}
// Only Code.Location differs from one request to the next (it is signed with the current time and
// names the host the client addressed), so the caller passes it in and the renderer splices it
// between the cached text before and after it.
//
// The cached text is a pure function of the caller's scope and the FunctionView, and an entry is
// reused only while the view the service returns is the one it was made from: the same version
// snapshot (pointer identity: snapshots are immutable and the entry keeps its own alive, so the
// address cannot be reused), the same name and qualifier, the same tags, the same reserved
// concurrency and the same phase. Every change the service makes to what GetFunction shows (new
// code or configuration, publishing, retargeting an alias, tags, concurrency, deleting and
// re-creating) changes one of those, so the entry is rebuilt on the next request; nothing has to
// tell the cache. A deleted function is never rendered (GetFunction fails before), its entry just
// ages out.
//
// Output: byte for byte what boost::json::serialize gives for the object built member by member
// from the generated shapes::ToJson(ToFunctionConfiguration(...)) (the way GetFunction used to
// answer; the tests compare both).
//
// Thread-safe. Bounded: at most kMaxEntries entries; inserting into a full cache empties it first
// (entries are rebuilt on demand), so memory stays small whatever clients ask for.

#include <cstddef>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "domain/function.h"
#include "service/function_service.h"

namespace lambdalite::api {

class GetFunctionRenderer {
 public:
  static constexpr size_t kMaxEntries = 4096;

  // The GetFunction body for `view` as seen from `scope`, with `location` (not yet JSON-escaped)
  // as Code.Location.
  std::string Render(const domain::Scope& scope, const service::FunctionView& view,
                     std::string_view location);

  // How many entries are cached (for tests).
  size_t size() const;

 private:
  // The cached text and the view it was rendered from.
  struct Entry {
    service::VersionPtr version;
    std::map<std::string, std::string> tags;
    std::optional<int> reserved_concurrency;
    std::optional<std::string> runtime_version_arn;
    service::Phase phase = service::Phase::kSettled;
    std::string head;  // up to and including `"Location":`
    std::string tail;  // everything after Location's value
  };

  static bool Matches(const Entry& entry, const service::FunctionView& view);
  static Entry Build(const domain::Scope& scope, const service::FunctionView& view);

  mutable std::shared_mutex mu_;
  // Keyed by account, region, function name and qualifier (see Render).
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace lambdalite::api
