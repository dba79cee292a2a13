// CPU cost of SigV4Verifier::Verify on Lambda-shaped requests (lambdalite serve --auth-keys).
//
//   build/src/auth/sigv4_bench [--benchmark_repetitions=5 --benchmark_report_aggregates_only]
//
// GetFunctionWrk is the request bench/control_plane/auth.sh sends (Host and X-Amz-Date signed);
// GetFunctionBoto3 is what boto3 sends (it also signs amz-sdk-invocation-id and amz-sdk-request);
// InvokeBoto3 is a RequestResponse Invoke with a small JSON body (its SHA-256 is computed).
// ScopeOnly is what a server without --auth-keys does with the same header (reads the credential
// scope), the baseline the verification's cost is counted from.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include "auth/sigv4_verifier.h"
#include "aws/sigv4.h"
#include "common/clock.h"

namespace {

using lambdalite::FakeClock;
using lambdalite::auth::KeyRing;
using lambdalite::auth::SigV4Verifier;
namespace aws = lambdalite::aws;
namespace http = lambdalite::http;

constexpr int64_t kNow = 1796652000000;  // 2026-12-07T14:00:00Z
constexpr const char* kKeys = "test test 123456789012\n";

// `headers` are sent and signed (besides Host and X-Amz-Date); `unsigned_headers` only sent.
http::HttpRequest Signed(const std::string& method, const std::string& target,
                         const aws::HeaderList& headers, const aws::HeaderList& unsigned_headers,
                         const std::string& body) {
  aws::ClientRequest out;
  out.method = method;
  out.url = "http://127.0.0.1:9001" + target;
  out.headers = headers;
  out.headers.push_back({"Host", "127.0.0.1:9001"});
  out.body = body;
  aws::SigningParams params;
  params.credentials = {"test", "test", ""};
  params.region = "us-east-1";
  params.service = "lambda";
  params.time_ms = kNow;
  if (!aws::SignRequest(params, &out).ok()) std::abort();
  http::HttpRequest req;
  req.method = method;
  req.target = target;
  for (const auto& [n, v] : out.headers) req.headers.push_back({n, v});
  for (const auto& [n, v] : unsigned_headers) req.headers.push_back({n, v});
  req.body = body;
  return req;
}

const aws::HeaderList kBoto3Unsigned = {
    {"User-Agent",
     "Boto3/1.35.0 md/Botocore#1.35.0 ua/2.0 os/linux#6.8.0 md/arch#x86_64 lang/python#3.12.3 "
     "md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.0"},
    {"Accept-Encoding", "identity"},
    {"Content-Length", "0"}};

void Run(benchmark::State& state, const http::HttpRequest& req) {
  FakeClock clock(kNow);
  auto ring = KeyRing::Parse(kKeys);
  SigV4Verifier verifier(std::move(ring).value(), clock, "lambda");
  if (!verifier.Verify(req, nullptr).ok()) {
    state.SkipWithError("the request does not verify");
    return;
  }
  for (auto _ : state) {
    auto caller = verifier.Verify(req, nullptr);
    benchmark::DoNotOptimize(caller);
  }
}

void BM_GetFunctionWrk(benchmark::State& state) {
  Run(state, Signed("GET", "/2015-03-31/functions/bench-fn", {}, {}, ""));
}
BENCHMARK(BM_GetFunctionWrk);

void BM_GetFunctionBoto3(benchmark::State& state) {
  Run(state, Signed("GET", "/2015-03-31/functions/bench-fn",
                    {{"amz-sdk-invocation-id", "0b1f7f0e-9d1c-4b8e-a3a4-2c8f7d1e5b6a"},
                     {"amz-sdk-request", "attempt=1"}},
                    kBoto3Unsigned, ""));
}
BENCHMARK(BM_GetFunctionBoto3);

void BM_InvokeBoto3(benchmark::State& state) {
  Run(state, Signed("POST", "/2015-03-31/functions/bench-fn/invocations",
                    {{"X-Amz-Invocation-Type", "RequestResponse"},
                     {"amz-sdk-invocation-id", "0b1f7f0e-9d1c-4b8e-a3a4-2c8f7d1e5b6a"},
                     {"amz-sdk-request", "attempt=1"}},
                    kBoto3Unsigned, "{\"key\": \"value\", \"n\": 1}"));
}
BENCHMARK(BM_InvokeBoto3);

void BM_ScopeOnly(benchmark::State& state) {
  const http::HttpRequest req = Signed("GET", "/2015-03-31/functions/bench-fn", {}, {}, "");
  for (auto _ : state) {
    auto scope = aws::ParseAuthorizationScope(*req.FindHeader("Authorization"));
    benchmark::DoNotOptimize(scope);
  }
}
BENCHMARK(BM_ScopeOnly);

}  // namespace

BENCHMARK_MAIN();
