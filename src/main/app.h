#pragma once

#include <memory>

#include "common/result.h"
#include "main/config.h"

namespace lambdalite::app {

// The running server: the only place that names concrete classes (SQLite store, file code store,
// S3 client, Beast server) and wires them together.
class App {
 public:
  static Result<std::unique_ptr<App>> Start(const Config& config);
  ~App();

  uint16_t port() const;
  // Blocks until Stop() (e.g. from a signal) has completed.
  void Wait();
  // Graceful shutdown: stops accepting, finishes in-flight requests, flushes storage.
  void Stop();

 private:
  struct Parts;
  explicit App(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace lambdalite::app
